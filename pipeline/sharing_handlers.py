"""How the sharing app reaches opportunities: write-back of collaborative edits and adoption."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from accounts.services import account_for_customer
from business.records import core_values, custom_recomputed
from canonical import Motion, Stage
from pipeline.models import Opportunity
from pipeline.services import WRITES
from recordkit.services import record_republish


def opportunity_sync_back(record, changes: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Runs in the owner's schema. Derived fields follow the partner's edit (a stage change
    moves a weighted amount)."""

    opportunity = Opportunity.objects.filter(pk=record.source_id).first()
    if opportunity is None:
        return
    custom = custom_recomputed(
        object_type="opportunity",
        company=record.owner,
        custom=opportunity.custom,
        core={**core_values(opportunity), **changes},
    )
    Opportunity.objects.filter(pk=record.source_id).update(
        **changes, custom=custom, version=F("version") + 1, updated_at=timezone.now()
    )
    if custom != opportunity.custom:
        # a derived field moved with the partner's edit: partners read the new value too
        opportunity.refresh_from_db()
        record_republish(WRITES, company=record.owner, obj=opportunity)


def opportunity_adopt(record, actor, *, company) -> Opportunity:  # type: ignore[no-untyped-def]
    """Runs in the adopting company's schema."""
    if Opportunity.objects.filter(adopted_from_id=record.pk).exists():
        raise ValidationError("This opportunity is already in your pipeline.")
    p = record.payload
    try:
        account = account_for_customer(
            actor=actor,
            company=company,
            name=p.get("customer_name") or record.title,
            domain=p.get("customer_domain", ""),
        )
    except ValidationError:  # a partner's domain we can't read: the name alone decides
        account = account_for_customer(
            actor=actor, company=company, name=p.get("customer_name") or record.title, domain=""
        )
    return Opportunity.objects.create(
        # the shared record's title is the owner's deal name
        name=(record.title or account.name)[:200],
        account=account,
        customer_name=account.name,
        customer_domain=p.get("customer_domain", "")[:253],
        amount=p.get("amount") or 0,
        currency=p.get("currency", "USD"),
        close_date=p.get("close_date") or timezone.now().date(),
        stage=p.get("stage") if p.get("stage") in Stage.values else Stage.PROSPECT,
        motion=p.get("motion") if p.get("motion") in Motion.values else Motion.SELL_WITH,
        owner_id=actor.pk,
        adopted_from_id=record.pk,
    )


def opportunity_is_adopted(record) -> bool:  # type: ignore[no-untyped-def]
    return Opportunity.objects.filter(adopted_from_id=record.pk).exists()
