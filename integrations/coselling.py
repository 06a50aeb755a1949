"""Co-selling through the integration layer: a deal a partner shares with me goes into my
CRM in one step ("Add to my CRM"). It is adopted into my pipeline first (the partner's
published fields only, as the access function hands them to my company) and created in my CRM
at the next push — which checks again that my company still reads the share (invariant 3)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from audit.actions import AuditAction
from audit.services import company_audit_entry_record
from identity.models import User
from integrations.models import Connection, ConnectionState, ExternalLink, RemoteCreateRequest
from integrations.services import sync_run_start
from pipeline.models import Opportunity
from sharing.collaboration.services.collaboration import shared_record_adopt
from sharing.models import SharedRecord
from tenants.models import Company, Membership


@dataclass(frozen=True)
class RecordAction:
    url: str
    label: str
    testid: str


def crm_connection_for(kind: str) -> Connection | None:
    """The company's switched-on connection that syncs this kind, if any."""
    return (
        Connection.objects.filter(
            state__in=[ConnectionState.ACTIVE, ConnectionState.FAILING],
            object_mappings__kind=kind,
            object_mappings__enabled=True,
        )
        .order_by("connected_at")
        .first()
    )


def add_to_crm_actions(
    request: HttpRequest, record: SharedRecord, is_owner: bool
) -> list[RecordAction]:
    """The button on a partner's shared deal (sharing.hooks.on_record_actions)."""
    if is_owner or record.kind != Opportunity.kind_key or crm_connection_for(record.kind) is None:
        return []
    return [
        RecordAction(reverse("shared_add_to_crm", args=[record.pk]), "Add to my CRM", "add-to-crm")
    ]


def record_add_to_crm(
    *, actor: User, actor_membership: Membership, company: Company, record: SharedRecord
) -> tuple[Opportunity, bool]:
    """(my copy of the deal, whether it was asked for now: False if it is in my CRM or
    waiting to go there already)."""
    connection = crm_connection_for(Opportunity.kind_key)
    if connection is None:
        raise ValidationError("Connect your CRM first (Settings → Integrations).")
    with transaction.atomic():
        copy = Opportunity.objects.filter(adopted_from_id=record.pk).first()
        if copy is None:
            copy = shared_record_adopt(
                actor=actor, actor_membership=actor_membership, record=record
            )
        if ExternalLink.objects.filter(
            connection=connection, kind=Opportunity.kind_key, local_id=copy.pk
        ).exists():
            return copy, False
        _, asked = RemoteCreateRequest.objects.get_or_create(
            connection=connection,
            kind=Opportunity.kind_key,
            local_id=copy.pk,
            done_at=None,
            defaults={"requested_by_id": actor.pk, "shared_record_id": record.pk},
        )
        account_linked = ExternalLink.objects.filter(
            connection=connection, kind="account", local_id=copy.account_id
        ).exists()
        if copy.account_id and not account_linked:
            RemoteCreateRequest.objects.get_or_create(
                connection=connection,
                kind="account",
                local_id=copy.account_id,
                done_at=None,
                defaults={"requested_by_id": actor.pk, "shared_record_id": record.pk},
            )
        if asked:
            company_audit_entry_record(
                actor=actor,
                action=AuditAction.INTEGRATION_ADDED_TO_CRM,
                target=copy,
                after={"connection": connection.name, "shared_record": str(record.pk)},
            )
            sync_run_start(actor=None, actor_membership=None, connection=connection)
    return copy, asked
