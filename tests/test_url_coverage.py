"""Every URL a company host serves is closed to other companies' users and to anonymous
visitors: enumerated from the URLconf, so a new endpoint is covered the day it is added."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from identity.invitations import colleague_invitations_send
from identity.models import (
    ColleagueInvitation,
    DirectoryGroup,
    EmailDomain,
    SsoConnection,
    UserSession,
)
from identity.service_accounts import service_account_create
from identity.tokens import token_create
from sharing.models import Partnership, PartnershipStatus, SharedRecord
from tenants.middleware import OPEN_PREFIXES
from tenants.models import Membership
from tests.builders import client_on, company_make
from tests.integrations.helpers import connection_plant, import_plant
from tests.sharing.helpers import partners_make, plan_make, shared_opportunity_make, solution_make
from tests.webhooks.helpers import webhook_plant


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


# For each URL prefix with an object id, which of the victim's objects fills it. A new route
# whose placeholder is not covered here fails the suite until it is added.
UUID_OWNERS = (
    "customers/",
    "partners/",
    "pipeline/",
    "shared/",
    "solutions/",
    "marketing/",
    "approvals/",
    "settings/invitations/",
    "settings/sessions/",
    "settings/sso/domains/",
    "settings/sso/",
    "settings/service-accounts/",
    "settings/provisioning/groups/",
    "settings/integrations/",
    "integrations/hooks/",
    "settings/webhooks/",
    "imports/",
)
API_OWNERS = {
    "opportunities/": "pipeline/",
    "accounts/": "customers/",
    "solutions/": "solutions/",
    "marketing-plans/": "marketing/",
    "shared/": "shared/",
    "partnerships/": "partners/",
    "tokens/": "token",
    "approvals/": "approvals/",
    "fields/": None,  # list only: the company's own business schema
    "metrics/": None,  # company-schema integers: each company's own (reached via its host only)
    # keyed by a partner's slug: only the caller's own relationships
    "partner-relationships/": None,
    "directory/": None,  # the directory is public to every member; its slug is any company's
    "webhooks/endpoints/": "settings/webhooks/",
    "webhooks/event-types/": None,  # list only: the catalogue
}


def _api_concrete(rest: str, ids: dict[str, object]) -> str:
    """A DRF router regex (^opportunities/(?P<pk>[^/.]+)/share/$) made concrete."""
    rest = rest.strip("^").rstrip("$")
    owner = next((key for key in API_OWNERS if rest.startswith(key)), None)
    assert owner is not None, f"no victim object for API route {rest}: add it to API_OWNERS"
    # (a route without a victim object of its own gets a plain integer)
    pk = str(ids[API_OWNERS[owner]]) if API_OWNERS[owner] is not None else "1"
    rest = re.sub(r"\(\?P<pk>[^)]*\)", pk, rest)
    rest = re.sub(r"\(\?P<delivery_pk>[^)]*\)", str(ids.get("delivery", "")), rest)
    rest = re.sub(r"\(\?P<slug>[^)]*\)", "acme", rest)
    assert "(?P" not in rest, f"unfilled group in API route {rest}"
    return rest


def _concrete(route: str, ids: dict[str, object]) -> str | None:
    """A concrete path for a route, with real ids of the victim company; None for allauth's
    regex routes (key-based links, covered by their own flow tests) and format suffixes."""
    if "(?P<format>" in route:
        return None
    if route.startswith("api/v1/^"):
        return "/api/v1/" + _api_concrete(route.removeprefix("api/v1/"), ids)
    if "^" in route or "(?P" in route:
        return None
    path = (
        route.replace("<int:pk>", str(ids["membership"]))
        .replace("<slug:slug>", "acme")
        .replace("<slug:key>", "regions")
        # an invitation link's secret (its page is open: the secret is the credential)
        .replace("<str:secret>", "not-a-secret")
        .replace("<slug:protocol>", "oidc")
        .replace("<slug:provider_id>", str(ids.get("provider_id", "oidc-000000000000")))
        .replace("<organization_slug>", str(ids.get("provider_id", "saml-000000000000")))
        # SCIM (/scim/v2/, its own token; tests/identity/test_scim.py): discovery keys and
        # directory ids
        .replace("<str:key>", "User")
        .replace("<str:pk>", "00000000-0000-0000-0000-000000000000")
        .replace("<path:rest>", "Nope")
    )
    if "<uuid:pk>" in path:
        owner = next((prefix for prefix in UUID_OWNERS if path.startswith(prefix)), None)
        assert owner is not None, f"no victim object for {route}: add it to UUID_OWNERS and ids"
        path = path.replace("<uuid:pk>", str(ids[owner]))
    path = path.replace("<uuid:task_pk>", str(ids.get("task", "")))
    # a connection's parts (Settings → Integrations)
    path = path.replace("<slug:connector>", "tryton")
    # an export of a list (imports and exports of files)
    path = path.replace("<slug:kind>", "account").replace("<slug:fmt>", "csv")
    for part in ("run", "conflict", "letter", "mapping", "delivery"):
        path = path.replace(f"<uuid:{part}_pk>", str(ids.get(part, ""))).replace(
            f"<int:{part}_pk>", str(ids.get(part, ""))
        )
    assert "<" not in path, f"unfilled placeholder in {route}"
    return "/" + path


def company_paths(ids: dict[str, object]) -> list[str]:
    paths = []
    for route, _ in _patterns(get_resolver("ecosystem.urls_company")):
        path = _concrete(route, ids)
        if path is not None and not path.startswith(OPEN_PREFIXES):
            paths.append(path)
    return sorted(set(paths))


def victim_ids(acme) -> dict[str, object]:  # type: ignore[no-untyped-def]
    third = company_make("victim-partner")
    partnership = partners_make(acme, third)
    opportunity, record = shared_opportunity_make(acme)
    token, _ = token_create(actor=acme.member, company=acme.company, name="victim token")
    plan, task = plan_make(acme)
    from tests.approvals.helpers import share_request_make

    request = share_request_make(acme, third)
    colleague_invitations_send(
        actor=acme.owner,
        actor_membership=Membership.objects.get(company=acme.company, user=acme.owner),
        company=acme.company,
        emails="victim-invitee@acme.test",
        role="member",
    )
    session = UserSession.objects.create(
        session_key="victim-session-key",
        user=acme.member,
        company=acme.company,
        auth_method="password",
    )
    sso = SsoConnection.objects.create(
        company=acme.company,
        protocol="saml",
        name="Victim IdP",
        provider_id="saml-victim00001",
        enabled=True,
        saml_entity_id="https://idp.victim.test",
        saml_sso_url="https://idp.victim.test/sso",
        saml_x509cert="MIIB",
    )
    domain = EmailDomain.objects.create(company=acme.company, domain="victim-acme.test")
    owner_membership = Membership.objects.get(company=acme.company, user=acme.owner)
    account, _ = service_account_create(
        actor=acme.owner,
        actor_membership=owner_membership,
        company=acme.company,
        name="Victim sync",
        scopes=["records:read"],
    )
    group = DirectoryGroup.objects.create(company=acme.company, display_name="Victim group")
    planted = connection_plant(acme, name="Victim CRM")
    hook = webhook_plant(acme, description="Victim hub")
    imported = import_plant(acme)
    return {
        "imports/": imported.pk,
        "settings/webhooks/": hook["endpoint"].pk,
        "delivery": hook["delivery"].pk,
        "settings/integrations/": planted["connection"].pk,
        "integrations/hooks/": planted["connection"].pk,
        "run": planted["run"].pk,
        "conflict": planted["conflict"].pk,
        "letter": planted["letter"].pk,
        "mapping": planted["mapping"].pk,
        "settings/service-accounts/": account.pk,
        "settings/provisioning/groups/": group.pk,
        "settings/sso/": sso.pk,
        "settings/sso/domains/": domain.pk,
        "provider_id": sso.provider_id,
        "settings/invitations/": ColleagueInvitation.objects.get(
            email="victim-invitee@acme.test"
        ).pk,
        "settings/sessions/": session.pk,
        "approvals/": request.pk,
        "token": token.pk,
        "membership": Membership.objects.get(company=acme.company, user=acme.member).pk,
        "partners/": partnership.pk,
        "pipeline/": opportunity.pk,
        "customers/": opportunity.account_id,
        "shared/": record.pk,
        "solutions/": solution_make(acme).pk,
        "marketing/": plan.pk,
        "task": task.pk,
    }


@pytest.mark.django_db
def test_url_enumeration_finds_the_workspace_endpoints(acme):
    zero = "00000000-0000-0000-0000-000000000000"
    paths = company_paths(
        {
            "membership": 1,
            "customers/": zero,
            "partners/": zero,
            "pipeline/": zero,
            "shared/": zero,
            "solutions/": zero,
            "marketing/": zero,
            "approvals/": zero,
            "settings/invitations/": zero,
            "settings/sessions/": zero,
            "settings/sso/": zero,
            "settings/sso/domains/": zero,
            "settings/service-accounts/": zero,
            "settings/provisioning/groups/": zero,
            "settings/integrations/": zero,
            "integrations/hooks/": zero,
            "settings/webhooks/": zero,
            "imports/": zero,
            "delivery": zero,
            "run": zero,
            "conflict": zero,
            "letter": zero,
            "mapping": 1,
            "task": zero,
            "token": 1,
        }
    )
    for expected in (
        "/",
        "/settings/members/",
        "/settings/members/1/role/",
        "/api/v1/company/",
        "/switch/acme/",
        "/partners/00000000-0000-0000-0000-000000000000/end/",
        "/api/v1/opportunities/00000000-0000-0000-0000-000000000000/share/",
        "/api/v1/shared/00000000-0000-0000-0000-000000000000/collaborate/",
        "/api/v1/partnerships/00000000-0000-0000-0000-000000000000/end/",
        "/api/v1/tokens/1/",
        "/customers/00000000-0000-0000-0000-000000000000/edit/",
        "/api/v1/accounts/00000000-0000-0000-0000-000000000000/",
        # the bulk upserts (writes: another company's user gets 404 like everywhere)
        "/api/v1/accounts/bulk/",
        "/api/v1/opportunities/bulk/",
        "/settings/webhooks/00000000-0000-0000-0000-000000000000/deliveries/"
        "00000000-0000-0000-0000-000000000000/resend/",
        "/api/v1/webhooks/endpoints/00000000-0000-0000-0000-000000000000/rotate-secret/",
    ):
        assert expected in paths
    assert len(paths) > 20  # allauth's account pages are in the list too


@pytest.mark.django_db
def test_every_company_url_is_404_for_another_companys_user_and_changes_nothing(acme, globex):
    ids = victim_ids(acme)
    victim = Membership.objects.get(pk=ids["membership"])
    client = client_on(acme.host, globex.owner)
    for path in company_paths(ids):
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            assert response.status_code == 404, (method, path, response.status_code)
    victim.refresh_from_db()
    assert victim.role == "member"
    acme.company.refresh_from_db()
    assert acme.company.name == "Acme Robotics"
    assert Partnership.objects.get(pk=ids["partners/"]).status == PartnershipStatus.ACTIVE
    from identity.models import PersonalAccessToken
    from sharing.models import SharedRecord

    assert PersonalAccessToken.objects.get(pk=ids["token"]).revoked_at is None
    assert SharedRecord.objects.get(pk=ids["shared/"]).version == 1
    from identity.models import ServiceAccount

    account = ServiceAccount.objects.get(pk=ids["settings/service-accounts/"])
    assert account.disabled_at is None and account.name == "Victim sync"
    assert DirectoryGroup.objects.get(pk=ids["settings/provisioning/groups/"]).role == ""
    _assert_request_still_pending(acme, ids["approvals/"])
    _assert_webhook_untouched(acme, ids)


def _assert_webhook_untouched(acme, ids) -> None:  # type: ignore[no-untyped-def]
    from django_tenants.utils import schema_context

    from webhooks.models import WebhookDelivery, WebhookEndpoint

    with schema_context(acme.company.schema_name):
        endpoint = WebhookEndpoint.objects.get(pk=ids["settings/webhooks/"])
        assert endpoint.enabled and endpoint.secret_rotated_at is None
        assert endpoint.description == "Victim hub"
        assert WebhookDelivery.objects.get(pk=ids["delivery"]).attempts == 1


def _assert_request_still_pending(acme, pk) -> None:  # type: ignore[no-untyped-def]
    from django_tenants.utils import schema_context

    from approvals.models import ShareRequest

    with schema_context(acme.company.schema_name):
        assert ShareRequest.objects.get(pk=pk).status == "pending"


@pytest.mark.django_db
def test_every_company_url_refuses_anonymous_visitors(acme):
    client = client_on(acme.host)
    for path in company_paths(victim_ids(acme)):
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code in (401, 403), path
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"], path


@pytest.mark.django_db
def test_leak_matrix_denied_personas_get_404_on_every_object_route_from_their_own_host(
    acme, globex
):
    """Personas that must see nothing of acme's record: a partner not on its list, a partner
    that was removed from it, and an unrelated company. Each tries every route that names an
    object, with acme's ids, on its own host, by GET and POST."""
    from sharing.records.services.sharing import sharing_entry_remove, sharing_entry_set
    from tests.sharing.helpers import membership

    ids = victim_ids(acme)
    record = SharedRecord.objects.get(pk=ids["shared/"])
    not_on_list, revoked, unrelated = (
        company_make("m-pnol"),
        company_make("m-revk"),
        company_make("m-unrl"),
    )
    for partner in (not_on_list, revoked):
        partners_make(acme, partner)
    sharing_entry_set(
        actor=acme.owner,
        actor_membership=membership(acme),
        record=record,
        partner=revoked.company,
        role="manager",
    )
    sharing_entry_remove(
        actor=acme.owner, actor_membership=membership(acme), record=record, partner=revoked.company
    )
    object_paths = [
        p
        for p in company_paths(ids)
        # UUIDs name one object network-wide; integer ids only where they are network rows
        # (a company-schema integer like a term id exists in every company, each its own)
        if any(str(v) in p for k, v in ids.items() if k not in ("membership", "token", "mapping"))
        or f"/settings/members/{ids['membership']}/" in p
        or f"/settings/tokens/{ids['token']}/" in p
        or f"/api/v1/tokens/{ids['token']}/" in p
    ]
    assert len(object_paths) > 25
    for persona in (not_on_list, revoked, unrelated):
        for user in (persona.owner, persona.member):
            client = client_on(persona.host, user)
            for path in object_paths:
                for method in ("get", "post"):
                    response = getattr(client, method)(path)
                    if response.status_code == 405:
                        # method not allowed on this route at all: same answer for an id that
                        # does not exist, so it says nothing about acme's object
                        probe = path
                        for key, value in ids.items():
                            if key not in ("membership", "token", "mapping"):
                                probe = probe.replace(
                                    str(value), "00000000-0000-0000-0000-000000000000"
                                )
                        assert getattr(client, method)(probe).status_code == 405, (method, path)
                        continue
                    assert response.status_code == 404, (
                        persona.company.slug,
                        method,
                        path,
                        response.status_code,
                    )
    record.refresh_from_db()
    assert record.version == 1 and record.stage == "qualify"
    assert not SharedRecord.objects.exclude(pk=record.pk).filter(owner=acme.company).exists()
    _assert_request_still_pending(acme, ids["approvals/"])
    _assert_webhook_untouched(acme, ids)
