from django.urls import path

from marketing import views

urlpatterns = [
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
    path("marketing/<uuid:pk>/share/", views.plan_share, name="plan_share"),
    path("marketing/<uuid:pk>/share/people/", views.plan_share_people, name="plan_share_people"),
    path("marketing/<uuid:pk>/share/<slug:slug>/remove/", views.plan_unshare, name="plan_unshare"),
]
