from django.urls import path

from pipeline import views
from pipeline.models import Opportunity
from pipeline.selectors import opportunity_get
from pipeline.services import opportunity_fields, opportunity_publish
from recordkit.share_panel import share_urlpatterns

urlpatterns = [
    *share_urlpatterns(
        prefix="pipeline/",
        name="opportunity",
        load=lambda pk: opportunity_get(pk=pk),
        publish=lambda request, o: opportunity_publish(
            actor=request.user, company=request.tenant, opportunity=o
        ),
        detail="opportunity_detail",
        kind=Opportunity.kind_key,
        preview_fields=lambda o: (o.title, opportunity_fields(o)),
    ),
    path("pipeline/", views.opportunity_list, name="opportunity_list"),
    path("pipeline/new/", views.opportunity_new, name="opportunity_new"),
    path("pipeline/<uuid:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("pipeline/<uuid:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("pipeline/<uuid:pk>/archive/", views.opportunity_archive_view, name="opportunity_archive"),
]
