"""The approval policy: a share that matches a rule waits for an approver, nothing of the
record leaves the company until then, and the decision is audited and told to the sharer."""

from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from approvals.models import ApprovalRule, RequestStatus, ShareRequest
from audit.company.models import AuditEntry
from sharing.models import Notification, Partnership, PartnershipStatus, SharedRecord
from tests.approvals.helpers import rule_make
from tests.builders import client_on, company_make
from tests.sharing.helpers import opportunity_make, partners_make


def _share_page(world, user, opportunity, partner="globex", **extra):  # type: ignore[no-untyped-def]
    return client_on(world.host, user).post(
        f"/pipeline/{opportunity.pk}/share/",
        {"partner": partner, "role": "contributor", **extra},
        follow=True,
    )


def _requests(world):  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return list(ShareRequest.objects.order_by("created_at"))


@pytest.mark.django_db
def test_a_big_deal_waits_for_approval_and_nothing_leaves_until_approved(acme, globex):
    partners_make(acme, globex)
    rule_make(acme, name="Big deals", min_amount=Decimal("100000"), currency="USD")
    deal = opportunity_make(acme, amount=Decimal("250000"))
    page = _share_page(acme, acme.member, deal, note="Their team asked for it").content.decode()
    assert "needs approval" in page and "Big deals (amount 250,000 USD ≥ 100,000 USD)" in page
    assert not SharedRecord.objects.filter(source_id=deal.pk).exists()
    [request] = _requests(acme)
    assert request.status == RequestStatus.PENDING and request.note == "Their team asked for it"
    assert client_on(globex.host, globex.member).get("/api/v1/shared/").json()["results"] == []
    approvers = set(
        Notification.objects.filter(verb="approvals.requested").values_list(
            "user__email", flat=True
        )
    )
    assert approvers == {acme.owner.email, acme.admin.email}
    detail = client_on(acme.host, acme.member).get(f"/pipeline/{deal.pk}/").content.decode()
    assert 'data-testid="pending-approvals"' in detail
    inbox = client_on(acme.host, acme.admin).get("/approvals/").content.decode()
    assert f'data-testid="request-{request.pk}"' in inbox

    response = client_on(acme.host, acme.admin).post(
        f"/approvals/{request.pk}/approve/", {"comment": "Go"}, follow=True
    )
    assert "is now shared with Globex" in response.content.decode()
    record = SharedRecord.objects.get(source_id=deal.pk)
    assert client_on(globex.host, globex.member).get(f"/shared/{record.pk}/").status_code == 200
    [request] = _requests(acme)
    assert request.status == RequestStatus.APPROVED and request.decided_by_id == acme.admin.pk
    assert Notification.objects.filter(user=acme.member, verb="approvals.approved").exists()
    with schema_context(acme.company.schema_name):
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"approvals.requested", "approvals.approved"} <= actions
    # which request let it through is acme's own business: globex's audit log doesn't say
    from audit.models import AuditEvent

    entries = {
        e.company_id: e.after
        for e in AuditEvent.objects.filter(action="sharing.entry_set", target_id=str(record.pk))
    }
    assert entries[acme.company.pk]["approval"] == str(request.pk)
    assert "approval" not in entries[globex.company.pk]
    assert (
        str(request.pk)
        not in client_on(globex.host, globex.owner).get("/settings/audit/").content.decode()
    )


