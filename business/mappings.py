"""Partner field mappings: which of a partner's shared custom fields are which of ours, and
how a shared record's custom values read for the viewing company."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from business.models import FieldDefinition, FieldType, PartnerFieldMapping, Term
from identity.models import User
from tenants.models import Company


def mappings_by_partner_key() -> dict[tuple[int, str], PartnerFieldMapping]:
    return {
        (m.partner_id, m.partner_key): m
        for m in PartnerFieldMapping.objects.select_related("field", "field__vocabulary")
    }


def mapping_set(*, actor: User, partner_id: int, partner_key: str, field_id: int | None) -> None:
    """Maps (or with field_id None, unmaps) a partner's field to one of ours; audited."""
    with transaction.atomic():
        current = PartnerFieldMapping.objects.filter(
            partner_id=partner_id, partner_key=partner_key
        ).first()
        before = {"field": current.field.key} if current else None
        if field_id is None:
            if current:
                current.delete()
        else:
            field = FieldDefinition.objects.filter(pk=field_id, retired_at__isnull=True).first()
            if field is None:
                raise ValidationError("Choose one of your current fields.")
            if current:
                current.field = field
                current.save(update_fields=["field"])
            else:
                PartnerFieldMapping.objects.create(
                    partner_id=partner_id, partner_key=partner_key, field=field
                )
        after = {"field": FieldDefinition.objects.get(pk=field_id).key} if field_id else None
        if before != after:
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.BUSINESS_PARTNER_FIELD_MAPPED,
                before={"partner_id": partner_id, "partner_key": partner_key, **(before or {})},
                after={"partner_id": partner_id, "partner_key": partner_key, **(after or {})},
            )


def shared_custom_for_viewer(*, record, viewer_company: Company) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A shared record's custom values as the viewer reads them: under the viewer's own field
    label where it mapped the partner's field, with choice values in the viewer's terms where
    the viewer's vocabulary has the same key; the owner's label and words otherwise."""
    items = list(record.payload.get("custom") or [])
    if not items or record.owner_id == viewer_company.pk:
        return items
    mappings = {
        m.partner_key: m
        for m in PartnerFieldMapping.objects.filter(partner_id=record.owner_id).select_related(
            "field"
        )
    }
    if not mappings:
        return items
    vocabularies = {m.field.vocabulary_id for m in mappings.values() if m.field.vocabulary_id}
    terms = {
        (t.vocabulary_id, t.key): t.label
        for t in Term.objects.filter(vocabulary_id__in=vocabularies)
    }
    out = []
    for item in items:
        mapping = mappings.get(item.get("key"))
        if mapping is None or mapping.field.retired_at:
            out.append(item)
            continue
        field = mapping.field
        display = item.get("display", "")
        value = item.get("value")
        if field.field_type == FieldType.CHOICE and (field.vocabulary_id, value) in terms:
            display = terms[(field.vocabulary_id, value)]
        elif (
            field.field_type == FieldType.MULTI_CHOICE
            and isinstance(value, list)
            and all((field.vocabulary_id, v) in terms for v in value)
        ):
            display = ", ".join(terms[(field.vocabulary_id, v)] for v in value)
        out.append({**item, "label": field.label, "display": display, "mapped": True})
    return out
