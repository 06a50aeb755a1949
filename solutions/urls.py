from django.urls import path

from recordkit.share_panel import share_urlpatterns
from solutions import views
from solutions.models import Solution
from solutions.selectors import solution_get
from solutions.services import solution_fields, solution_publish

urlpatterns = [
    *share_urlpatterns(
        prefix="solutions/",
        name="solution",
        load=lambda pk: solution_get(pk=pk),
        publish=lambda request, s: solution_publish(
            actor=request.user, company=request.tenant, solution=s
        ),
        detail="solution_detail",
        kind=Solution.kind_key,
        preview_fields=lambda s: (s.name, solution_fields(s)),
    ),
    path("solutions/", views.solution_list, name="solution_list"),
    path("solutions/new/", views.solution_new, name="solution_new"),
    path("solutions/<uuid:pk>/", views.solution_detail, name="solution_detail"),
    path("solutions/<uuid:pk>/edit/", views.solution_edit, name="solution_edit"),
    path("solutions/<uuid:pk>/archive/", views.solution_archive_view, name="solution_archive"),
]
