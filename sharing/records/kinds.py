"""What sharing needs from the kinds whose records go on the network: their sharing handlers,
read from the record-kind registry (kinds), which the record apps fill when Django starts."""

from __future__ import annotations

from kinds import SharingHandlers, kind_get


def kind_handlers(kind: str) -> SharingHandlers | None:
    spec = kind_get(kind)
    return spec.sharing if spec is not None else None


def kind_detail_url_name(kind: str) -> str:
    spec = kind_get(kind)
    return spec.detail_url_name if spec is not None else ""
