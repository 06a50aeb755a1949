"""A company's configuration travels as JSON: export, import elsewhere (same result), and a
bad file is refused whole with a line per problem."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from audit.company.models import AuditEntry
from business.configuration import configuration_export
from business.models import FieldDefinition, Term, Vocabulary
from tests.builders import client_on
from tests.business.helpers import field_make


def _export(world) -> dict:  # type: ignore[no-untyped-def]
    with schema_context(world.company.schema_name):
        return configuration_export()


def _upload(world, document) -> str:  # type: ignore[no-untyped-def]
    raw = document if isinstance(document, bytes) else json.dumps(document).encode()
    response = client_on(world.host, world.admin).post(
        "/settings/configuration/",
        {"file": SimpleUploadedFile("config.json", raw, content_type="application/json")},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_export_then_import_elsewhere_gives_the_same_configuration(
    acme, globex, django_capture_on_commit_callbacks
):
    admin = client_on(acme.host, acme.admin)
    admin.post("/settings/vocabularies/", {"label": "Segments", "key": "segments", "is_tree": "on"})
    admin.post("/settings/vocabularies/segments/", {"label": "Enterprise", "key": "enterprise"})
    with schema_context(acme.company.schema_name):
        enterprise = Term.objects.get(key="enterprise")
    admin.post(
        "/settings/vocabularies/segments/",
        {"label": "Global 500", "key": "global_500", "parent": enterprise.pk},
    )
    field_make(acme, key="segment", field_type="choice", vocabulary="segments", shareable=True)
    field_make(acme, key="seats", field_type="number", indexed=True)
    field_make(acme, key="weighted", field_type="number", formula="amount * 0.5")
    admin.post(
        "/settings/rules/",
        {
            "action": "rule",
            "rule-object_type": "opportunity",
            "rule-name": "No tiny deals",
            "rule-condition": "amount < 100",
            "rule-message": "Deals start at 100.",
        },
    )
    admin.post(
        "/settings/rules/", {"action": "stage", "field_name": "seats", "from_stage": "propose"}
    )
    # the policies travel too: a withheld field, an approval rule, a metric
    admin.post(
        "/settings/sharing-policy/",
        {
            "sharer_roles": ["admin"],
            "default_role": "viewer",
            "allow_participant_resharing": "on",
            "wh:opportunity:custom.segment:t:reseller": "on",
        },
    )
    admin.post(
        "/settings/approvals/",
        {
            "name": "Big",
            "object_type": "opportunity",
            "min_amount": "1000",
            "currency": "USD",
            "approver_role": "owner",
        },
    )
    admin.post(
        "/settings/metrics/",
        {
            "name": "Seats by segment",
            "object_type": "opportunity",
            "measure": "sum",
            "field": "custom.seats",
            "group_by": "custom.segment",
            "chart": "bar",
            "on_dashboard": "on",
        },
    )
    downloaded = admin.get("/settings/configuration/export.json")
    assert downloaded["Content-Disposition"].endswith('acme-business-configuration.json"')
    document = json.loads(downloaded.content)

    with django_capture_on_commit_callbacks(execute=True):
        page = _upload(globex, document)
    assert "Configuration imported" in page
    assert _export(globex) == _export(acme)
    with schema_context(globex.company.schema_name):
        assert FieldDefinition.objects.get(key="weighted").formula == "amount * 0.5"
        assert Term.objects.get(key="global_500").parent.key == "enterprise"
        assert AuditEntry.objects.filter(action="business.configuration_imported").exists()
    policies = _export(globex)
    assert policies["sharing_policy"]["withheld_fields"] == {
        "opportunity": {"custom.segment": {"partner_types": ["reseller"]}}
    }
    assert policies["sharing_policy"]["default_role"] == "viewer"
    assert [r["name"] for r in policies["approval_rules"]] == ["Big"]
    assert [m["name"] for m in policies["metrics"]] == ["Seats by segment"]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = %s AND indexname LIKE 'cf_%%'",
            [globex.company.schema_name],
        )
        assert {r[0] for r in cursor.fetchall()} == {"cf_opp_seats_asc", "cf_opp_seats_desc"}
    # importing the same file again changes nothing
    _upload(globex, document)
    assert _export(globex) == _export(acme)


@pytest.mark.django_db
def test_a_bad_file_is_refused_whole_with_a_line_per_problem(acme):
    before = _export(acme)
    page = _upload(acme, b"{not json")
    assert "This is not valid JSON" in page
    page = _upload(acme, {"format": "something-else", "version": 1})
    assert "format: &quot;something-else&quot; is not a valid choice." in page
    document = {
        "format": "ecosystem-business-configuration",
        "version": 1,
        "vocabularies": [
            {"key": "stages", "label": "Stages", "terms": [{"key": "pilot", "label": "Pilot"}]},
            {
                "key": "sizes",
                "label": "Sizes",
                "terms": [{"key": "s", "label": "S", "parent": "m"}],
            },
        ],
        "fields": [
            {"object_type": "opportunity", "key": "good", "label": "Good", "field_type": "text"},
            {
                "object_type": "opportunity",
                "key": "size",
                "label": "Size",
                "field_type": "choice",
                "vocabulary": "nope",
            },
        ],
        "rules": [],
    }
    page = _upload(acme, document)
    assert "Nothing was imported" in page
    assert "it can&#x27;t get new terms (pilot)" in page
    assert "“sizes” is a list; its terms have no parents." in page
    assert "fields[1].vocabulary: no vocabulary “nope”." in page
    document["vocabularies"] = []
    document["fields"] = [
        {
            "object_type": "opportunity",
            "key": "w",
            "label": "W",
            "field_type": "number",
            "formula": "amount * seats",
        },
    ]
    document["rules"] = [
        {"object_type": "opportunity", "name": "R", "condition": "amount >", "message": "m"}
    ]
    page = _upload(acme, document)
    assert "There is no field called “seats”." in page
    assert "rules[0].condition: The formula ends too early" in page
    assert _export(acme) == before  # nothing half-applied


@pytest.mark.django_db
def test_import_checks_defaults_against_their_fields(acme):
    before = _export(acme)
    document = {
        "format": "ecosystem-business-configuration",
        "version": 1,
        "fields": [
            {
                "object_type": "opportunity",
                "key": "seats",
                "label": "Seats",
                "field_type": "number",
                "default": "many",
            },
            {
                "object_type": "opportunity",
                "key": "region",
                "label": "Region",
                "field_type": "choice",
                "vocabulary": "regions",
                "default": "mars",
            },
        ],
    }
    page = _upload(acme, document)
    assert "fields[0].default: Enter a number." in page
    assert "fields[1].default: “mars” is not a term of “regions”." in page
    assert _export(acme) == before


@pytest.mark.django_db
def test_a_bad_policy_section_takes_the_whole_import_back(acme, globex):
    document = _export(acme)
    document["vocabularies"].append({"key": "tiers", "label": "Tiers", "terms": []})
    document["metrics"] = [{"name": "Broken", "object_type": "opportunity", "measure": "sum"}]
    document["approval_rules"] = [{"name": "", "object_type": "opportunity"}]
    page = _upload(globex, document)
    assert "metrics[0].field" in page and "approval_rules[0].name" in page
    with schema_context(globex.company.schema_name):
        assert not Vocabulary.objects.filter(key="tiers").exists()


@pytest.mark.django_db
def test_ill_shaped_policy_sections_are_refused_with_a_line_each(acme, globex):
    document = _export(acme)
    document["vocabularies"].append({"key": "tiers", "label": "Tiers", "terms": []})
    document["sharing_policy"] = {
        "sharer_roles": 5,
        "withheld_fields": {"opportunity": {"amount": ["reseller"]}},
    }
    document["approval_rules"] = [{"name": "r", "object_type": ["x"], "partner_types": 5}]
    document["metrics"] = [{"name": "m", "object_type": "opportunity", "position": 10**15}]
    page = _upload(globex, document)
    for line in (
        "sharing_policy.sharer_roles",
        "sharing_policy.withheld_fields.opportunity.amount",
        "object_type",
        "partner_types",
        "position",
    ):
        assert line in page, line
    with schema_context(globex.company.schema_name):
        assert not Vocabulary.objects.filter(key="tiers").exists()