@pytest.mark.django_db
def test_small_deals_other_currencies_and_approvers_own_shares(acme, globex):
    partners_make(acme, globex)
    rule_make(acme, name="Big deals", min_amount=Decimal("100000"), currency="USD")
    small = opportunity_make(acme, amount=Decimal("5000"))
    _share_page(acme, acme.member, small)
    assert SharedRecord.objects.filter(
        source_id=small.pk, group_permissions__company=globex.company
    ).exists()
    euros = opportunity_make(acme, amount=Decimal("5000"), currency="EUR")
    page = _share_page(acme, acme.member, euros).content.decode()
    assert "amount is in EUR, the threshold 100,000 USD" in page
    assert not SharedRecord.objects.filter(source_id=euros.pk).exists()
    big = opportunity_make(acme, amount=Decimal("900000"))
    _share_page(acme, acme.admin, big)  # an approver's own share goes through
    assert SharedRecord.objects.filter(
        source_id=big.pk, group_permissions__company=globex.company
    ).exists()
    assert [r.source_id for r in _requests(acme)] == [euros.pk]


@pytest.mark.django_db
def test_partner_type_rules_and_owner_only_approval(acme, globex):
    partners_make(acme, globex)
    client_on(acme.host, acme.admin).patch(
        "/api/v1/partner-relationships/globex/",
        {"partner_type": "reseller"},
        content_type="application/json",
    )
    rule_make(acme, name="Resellers", partner_types=["reseller"], approver_role="owner")
    deal = opportunity_make(acme, amount=Decimal("10"))
    _share_page(acme, acme.admin, deal)  # admins are not approvers of an owner-only rule
    [request] = _requests(acme)
    assert request.approver_role == "owner" and "partner type Reseller" in request.reasons[0]
    refused = client_on(acme.host, acme.admin).post(
        f"/approvals/{request.pk}/approve/", follow=True
    )
    assert "Only owners approve this request." in refused.content.decode()
    assert _requests(acme)[0].status == RequestStatus.PENDING
    client_on(acme.host, acme.owner).post(f"/approvals/{request.pk}/approve/")
    assert _requests(acme)[0].status == RequestStatus.APPROVED
    # an unclassified partner is not a reseller
    other = company_make("ap-other")
    partners_make(acme, other)
    second = opportunity_make(acme)
    _share_page(acme, acme.member, second, partner="ap-other")
    assert SharedRecord.objects.filter(
        source_id=second.pk, group_permissions__company=other.company
    ).exists()


@pytest.mark.django_db
def test_reject_needs_a_comment_and_shares_nothing(acme, globex):
    partners_make(acme, globex)
    rule_make(acme)
    deal = opportunity_make(acme)
    _share_page(acme, acme.member, deal)
    [request] = _requests(acme)
    admin = client_on(acme.host, acme.admin)
    page = admin.post(f"/approvals/{request.pk}/reject/", {"comment": " "}, follow=True)
    assert "Say why, so the requester knows what to change." in page.content.decode()
    assert _requests(acme)[0].status == RequestStatus.PENDING
    admin.post(f"/approvals/{request.pk}/reject/", {"comment": "Not before the QBR"})
    [request] = _requests(acme)
    assert request.status == RequestStatus.REJECTED
    assert request.decision_comment == "Not before the QBR"
    assert not SharedRecord.objects.filter(source_id=deal.pk).exists()
    mine = client_on(acme.host, acme.member).get("/approvals/").content.decode()
    assert "Not before the QBR" in mine and f'data-testid="status-{request.pk}"' in mine
    again = admin.post(f"/approvals/{request.pk}/approve/", follow=True).content.decode()
    assert "already rejected" in again


@pytest.mark.django_db
def test_only_the_requester_withdraws_and_one_request_per_partner(acme, globex):
    partners_make(acme, globex)
    rule_make(acme)
    deal = opportunity_make(acme)
    _share_page(acme, acme.member, deal)
    page = _share_page(acme, acme.member, deal).content.decode()
    assert "already waiting for approval" in page
    [request] = _requests(acme)
    # an admin may decide, but not withdraw someone else's request
    assert (
        client_on(acme.host, acme.admin).post(f"/approvals/{request.pk}/withdraw/").status_code
        == 404
    )
    client_on(acme.host, acme.member).post(f"/approvals/{request.pk}/withdraw/")
    assert _requests(acme)[0].status == RequestStatus.WITHDRAWN


