"""Hosts: the network host, company hosts, unknown hosts, and who gets into a workspace."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.models import LoginHandoff
from tests.builders import client_on, user_make


@pytest.mark.django_db
def test_unknown_host_gets_a_helpful_404(acme):
    response = client_on("nosuch.localhost").get("/")
    assert response.status_code == 404
    assert b"no workspace at nosuch.localhost" in response.content.lower()


@pytest.mark.django_db
def test_anonymous_visitor_of_a_workspace_is_sent_to_sign_in(acme):
    response = client_on(acme.host).get("/settings/members/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/settings/members/"


@pytest.mark.django_db
def test_member_sees_their_dashboard(acme):
    response = client_on(acme.host, acme.member).get("/")
    assert response.status_code == 200
    assert b"Acme Robotics" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/", "/pipeline/", "/settings/members/", "/settings/", "/api/v1/me/"]
)
def test_user_of_another_company_gets_a_refusal_without_the_companys_data(acme, globex, path):
    response = client_on(globex.host, acme.owner).get(path)
    assert response.status_code == 404
    body = response.content.decode()
    assert "member@globex.test" not in body and "owner@globex.test" not in body
    if not path.startswith("/api/"):
        assert "not a member of Globex Corporation" in body


@pytest.mark.django_db
def test_user_with_no_company_is_refused_too(acme):
    response = client_on(acme.host, user_make()).get("/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_login_page_is_open_on_a_company_host(acme):
    assert client_on(acme.host).get("/accounts/login/").status_code == 200


@pytest.mark.django_db
def test_switching_company_hands_the_session_over_once(acme, globex):
    from tenants.services.memberships import membership_add

    membership_add(actor=None, company=globex.company, user=acme.member, role="member")
    response = client_on(acme.host, acme.member).get("/switch/globex/")
    assert response.status_code == 302
    target = response["Location"]
    assert target.startswith("http://globex.localhost/auth/handoff/?ticket=")
    path = target.removeprefix("http://globex.localhost")

    browser = client_on(globex.host)
    landed = browser.get(path)
    assert landed.status_code == 302 and landed["Location"] == "/"
    assert browser.get("/").status_code == 200
    # the same ticket cannot be used twice
    again = client_on(globex.host).get(path)
    assert again.status_code == 302 and again["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_cannot_switch_into_a_company_you_do_not_belong_to(acme, globex):
    response = client_on(acme.host, acme.member).get("/switch/globex/")
    assert response.status_code == 404
    assert not LoginHandoff.objects.filter(user=acme.member).exists()


@pytest.mark.django_db
def test_handoff_ticket_is_bound_to_its_company_and_expires(acme, globex):
    ticket = LoginHandoff.objects.create(user=acme.member, company=acme.company)
    # presented at another company's host: refused
    assert (
        client_on(globex.host)
        .get(f"/auth/handoff/?ticket={ticket.pk}")["Location"]
        .startswith("/accounts/login/")
    )
    stale = LoginHandoff.objects.create(user=acme.member, company=acme.company)
    LoginHandoff.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert (
        client_on(acme.host)
        .get(f"/auth/handoff/?ticket={stale.pk}")["Location"]
        .startswith("/accounts/login/")
    )
    assert (
        client_on(acme.host)
        .get("/auth/handoff/?ticket=not-a-uuid")["Location"]
        .startswith("/accounts/login/")
    )


@pytest.mark.django_db
def test_handoff_refused_after_membership_removed(acme):
    ticket = LoginHandoff.objects.create(user=acme.member, company=acme.company)
    acme.company.memberships.filter(user=acme.member).delete()
    browser = client_on(acme.host)
    assert browser.get(f"/auth/handoff/?ticket={ticket.pk}")["Location"].startswith(
        "/accounts/login/"
    )
    assert "_auth_user_id" not in browser.session


@pytest.mark.django_db
def test_health_endpoint_on_every_host(acme):
    assert client_on("localhost").get("/healthz").content == b"ok"
    assert client_on(acme.host).get("/healthz").content == b"ok"


@pytest.mark.django_db
def test_expired_handoff_tickets_are_purged(acme):
    from tenants.tasks import handoff_tickets_expire

    fresh = LoginHandoff.objects.create(user=acme.member, company=acme.company)
    old = LoginHandoff.objects.create(user=acme.member, company=acme.company)
    LoginHandoff.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    assert handoff_tickets_expire.delay().get() == 1
    assert list(LoginHandoff.objects.values_list("pk", flat=True)) == [fresh.pk]


@pytest.mark.django_db(transaction=True)
def test_routing_cache_serves_a_host_without_queries_and_forgets_a_suspended_company():
    """The host → company lookup is cached, but a company that stops being live stops being
    served on the next request (the change drops the cached route after commit)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.models import CompanyStatus
    from tenants.routing_cache import company_for_host
    from tests.builders import company_make

    world = company_make("routed")
    try:
        client = client_on(world.host, world.member)
        assert client.get("/").status_code == 200
        with CaptureQueriesContext(connection) as ctx:
            assert company_for_host(world.host).pk == world.company.pk
        assert not [q for q in ctx.captured_queries if "tenants_domain" in q["sql"]]

        world.company.status = CompanyStatus.SUSPENDED
        world.company.save(update_fields=["status"])
        assert company_for_host(world.host) is None
        response = client.get("/")
        assert response.status_code == 404
        assert f"no workspace at {world.host}".encode() in response.content.lower()
    finally:
        world.company.status = CompanyStatus.SUSPENDED
        world.company.save(update_fields=["status"])


@pytest.mark.django_db
def test_host_names_are_matched_whatever_their_case(acme):
    response = client_on(acme.host.upper()).get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
