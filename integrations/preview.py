"""The preview: the mapping run on the CRM's first ten records, showing what would be
written here and every value that wouldn't convert, before anything is switched on. The same
conversion code as the sync (integrations.mapping), so the preview can't promise what the
sync won't do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from integrations.connectors.base import ConnectorError
from integrations.connectors.registry import connector_for
from integrations.mapping import compile_object
from integrations.models import Connection, ExternalLink, ObjectMapping

SAMPLE = 10


@dataclass
class PreviewCell:
    label: str
    remote: Any
    local: Any
    error: str


@dataclass
class PreviewRow:
    external_id: str
    action: str  # "create", "update", "skip"
    cells: list[PreviewCell]

    @property
    def errors(self) -> int:
        return sum(1 for c in self.cells if c.error)


def mapping_preview(connection: Connection, mapping: ObjectMapping) -> tuple[list[PreviewRow], str]:
    """(rows, "" or why the CRM couldn't be read)."""
    compiled = compile_object(mapping)
    if not compiled.fields:
        return [], "Map at least one field to see a preview."
    connector = connector_for(connection)
    try:
        connector.authenticate()
        page = connector.changes(
            mapping.remote_object, {}, limit=SAMPLE, fields=compiled.remote_fields
        )
    except ConnectorError as exc:
        return [], str(exc)
    linked = set(
        ExternalLink.objects.filter(
            connection=connection,
            remote_object=mapping.remote_object,
            external_id__in=[r.external_id for r in page.records],
        ).values_list("external_id", flat=True)
    )
    references = {
        (kind, ext): True
        for kind, ext in ExternalLink.objects.filter(connection=connection).values_list(
            "kind", "external_id"
        )
    }
    rows = []
    for record in page.records:
        values, errors = compiled.to_local(record.values)
        cells = []
        for f in compiled.fields:
            local = values.get(f.local)
            error = errors.get(f.local, "")
            unresolved = (f.target.kind, str(local)) not in references
            if f.target.type == "reference" and not error and local and unresolved:
                local = f"CRM record {local} (comes with the accounts)"
            cells.append(PreviewCell(f.target.label, record.values.get(f.remote), local, error))
        rows.append(
            PreviewRow(
                record.external_id, "update" if record.external_id in linked else "create", cells
            )
        )
    return rows, ""
