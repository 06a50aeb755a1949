from django.urls import path

from solutions import views

urlpatterns = [
    path("solutions/", views.solution_list, name="solution_list"),
    path("solutions/new/", views.solution_new, name="solution_new"),
    path("solutions/<uuid:pk>/", views.solution_detail, name="solution_detail"),
    path("solutions/<uuid:pk>/edit/", views.solution_edit, name="solution_edit"),
    path("solutions/<uuid:pk>/archive/", views.solution_archive_view, name="solution_archive"),
    path("solutions/<uuid:pk>/share/", views.solution_share, name="solution_share"),
    path(
        "solutions/<uuid:pk>/share/people/",
        views.solution_share_people,
        name="solution_share_people",
    ),
    path(
        "solutions/<uuid:pk>/share/<slug:slug>/remove/",
        views.solution_unshare,
        name="solution_unshare",
    ),
]
