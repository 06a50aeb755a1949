"""The registry of record kinds: filled by the kinds' apps in AppConfig.ready(), read by every
room. Order of registration is the order pages list the kinds in."""

from __future__ import annotations

from django.core.exceptions import ValidationError

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


def record_type_choices() -> list[tuple[str, str]]:
    """(key, label) of the kinds whose records carry custom fields (they have a model in a
    company schema), in registration order; the API document's enum reads it too."""
    return [(k.key, k.label) for k in _KINDS.values() if k.model is not None]


def record_type_keys() -> set[str]:
    return {key for key, _ in record_type_choices()}


def record_type_validate(value: str) -> None:
    """A model field validator: the value names a registered kind of record. Columns that
    name a kind are plain text checked here, so adding a kind needs no migration."""
    if value not in record_type_keys():
        raise ValidationError(f"“{value}” is not a kind of record here.", code="invalid_choice")


def kind_choices(*, shared: bool = False) -> list[tuple[str, str]]:
    """(key, label) of the kinds (only those that can be shared, if asked)."""
    return [(k.key, k.label) for k in (kinds_shared() if shared else kinds_all())]
