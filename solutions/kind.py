"""The solution, declared once for every room that handles kinds of records."""

from __future__ import annotations

from kinds import ApiRoute, Metrics, RecordKind, SharingHandlers
from solutions.models import Solution
from solutions.selectors import solution_get
from solutions.services import solution_publish


def _publish(actor, company, source_id):  # type: ignore[no-untyped-def]
    return solution_publish(actor=actor, company=company, solution=solution_get(pk=source_id))


SOLUTION = RecordKind(
    key=Solution.kind_key,
    label="Solution",
    plural="Solutions",
    short="sol",
    model=Solution,
    formula_fields=("name", "summary", "status", "categories", "industries", "regions"),
    shareable_fields=("name", "summary", "categories", "industries", "regions", "status"),
    always_shared=frozenset({"name"}),
    metrics=Metrics(groupings={"status": "Status", "owner": "Owner"}),
    list_url_name="solution_list",
    detail_url_name="solution_detail",
    api_component="Solution",
    urls="solutions.urls",
    api=(ApiRoute("solutions", "solutions.api.SolutionViewSet", "api-solution"),),
    # Solutions are shared read-only: nothing flows back, nothing is adopted.
    sharing=SharingHandlers(publish=_publish, sync_back=lambda record, changes: None),
)
