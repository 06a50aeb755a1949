from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from solutions.models import Solution, SolutionStatus

SORTS = {"name": "Name (A–Z)", "-updated_at": "Recently updated", "-created_at": "Newest"}


def solutions_of_company(
    *, query: str = "", status: str = "", include_archived: bool = False, sort: str = "name"
) -> QuerySet[Solution]:
    qs = (
        Solution.objects.all()
        if include_archived
        else Solution.objects.filter(archived_at__isnull=True)
    )
    if query:
        qs = qs.filter(
            Q(name__icontains=query)
            | Q(summary__icontains=query)
            | Q(industries__icontains=[query])
        )
    if status in SolutionStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by(sort if sort in SORTS else "name", "pk")


def solution_get(*, pk) -> Solution:  # type: ignore[no-untyped-def]
    try:
        return Solution.objects.get(pk=pk)
    except (Solution.DoesNotExist, ValueError, ValidationError) as exc:  # malformed id = missing
        raise Http404("No such solution.") from exc
