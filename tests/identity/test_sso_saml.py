"""SAML 2.0 sign-in at the HTTP boundary, against a real IdP (pysaml2, tests/idp/saml.py): an
SP-initiated round trip signs a new colleague in just in time; every hostile answer (unsigned,
SHA-1, a stranger's signature, another audience, recipient or destination, expired, replayed,
unsolicited, an address of another company, a response meant for another company) is refused
with a page of ours and creates nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from identity.models import EmailDomain, SsoConnection, User
from identity.models.sessions import UserSession
from tenants.models import Membership
from tests.builders import CompanyWorld, client_on
from tests.idp.saml import AuthnRequestSeen, LocalSamlIdp, SamlAccount

pytest_plugins = ["tests.idp.saml_fixture"]  # the `saml_idp` fixture


def _connect(world: CompanyWorld, idp: LocalSamlIdp) -> SsoConnection:
    slug = world.company.slug
    EmailDomain.objects.create(
        company=world.company, domain=f"{slug}.test", verified_at=timezone.now()
    )
    return SsoConnection.objects.create(
        company=world.company,
        protocol="saml",
        name=f"{world.company.name} SAML",
        provider_id=f"saml-{slug}0001",
        enabled=True,
        default_role="member",
        role_rules=[{"group": "Partner Admins", "role": "admin"}],
        saml_entity_id=idp.entity_id,
        saml_sso_url=idp.sso_url,
        saml_x509cert=idp.x509cert,
        tested_at=timezone.now(),
        test_result={"ok": True},
    )


@dataclass
class SignIn:
    """One SP-initiated sign-in in progress: the browser (client) and what the SP asked."""

    client: Client
    connection: SsoConnection
    request: AuthnRequestSeen

    @property
    def acs(self) -> str:
        return f"/accounts/saml/{self.connection.provider_id}/acs/"

    def post(self, saml_response: str, client: Client | None = None):  # type: ignore[no-untyped-def]
        """The browser POSTs the Response to the ACS (HTTP-POST binding); allauth moves it on
        to its finishing view, whose answer is returned."""
        client = client or self.client
        acs = client.post(
            self.acs, {"SAMLResponse": saml_response, "RelayState": self.request.relay_state}
        )
        assert acs.status_code == 302, acs.content
        return client.get(acs["Location"])


def _start(world: CompanyWorld, connection: SsoConnection, idp: LocalSamlIdp) -> SignIn:
    client = client_on(world.host)
    start = client.get(f"/sso/{connection.provider_id}/start/")
    assert start.status_code == 302 and start["Location"].startswith(f"{idp.sso_url}?")
    # the IdP admin registers the SP from its metadata
    metadata = client.get(f"/accounts/saml/{connection.provider_id}/metadata/")
    assert metadata.status_code == 200
    idp.sp_trust(metadata.content)
    seen = idp.authn_request_of(start["Location"])
    assert seen.acs_url == f"http://{world.host}/accounts/saml/{connection.provider_id}/acs/"
    return SignIn(client=client, connection=connection, request=seen)


def _answer(idp: LocalSamlIdp, sign_in: SignIn, **knobs) -> str:  # type: ignore[no-untyped-def]
    knobs.setdefault("in_response_to", sign_in.request.id)
    return idp.encoded(idp.response_xml(sp_entity_id=sign_in.request.sp_entity_id, **knobs))


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _nothing_was_created(response, client: Client, before: dict[str, int], emails) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in (401, 403), response.status_code
    body = response.content.decode()
    assert 'data-testid="sso-failed"' in body or 'data-testid="sso-refused"' in body
    assert "Nothing was created or changed." in body
    assert _counts() == before
    assert not User.objects.filter(email__in=emails).exists()
    assert not Membership.objects.filter(user__email__in=emails).exists()
    assert not _signed_in(client)
    assert client.get("/").status_code == 302  # the workspace asks to sign in


def _no_such_request(response) -> None:  # type: ignore[no-untyped-def]
    """The page for an answer to no sign-in this browser has open: allauth's one-time state
    refuses it with PermissionDenied; identity.sso.views.saml_finish_acs answers our refusal
    page instead of a bare 403."""
    assert response.status_code == 403
    body = response.content.decode()
    assert "does not belong to a sign-in started in this browser" in body, body


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "social_accounts": SocialAccount.objects.count(),
        "sessions": UserSession.objects.count(),
    }


@pytest.mark.django_db
def test_a_signed_answer_signs_a_new_colleague_in_just_in_time(acme, saml_idp):
    connection = _connect(acme, saml_idp)
    sign_in = _start(acme, connection, saml_idp)
    saml_idp.account = SamlAccount("new.colleague@acme.test", "New Colleague", ["Sales"])
    response = sign_in.post(_answer(saml_idp, sign_in))
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="new.colleague@acme.test")
    assert user.full_name == "New Colleague"
    assert Membership.objects.get(user=user, company=acme.company).role == "member"
    account = SocialAccount.objects.get(user=user)
    assert account.provider == connection.provider_id
    assert account.uid == saml_idp.account.subject  # the persistent NameID
    assert _signed_in(sign_in.client)
    assert sign_in.client.get("/").status_code == 200


EMAIL_ATTRIBUTES = {
    "ldap-mail": "mail",  # urn:oid:0.9.2342.19200300.100.1.3
    "pkcs9-email": "email",  # urn:oid:1.2.840.113549.1.9.1.1 (Keycloak's X500 mapper)
    "entra-claim": "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", EMAIL_ATTRIBUTES.values(), ids=EMAIL_ATTRIBUTES.keys())
def test_the_address_is_read_from_each_common_attribute(acme, saml_idp, name):
    connection = _connect(acme, saml_idp)
    sign_in = _start(acme, connection, saml_idp)
    attributes = {name: ["Omar@Acme.test"], "givenName": ["Omar"], "sn": ["Haddad"]}
    response = sign_in.post(_answer(saml_idp, sign_in, attributes=attributes))
    assert response.status_code == 302
    omar = User.objects.get(email="omar@acme.test")
    assert omar.full_name == "Omar Haddad"
    assert Membership.objects.filter(user=omar, company=acme.company).exists()


@pytest.mark.django_db
def test_a_group_rule_gives_its_role_to_a_new_colleague(acme, saml_idp):
    connection = _connect(acme, saml_idp)
    sign_in = _start(acme, connection, saml_idp)
    saml_idp.account = SamlAccount("ada@acme.test", "Ada Admin", ["Sales", "Partner Admins"])
    response = sign_in.post(_answer(saml_idp, sign_in, sign_response=True))
    assert response.status_code == 302
    ada = User.objects.get(email="ada@acme.test")
    assert Membership.objects.get(user=ada, company=acme.company).role == "admin"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


HOSTILE = {
    "unsigned": {"sign": None},
    "signed-with-sha1": {"sign": "sha1"},
    "signed-with-sha1-response-and-assertion": {"sign": "sha1", "sign_response": True},
    "signed-by-a-stranger": {"signed_by_stranger": True},
    "for-another-audience": {"audience": "http://globex.localhost/accounts/saml/x/metadata/"},
    "for-another-recipient": {"recipient": "http://globex.localhost/accounts/saml/x/acs/"},
    "for-another-destination": {"destination": "http://globex.localhost/accounts/saml/x/acs/"},
    "expired": {
        "issued_at": _now() - dt.timedelta(minutes=20),
        "not_on_or_after": _now() - dt.timedelta(minutes=10),
    },
    "idp-initiated": {"in_response_to": None},
}


@pytest.mark.django_db
@pytest.mark.parametrize("knobs", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_answer_is_refused_and_creates_nothing(acme, saml_idp, knobs):
    connection = _connect(acme, saml_idp)
    sign_in = _start(acme, connection, saml_idp)
    saml_idp.account = SamlAccount("new.colleague@acme.test", "New Colleague")
    before = _counts()
    response = sign_in.post(_answer(saml_idp, sign_in, **knobs))
    _nothing_was_created(response, sign_in.client, before, ["new.colleague@acme.test"])
    # an answer that anyone could have forged is not written to the company's audit log
    assert not AuditEvent.objects.filter(company=acme.company, action="sso.sign_in_refused")


@pytest.mark.django_db
def test_an_address_of_another_company_is_refused_and_nothing_is_linked(acme, globex, saml_idp):
    connection = _connect(acme, saml_idp)
    EmailDomain.objects.create(
        company=globex.company, domain="globex.test", verified_at=timezone.now()
    )
    sign_in = _start(acme, connection, saml_idp)
    saml_idp.account = SamlAccount(globex.owner.email, "Globex Owner")  # the takeover attempt
    before = _counts()
    response = sign_in.post(_answer(saml_idp, sign_in))
    assert "not on a domain Acme Robotics has verified" in response.content.decode()
    _nothing_was_created(response, sign_in.client, before, [])
    assert not globex.owner.socialaccount_set.exists()
    assert not Membership.objects.filter(user=globex.owner, company=acme.company).exists()
    event = AuditEvent.objects.get(company=acme.company, action="sso.sign_in_refused")
    assert event.after["email"] == globex.owner.email
    assert not AuditEvent.objects.filter(company=globex.company, action="sso.sign_in_refused")


@pytest.mark.django_db
def test_a_replayed_answer_is_refused(acme, saml_idp):
    connection = _connect(acme, saml_idp)
    sign_in = _start(acme, connection, saml_idp)
    saml_idp.account = SamlAccount("new.colleague@acme.test", "New Colleague")
    answer = _answer(saml_idp, sign_in)
    assert sign_in.post(answer).status_code == 302  # the first use signs in
    assert sign_in.client.get("/").status_code == 200
    before = _counts()

    # the same browser posts it again: its request was answered already
    _no_such_request(sign_in.post(answer))
    assert _counts() == before
    # somebody who captured it posts it from their own browser
    thief = client_on(acme.host)
    _no_such_request(sign_in.post(answer, client=thief))
    assert _counts() == before
    assert not _signed_in(thief)
    assert thief.get("/").status_code == 302


@pytest.mark.django_db
def test_an_answer_to_a_request_this_browser_never_made_is_refused(acme, saml_idp):
    connection = _connect(acme, saml_idp)
    sign_in = _start(acme, connection, saml_idp)
    saml_idp.account = SamlAccount("new.colleague@acme.test", "New Colleague")
    before = _counts()
    response = sign_in.post(_answer(saml_idp, sign_in, in_response_to="ONELOGIN_0123456789abcdef"))
    _no_such_request(response)
    assert _counts() == before and not _signed_in(sign_in.client)


@pytest.mark.django_db
def test_an_answer_meant_for_another_company_is_refused(acme, globex, saml_idp):
    """Both companies use the same IdP; a Response Globex's connection asked for is posted to
    Acme's ACS, and to Acme's host under Globex's connection."""
    ours = _connect(acme, saml_idp)
    theirs = _connect(globex, saml_idp)
    their_sign_in = _start(globex, theirs, saml_idp)
    saml_idp.account = SamlAccount("new.colleague@acme.test", "New Colleague")
    answer = _answer(saml_idp, their_sign_in)
    before = _counts()

    our_sign_in = _start(acme, ours, saml_idp)
    response = our_sign_in.post(answer)
    _nothing_was_created(response, our_sign_in.client, before, ["new.colleague@acme.test"])

    # Globex's connection does not exist on Acme's host
    client = client_on(acme.host)
    acs = client.post(f"/accounts/saml/{theirs.provider_id}/acs/", {"SAMLResponse": answer})
    assert acs.status_code == 302
    assert client.get(acs["Location"]).status_code == 404
    assert _counts() == before and not _signed_in(client)


