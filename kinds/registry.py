"""The registry of record kinds: filled by the kinds' apps in AppConfig.ready(), read by every
room. Order of registration is the order pages list the kinds in."""

from __future__ import annotations

from kinds.spec import RecordKind

_KINDS: dict[str, RecordKind] = {}


def kind_register(spec: RecordKind) -> None:
    if spec.key in _KINDS and _KINDS[spec.key] != spec:
        raise ValueError(f"record kind {spec.key!r} is registered twice")
    _KINDS[spec.key] = spec


def kind_get(key: str) -> RecordKind | None:
    return _KINDS.get(key)


def kinds_all() -> list[RecordKind]:
    return list(_KINDS.values())


def kinds_shared() -> list[RecordKind]:
    """The kinds whose records can go on the network."""
    return [k for k in _KINDS.values() if k.is_shared]


def kind_of_model(model: type) -> RecordKind | None:
    return next((k for k in _KINDS.values() if k.model is model), None)


def kind_choices(*, shared: bool = False) -> list[tuple[str, str]]:
    """(key, label) of the kinds (only those that can be shared, if asked)."""
    return [(k.key, k.label) for k in (kinds_shared() if shared else kinds_all())]
