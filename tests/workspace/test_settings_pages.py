"""Settings: company profile, workspace preferences, members, audit log."""

import pytest
from django_tenants.utils import schema_context

from audit.company.models import AuditEntry
from audit.models import AuditEvent
from tenants.models import Membership, Role
from tenants.services.memberships import membership_add
from tests.builders import client_on, company_make
from workspace.models import WorkspaceSettings

PROFILE = {
    "name": "Acme Robotics",
    "website": "https://acme.example",
    "description": "Industrial robots.",
    "industries": "Manufacturing, Logistics",
    "regions": "EMEA",
    "offerings": ["reseller", "technology"],
}


@pytest.mark.django_db
def test_admin_updates_profile_and_it_is_audited(acme):
    response = client_on(acme.host, acme.admin).post("/settings/", PROFILE)
    assert response.status_code == 302
    acme.company.refresh_from_db()
    assert acme.company.industries == ["Manufacturing", "Logistics"]
    assert acme.company.offerings == ["reseller", "technology"]
    event = AuditEvent.objects.filter(
        company=acme.company, action="company.profile_updated"
    ).latest("id")
    assert event.actor == acme.admin
    assert event.before["website"] == "" and event.after["website"] == "https://acme.example"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"website": "not a url"}, "Enter a valid URL"),
        ({"name": ""}, "This field is required"),
        ({"offerings": ["bogus"]}, "Select a valid choice"),
        ({"industries": "x" * 61}, "at most 60 characters"),
    ],
)
def test_bad_profile_input_is_refused_and_nothing_changes(acme, change, message):
    events = AuditEvent.objects.count()
    response = client_on(acme.host, acme.admin).post("/settings/", {**PROFILE, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    acme.company.refresh_from_db()
    assert acme.company.website == "" and acme.company.name == "Acme Robotics"
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_member_cannot_open_admin_settings(acme):
    client = client_on(acme.host, acme.member)
    for path in ("/settings/", "/settings/workspace/", "/settings/audit/"):
        response = client.get(path)
        assert response.status_code == 403 and b"Only admins" in response.content
    assert client.post("/settings/", PROFILE).status_code == 403
    acme.company.refresh_from_db()
    assert acme.company.website == ""


@pytest.mark.django_db
def test_workspace_settings_are_saved_in_the_company_schema_and_audited(acme, globex):
    data = {"default_currency": "eur", "fiscal_year_start_month": "4", "timezone": "Europe/Berlin"}
    response = client_on(acme.host, acme.owner).post("/settings/workspace/", data)
    assert response.status_code == 302
    with schema_context(acme.company.schema_name):
        row = WorkspaceSettings.objects.get()
        assert (row.default_currency, row.fiscal_year_start_month, row.timezone) == (
            "EUR",
            4,
            "Europe/Berlin",
        )
        entry = AuditEntry.objects.filter(action="workspace.settings_updated").latest("id")
        assert entry.actor_id == acme.owner.pk and entry.before["default_currency"] == "USD"
    with schema_context(globex.company.schema_name):
        assert WorkspaceSettings.objects.get().default_currency == "USD"
        assert not AuditEntry.objects.filter(action="workspace.settings_updated").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"default_currency": "E1R"}, "three-letter ISO 4217"),
        ({"default_currency": "EURO"}, "at most 3 characters"),
        ({"timezone": "Mars/Olympus"}, "Select a valid choice"),
        ({"fiscal_year_start_month": "13"}, "Select a valid choice"),
    ],
)
def test_bad_workspace_settings_are_refused(acme, change, message):
    data = {"default_currency": "USD", "fiscal_year_start_month": "1", "timezone": "UTC", **change}
    response = client_on(acme.host, acme.owner).post("/settings/workspace/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    with schema_context(acme.company.schema_name):
        assert WorkspaceSettings.objects.get().default_currency == "USD"


@pytest.mark.django_db
def test_members_page_lists_members_in_bounded_queries(acme, django_assert_max_num_queries):
    client = client_on(acme.host, acme.member)
    client.get("/settings/members/")
    with django_assert_max_num_queries(9):
        response = client.get("/settings/members/")
    assert response.status_code == 200
    for user in (acme.owner, acme.admin, acme.member):
        assert user.email in response.content.decode()


@pytest.mark.django_db
def test_members_page_query_count_does_not_grow_with_members(acme, django_assert_max_num_queries):
    from tenants.services.memberships import membership_add
    from tests.builders import user_make

    for _ in range(15):
        membership_add(actor=acme.owner, company=acme.company, user=user_make(), role=Role.MEMBER)
    client = client_on(acme.host, acme.member)
    with django_assert_max_num_queries(9):
        assert client.get("/settings/members/").status_code == 200


@pytest.mark.django_db
def test_admin_changes_a_role_and_it_is_audited(acme):
    membership = Membership.objects.get(company=acme.company, user=acme.member)
    response = client_on(acme.host, acme.admin).post(
        f"/settings/members/{membership.pk}/role/", {"role": "admin"}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    assert AuditEvent.objects.filter(
        action="membership.role_changed", target_id=str(membership.pk)
    ).exists()


@pytest.mark.django_db
def test_only_owners_grant_owner_and_the_last_owner_stays(acme):
    member = Membership.objects.get(company=acme.company, user=acme.member)
    owner = Membership.objects.get(company=acme.company, user=acme.owner)
    admin_client = client_on(acme.host, acme.admin)
    admin_client.post(f"/settings/members/{member.pk}/role/", {"role": "owner"})
    member.refresh_from_db()
    assert member.role == Role.MEMBER
    admin_client.post(f"/settings/members/{owner.pk}/remove/")
    assert Membership.objects.filter(pk=owner.pk).exists()
    # the owner cannot demote themselves away either
    resp = client_on(acme.host, acme.owner).post(
        f"/settings/members/{owner.pk}/role/", {"role": "member"}, follow=True
    )
    owner.refresh_from_db()
    assert owner.role == Role.OWNER
    assert b"at least one owner" in resp.content


@pytest.mark.django_db
def test_member_cannot_change_roles_or_remove_people(acme):
    admin = Membership.objects.get(company=acme.company, user=acme.admin)
    client = client_on(acme.host, acme.member)
    client.post(f"/settings/members/{admin.pk}/role/", {"role": "member"})
    client.post(f"/settings/members/{admin.pk}/remove/")
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


@pytest.mark.django_db
def test_admin_removes_a_member(acme):
    member = Membership.objects.get(company=acme.company, user=acme.member)
    response = client_on(acme.host, acme.admin).post(f"/settings/members/{member.pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    assert client_on(acme.host, acme.member).get("/").status_code == 404


@pytest.mark.django_db
def test_memberships_of_another_company_are_404_and_untouched(acme, globex):
    theirs = Membership.objects.get(company=globex.company, user=globex.member)
    client = client_on(acme.host, acme.owner)
    assert client.post(f"/settings/members/{theirs.pk}/role/", {"role": "admin"}).status_code == 404
    assert client.post(f"/settings/members/{theirs.pk}/remove/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == Role.MEMBER


@pytest.mark.django_db
def test_audit_page_shows_only_this_companys_history(acme, globex):
    client_on(globex.host, globex.owner).post(
        "/settings/", {**PROFILE, "name": "Globex Corporation", "website": "https://globex.example"}
    )
    response = client_on(acme.host, acme.admin).get("/settings/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "company.created" in body
    assert "globex.example" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/pipeline/", "/solutions/", "/marketing/", "/reports/"])
def test_sections_show_an_empty_state_that_says_what_to_do(acme, path):
    response = client_on(acme.host, acme.member).get(path)
    assert response.status_code == 200
    assert b'data-testid="empty-state"' in response.content


@pytest.mark.django_db
def test_fresh_company_profile_nudge_is_shown_to_admins_only(db):
    world = company_make("fresh")
    assert b"profile-nudge" in client_on(world.host, world.owner).get("/").content
    assert b"profile-nudge" not in client_on(world.host, world.member).get("/").content


@pytest.mark.django_db
def test_unknown_role_is_refused_with_a_message(acme):
    member = Membership.objects.get(company=acme.company, user=acme.member)
    response = client_on(acme.host, acme.owner).post(
        f"/settings/members/{member.pk}/role/", {"role": "superuser"}, follow=True
    )
    assert b"Choose one of the roles" in response.content
    member.refresh_from_db()
    assert member.role == Role.MEMBER


@pytest.mark.django_db
def test_dashboard_and_audit_pages_have_bounded_queries(acme, django_assert_max_num_queries):
    from tests.builders import user_make

    for _ in range(10):
        membership_add(actor=acme.owner, company=acme.company, user=user_make(), role=Role.MEMBER)
    client = client_on(acme.host, acme.owner)
    # 12 + the dashboard's metrics (none defined here) and the approvals waiting
    with django_assert_max_num_queries(14):
        assert client.get("/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/settings/audit/").status_code == 200


@pytest.mark.django_db
def test_admin_exports_the_audit_log_as_csv_with_only_this_companys_history(acme, globex):
    import csv
    import io

    client_on(acme.host, acme.owner).post(
        "/settings/workspace/",
        {"default_currency": "EUR", "fiscal_year_start_month": "1", "timezone": "UTC"},
    )
    response = client_on(acme.host, acme.admin).get("/settings/audit/export.csv")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    actions = {(r["log"], r["action"]) for r in rows}
    assert ("network", "company.created") in actions
    assert ("company", "workspace.settings_updated") in actions
    assert all(globex.owner.email != r["actor"] for r in rows)
    assert client_on(acme.host, acme.member).get("/settings/audit/export.csv").status_code == 403
    assert client_on(acme.host, globex.owner).get("/settings/audit/export.csv").status_code == 404


def test_ago_filter_reads_naturally():
    from datetime import timedelta

    from django.utils import timezone

    from ui.templatetags.ui import ago

    now = timezone.now()
    assert ago(now) == "just now"
    assert ago(now - timedelta(minutes=5)) == "5 min ago"
    assert ago(now - timedelta(hours=3)) == "3 h ago"
    assert ago(now - timedelta(days=2)) == "2 d ago"
    assert ago(now - timedelta(days=40)).endswith(str((now - timedelta(days=40)).year))
    assert ago(None) == ""