def _admin_test(world: CompanyWorld, connection: SsoConnection, idp: LocalSamlIdp) -> SignIn:
    """An admin presses Test: the same round trip, started from the connection's page."""
    client = client_on(world.host, world.admin)
    test = client.get(f"/settings/sso/{connection.pk}/test/")
    assert test.status_code == 302
    start = client.get(test["Location"])
    assert start.status_code == 302 and start["Location"].startswith(f"{idp.sso_url}?")
    idp.sp_trust(client.get(f"/accounts/saml/{connection.provider_id}/metadata/").content)
    return SignIn(
        client=client, connection=connection, request=idp.authn_request_of(start["Location"])
    )


@pytest.mark.django_db
def test_a_test_round_trip_records_what_the_idp_said_and_signs_nobody_in(acme, saml_idp):
    connection = _connect(acme, saml_idp)
    SsoConnection.objects.filter(pk=connection.pk).update(
        enabled=False, tested_at=None, test_result={}
    )
    sign_in = _admin_test(acme, connection, saml_idp)
    saml_idp.account = SamlAccount("ada@acme.test", "Ada Admin", ["Partner Admins"])
    before = _counts()
    response = sign_in.post(_answer(saml_idp, sign_in))
    assert response.status_code == 302
    assert response["Location"] == f"/settings/sso/{connection.pk}/"
    connection.refresh_from_db()
    assert connection.test_passed
    assert connection.test_result["email"] == "ada@acme.test"
    assert connection.test_result["role"] == "admin"
    assert _counts() == before  # nobody created, linked or signed in
    page = sign_in.client.get(response["Location"]).content.decode()
    assert "Test passed" in page and "a first sign-in would make them admin" in page


@pytest.mark.django_db
def test_a_test_round_trip_the_sp_refuses_is_recorded_with_its_reason(acme, saml_idp):
    connection = _connect(acme, saml_idp)
    SsoConnection.objects.filter(pk=connection.pk).update(
        enabled=False, tested_at=None, test_result={}
    )
    sign_in = _admin_test(acme, connection, saml_idp)
    before = _counts()
    response = sign_in.post(_answer(saml_idp, sign_in, sign="sha1"))
    assert response.status_code == 302
    assert response["Location"] == f"/settings/sso/{connection.pk}/"
    connection.refresh_from_db()
    assert connection.tested_at is not None and not connection.test_passed
    assert "Deprecated signature algorithm" in connection.test_result["reason"]
    assert "sso_testing" not in sign_in.client.session
    assert _counts() == before
    page = sign_in.client.get(response["Location"]).content.decode()
    assert "Test failed" in page and "Deprecated signature algorithm" in page
    assert "a first sign-in would make them" not in page
    # it cannot be switched on
    sign_in.client.post(f"/settings/sso/{connection.pk}/enable/", {"enabled": "1"})
    connection.refresh_from_db()
    assert not connection.enabled
