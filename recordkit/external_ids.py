"""External ids: a record's id in the system an API integration keeps it in ("CRM-0042"),
so the integration can upsert by it. Unique per company among non-blank values — a partial
unique index on each kind's table, and each company has its own schema. Services check it
with a sentence; a race past the check (two saves of one new id at once) hits the index and
gets the same sentence instead of a server error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models

MAX_LENGTH = 255


def external_id_clean(value: Any) -> str:
    """The stored form: text without surrounding spaces ("" for none)."""
    return str(value or "").strip()


def _too_long() -> dict[str, list[str]]:
    return {"external_id": [f"Keep the external id under {MAX_LENGTH + 1} characters."]}


def _taken(label: str, external_id: str) -> dict[str, list[str]]:
    return {
        "external_id": [
            f"Another {label} already has the external id “{external_id[:80]}”: update that "
            "one, or give this one an id of its own."
        ]
    }


def external_id_errors(
    obj: models.Model, *, label: str, previous: str | None = None
) -> dict[str, list[str]]:
    """Field errors for `obj.external_id` (normalised in place): too long, or another record
    of the kind has it. Nothing is asked of the database when it is blank or unchanged."""
    obj.external_id = external_id_clean(obj.external_id)  # type: ignore[attr-defined]
    value = obj.external_id  # type: ignore[attr-defined]
    if not value or value == previous:
        return {}
    if len(value) > MAX_LENGTH:
        return _too_long()
    if type(obj)._default_manager.filter(external_id=value).exclude(pk=obj.pk).exists():
        return _taken(label, value)
    return {}


@contextmanager
def external_id_race_refused(*, label: str, external_id: str) -> Iterator[None]:
    """Around a service's transaction: a save that lost the race for a new external id (the
    unique index refused it) is a ValidationError like the one the check gives. Told by the
    key PostgreSQL names, not the index's name: a company schema cloned from the template
    has the index under a name PostgreSQL chose (CREATE TABLE … LIKE … INCLUDING ALL)."""
    try:
        yield
    except IntegrityError as exc:
        diag = getattr(exc.__cause__, "diag", None)
        if str(getattr(diag, "message_detail", None) or "").startswith("Key (external_id)="):
            raise ValidationError(_taken(label, external_id_clean(external_id))) from exc
        raise


def external_ids_errors_batch(
    objs: list[models.Model], *, label: str
) -> list[dict[str, list[str]]]:
    """external_id_errors for a batch of new records, with one query for the lot: an id
    another record has, or one an earlier record of the batch took, is refused."""
    values = []
    for obj in objs:
        obj.external_id = external_id_clean(obj.external_id)  # type: ignore[attr-defined]
        values.append(obj.external_id)  # type: ignore[attr-defined]
    wanted = {v for v in values if v and len(v) <= MAX_LENGTH}
    taken = (
        set(
            type(objs[0])
            ._default_manager.filter(external_id__in=wanted)
            .values_list("external_id", flat=True)
        )
        if wanted
        else set()
    )
    errors: list[dict[str, list[str]]] = []
    for value in values:
        if not value:
            errors.append({})
        elif len(value) > MAX_LENGTH:
            errors.append(_too_long())
        elif value in taken:
            errors.append(_taken(label, value))
        else:
            taken.add(value)
            errors.append({})
    return errors
