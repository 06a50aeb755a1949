from django.urls import path

from pipeline import views

urlpatterns = [
    path("pipeline/", views.opportunity_list, name="opportunity_list"),
    path("pipeline/new/", views.opportunity_new, name="opportunity_new"),
    path("pipeline/<uuid:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("pipeline/<uuid:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("pipeline/<uuid:pk>/archive/", views.opportunity_archive_view, name="opportunity_archive"),
    path("pipeline/<uuid:pk>/share/", views.opportunity_share, name="opportunity_share"),
    path("pipeline/<uuid:pk>/share/people/", views.share_people, name="opportunity_share_people"),
    path(
        "pipeline/<uuid:pk>/preview/<slug:slug>/",
        views.opportunity_preview,
        name="opportunity_preview",
    ),
    path(
        "pipeline/<uuid:pk>/share/<slug:slug>/remove/",
        views.opportunity_unshare,
        name="opportunity_unshare",
    ),
]
