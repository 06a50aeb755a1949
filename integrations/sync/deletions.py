"""Records deleted in the CRM: found by comparing the CRM's ids with our links, then
archived here (never deleted) or kept, as the mapping says. A read that would archive most
of what we have stops instead: that looks like lost access in the CRM, not deletions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from integrations.connectors.base import ConnectorError
from integrations.mapping import CompiledObject
from integrations.models import DeletionPolicy, ExternalLink
from integrations.records import ADAPTERS
from integrations.sync.context import RunContext
from integrations.sync.retry import with_retries

# more than this share of the links gone at once (and more than a handful): stop, ask a person
SUSPICIOUS_SHARE = 0.5
SUSPICIOUS_MIN = 10


def deletions_apply(ctx: RunContext, compiled: CompiledObject) -> None:
    links = ExternalLink.objects.filter(
        connection=ctx.connection, remote_object=compiled.remote_object, remote_deleted_at=None
    )
    total = links.count()
    if not total:
        return
    existing = set(with_retries(lambda: list(ctx.connector.existing_ids(compiled.remote_object))))
    # (pk, external id, local id) rows, not model instances: a large CRM has 100,000s of links
    gone = [
        (pk, local_id)
        for pk, external_id, local_id in links.values_list("pk", "external_id", "local_id")
        if external_id not in existing
    ]
    if len(gone) > SUSPICIOUS_MIN and len(gone) > SUSPICIOUS_SHARE * total:
        raise ConnectorError(
            f"The CRM no longer lists {len(gone):,} of the {total:,} "
            f"{compiled.mapping.remote_label or compiled.remote_object} records we sync. "
            "Nothing was archived: check that the CRM user still sees them, then run the sync again."
        )
    adapter = ADAPTERS[compiled.kind]
    objects = adapter.model.objects.in_bulk([local_id for _, local_id in gone])
    now = timezone.now()
    for link_pk, local_id in gone:
        with transaction.atomic():
            obj = objects.get(local_id)
            if (
                obj is not None
                and obj.archived_at is None
                and compiled.mapping.on_remote_delete == DeletionPolicy.ARCHIVE
            ):
                adapter.archive(actor=ctx.actor, company=ctx.company, obj=obj)
                ctx.count("archived")
            ExternalLink.objects.filter(pk=link_pk).update(remote_deleted_at=now)
        ctx.flush()
