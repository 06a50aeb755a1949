from django.urls import path

from marketing import views
from marketing.models import MarketingPlan
from marketing.selectors import plan_get
from marketing.services import plan_fields, plan_publish
from recordkit.share_panel import share_urlpatterns

urlpatterns = [
    *share_urlpatterns(
        prefix="marketing/",
        name="plan",
        load=lambda pk: plan_get(pk=pk),
        publish=lambda request, p: plan_publish(actor=request.user, company=request.tenant, plan=p),
        detail="plan_detail",
        kind=MarketingPlan.kind_key,
        preview_fields=lambda p: (p.name, plan_fields(p)),
    ),
    path("marketing/", views.plan_list, name="plan_list"),
    path("marketing/new/", views.plan_new, name="plan_new"),
    path("marketing/<uuid:pk>/", views.plan_detail, name="plan_detail"),
    path("marketing/<uuid:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("marketing/<uuid:pk>/campaigns/", views.plan_campaign_add, name="plan_campaign_add"),
    path("marketing/<uuid:pk>/tasks/", views.plan_task_add, name="plan_task_add"),
    path(
        "marketing/<uuid:pk>/tasks/<uuid:task_pk>/toggle/",
        views.plan_task_toggle,
        name="plan_task_toggle",
    ),
    path("marketing/<uuid:pk>/archive/", views.plan_archive_view, name="plan_archive"),
]
