"""The sharing policy is data the admin edits: who may share, the default role, whether
partners may re-share, and built-in fields that never leave; every change audited."""

import pytest
from django_tenants.utils import schema_context

from audit.company.models import AuditEntry
from sharing.models import SharedRecord
from tests.builders import client_on
from tests.sharing.helpers import partners_make, shared_opportunity_make


def _save_policy(world, **fields):  # type: ignore[no-untyped-def]
    data = {
        "sharer_roles": ["admin", "member"],
        "default_role": "contributor",
        "allow_participant_resharing": "on",
        **fields,
    }
    return client_on(world.host, world.admin).post("/settings/sharing-policy/", data)


@pytest.mark.django_db
def test_policy_limits_who_shares_and_sets_the_default_role(acme, globex):
    partners_make(acme, globex)
    deal, record = shared_opportunity_make(acme)
    response = _save_policy(acme, sharer_roles=["admin"], default_role="viewer")
    assert response.status_code == 302
    with schema_context(acme.company.schema_name):
        entry = AuditEntry.objects.get(action="business.sharing_policy_updated")
    assert entry.before == {
        "sharer_roles": ["owner", "admin", "member"],
        "default_role": "contributor",
    }
    assert entry.after == {"sharer_roles": ["owner", "admin"], "default_role": "viewer"}
    member = client_on(acme.host, acme.member)
    page = member.get(f"/pipeline/{deal.pk}/").content.decode()
    assert '<option value="viewer" selected>' in page
    refused = member.post(
        f"/pipeline/{deal.pk}/share/", {"partner": "globex", "role": "viewer"}, follow=True
    )
    assert "sharing is for owners, admins. Ask an admin to share it." in refused.content.decode()
    assert not SharedRecord.objects.filter(
        pk=record.pk, group_permissions__company=globex.company
    ).exists()
    admin = client_on(acme.host, acme.admin)
    assert (
        admin.post(
            f"/pipeline/{deal.pk}/share/", {"partner": "globex", "role": "viewer"}
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_policy_keeps_built_in_fields_private_from_the_next_publish(acme, globex):
    _save_policy(acme, private_opportunity=["amount", "next_step"])
    partners_make(acme, globex)
    _, record = shared_opportunity_make(acme)
    record.refresh_from_db()
    assert "amount" not in record.payload and "next_step" not in record.payload
    assert record.payload["customer_name"] == "Umbrella Corp"
    # fields partners need to recognise the record can't be made private
    response = _save_policy(acme, private_opportunity=["customer_name"])
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_policy_can_forbid_partners_adding_partners(acme):
    _save_policy(acme, allow_participant_resharing="")
    _, record = shared_opportunity_make(acme)
    response = client_on(acme.host, acme.owner).post(
        f"/shared/{record.pk}/settings/", {"participants_may_share": "on"}, follow=True
    )
    assert "doesn&#x27;t let partners add further partners" in response.content.decode()
    record.refresh_from_db()
    assert record.participants_may_share is False
