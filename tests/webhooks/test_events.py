"""Where events come from and what each company is told: a shared record's events reach each
company that reads it, as its access shows the record (withheld fields and private notes
never), only if it may read that event in the record's feed; access removed between queueing
and sending means not sent; the company's own records come from its audit log; a company
without endpoints costs nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from standardwebhooks import Webhook

from business.policy import sharing_policy_update
from pipeline.services import opportunity_update
from sharing.collaboration.services.collaboration import shared_record_collaborate
from sharing.collaboration.services.comments import comment_add
from sharing.models import Partnership
from sharing.network.services.partnerships import partnership_end
from sharing.records.services.sharing import (
    shared_record_settings_update,
    sharing_entry_remove,
    sharing_entry_set,
)
from tests.builders import client_on, company_make
from tests.integrations.helpers import connection_plant
from tests.sharing.helpers import SECRET, membership, opportunity_make, partners_make
from tests.sharing.helpers import shared_opportunity_make as published
from tests.webhooks.helpers import endpoint_make, receiver_running
from webhooks import events
from webhooks.delivery import webhook_delivery_send
from webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEvent
from webhooks.payloads import ACCESS_REMOVED

pytestmark = pytest.mark.django_db


def _share(owner, record, partner, *, role="contributor", users=()):  # type: ignore[no-untyped-def]
    sharing_entry_set(
        actor=owner.owner,
        actor_membership=membership(owner),
        record=record,
        partner=partner.company,
        role=role,
        users=users,
    )


def _bodies(receiver, secret: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [Webhook(secret).verify(r.body, r.headers) for r in receiver.received]


def _events(world) -> list[str]:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return list(WebhookEvent.objects.order_by("created_at").values_list("type", flat=True))


def test_a_partner_hears_of_a_share_as_its_access_shows_the_record(
    partnered, receiver, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    theirs = endpoint_make(globex, receiver.url, ["record.shared"])
    with receiver_running() as ours:
        mine = endpoint_make(acme, ours.url, ["record.shared"])
        _, record = published(acme)
        with django_capture_on_commit_callbacks(execute=True):
            _share(acme, record, globex)
        (owner_side,) = _bodies(ours, mine.secret)
    (body,) = _bodies(receiver, theirs.secret)
    assert body["type"] == "record.shared"
    data = body["data"]
    assert data["record"]["id"] == str(record.pk) and data["record"]["yours"] is False
    assert data["record"]["owner"] == {"name": "Acme Robotics", "slug": "acme"}
    assert data["record"]["url"] == f"http://globex.localhost/shared/{record.pk}/"
    assert data["partner"]["slug"] == "globex" and data["role"] == "contributor"
    assert data["actor"] == {
        "name": acme.owner.get_full_name(),
        "company": {"name": "Acme Robotics", "slug": "acme"},
    }
    # exactly what globex reads through the API, and never the private note
    api = client_on(globex.host, globex.member).get(f"/api/v1/shared/{record.pk}/").json()
    assert data["record"]["fields"] == api["payload"]
    assert SECRET not in receiver.received[0].body.decode()
    assert owner_side["data"]["record"]["yours"] is True
    assert owner_side["data"]["record"]["url"] == f"http://acme.localhost/shared/{record.pk}/"


def test_fields_withheld_from_a_partner_are_not_in_what_it_is_told(
    partnered, receiver, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    theirs = endpoint_make(globex, receiver.url, ["record.updated", "record.shared"])
    response = client_on(acme.host, acme.admin).patch(
        f"/api/v1/partner-relationships/{globex.company.slug}/",
        {"partner_type": "reseller"},
        content_type="application/json",
    )
    assert response.status_code == 200
    with schema_context(acme.company.schema_name):
        sharing_policy_update(
            actor=acme.admin,
            company=acme.company,
            data={"withheld_fields": {"opportunity": {"amount": {"partner_types": ["reseller"]}}}},
        )
    opportunity, record = published(acme)
    with django_capture_on_commit_callbacks(execute=True):
        _share(acme, record, globex)
    # the owner changes the amount alone: nothing globex may see changed, nothing is sent
    with django_capture_on_commit_callbacks(execute=True), schema_context(acme.company.schema_name):
        opportunity = opportunity_update(
            actor=acme.owner,
            company=acme.company,
            opportunity=opportunity,
            data={"amount": Decimal("990000.00")},
            expected_version=opportunity.version,
        )
    assert _events(globex) == ["record.shared"]
    # the amount and the next step: only the next step is told
    with django_capture_on_commit_callbacks(execute=True), schema_context(acme.company.schema_name):
        opportunity_update(
            actor=acme.owner,
            company=acme.company,
            opportunity=opportunity,
            data={"amount": Decimal("770000.00"), "next_step": "Pricing call"},
            expected_version=opportunity.version,
        )
    shared, updated = _bodies(receiver, theirs.secret)
    assert updated["type"] == "record.updated"
    assert updated["data"]["changed"] == ["next_step"]
    assert updated["data"]["record"]["fields"]["next_step"] == "Pricing call"
    for body in (shared, updated):
        assert "amount" not in body["data"]["record"]["fields"]
    for got in receiver.received:
        assert b"770000" not in got.body and b"990000" not in got.body and b"125000" not in got.body
    with schema_context(globex.company.schema_name):
        kept = [e.facts for e in WebhookEvent.objects.all()]
    assert "amount" not in str(kept) and "770000" not in str(kept)


def test_access_removed_between_queueing_and_sending_means_not_sent(
    partnered, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    endpoint_make(globex, receiver.url, ["record.stage_changed"])
    _, record = published(acme)
    _share(acme, record, globex)
    held: list[str] = []
    # the deliveries are written; their sends wait (as in a busy queue)
    monkeypatch.setattr(events, "deliveries_queue", lambda ids: held.extend(map(str, ids)))
    with django_capture_on_commit_callbacks(execute=True):
        shared_record_collaborate(
            actor=globex.member,
            actor_membership=membership(globex, globex.member),
            record=record,
            data={"stage": "propose"},
            expected_version=record.version,
        )
    assert len(held) == 1
    # meanwhile acme takes globex off the list
    sharing_entry_remove(
        actor=acme.owner, actor_membership=membership(acme), record=record, partner=globex.company
    )
    with schema_context(globex.company.schema_name):
        assert webhook_delivery_send(held[0]) is False
        delivery = WebhookDelivery.objects.get(pk=held[0])
        (attempt,) = WebhookAttempt.objects.filter(delivery=delivery)
    assert receiver.received == []
    assert delivery.state == DeliveryState.NOT_SENT and delivery.outcome == ACCESS_REMOVED
    assert attempt.sent is False and attempt.request_body == "" and attempt.error == ACCESS_REMOVED


def test_a_partners_edit_is_told_to_the_owner_with_who_made_it(
    partnered, receiver, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    mine = endpoint_make(acme, receiver.url, ["record.stage_changed", "record.updated"])
    _, record = published(acme)
    _share(acme, record, globex)
    with django_capture_on_commit_callbacks(execute=True):
        shared_record_collaborate(
            actor=globex.member,
            actor_membership=membership(globex, globex.member),
            record=record,
            data={"stage": "propose", "next_step": "Workshop"},
            expected_version=record.version,
        )
    bodies = {b["type"]: b["data"] for b in _bodies(receiver, mine.secret)}
    assert bodies["record.stage_changed"]["stage"] == {"before": "qualify", "after": "propose"}
    assert bodies["record.stage_changed"]["actor"]["company"]["slug"] == "globex"
    assert bodies["record.updated"]["changed"] == ["next_step"]
    # what acme keeps of the events: the stage's move and the names of the changed fields
    with schema_context(acme.company.schema_name):
        kept = [e.facts["data"] for e in WebhookEvent.objects.order_by("type")]
    assert kept == [
        {"before": {"stage": "qualify"}, "after": {"stage": "propose"}},
        {"changed": ["next_step"]},
    ]


def test_comments_are_told_only_to_companies_that_can_read_them(
    partnered, receiver, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    third = company_make("wh-third")
    partners_make(acme, third)
    theirs = endpoint_make(globex, receiver.url, ["comment.added"])
    _, record = published(acme)
    _share(acme, record, globex)
    _share(acme, record, third)
    shared_record_settings_update(
        actor=acme.owner,
        actor_company=acme.company,
        record=record,
        restrict_participants=True,
        participants_may_share=False,
    )
    record.refresh_from_db()
    with receiver_running() as ours:
        mine = endpoint_make(acme, ours.url, ["comment.added"])
        with django_capture_on_commit_callbacks(execute=True):
            comment_add(
                actor=third.member,
                actor_membership=membership(third, third.member),
                record=record,
                body="Third's private thoughts on pricing",
            )
            comment_add(
                actor=acme.owner,
                actor_membership=membership(acme),
                record=record,
                body="Owner's note for everyone",
            )
        owner_told = _bodies(ours, mine.secret)
    # globex hears the owner's comment, not the third partner's (restricted visibility)
    (told,) = _bodies(receiver, theirs.secret)
    assert told["data"]["comment"]["body"] == "Owner's note for everyone"
    assert b"Third's private" not in receiver.received[0].body
    assert {b["data"]["comment"]["body"] for b in owner_told} == {
        "Third's private thoughts on pricing",
        "Owner's note for everyone",
    }
    with schema_context(globex.company.schema_name):
        # not even a line in its log
        assert WebhookEvent.objects.count() == 1


def test_the_company_taken_off_a_list_hears_only_that(
    partnered, receiver, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    theirs = endpoint_make(globex, receiver.url, ["record.unshared"])
    _, record = published(acme)
    _share(acme, record, globex)
    with receiver_running() as ours:
        mine = endpoint_make(acme, ours.url, ["record.unshared"])
        with django_capture_on_commit_callbacks(execute=True):
            sharing_entry_remove(
                actor=acme.owner,
                actor_membership=membership(acme),
                record=record,
                partner=globex.company,
            )
        (owner_side,) = _bodies(ours, mine.secret)
    (body,) = _bodies(receiver, theirs.secret)
    assert body["data"] == {
        "record": {
            "id": str(record.pk),
            "kind": "opportunity",
            "title": record.title,
            "owner": {"name": "Acme Robotics", "slug": "acme"},
        },
        "partner": {"name": "Globex Corporation", "slug": "globex"},
        "reason": "removed",
    }
    assert owner_side["data"]["partner"]["slug"] == "globex"
    assert owner_side["data"]["record"]["fields"]["customer_name"] == "Umbrella Corp"


def test_a_partnership_ending_tells_both_sides_the_records_went(
    partnered, receiver, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    theirs = endpoint_make(globex, receiver.url, ["record.unshared"])
    _, record = published(acme)
    _share(acme, record, globex)
    partnership = Partnership.objects.get(requester=acme.company, addressee=globex.company)
    with django_capture_on_commit_callbacks(execute=True):
        partnership_end(
            actor=globex.owner,
            actor_membership=membership(globex),
            partnership=partnership,
        )
    (body,) = _bodies(receiver, theirs.secret)
    assert body["data"]["reason"] == "partnership_ended"
    assert body["data"]["record"]["id"] == str(record.pk)


def test_a_share_with_named_people_is_not_told_to_the_whole_company(
    partnered, receiver, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    endpoint_make(globex, receiver.url, ["record.shared", "comment.added"])
    _, record = published(acme)
    with django_capture_on_commit_callbacks(execute=True):
        _share(acme, record, globex, users=[globex.member])
        comment_add(
            actor=acme.owner, actor_membership=membership(acme), record=record, body="For Member"
        )
    assert receiver.received == [] and _events(globex) == []


def test_a_company_without_endpoints_is_not_asked_twice(
    partnered, monkeypatch, django_capture_on_commit_callbacks
):
    acme, globex = partnered
    _, record = published(acme)
    _share(acme, record, globex)
    asked: list[str] = []
    real = events.network_event_receive.apply_async

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(kwargs["headers"]["_schema_name"])
        return real(*args, **kwargs)

    monkeypatch.setattr(events.network_event_receive, "apply_async", counting)
    for body in ("One", "Two"):
        with django_capture_on_commit_callbacks(execute=True):
            comment_add(
                actor=acme.owner, actor_membership=membership(acme), record=record, body=body
            )
    # globex was asked once, then its (empty) subscriptions were known; acme's were known
    # already (its own audited writes read them)
    assert asked == [globex.company.schema_name]
    assert _events(acme) == [] and _events(globex) == []


def test_own_records_are_told_from_the_audit_log_to_their_company_only(
    acme, globex, receiver, django_capture_on_commit_callbacks
):
    mine = endpoint_make(
        acme, receiver.url, ["opportunity.created", "opportunity.updated", "account.created"]
    )
    with receiver_running() as other:
        endpoint_make(globex, other.url, ["opportunity.created", "account.created"])
        with django_capture_on_commit_callbacks(execute=True):
            opportunity = opportunity_make(acme, close_date=datetime.date(2027, 4, 30))
        with (
            django_capture_on_commit_callbacks(execute=True),
            schema_context(acme.company.schema_name),
        ):
            opportunity_update(
                actor=acme.member,
                company=acme.company,
                opportunity=opportunity,
                data={"stage": "propose", "private_notes": "changed " + SECRET},
                expected_version=opportunity.version,
            )
        assert other.received == []
    bodies = _bodies(receiver, mine.secret)
    assert [b["type"] for b in bodies] == [
        "account.created",
        "opportunity.created",
        "opportunity.updated",
    ]
    created, updated = bodies[1]["data"], bodies[2]["data"]
    assert created["record"]["id"] == str(opportunity.pk)
    assert created["record"]["url"] == f"http://acme.localhost/pipeline/{opportunity.pk}/"
    assert created["record"]["api_url"].endswith(f"/api/v1/opportunities/{opportunity.pk}/")
    assert created["actor"] == {
        "type": "person",
        "name": acme.owner.get_full_name(),
        "email": acme.owner.email,
    }
    assert updated["changed"] == ["private_notes", "stage"]
    assert updated["actor"]["email"] == acme.member.email
    # the names of what changed, never the values
    for got in receiver.received:
        assert SECRET.encode() not in got.body


def test_a_failing_crm_sync_is_told_with_its_connection(
    acme, receiver, django_capture_on_commit_callbacks
):
    mine = endpoint_make(acme, receiver.url, ["sync.failed"])
    planted = connection_plant(acme, name="Failing CRM")
    connection = planted["connection"]
    connection.consecutive_failures, connection.last_error = 3, "Tryton refused the password."
    with django_capture_on_commit_callbacks(execute=True), schema_context(acme.company.schema_name):
        events.sync_failing_heard(connection)
    (body,) = _bodies(receiver, mine.secret)
    assert body["type"] == "sync.failed"
    assert body["data"]["connection"]["name"] == "Failing CRM"
    assert body["data"]["connection"]["url"].endswith(f"/settings/integrations/{connection.pk}/")
    assert body["data"]["failed_runs"] == 3
    assert body["data"]["last_error"] == "Tryton refused the password."


def test_once_integrations_offers_its_hook_the_sync_failing_event_is_registered(monkeypatch):
    """integrations/hooks.py is integrations' to add (see docs/architecture.md's hooks table):
    as soon as it exists, the webhooks room registers on it at start-up."""
    import sys
    import types

    from django.apps import apps

    registered: list = []
    hooks = types.ModuleType("integrations.hooks")
    hooks.on_sync_failing = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "integrations.hooks", hooks)
    apps.get_app_config("webhooks").ready()
    assert registered == [events.sync_failing_heard]
