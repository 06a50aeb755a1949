"""The "In your CRM" panel on an account's and an opportunity's page: which connection syncs
it, the CRM's id, when it last synced, and its open conflicts or failure."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from integrations.models import ConflictState, DeadLetter, ExternalLink
from recordkit.panels import RecordPanel


def crm_panel(kind: str):  # type: ignore[no-untyped-def]
    def build(request: HttpRequest, record: Any) -> RecordPanel | None:
        links = list(
            ExternalLink.objects.filter(kind=kind, local_id=record.pk).select_related("connection")
        )
        failures = list(
            DeadLetter.objects.filter(local_id=record.pk, resolved_at=None).select_related(
                "connection"
            )[:3]
        )
        if not links and not failures:
            return None
        for link in links:
            link.open_conflicts = link.conflicts.filter(state=ConflictState.OPEN).count()
        return RecordPanel(
            template="integrations/_record_panel.html",
            context={"links": links, "failures": failures, "is_admin": request.membership.is_admin},
        )

    return build
