"""The access function, the publish step and the sharing list services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from sharing.models import Notification, SharedRecordGroupPermission
from sharing.network.services.partnerships import partnership_end
from sharing.records.access import (
    role_on_record,
    shared_record_get_for_actor,
    shared_records_visible_to,
)
from sharing.records.services.sharing import sharing_entry_remove, sharing_entry_set
from sharing.records.tasks import notification_email
from tenants.services.memberships import membership_remove
from tests.builders import company_make
from tests.sharing.helpers import SECRET, membership, partners_make, shared_opportunity_make


def visible(world, user=None):
    return set(
        shared_records_visible_to(user=user or world.member, company=world.company).values_list(
            "pk", flat=True
        )
    )


@pytest.mark.django_db
def test_published_payload_holds_only_shareable_fields(acme):
    _, record = shared_opportunity_make(acme)
    assert "private_notes" not in record.payload
    assert record.payload["amount"] == "125000.00" and record.payload["stage"] == "qualify"


@pytest.mark.django_db
def test_private_fields_never_reach_any_public_table(acme, globex):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        assert "sharing_sharedrecord" in tables
        for table in tables:
            cursor.execute(
                f'SELECT count(*) FROM public."{table}" t WHERE t::text LIKE %s', [f"%{SECRET}%"]
            )
            assert cursor.fetchone()[0] == 0, table


@pytest.mark.django_db
def test_private_until_shared_then_visible_to_the_whole_partner_company(acme, globex):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    assert visible(acme) == {record.pk}
    assert visible(globex) == set()
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="contributor",
    )
    assert visible(globex) == {record.pk}
    assert visible(globex, globex.owner) == {record.pk}
    assert (
        role_on_record(user=globex.member, company=globex.company, record=record) == "contributor"
    )


@pytest.mark.django_db
def test_only_active_partners_can_be_added(acme, globex):
    _, record = shared_opportunity_make(acme)
    with pytest.raises(ValidationError, match="not an active partner"):
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=globex.company,
            role="viewer",
        )
    assert not SharedRecordGroupPermission.objects.filter(content_object=record).exists()


@pytest.mark.django_db
def test_named_users_only_those_people_see_it(acme, globex):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
        users=[globex.member],
    )
    assert visible(globex, globex.member) == {record.pk}
    assert visible(globex, globex.owner) == set()
    with pytest.raises(ValidationError, match="Not members of"):
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=globex.company,
            role="viewer",
            users=[acme.member],
        )


@pytest.mark.django_db
def test_a_user_sees_a_record_only_in_the_company_it_was_shared_with(acme, globex):
    """A person in two companies: a record shared with one of them does not show in the other."""
    from tenants.services.memberships import membership_add

    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    other = company_make("soylent")
    membership_add(actor=None, company=other.company, user=globex.member, role="member")
    assert set(shared_records_visible_to(user=globex.member, company=other.company)) == set()
    with pytest.raises(Http404):
        shared_record_get_for_actor(user=globex.member, company=other.company, pk=record.pk)


@pytest.mark.django_db
def test_revoking_takes_effect_immediately(acme, globex):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    sharing_entry_remove(
        actor=acme.owner, actor_membership=membership(acme), record=record, partner=globex.company
    )
    assert visible(globex) == set()
    with pytest.raises(Http404):
        shared_record_get_for_actor(user=globex.member, company=globex.company, pk=record.pk)


@pytest.mark.django_db
def test_ending_the_partnership_removes_entries_both_ways_but_not_third_parties(acme, globex):
    third = company_make("massive")
    partnership = partners_make(acme, globex)
    partners_make(acme, third)
    partners_make(globex, third)
    _, acme_record = shared_opportunity_make(acme)
    _, globex_record = shared_opportunity_make(globex)
    for partner in (globex, third):
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=acme_record,
            partner=partner.company,
            role="viewer",
        )
    sharing_entry_set(
        actor=globex.owner,
        actor_membership=membership(globex),
        record=globex_record,
        partner=acme.company,
        role="viewer",
    )
    partnership_end(actor=acme.owner, actor_membership=membership(acme), partnership=partnership)
    assert visible(globex) == {globex_record.pk}
    assert visible(acme) == {acme_record.pk}
    assert visible(third) == {acme_record.pk}


@pytest.mark.django_db
def test_people_who_leave_the_company_lose_access(acme, globex):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
        users=[globex.member],
    )
    membership_remove(
        actor=globex.owner,
        actor_membership=membership(globex),
        membership=membership(globex, globex.member),
    )
    assert visible(globex, globex.member) == set()


@pytest.mark.django_db
def test_viewers_and_contributors_cannot_reshare_and_managers_only_if_allowed(acme, globex):
    third = company_make("tyrell")
    partners_make(acme, globex)
    partners_make(globex, third)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="contributor",
    )
    with pytest.raises(PermissionDenied):
        sharing_entry_set(
            actor=globex.owner,
            actor_membership=membership(globex),
            record=record,
            partner=third.company,
            role="viewer",
        )
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="manager",
    )
    with pytest.raises(PermissionDenied):
        sharing_entry_set(
            actor=globex.owner,
            actor_membership=membership(globex),
            record=record,
            partner=third.company,
            role="viewer",
        )
    record.participants_may_share = True
    record.save(update_fields=["participants_may_share"])
    sharing_entry_set(
        actor=globex.owner,
        actor_membership=membership(globex),
        record=record,
        partner=third.company,
        role="viewer",
    )
    assert visible(third) == {record.pk}


@pytest.mark.django_db
def test_a_queued_notification_rechecks_access_when_it_runs(
    acme, globex, mailoutbox, django_capture_on_commit_callbacks
):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    with django_capture_on_commit_callbacks(execute=False):
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=globex.company,
            role="viewer",
            users=[globex.member],
        )
    # the share commits; its notification exists but the e-mail has not gone out yet
    from sharing.records.services.sharing import _notify_shared

    _notify_shared(record, globex.company, [globex.member.pk])
    notification = Notification.objects.get(user=globex.member, record=record)
    sharing_entry_remove(
        actor=acme.owner, actor_membership=membership(acme), record=record, partner=globex.company
    )
    assert notification_email(notification.pk) is False
    assert mailoutbox == []


@pytest.mark.django_db
def test_notification_email_is_sent_while_access_holds_and_has_no_private_data(
    acme, globex, mailoutbox
):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
        users=[globex.member],
    )
    from sharing.records.services.sharing import _notify_shared

    _notify_shared(record, globex.company, [globex.member.pk])
    notification = Notification.objects.get(user=globex.member, record=record)
    assert notification_email(notification.pk) is True
    assert mailoutbox[-1].to == [globex.member.email] and SECRET not in mailoutbox[-1].body
    assert notification_email(notification.pk) is False  # never twice


@pytest.mark.django_db
def test_malformed_record_ids_are_simply_not_found(acme):
    for bad in ("", "not-a-uuid", "1"):
        with pytest.raises(Http404):
            shared_record_get_for_actor(user=acme.member, company=acme.company, pk=bad)


@pytest.mark.django_db
def test_the_one_record_getter_agrees_with_the_access_queryset_for_every_persona(acme, globex):
    """shared_record_get_for_actor is the access rule written as one statement for speed; it
    must answer exactly as shared_records_visible_to for every way in and out."""
    from sharing.records.services.sharing import sharing_entry_remove as remove

    named = company_make("acc-named")
    revoked = company_make("acc-revk")
    stranger = company_make("acc-strg")
    not_on_list = company_make("acc-nol")
    for partner in (globex, named, revoked, not_on_list):
        partners_make(acme, partner)
    _, record = shared_opportunity_make(acme)
    _, private = shared_opportunity_make(acme, customer_name="Nobody else")
    share = {"actor": acme.owner, "actor_membership": membership(acme), "record": record}
    sharing_entry_set(**share, partner=globex.company, role="viewer")
    sharing_entry_set(**share, partner=named.company, role="contributor", users=[named.member])
    sharing_entry_set(**share, partner=revoked.company, role="manager")
    remove(**share, partner=revoked.company)
    personas = {
        (user, company)
        for world in (acme, globex, named, revoked, stranger, not_on_list)
        for user in (world.owner, world.member)
        for company in (world.company, acme.company, globex.company)
    }
    seen = 0
    for user, company in personas:
        for target in (record, private):
            expected = (
                shared_records_visible_to(user=user, company=company).filter(pk=target.pk).exists()
            )
            try:
                got = shared_record_get_for_actor(user=user, company=company, pk=target.pk)
            except Http404:
                got = None
            assert (got is not None) == expected, (user.email, company.slug, target.title)
            if got is not None:
                seen += 1
                assert (
                    got.owner.slug == "acme" and got.owner.schema_name == acme.company.schema_name
                )
    # acme's people see both; globex's both people and named's member see the shared one
    assert seen == 2 * 2 + 2 + 1
    for bad in ("", "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(Http404):
            shared_record_get_for_actor(user=acme.owner, company=acme.company, pk=bad)
