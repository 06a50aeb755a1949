"""Service accounts and token scopes: integrations run as the company, with only the rights
they were given, past the departure of whoever set them up; tokens rotate with an overlap."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent
from identity.models import PersonalAccessToken, ServiceAccount
from identity.service_accounts import service_account_create, service_account_rotate
from identity.tasks import service_accounts_expiry_notify
from identity.tokens import token_create
from tenants.models import Membership
from tests.builders import client_on

NEW_OPPORTUNITY = {"name": "Scoped deal", "stage": "qualify", "amount": "100", "currency": "EUR"}


def _membership(world, user):  # type: ignore[no-untyped-def]
    return Membership.objects.get(company=world.company, user=user)


def _api(world, token: str):  # type: ignore[no-untyped-def]
    return client_on(world.host, None), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _create(world, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "actor": world.admin,
        "actor_membership": _membership(world, world.admin),
        "company": world.company,
        "name": "HubSpot sync",
        "scopes": ["records:read"],
        "owner": world.admin,
        **overrides,
    }
    return service_account_create(**data)


@pytest.mark.django_db
def test_an_admin_makes_one_in_the_browser_and_its_token_is_shown_once(acme):
    browser = client_on(acme.host, acme.admin)
    response = browser.post(
        "/settings/service-accounts/",
        {
            "name": "CRM sync",
            "description": "Pushes deals from our CRM",
            "scopes": ["records:read", "records:write"],
            "role": "member",
            "owner": str(acme.owner.pk),
            "expires_in_days": "90",
        },
    )
    assert response.status_code == 201
    plain = re.search(r'value="(eco_[^"]+)"', response.content.decode()).group(1)
    account = ServiceAccount.objects.get(company=acme.company, name="CRM sync")
    assert account.owner == acme.owner and account.user.is_service_account
    assert not account.user.has_usable_password()
    api, auth = _api(acme, plain)
    assert api.get("/api/v1/opportunities/", **auth).status_code == 200
    page = browser.get(f"/settings/service-accounts/{account.pk}/").content.decode()
    assert plain not in page and "CRM sync" in page
    # an integration is not one of the company's people
    members = browser.get("/settings/members/").content.decode()
    assert "CRM sync" not in members
    assert AuditEvent.objects.filter(
        company=acme.company, action="service_account.created"
    ).exists()


@pytest.mark.django_db
def test_a_member_cannot_make_one_and_bad_input_changes_nothing(acme):
    member = client_on(acme.host, acme.member)
    assert member.post("/settings/service-accounts/", {"name": "x"}).status_code == 403
    admin = client_on(acme.host, acme.admin)
    response = admin.post(
        "/settings/service-accounts/",
        {"name": "Typed name kept", "scopes": ["nope:admin"], "role": "member", "owner": "1"},
    )
    assert response.status_code == 400
    assert "Typed name kept" in response.content.decode()
    assert not ServiceAccount.objects.filter(company=acme.company).exists()


@pytest.mark.django_db
def test_scopes_decide_what_a_token_may_do(acme):
    _, plain = _create(acme, scopes=["records:read"])
    api, auth = _api(acme, plain)
    assert api.get("/api/v1/opportunities/", **auth).status_code == 200
    refused = api.post("/api/v1/opportunities/", NEW_OPPORTUNITY, **auth)
    assert refused.status_code == 403 and "scope" in refused.json()["detail"]
    assert api.get("/api/v1/partnerships/", **auth).status_code == 403
    assert api.get("/api/v1/me/", **auth).status_code == 200

    # a person's token has scopes too
    _, personal = token_create(
        actor=acme.member, company=acme.company, name="read only", scopes=["reports:read"]
    )
    api, auth = _api(acme, personal)
    assert api.get("/api/v1/metrics/", **auth).status_code == 200
    assert api.get("/api/v1/opportunities/", **auth).status_code == 403
    with pytest.raises(Exception, match="at least one"):
        token_create(actor=acme.member, company=acme.company, name="none", scopes=[])


@pytest.mark.django_db
def test_it_keeps_working_when_its_creator_leaves(acme):
    from tenants.services.memberships import membership_remove

    _, plain = _create(acme)
    membership_remove(
        actor=acme.owner,
        actor_membership=_membership(acme, acme.owner),
        membership=_membership(acme, acme.admin),
    )
    api, auth = _api(acme, plain)
    assert api.get("/api/v1/opportunities/", **auth).status_code == 200


@pytest.mark.django_db
def test_rotation_keeps_the_old_token_for_the_overlap_only(acme):
    account, old = _create(acme)
    new = service_account_rotate(
        actor=acme.admin,
        actor_membership=_membership(acme, acme.admin),
        account=account,
        overlap_hours=1,
    )
    api, auth_old = _api(acme, old)
    _, auth_new = _api(acme, new)
    assert api.get("/api/v1/opportunities/", **auth_old).status_code == 200
    assert api.get("/api/v1/opportunities/", **auth_new).status_code == 200
    # an hour later the old one has stopped
    PersonalAccessToken.objects.filter(
        user=account.user, expires_at__lte=timezone.now() + timedelta(hours=1)
    ).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/opportunities/", **auth_old).status_code == 401
    assert api.get("/api/v1/opportunities/", **auth_new).status_code == 200
    event = AuditEvent.objects.get(company=acme.company, action="service_account.token_rotated")
    assert event.after["overlap_hours"] == 1


@pytest.mark.django_db
def test_disabled_or_expired_accounts_stop_their_tokens(acme):
    account, plain = _create(acme)
    browser = client_on(acme.host, acme.admin)
    assert browser.post(f"/settings/service-accounts/{account.pk}/disable/").status_code == 302
    api, auth = _api(acme, plain)
    assert api.get("/api/v1/opportunities/", **auth).status_code == 401

    other, other_plain = _create(acme, name="Expiring")
    ServiceAccount.objects.filter(pk=other.pk).update(expires_at=timezone.now())
    _, auth = _api(acme, other_plain)
    assert api.get("/api/v1/opportunities/", **auth).status_code == 401


@pytest.mark.django_db
def test_another_companys_admin_gets_nothing(acme, globex):
    account, plain = _create(acme, name="Acme secret sync")
    theirs = client_on(globex.host, globex.admin)
    for path in (
        f"/settings/service-accounts/{account.pk}/",
        f"/settings/service-accounts/{account.pk}/rotate/",
        f"/settings/service-accounts/{account.pk}/disable/",
    ):
        assert theirs.post(path).status_code == 404
    assert "Acme secret sync" not in theirs.get("/settings/service-accounts/").content.decode()
    # acme's token on globex's host
    api = client_on(globex.host)
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401
    account.refresh_from_db()
    assert account.disabled_at is None


@pytest.mark.django_db
def test_the_owner_is_told_before_it_expires_once(acme):
    soon, _ = _create(acme, name="Ends soon", expires_in_days=10, owner=acme.owner)
    _create(acme, name="Ends later", expires_in_days=200)
    mail.outbox.clear()
    assert service_accounts_expiry_notify() == 1
    assert mail.outbox[0].to == [acme.owner.email]
    assert "Ends soon" in mail.outbox[0].subject
    assert f"/settings/service-accounts/{soon.pk}/" in mail.outbox[0].body
    assert service_accounts_expiry_notify() == 0


@pytest.mark.django_db
def test_api_requests_are_throttled_per_token(acme, settings):
    settings.API_RATE_PER_TOKEN = "3/min"
    _, first = _create(acme, name="Loops")
    _, second = _create(acme, name="Behaves")
    api, auth = _api(acme, first)
    codes = [api.get("/api/v1/me/", **auth).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    _, auth = _api(acme, second)
    assert api.get("/api/v1/me/", **auth).status_code == 200


@pytest.mark.django_db
def test_the_pages_cost_the_same_for_one_or_eight_accounts(acme, django_assert_max_num_queries):
    account, _ = _create(acme)
    browser = client_on(acme.host, acme.admin)
    with django_assert_max_num_queries(14):
        assert browser.get("/settings/service-accounts/").status_code == 200
    for i in range(7):
        _create(acme, name=f"Sync {i}")
    with django_assert_max_num_queries(14):
        assert browser.get("/settings/service-accounts/").status_code == 200
    with django_assert_max_num_queries(16):
        assert browser.get(f"/settings/service-accounts/{account.pk}/").status_code == 200


@pytest.mark.django_db
def test_an_admin_service_account_is_never_mailed_as_a_person(
    acme, globex, django_capture_on_commit_callbacks
):
    from sharing.network.services.partnerships import partnership_invite

    account, _ = _create(globex, role="admin", name="Globex admin bot")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        partnership_invite(
            actor=acme.owner,
            actor_membership=_membership(acme, acme.owner),
            partner=globex.company,
        )
    recipients = {address for message in mail.outbox for address in message.to}
    assert globex.owner.email in recipients
    assert account.user.email not in recipients


@pytest.mark.django_db
def test_reloading_the_page_that_showed_a_personal_token_makes_no_second_one(acme):
    browser = client_on(acme.host, acme.member)
    page = browser.get("/settings/tokens/").content.decode()
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)
    form = {"name": "Reloaded", "scopes": ["records:read"], "expires_in_days": "30", "once": once}
    assert browser.post("/settings/tokens/", form).status_code == 200
    again = browser.post("/settings/tokens/", form, follow=True).content.decode()
    assert "sent already" in again
    assert PersonalAccessToken.objects.filter(user=acme.member, name="Reloaded").count() == 1


@pytest.mark.django_db
def test_a_service_account_never_signs_in_or_resets_a_password(acme):
    account, _ = _create(acme)
    bot = account.user
    mail.outbox.clear()
    reset = client_on(acme.host).post("/accounts/password/reset/", {"email": bot.email})
    assert reset.status_code in (200, 302)
    assert not any(bot.email in m.to for m in mail.outbox)
    bot.set_password("a-password-somebody-set-1")
    bot.save()
    login = client_on(acme.host).post(
        "/accounts/login/", {"login": bot.email, "password": "a-password-somebody-set-1"}
    )
    assert "_auth_user_id" not in login.client.session


@pytest.mark.django_db
def test_a_service_account_is_no_deal_owner_and_the_schema_needs_configuration(acme):
    account, plain = _create(acme, scopes=["records:read", "records:write"])
    api, auth = _api(acme, plain)
    refused = api.post(
        "/api/v1/opportunities/", {**NEW_OPPORTUNITY, "owner": account.user.email}, **auth
    )
    assert refused.status_code == 400 and "owner" in refused.json()
    # the API's description holds the company's custom fields: configuration
    assert api.get("/api/v1/schema/", **auth).status_code == 403
    _, config = _create(acme, name="Reads config", scopes=["configuration:read"])
    _, auth = _api(acme, config)
    assert api.get("/api/v1/schema/", **auth).status_code == 200


@pytest.mark.django_db
def test_an_owner_who_leaves_is_no_longer_told_about_the_account(acme):
    from tenants.services.memberships import membership_remove

    account, _ = _create(acme, expires_in_days=10, owner=acme.member)
    membership_remove(
        actor=acme.owner,
        actor_membership=_membership(acme, acme.owner),
        membership=_membership(acme, acme.member),
    )
    account.refresh_from_db()
    assert account.owner is None
    mail.outbox.clear()
    assert service_accounts_expiry_notify() == 0
    assert not mail.outbox


@pytest.mark.django_db
def test_the_owner_hears_of_a_rotation_and_the_new_token_is_not_cached(
    acme, django_capture_on_commit_callbacks
):
    account, _ = _create(acme, owner=acme.owner)
    mail.outbox.clear()
    browser = client_on(acme.host, acme.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(
            f"/settings/service-accounts/{account.pk}/rotate/", {"overlap_hours": "24"}
        )
    assert "no-store" in response["Cache-Control"]
    assert [m.to for m in mail.outbox] == [[acme.owner.email]]
    assert "new token" in mail.outbox[0].subject


@pytest.mark.django_db
def test_a_service_account_never_approves_a_share(acme, globex):
    from approvals.policy import is_approver

    account, _ = _create(acme, role="admin")
    membership = Membership.objects.select_related("user").get(user=account.user)
    assert membership.role == "admin"
    assert not is_approver(
        membership.role, "admin", service_account=membership.user.is_service_account
    )
    from approvals.selectors import approver_roles_for

    assert approver_roles_for(membership) == []
