"""SCIM 2.0 conformance of /scim/v2/, measured by a third-party checker (scim2-tester, from
the python-scim project) talking to our WSGI application in process, on a company's host."""

from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import check_server
from scim2_tester.utils import Status

from identity.scim.setup import scim_token_issue
from tenants.models import Membership
from tests.builders import company_make, network_make

PASSING = {Status.SUCCESS, Status.COMPLIANT, Status.ACCEPTABLE}


@pytest.mark.django_db(transaction=True)  # the checker's requests commit as a real IdP's would
def test_scim2_tester_finds_every_applicable_check_passing(capsys):
    # a transactional test empties the tables when it ends: it brings its own company
    network_make(pool_size=0)
    acme = company_make("scim-check", "SCIM Check")
    token = scim_token_issue(
        actor=acme.owner,
        actor_membership=Membership.objects.get(company=acme.company, user=acme.owner),
        company=acme.company,
    )
    client = WSGISCIMClient(
        WSGIHandler(),
        base_url=f"http://{acme.host}/scim/v2",
        headers={"Authorization": f"Bearer {token}"},
    )
    client.discover()
    results = check_server(client, raise_exceptions=False)
    ran = [r for r in results if r.status != Status.SKIPPED]
    failed = [r for r in ran if r.status not in PASSING]
    with capsys.disabled():
        print(f"\nscim2-tester: {len(ran) - len(failed)}/{len(ran)} applicable checks passed")
        for r in failed:
            print(f"  {r.status.name} {r.resource_type or ''} {r.title}: {r.reason}")
    assert len(ran) > 20
    assert not failed
