"""Company sign-up on the network host: one form, then the code from the e-mail, then the
workspace; the answer never tells whether an address is registered."""

import re

import pytest
from django.core import mail

from identity.models import User
from tenants.models import Company, CompanyStatus, Domain, Membership, Role
from tests.builders import PASSWORD, client_on

GOOD = {
    "company_name": "Initech",
    "company_slug": "initech",
    "full_name": "Peter Gibbons",
    "email": "peter@initech.test",
    "password1": "tps-reports-2026!",
    "password2": "tps-reports-2026!",
}


def _counts():
    return (
        User.objects.count(),
        Company.objects.filter(status=CompanyStatus.ACTIVE).count(),
        Membership.objects.count(),
        Domain.objects.count(),
    )


def _code(email: str) -> str:
    """The verification code in the last e-mail to `email`."""
    body = next(m.body for m in reversed(mail.outbox) if email in m.to)
    return re.search(r"^\s+([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.M).group(1)


def _sign_up(client, data, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return client.post("/accounts/signup/", data)


@pytest.mark.django_db
def test_signup_asks_for_the_emailed_code_then_opens_the_workspace(
    acme, network_client, django_capture_on_commit_callbacks
):
    response = _sign_up(network_client, GOOD, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    # nothing is opened (or holds the address) before the e-mail is proven
    assert not Company.objects.filter(slug="initech").exists()
    page = network_client.get("/accounts/confirm-email/").content.decode()
    assert "sent a code to" in page and "peter@initech.test" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = network_client.post(
            "/accounts/confirm-email/", {"code": _code("peter@initech.test")}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="peter@initech.test")
    company = Company.objects.get(slug="initech")
    assert user.full_name == "Peter Gibbons"
    assert company.name == "Initech" and company.status == CompanyStatus.ACTIVE
    assert Membership.objects.get(user=user, company=company).role == Role.OWNER
    assert response["Location"].startswith("http://initech.localhost/auth/handoff/?ticket=")

    workspace = client_on("initech.localhost")
    landed = workspace.get(response["Location"].removeprefix("http://initech.localhost"))
    assert landed["Location"] == "/"
    page = workspace.get("/")
    assert page.status_code == 200 and b"Welcome, Peter Gibbons" in page.content
    assert "Your Initech workspace is ready" in [m.subject for m in mail.outbox]


@pytest.mark.django_db
def test_signup_answers_a_registered_address_exactly_like_a_new_one(
    acme, network_client, django_capture_on_commit_callbacks
):
    """Same status, same next page, same words (but for the address typed); the registered
    address gets an e-mail saying it already has an account, and nothing is created."""
    from django.test import Client

    new = _sign_up(network_client, GOOD, django_capture_on_commit_callbacks)
    before = _counts()
    other = Client(HTTP_HOST="localhost")
    taken = {**GOOD, "company_slug": "initech-two", "email": acme.owner.email}
    registered = _sign_up(other, taken, django_capture_on_commit_callbacks)
    assert (registered.status_code, registered["Location"]) == (new.status_code, new["Location"])
    new_page = network_client.get(new["Location"]).content.decode()
    registered_page = other.get(registered["Location"]).content.decode()

    def words(page: str, email: str) -> str:
        text = re.sub(r"<[^>]+>|\s+", " ", page.replace(email, "ADDRESS"))
        return re.sub(r'value="[^"]*"|"X-CSRFToken": "[^"]*"', "", text)

    assert words(new_page, GOOD["email"]) == words(registered_page, acme.owner.email)
    assert _counts() == before
    assert not Company.objects.filter(slug="initech-two").exists()
    notice = next(m for m in reversed(mail.outbox) if acme.owner.email in m.to)
    assert "already has an account" in notice.body and "reset" in notice.body.lower()
    # and no code can open anything for it
    wrong = other.post("/accounts/confirm-email/", {"code": "ABCD-EFGH"})
    assert wrong.status_code == 200 and _counts() == before


@pytest.mark.django_db
def test_a_person_who_verifies_on_a_later_login_gets_their_workspace(
    acme, network_client, django_capture_on_commit_callbacks
):
    _sign_up(network_client, GOOD, django_capture_on_commit_callbacks)
    later = client_on("localhost")
    with django_capture_on_commit_callbacks(execute=True):
        response = later.post(
            "/accounts/login/", {"login": GOOD["email"], "password": GOOD["password1"]}
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    with django_capture_on_commit_callbacks(execute=True):
        response = later.post("/accounts/confirm-email/", {"code": _code(GOOD["email"])})
    assert response["Location"].startswith("http://initech.localhost/auth/handoff/?ticket=")
    assert Company.objects.get(slug="initech").name == "Initech"


@pytest.mark.django_db
def test_an_address_taken_while_verifying_is_asked_again_with_the_rest_kept(
    acme, network_client, django_capture_on_commit_callbacks
):
    from tests.builders import company_make

    _sign_up(network_client, GOOD, django_capture_on_commit_callbacks)
    company_make("initech", "Initech Rival")  # somebody else got there first
    with django_capture_on_commit_callbacks(execute=True):
        response = network_client.post("/accounts/confirm-email/", {"code": _code(GOOD["email"])})
    assert response["Location"] == "http://localhost/companies/new/"
    page = network_client.get("/companies/new/").content.decode()
    assert "initech was taken while you confirmed your e-mail" in page
    assert 'value="Initech"' in page
    response = network_client.post(
        "/companies/new/",
        {"company_name": "Initech Software", "company_slug": "initech-software"},
    )
    assert response.status_code == 302
    user = User.objects.get(email=GOOD["email"])
    company = Company.objects.get(slug="initech-software")
    assert Membership.objects.get(user=user, company=company).role == Role.OWNER
    assert "was taken" not in network_client.get("/companies/new/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"company_slug": "acme"}, "company_slug", "already taken"),
        ({"company_slug": "www"}, "company_slug", "reserved"),
        ({"company_slug": "not valid"}, "company_slug", "lowercase letters"),
        ({"company_name": "X"}, "company_name", "at least 2 characters"),
        ({"password1": "password", "password2": "password"}, "password1", "too common"),
        ({"password1": "short1!", "password2": "short1!"}, "password1", "too short"),
        ({"password2": "something-else-2026"}, "password2", "same password"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"full_name": ""}, "full_name", "required"),
    ],
)
def test_bad_signup_input_shows_a_clear_message_and_creates_nothing(
    acme, network_client, change, field, message
):
    before = _counts()
    response = network_client.post("/accounts/signup/", {**GOOD, **change})
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert message.lower() in errors.lower(), response.context["form"].errors
    assert _counts() == before
    # what the person typed is still in the form (except passwords)
    assert response.context["form"]["company_name"].value() == {**GOOD, **change}["company_name"]


@pytest.mark.django_db
def test_signup_is_closed_on_company_hosts(acme):
    before = _counts()
    response = client_on(acme.host).post("/accounts/signup/", GOOD)
    assert response.status_code == 200
    assert b"Sign up closed here" in response.content
    assert _counts() == before


@pytest.mark.django_db
def test_login_on_the_network_host_goes_straight_to_the_only_workspace(globex, network_client):
    response = network_client.post(
        "/accounts/login/", {"login": globex.member.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("http://globex.localhost/auth/handoff/?ticket=")


@pytest.mark.django_db
def test_login_with_several_workspaces_shows_the_list(acme, globex, network_client):
    from tenants.services.memberships import membership_add

    membership_add(actor=None, company=globex.company, user=acme.member, role="member")
    response = network_client.post(
        "/accounts/login/", {"login": acme.member.email, "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert b"Your workspaces" in response.content
    assert b"Acme Robotics" in response.content and b"Globex Corporation" in response.content


@pytest.mark.django_db
def test_wrong_password_gives_a_clear_error(acme, network_client):
    response = network_client.post(
        "/accounts/login/", {"login": acme.owner.email, "password": "nope-nope"}
    )
    assert response.status_code == 200
    assert b"not correct" in response.content


@pytest.mark.django_db
def test_find_my_company_emails_the_list_and_does_not_reveal_accounts(acme, network_client):
    response = network_client.post("/find/", {"email": acme.member.email})
    assert response.status_code == 200
    assert len(mail.outbox) == 1 and "http://acme.localhost/accounts/login/" in mail.outbox[0].body
    unknown = network_client.post("/find/", {"email": "nobody@nowhere.test"})
    assert unknown.status_code == 200 and len(mail.outbox) == 1

    # same page either way (but for the address and the CSRF token)
    def normalised(content: bytes, email: str) -> str:
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", content.decode().replace(email, "X"))

    assert normalised(unknown.content, "nobody@nowhere.test") == normalised(
        response.content, acme.member.email
    )


@pytest.mark.django_db
def test_find_my_company_rejects_a_bad_address(network_client):
    response = network_client.post("/find/", {"email": "nope"})
    assert response.status_code == 200 and b"valid email" in response.content
    assert len(mail.outbox) == 0


@pytest.mark.django_db
def test_signed_in_user_creates_a_second_company(acme):
    client = client_on("localhost", acme.member)
    response = client.post(
        "/companies/new/", {"company_name": "Side Gig", "company_slug": "side-gig"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("http://side-gig.localhost/auth/handoff/")
    assert Membership.objects.get(user=acme.member, company__slug="side-gig").role == Role.OWNER
    bad = client.post("/companies/new/", {"company_name": "Again", "company_slug": "side-gig"})
    assert bad.status_code == 200 and b"already taken" in bad.content


@pytest.mark.django_db
def test_find_my_company_is_rate_limited_per_address(acme, network_client, rate_limits):
    for _ in range(3):
        assert network_client.post("/find/", {"email": acme.member.email}).status_code == 200
    limited = network_client.post("/find/", {"email": acme.member.email})
    assert limited.status_code == 429 and b"Too many requests" in limited.content
    assert len(mail.outbox) == 3


@pytest.mark.django_db
def test_a_wrong_code_verifies_nothing_and_says_so(
    acme, network_client, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    _sign_up(network_client, GOOD, django_capture_on_commit_callbacks)
    response = network_client.post("/accounts/confirm-email/", {"code": "WRNG-CODE"})
    assert response.status_code == 200 and "Incorrect code" in response.content.decode()
    assert not EmailAddress.objects.get(email="peter@initech.test").verified
    assert not Company.objects.filter(slug="initech").exists()
