"""The demo network the run command loads: real companies, partnerships and shared deals."""

import pytest

from ecosystem.demo import DEMO_PASSWORD, demo_network_load
from identity.models import User
from sharing.models import Partnership, SharedRecord
from sharing.records.access import shared_records_visible_to, shared_with_page
from tenants.models import Company, Membership
from tests.builders import client_on


@pytest.mark.django_db
def test_demo_network_loads_once_with_partnerships_and_shared_deals(acme):
    demo_network_load()
    demo_network_load()  # idempotent
    assert (
        Company.objects.filter(slug__in=["northwind", "bluepeak", "harbor", "summit"]).count() == 4
    )
    assert Partnership.objects.filter(status="active").count() == 3
    assert Partnership.objects.filter(status="invited").count() == 1
    assert SharedRecord.objects.count() == 3
    bluepeak = Company.objects.get(slug="bluepeak")
    ben = Membership.objects.get(company=bluepeak, role="owner").user
    inbox, _ = shared_with_page(user=ben, company=bluepeak)
    # shared deals are called by their names; their customers are fields partners read
    assert {r.title for r in inbox} == {
        "Contoso — predictive maintenance, 3 plants",
        "Fabrikam — fleet telematics pilot",
    }
    assert {r.payload["customer_name"] for r in inbox} == {
        "Contoso Manufacturing",
        "Fabrikam Logistics",
    }
    harbor = Company.objects.get(slug="harbor")
    hana = Membership.objects.get(company=harbor, role="owner").user
    assert shared_records_visible_to(user=hana, company=harbor).count() == 2  # Contoso + Woodgrove
    assert ben.check_password(DEMO_PASSWORD)
    page = client_on("harbor.localhost", hana).get(
        f"/shared/{SharedRecord.objects.get(title__startswith='Contoso').pk}/"
    )
    assert (
        page.status_code == 200 and "Bluepeak" not in page.content.decode()
    )  # restricted visibility
    # each company in its own terms: Bluepeak reads Northwind's region as its territory, and
    # Northwind's private champion field never reaches the network
    contoso = SharedRecord.objects.get(title__startswith="Contoso")
    seen_by_bluepeak = client_on("bluepeak.localhost", ben).get(f"/shared/{contoso.pk}/")
    text = seen_by_bluepeak.content.decode()
    assert "Territory" in text and "Solutioning" in text and "Europe, Middle East" in text
    assert "CIO office" not in str(contoso.payload)
    assert [c["key"] for c in contoso.payload["custom"]] == ["region"]


@pytest.mark.django_db
def test_demo_network_shows_the_policies_at_work(acme):
    """Harbor (a reseller in Northwind's eyes) reads Contoso without its amount; a big deal
    waits for Sam's approval; Northwind's dashboard draws its pipeline."""
    from django_tenants.utils import schema_context

    from approvals.models import ShareRequest

    demo_network_load()
    demo_network_load()  # idempotent, policies included
    northwind = Company.objects.get(slug="northwind")
    harbor = Company.objects.get(slug="harbor")
    hana = Membership.objects.get(company=harbor, role="owner").user
    contoso = SharedRecord.objects.get(title__startswith="Contoso")
    seen = client_on("harbor.localhost", hana).get(f"/api/v1/shared/{contoso.pk}/").json()
    assert "amount" not in seen["payload"] and seen["payload"]["customer_name"]
    bluepeak = Company.objects.get(slug="bluepeak")
    ben = Membership.objects.get(company=bluepeak, role="owner").user
    assert (
        client_on("bluepeak.localhost", ben)
        .get(f"/api/v1/shared/{contoso.pk}/")
        .json()["payload"]["amount"]
    )
    with schema_context(northwind.schema_name):
        [waiting] = ShareRequest.objects.filter(status="pending")
    assert waiting.title == "Litware — grid migration"
    assert waiting.partner_name == "Bluepeak Consulting"
    assert not SharedRecord.objects.filter(title__startswith="Litware").exists()
    sam = User.objects.get(email="sam@northwind.example")
    dashboard = client_on("northwind.localhost", sam).get("/").content.decode()
    assert 'data-testid="approvals-nudge"' in dashboard
    assert dashboard.count('data-metric data-chart="') == 3  # + one number
    assert 'data-testid="metric-number"' in dashboard


