"""A CRM's change notice: POST /integrations/hooks/<connection>/ on the company's host,
signed per the Standard Webhooks spec (webhook-id, webhook-timestamp, webhook-signature;
HMAC-SHA256 with the connection's secret, five minutes' tolerance). A good one starts an
incremental sync (or answers the run already waiting: a storm of notices makes one run);
anything else changes nothing."""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError
from standardwebhooks import Webhook, WebhookVerificationError

from integrations.models import Connection, ConnectionState, RunTrigger, SyncRun
from integrations.services import sync_run_start

MAX_BODY = 64 * 1024


class AlreadySeen(Exception):
    """A notice with a webhook-id this connection took already."""


def change_notice_receive(
    *, connection: Connection, body: bytes, headers: dict[str, str]
) -> SyncRun:
    """Raises ValidationError (a sentence) when the notice isn't ours to act on."""
    if len(body) > MAX_BODY:
        raise ValidationError("The notice is too large.")
    if not connection.webhook_secret:
        raise ValidationError("This connection takes no change notices.")
    try:
        Webhook(connection.webhook_secret).verify(body, headers, json_parse=False)
    except WebhookVerificationError as exc:
        raise ValidationError(
            "The signature doesn't match this connection's webhook secret (or the notice is "
            "older than five minutes)."
        ) from exc
    # the same signed notice again (inside the five minutes it is valid): answered, not acted on
    seen = f"integrations:notice:{connection.pk}:{headers.get('webhook-id', '')[:100]}"
    if not cache.add(seen, True, timeout=600):
        raise AlreadySeen()
    if connection.state not in (ConnectionState.ACTIVE, ConnectionState.FAILING):
        raise ValidationError("The connection is not syncing, so the notice was ignored.")
    return sync_run_start(
        actor=None, actor_membership=None, connection=connection, trigger=RunTrigger.WEBHOOK
    )