@pytest.mark.django_db
def test_approving_rechecks_the_share_and_keeps_the_request_when_it_cannot_happen(acme, globex):
    partnership = partners_make(acme, globex)
    rule_make(acme)
    deal = opportunity_make(acme)
    _share_page(acme, acme.member, deal)
    Partnership.objects.filter(pk=partnership.pk).update(status=PartnershipStatus.ENDED)
    [request] = _requests(acme)
    page = client_on(acme.host, acme.admin).post(f"/approvals/{request.pk}/approve/", follow=True)
    assert "is not an active partner" in page.content.decode()
    assert _requests(acme)[0].status == RequestStatus.PENDING
    assert not SharedRecord.objects.filter(source_id=deal.pk).exists()


@pytest.mark.django_db
def test_api_share_answers_202_and_approvers_decide_through_the_api(acme, globex):
    partners_make(acme, globex)
    rule_make(acme)
    deal = opportunity_make(acme)
    member = client_on(acme.host, acme.member)
    response = member.post(
        f"/api/v1/opportunities/{deal.pk}/share/",
        {"partner": "globex", "role": "viewer", "deal_role": "influenced"},
        content_type="application/json",
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending" and body["requested_by"] == acme.member.email
    # a member sees only its own requests and cannot decide
    assert [r["id"] for r in member.get("/api/v1/approvals/").json()["results"]] == [body["id"]]
    assert member.post(f"/api/v1/approvals/{body['id']}/approve/").status_code == 403
    admin = client_on(acme.host, acme.admin)
    assert admin.get("/api/v1/approvals/?status=pending").json()["count"] == 1
    decided = admin.post(
        f"/api/v1/approvals/{body['id']}/approve/",
        {"comment": "ok"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    record = SharedRecord.objects.get(source_id=deal.pk)
    part = record.participations.get(company=globex.company)
    assert part.deal_role == "influenced" and part.deal_role_set_by_owner
    # another company's people never see acme's requests
    assert client_on(globex.host, globex.owner).get("/api/v1/approvals/").json()["count"] == 0


@pytest.mark.django_db
def test_rules_are_validated_audited_and_switchable(acme):
    admin = client_on(acme.host, acme.admin)
    bad = admin.post(
        "/settings/approvals/",
        {"name": "", "object_type": "solution", "min_amount": "10", "approver_role": "admin"},
    )
    body = bad.content.decode()
    assert "Give the rule a name" in body and "apply to opportunities and marketing plans" in body
    assert "three-letter code" in body
    with schema_context(acme.company.schema_name):
        assert not ApprovalRule.objects.exists()
    admin.post(
        "/settings/approvals/",
        {
            "name": "Big plans",
            "object_type": "marketing_plan",
            "min_amount": "50000",
            "currency": "eur",
            "approver_role": "owner",
        },
    )
    with schema_context(acme.company.schema_name):
        rule = ApprovalRule.objects.get()
        assert rule.currency == "EUR" and rule.approver_role == "owner"
    admin.post(f"/settings/approvals/{rule.pk}/toggle/")
    with schema_context(acme.company.schema_name):
        rule.refresh_from_db()
        assert rule.active is False
        assert AuditEntry.objects.filter(action="approvals.rule_changed").exists()
    assert client_on(acme.host, acme.member).get("/settings/approvals/").status_code == 403


@pytest.mark.django_db
def test_approvals_page_has_bounded_queries(acme, globex, django_assert_max_num_queries):
    partners_make(acme, globex)
    rule_make(acme)
    for i in range(5):
        _share_page(acme, acme.member, opportunity_make(acme, customer_name=f"Deal {i}"))
    client = client_on(acme.host, acme.admin)
    client.get("/approvals/")
    with django_assert_max_num_queries(10):
        page = client.get("/approvals/")
    assert page.content.decode().count('data-testid="request-') == 5
