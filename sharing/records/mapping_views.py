"""Settings → Partner fields: the custom fields partners share with us (seen on the records
they share, through the access function), each mappable to one of our own fields. The
mapping itself is our business configuration (business.mappings); which fields partners
share is network data, so the page lives here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from business.mappings import mapping_set, mappings_by_partner_key
from business.models import FieldDefinition, ObjectType
from identity.models import User
from sharing.records.access import shared_records_shared_with
from tenants.decorators import admin_required
from tenants.models import Company
from ui.forms import int_or_none

SCAN_LIMIT = 2000


def partner_fields_seen(*, user: User, company: Company) -> list[dict[str, Any]]:
    """The custom fields partners share with `company`, as seen on the records it can read
    (most recent first, up to SCAN_LIMIT records): partner, key, label, type."""
    seen: dict[tuple[int, str], dict[str, Any]] = {}
    records = (
        shared_records_shared_with(user=user, company=company)
        .filter(payload__has_key="custom")
        .select_related("owner")
        .only("owner__name", "owner__id", "payload")
        .order_by("-last_activity_at")[:SCAN_LIMIT]
    )
    for record in records:
        for item in record.payload.get("custom") or []:
            key = (record.owner_id, str(item.get("key", "")))
            seen.setdefault(
                key,
                {
                    "partner": record.owner,
                    "key": key[1],
                    "label": item.get("label", key[1]),
                    "type": item.get("type", ""),
                },
            )
    return sorted(seen.values(), key=lambda f: (f["partner"].name, f["label"]))


@admin_required
def partner_field_mappings(request: HttpRequest) -> HttpResponse:
    """The custom fields partners share with us, each mappable to one of our own fields."""
    if request.method == "POST":
        try:
            mapping_set(
                actor=request.user,
                partner_id=int(request.POST.get("partner_id", "")),
                partner_key=request.POST.get("partner_key", "")[:40],
                field_id=int_or_none(request.POST.get("field")),
            )
        except (ValidationError, ValueError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", ["Choose a field."])))
        else:
            messages.success(request, "Mapping saved. Shared records show it in your terms.")
        return redirect("business_mappings")
    mappings = mappings_by_partner_key()
    seen = partner_fields_seen(user=request.user, company=request.tenant)
    for item in seen:
        mapping = mappings.get((item["partner"].pk, item["key"]))
        item["mapped_to"] = mapping.field_id if mapping else None
    own = [
        f
        for f in FieldDefinition.objects.filter(
            object_type=ObjectType.OPPORTUNITY, retired_at__isnull=True
        ).order_by("label")
    ]
    return render(
        request,
        "business/mappings.html",
        {"tab": "mappings", "seen": seen, "own_fields": own},
    )
