"""A CRM's signed change notice starts a sync; a bad or stale signature, a huge body or
another company's host changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from standardwebhooks import Webhook

from integrations.models import SyncRun
from tests.builders import client_on
from tests.integrations.helpers import connection_plant


def _signed(
    secret: str, body: bytes, *, at: dt.datetime | None = None, msg_id: str = "msg_1"
) -> dict:
    at = at or timezone.now()
    signature = Webhook(secret).sign(msg_id, at, body)
    return {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(at.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }


@pytest.mark.django_db
def test_a_signed_notice_starts_one_sync_and_bad_ones_change_nothing(acme, globex):
    planted = connection_plant(acme)
    connection = planted["connection"]
    with schema_context(acme.company.schema_name):
        connection.webhook_secret = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        connection.save(update_fields=["webhook_secret"])
        runs_before = SyncRun.objects.count()
    url = f"/integrations/hooks/{connection.pk}/"
    body = json.dumps({"object": "sale.opportunity", "ids": [3]}).encode()
    anonymous = client_on(acme.host)

    bad = anonymous.post(
        url, body, content_type="application/json", **_signed("whsec_" + "A" * 32, body)
    )
    assert bad.status_code == 401 and "signature doesn't match" in bad.json()["detail"]
    stale = anonymous.post(
        url, body, content_type="application/json",
        **_signed(connection.webhook_secret, body, at=timezone.now() - dt.timedelta(minutes=10)),
    )  # fmt: skip
    assert stale.status_code == 401
    tampered = anonymous.post(
        url,
        body + b" ",
        content_type="application/json",
        **_signed(connection.webhook_secret, body),
    )
    assert tampered.status_code == 401
    huge = b"x" * (70 * 1024)
    assert (
        anonymous.post(
            url, huge, content_type="application/json", **_signed(connection.webhook_secret, huge)
        ).status_code
        == 400
    )
    elsewhere = client_on(globex.host).post(
        url, body, content_type="application/json", **_signed(connection.webhook_secret, body)
    )
    assert elsewhere.status_code == 404
    with schema_context(acme.company.schema_name):
        assert SyncRun.objects.count() == runs_before

    good = anonymous.post(
        url, body, content_type="application/json", **_signed(connection.webhook_secret, body)
    )
    assert good.status_code == 202, good.content
    again = anonymous.post(
        url,
        body,
        content_type="application/json",
        **_signed(connection.webhook_secret, body, msg_id="msg_2"),
    )
    assert again.json()["run"] == good.json()["run"]  # a storm of notices: one run
    replayed = anonymous.post(
        url, body, content_type="application/json", **_signed(connection.webhook_secret, body)
    )
    assert replayed.status_code == 200 and "received already" in replayed.json()["detail"]
    with schema_context(acme.company.schema_name):
        assert SyncRun.objects.filter(trigger="webhook").count() == 1
