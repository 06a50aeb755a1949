"""Validation rules and required-by-stage: configured in the browser, enforced on every save
(page and API), with the admin's message, in the company's words; nothing saved on a refusal."""

import pytest
from django_tenants.utils import schema_context

from audit.company.models import AuditEntry
from business.models import StageRequirement, ValidationRule
from pipeline.models import Opportunity
from tests.api.test_api import api
from tests.builders import client_on
from tests.business.helpers import field_make
from tests.sharing.helpers import opportunity_make

DEAL = {
    "name": "Initech — platform",
    "customer_name": "Initech",
    "amount": "5000",
    "currency": "usd",
    "close_date": "2027-02-01",
    "stage": "prospect",
    "motion": "sell_with",
}


@pytest.mark.django_db
def test_rules_are_checked_where_typed_and_enforced_on_every_save(acme, globex):
    field_make(acme, key="discount", field_type="percent")
    field_make(acme, key="approval_note", field_type="text")
    admin = client_on(acme.host, acme.admin)
    bad = admin.post(
        "/settings/rules/",
        {
            "action": "rule",
            "rule-object_type": "opportunity",
            "rule-name": "Big discounts",
            "rule-condition": "discount > 30 AND ISBLANK(approval)",
            "rule-message": "Discounts over 30% need an approval note.",
        },
    )
    assert "There is no field called “approval”." in bad.content.decode()
    admin.post(
        "/settings/rules/",
        {
            "action": "rule",
            "rule-object_type": "opportunity",
            "rule-name": "Big discounts",
            "rule-condition": "discount > 30 AND ISBLANK(approval_note)",
            "rule-message": "Discounts over 30% need an approval note.",
        },
    )
    with schema_context(acme.company.schema_name):
        assert ValidationRule.objects.count() == 1
        assert AuditEntry.objects.filter(action="business.rule_created").exists()
        count = Opportunity.objects.count()
    member = client_on(acme.host, acme.member)
    refused = member.post("/pipeline/new/", {**DEAL, "cf_discount": "40"})
    assert refused.status_code == 200
    assert "Discounts over 30% need an approval note." in refused.content.decode()
    client = api(acme)
    refused_api = client.post(
        "/api/v1/opportunities/",
        {**DEAL, "custom_fields": {"discount": 40}},
        content_type="application/json",
    )
    assert refused_api.status_code == 400
    assert refused_api.json()["non_field_errors"] == ["Discounts over 30% need an approval note."]
    with schema_context(acme.company.schema_name):
        assert Opportunity.objects.count() == count
    ok = member.post("/pipeline/new/", {**DEAL, "cf_discount": "40", "cf_approval_note": "CFO ok"})
    assert ok.status_code == 302
    # another company's rules are its own: Globex has none, and saves what Acme would refuse
    with schema_context(globex.company.schema_name):
        assert not ValidationRule.objects.exists()
    assert client_on(globex.host, globex.member).post("/pipeline/new/", DEAL).status_code == 302


@pytest.mark.django_db
def test_fields_required_from_a_stage_on_in_the_companys_stage_names(acme, globex):
    field_make(acme, key="partner_role", field_type="choice", vocabulary="deal_roles")
    admin = client_on(acme.host, acme.admin)
    admin.post(
        "/settings/rules/",
        {"action": "stage", "field_name": "partner_role", "from_stage": "propose"},
    )
    admin.post(
        "/settings/rules/", {"action": "stage", "field_name": "next_step", "from_stage": "propose"}
    )
    with schema_context(acme.company.schema_name):
        assert dict(StageRequirement.objects.values_list("field_name", "from_stage")) == {
            "partner_role": "propose",
            "next_step": "propose",
        }
    from business.models import Term

    with schema_context(acme.company.schema_name):
        propose = Term.objects.get(vocabulary__key="stages", key="propose")
    admin.post(f"/settings/vocabularies/stages/terms/{propose.pk}/", {"label": "Proposal"})
    deal = opportunity_make(acme, stage="qualify", next_step="")
    client = api(acme)
    moved = client.patch(
        f"/api/v1/opportunities/{deal.pk}/",
        {"stage": "negotiate", "version": deal.version},
        content_type="application/json",
    )
    assert moved.status_code == 400
    body = moved.json()
    assert body["custom_fields"] == {
        "partner_role": ["Partner role is required from “Proposal” on."]
    }
    assert body["next_step"] == ["Next step is required from “Proposal” on."]
    with schema_context(acme.company.schema_name):
        assert Opportunity.objects.get(pk=deal.pk).stage == "qualify"
    # Acme's requirements don't reach Globex's pipeline, nor its stage names Globex's pages
    theirs = opportunity_make(globex, stage="qualify", next_step="")
    assert (
        api(globex)
        .patch(
            f"/api/v1/opportunities/{theirs.pk}/",
            {"stage": "negotiate", "version": theirs.version},
            content_type="application/json",
        )
        .status_code
        == 200
    )
    # lost deals need nothing more; earlier stages neither
    lost = client.patch(
        f"/api/v1/opportunities/{deal.pk}/",
        {"stage": "lost", "version": deal.version},
        content_type="application/json",
    )
    assert lost.status_code == 200, lost.content
