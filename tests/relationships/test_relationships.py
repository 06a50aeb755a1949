"""A company's own record of each partner: classified by admins (the policies read it), filled
in by anyone, versioned, audited, and never visible to the partner or anyone else."""

import pytest
from django_tenants.utils import schema_context

from audit.company.models import AuditEntry
from business.services import field_create
from partners.relationships.models import PartnerRelationship
from sharing.models import Partnership, PartnershipStatus
from tests.builders import client_on, company_make
from tests.sharing.helpers import partners_make

SECRET = "NOTES-never-leave-4d2c"


def _edit(world, user, partnership, **fields):  # type: ignore[no-untyped-def]
    return client_on(world.host, user).post(f"/partners/{partnership.pk}/edit/", fields)


@pytest.mark.django_db
def test_admin_classifies_a_partner_and_the_list_shows_and_filters_by_it(acme, globex):
    partnership = partners_make(acme, globex)
    other = company_make("rel-other")
    partners_make(acme, other)
    response = _edit(
        acme, acme.admin, partnership, partner_type="reseller", notes=SECRET, version="1"
    )
    assert response.status_code == 302
    page = client_on(acme.host, acme.member).get(f"/partners/{partnership.pk}/").content.decode()
    assert 'data-testid="partner-type">Reseller<' in page and SECRET in page
    listing = client_on(acme.host, acme.member).get("/partners/?type=reseller").content.decode()
    assert 'data-testid="partner-globex"' in listing
    assert 'data-testid="partner-rel-other"' not in listing
    unclassified = client_on(acme.host, acme.member).get("/partners/?type=none").content.decode()
    assert 'data-testid="partner-rel-other"' in unclassified
    assert 'data-testid="partner-globex"' not in unclassified
    with schema_context(acme.company.schema_name):
        entry = AuditEntry.objects.get(action="relationships.updated")
    assert entry.before["partner_type"] == "" and entry.after["partner_type"] == "reseller"


@pytest.mark.django_db
def test_members_fill_in_the_relationship_but_only_admins_change_the_type(acme, globex):
    partnership = partners_make(acme, globex)
    _edit(acme, acme.admin, partnership, partner_type="msp", version="1")
    # the page offers the type disabled; a forged value is ignored
    _edit(
        acme, acme.member, partnership, partner_type="reseller", notes="Met at summit", version="1"
    )
    with schema_context(acme.company.schema_name):
        relationship = PartnerRelationship.objects.get(partner_id=globex.company.pk)
    assert relationship.partner_type == "msp" and relationship.notes == "Met at summit"
    api = client_on(acme.host, acme.member).patch(
        "/api/v1/partner-relationships/globex/",
        {"partner_type": "reseller", "version": relationship.version},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert "Only admins change a partner's type" in api.json()["detail"]
    with schema_context(acme.company.schema_name):
        assert PartnerRelationship.objects.get(partner_id=globex.company.pk).partner_type == "msp"


@pytest.mark.django_db
def test_relationship_custom_fields_are_validated_and_saved_through_the_api(acme, globex):
    partners_make(acme, globex)
    with schema_context(acme.company.schema_name):
        field_create(
            actor=acme.owner,
            company=acme.company,
            data={"object_type": "partner", "key": "tier", "label": "Tier", "field_type": "number"},
        )
    client = client_on(acme.host, acme.admin)
    bad = client.patch(
        "/api/v1/partner-relationships/globex/",
        {"custom_fields": {"tier": "gold"}, "partner_type": "nope"},
        content_type="application/json",
    )
    assert bad.status_code == 400
    body = bad.json()
    assert "tier" in body["custom_fields"] and "partner_type" in body
    with schema_context(acme.company.schema_name):
        assert not PartnerRelationship.objects.exists()  # nothing half-saved
    good = client.patch(
        "/api/v1/partner-relationships/globex/",
        {"custom_fields": {"tier": 2}, "partner_type": "isv", "manager": acme.member.email},
        content_type="application/json",
    )
    assert good.status_code == 200, good.content
    assert good.json()["custom_fields"] == {"tier": 2}
    assert good.json()["manager"] == acme.member.email and good.json()["version"] == 1
    stale = client.patch(
        "/api/v1/partner-relationships/globex/",
        {"notes": "late", "version": 0},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["current_version"] == 1
    listed = client.get("/api/v1/partner-relationships/").json()
    assert [r["partner"] for r in listed] == ["globex"]


@pytest.mark.django_db
def test_a_partner_never_reads_our_record_of_it(acme, globex):
    partners_make(acme, globex)
    client_on(acme.host, acme.admin).patch(
        "/api/v1/partner-relationships/globex/",
        {"notes": SECRET, "partner_type": "reseller"},
        content_type="application/json",
    )
    theirs = client_on(globex.host, globex.owner).get("/api/v1/partner-relationships/acme/")
    assert theirs.status_code == 200 and SECRET not in theirs.content.decode()
    assert theirs.json()["partner_type"] == ""
    # on acme's host, globex's people are strangers
    assert (
        client_on(acme.host, globex.owner).get("/api/v1/partner-relationships/").status_code == 404
    )


@pytest.mark.django_db
def test_relationships_exist_only_for_current_partners(acme, globex):
    partnership = partners_make(acme, globex)
    stranger = company_make("rel-stranger")
    client = client_on(acme.host, acme.admin)
    assert client.get("/api/v1/partner-relationships/rel-stranger/").status_code == 404
    Partnership.objects.filter(pk=partnership.pk).update(status=PartnershipStatus.ENDED)
    assert client.get("/api/v1/partner-relationships/globex/").status_code == 404
    assert (
        client.patch(
            "/api/v1/partner-relationships/globex/", {"notes": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    # the page of an ended partnership stays readable to us (history), not to strangers
    assert client.get(f"/partners/{partnership.pk}/").status_code == 200
    assert (
        client_on(stranger.host, stranger.owner).get(f"/partners/{partnership.pk}/").status_code
        == 404
    )
