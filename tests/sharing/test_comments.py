"""Comments, internal notes, mentions and notifications."""

import pytest
from django_tenants.utils import schema_context

from sharing.lens.models import InternalComment
from sharing.models import Comment, Notification
from sharing.records.services.sharing import sharing_entry_set
from tests.builders import client_on, company_make
from tests.sharing.helpers import membership, partners_make, shared_opportunity_make


@pytest.fixture
def deal(acme, globex):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="contributor",
    )
    return record


@pytest.mark.django_db
def test_shared_comment_with_mention_notifies_the_mentioned_partner(acme, globex, deal):
    client = client_on(acme.host, acme.member)
    client.post(
        f"/shared/{deal.pk}/comments/", {"body": f"@{globex.member.email} can you join Tuesday?"}
    )
    comment = Comment.objects.get(record=deal)
    assert comment.mentions == [globex.member.pk]
    note = Notification.objects.get(user=globex.member, verb="comment.mention")
    assert note.company == globex.company
    page = client_on(globex.host, globex.member).get("/notifications/").content.decode()
    assert "mentioned you" in page
    assert (
        "can you join Tuesday"
        in client_on(globex.host, globex.member).get(f"/shared/{deal.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_internal_notes_stay_in_the_authors_company_schema(acme, globex, deal):
    client_on(globex.host, globex.member).post(
        f"/shared/{deal.pk}/comments/", {"thread": "internal", "body": "Their budget looks soft"}
    )
    with schema_context(globex.company.schema_name):
        assert InternalComment.objects.filter(record_id=deal.pk).count() == 1
    with schema_context(acme.company.schema_name):
        assert InternalComment.objects.filter(record_id=deal.pk).count() == 0
    assert not Comment.objects.filter(body__contains="budget").exists()
    assert (
        "Their budget looks soft"
        not in client_on(acme.host, acme.owner).get(f"/shared/{deal.pk}/").content.decode()
    )
    assert (
        "Their budget looks soft"
        in client_on(globex.host, globex.owner).get(f"/shared/{deal.pk}/").content.decode()
    )


@pytest.mark.django_db
def test_mentions_of_people_who_cannot_read_the_comment_notify_nobody(acme, globex, deal):
    outsider = company_make("outsider")
    client_on(acme.host, acme.member).post(
        f"/shared/{deal.pk}/comments/", {"body": f"@{outsider.member.email} look"}
    )
    assert not Notification.objects.filter(user=outsider.member).exists()


@pytest.mark.django_db
def test_restricted_record_hides_other_partners_comments_and_blocks_cross_mentions(
    acme, globex, deal
):
    rival = company_make("rival2")
    partners_make(acme, rival)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=deal,
        partner=rival.company,
        role="contributor",
    )
    deal.restrict_participants = True
    deal.save(update_fields=["restrict_participants"])
    client_on(globex.host, globex.member).post(
        f"/shared/{deal.pk}/comments/", {"body": f"Globex secret plan @{rival.member.email}"}
    )
    assert (
        "Globex secret plan"
        not in client_on(rival.host, rival.member).get(f"/shared/{deal.pk}/").content.decode()
    )
    assert (
        "Globex secret plan"
        in client_on(acme.host, acme.member).get(f"/shared/{deal.pk}/").content.decode()
    )
    assert not Notification.objects.filter(user=rival.member).exists()


@pytest.mark.django_db
def test_empty_or_huge_comments_are_refused(acme, deal):
    client = client_on(acme.host, acme.member)
    assert (
        b"Write something"
        in client.post(f"/shared/{deal.pk}/comments/", {"body": "   "}, follow=True).content
    )
    assert (
        b"at most 5,000"
        in client.post(f"/shared/{deal.pk}/comments/", {"body": "x" * 5001}, follow=True).content
    )
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_stage_change_notifies_participant_contacts(acme, globex, deal):
    from sharing.models import Participation

    Participation.objects.filter(record=deal, company=globex.company).update(contact=globex.admin)
    client_on(acme.host, acme.member).post(
        f"/shared/{deal.pk}/collaborate/", {"stage": "won", "version": deal.version}
    )
    note = Notification.objects.get(user=globex.admin, verb="record.stage_changed")
    assert "to won" in note.message


@pytest.mark.django_db
def test_notifications_page_is_per_company_and_marks_read(acme, globex, deal):
    client_on(acme.host, acme.member).post(
        f"/shared/{deal.pk}/comments/", {"body": f"@{globex.member.email} hi"}
    )
    client = client_on(globex.host, globex.member)
    assert b'data-testid="bell"' in client.get("/").content
    client.post("/notifications/read/")
    assert Notification.objects.filter(user=globex.member, read_at__isnull=True).count() == 0


def _mention(acme, globex, deal) -> None:  # type: ignore[no-untyped-def]
    client_on(acme.host, acme.member).post(
        f"/shared/{deal.pk}/comments/", {"body": f"@{globex.member.email} see the new figures"}
    )


@pytest.mark.django_db
def test_notifications_about_a_record_disappear_when_the_company_loses_access(acme, globex, deal):
    """Unshared: the notification (whose text names the record) is neither listed nor
    counted in the header's bell; the rest of the person's notifications stay."""
    from sharing.records.services.sharing import sharing_entry_remove

    _mention(acme, globex, deal)
    # a notification without a record stays readable
    Notification.objects.create(
        user=globex.member, company=globex.company, verb="x", message="Welcome aboard", url="/"
    )
    client = client_on(globex.host, globex.member)
    page = client.get("/notifications/").content.decode()
    assert deal.title in page and "Welcome aboard" in page
    assert "Notifications, 2 unread" in client.get("/").content.decode()
    sharing_entry_remove(
        actor=acme.owner, actor_membership=membership(acme), record=deal, partner=globex.company
    )
    page = client.get("/notifications/").content.decode()
    assert deal.title not in page and f"/shared/{deal.pk}/" not in page
    assert "Welcome aboard" in page
    assert "Notifications, 1 unread" in client.get("/").content.decode()


@pytest.mark.django_db
def test_notifications_about_a_record_disappear_when_the_partnership_ends(acme, globex, deal):
    from sharing.models import Partnership
    from sharing.network.services.partnerships import partnership_end

    _mention(acme, globex, deal)
    client = client_on(globex.host, globex.member)
    assert deal.title in client.get("/notifications/").content.decode()
    partnership_end(
        actor=acme.owner,
        actor_membership=membership(acme),
        partnership=Partnership.objects.get(requester=acme.company, addressee=globex.company),
    )
    assert deal.title not in client.get("/notifications/").content.decode()