@pytest.mark.django_db
def test_the_demo_network_command_loads_it_and_prints_the_logins(acme):
    """`manage.py demo_network` (what ./run calls) is the project's own command."""
    from io import StringIO

    from django.core.management import call_command, get_commands

    assert get_commands()["demo_network"] == "ecosystem"
    out = StringIO()
    call_command("demo_network", stdout=out)
    assert (
        Company.objects.filter(slug__in=["northwind", "bluepeak", "harbor", "summit"]).count() == 4
    )
    printed = out.getvalue()
    assert "Demo network ready." in printed and DEMO_PASSWORD in printed
    assert "http://northwind.localhost" in printed


@pytest.mark.django_db
def test_the_demo_has_a_working_local_idp_for_harbor(acme, settings):
    """Harbor's SSO in the demo: a verified domain, a switched-on connection to the local
    OpenID provider ./run starts (started here the same way), and discovery that sends
    harbor.example addresses to it."""
    import json
    import socket
    import time
    from urllib.request import urlopen

    from ecosystem.demo.identity import demo_idp_issuer
    from ecosystem.devstack import demo_idp_start
    from identity.models import EmailDomain, SsoConnection
    from identity.sso.discovery import sso_connection_for_email

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.DEMO_IDP_PORT = port
    import os

    os.environ["DEMO_IDP_PORT"] = str(port)
    try:
        demo_network_load()
        harbor = Company.objects.get(slug="harbor")
        assert EmailDomain.objects.get(company=harbor, domain="harbor.example").verified_at
        connection = SsoConnection.objects.get(company=harbor)
        assert connection.enabled and connection.oidc_issuer == demo_idp_issuer()
        assert sso_connection_for_email("ines@harbor.example") == connection
        assert sso_connection_for_email("ben@bluepeak.example") is None
        process = demo_idp_start()
        assert process is not None
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    url = f"{demo_idp_issuer()}/.well-known/openid-configuration"
                    with urlopen(url, timeout=1) as response:  # noqa: S310
                        document = json.load(response)
                    break
                except OSError:
                    assert time.monotonic() < deadline, "the demo IdP did not start"
                    time.sleep(0.2)
            assert document["issuer"] == connection.oidc_issuer
        finally:
            process.terminate()
            process.wait(timeout=10)
    finally:
        del os.environ["DEMO_IDP_PORT"]


@pytest.mark.django_db(transaction=True)  # the DNS server's thread reads the domain
def test_the_demo_dns_answers_pending_verifications_so_verify_works(settings):
    from dnslib.server import DNSServer

    from ecosystem.management.commands.demo_dns import PendingDomainsZone
    from identity.sso.domains import domain_add, domain_verify
    from tests.builders import company_make, network_make
    from tests.idp.dns import free_udp_port

    # a transactional test empties the tables when it ends: it brings its own company
    network_make(pool_size=0)
    acme = company_make("verify-oak", "Verify Oak")
    port = free_udp_port()
    server = DNSServer(PendingDomainsZone(), address="127.0.0.1", port=port)
    server.start_thread()
    settings.DNS_RESOLVER = f"127.0.0.1:{port}"
    try:
        owner = Membership.objects.get(company=acme.company, user=acme.owner)
        domain = domain_add(actor=acme.owner, actor_membership=owner, domain="acme-demo.test")
        assert domain_verify(actor=acme.owner, actor_membership=owner, domain=domain)
        domain.refresh_from_db()
        assert domain.verified_at is not None
    finally:
        server.stop()
