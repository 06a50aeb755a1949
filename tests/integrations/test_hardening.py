"""What a hostile or careless value can't do to a sync: reach a private network through a
redirect or a stored address, stop the company's sync with a number-looking text, slip a
malformed transform in through an import; secrets that end with the connection."""

from __future__ import annotations

import http.server
import ipaddress
import threading

import pytest
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from business.configuration.apply import configuration_import
from business.configuration.export import configuration_export
from edge.addresses import address_is_public
from integrations.connectors.base import ConnectorError, Credentials
from integrations.connectors.tryton import TrytonConnector
from integrations.convert import Unconvertible, to_local
from integrations.models import Connection, RunState
from integrations.records import same
from integrations.targets import TargetField
from tests.builders import client_on
from tests.crm.rpc import Tryton
from tests.integrations.helpers import connect, connection_plant, rpc_context, run_now, seed

pytest_plugins = ["tests.crm.tryton_fixture"]  # the real Tryton: `tryton_server`, `tryton_db`


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self):  # noqa: N802
        type(self).hits.append(self.path)
        self.send_response(307)
        self.send_header("Location", "http://127.0.0.2:9/latest/meta-data/")
        self.end_headers()

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args):  # type: ignore[no-untyped-def]
        pass


@pytest.fixture
def redirector():  # type: ignore[no-untyped-def]
    _Counting.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_redirect_is_not_followed(redirector):
    connector = TrytonConnector(
        Credentials({"url": redirector, "database": "x"}, {"login": "u", "password": "p"})
    )
    with pytest.raises(ConnectorError, match="redirect"):
        connector.authenticate()
    assert _Counting.hits == ["/x/rpc/"]  # asked once, and never followed


@pytest.mark.django_db
def test_stored_private_addresses_are_refused_everywhere_in_production(acme, redirector, settings):
    planted = connection_plant(acme, url=redirector)
    settings.INTEGRATIONS_ALLOW_PRIVATE_ADDRESSES = False
    admin = client_on(acme.host, acme.admin)
    c = planted["connection"]
    preview = admin.get(f"/settings/integrations/{c.pk}/mapping/{planted['mapping'].pk}/preview/")
    assert preview.status_code == 200 and "https://" in preview.content.decode()
    refresh = admin.post(f"/settings/integrations/{c.pk}/refresh/", follow=True)
    assert "https://" in refresh.content.decode()
    assert _Counting.hits == []  # nothing left for the stored address


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("127.0.0.1", False),
        ("169.254.169.254", False),
        ("::ffff:127.0.0.1", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2606:4700:4700::1111", True),
    ],
)
def test_only_public_addresses_count_as_public(address, public):
    assert address_is_public(ipaddress.ip_address(address)) is public


def test_numbers_too_large_are_refused_in_a_sentence_and_compare_as_text():
    target = TargetField("amount", "Amount", "number", required=True)
    with pytest.raises(Unconvertible, match="too large|more digits"):
        to_local("1e999999999", target=target, value_map={}, transform={}, terms={})
    assert same("1e999999999", "1e999999999") and not same("1e999999999", "1")


@pytest.mark.django_db
def test_a_number_looking_name_doesnt_stop_the_sync(acme, tryton_db):
    rpc = Tryton(tryton_db)
    rpc.login()
    seed(rpc, parties=2, per_party=1)
    connection = connect(acme, tryton_db)
    run_now(acme, connection, first=True)
    (first, second) = rpc(
        "model.party.party.search", [["name", "like", "Customer %"]], 0, None, [["id", "ASC"]], {}
    )
    rpc("model.party.party.write", [first], {"name": "1e999999999"}, rpc_context(rpc))
    rpc("model.party.party.write", [second], {"name": "Customer One renamed"}, rpc_context(rpc))
    run = run_now(acme, connection)
    assert run.state == RunState.SUCCEEDED, run.error
    from accounts.models import Account

    with schema_context(acme.company.schema_name):
        names = set(Account.objects.values_list("name", flat=True))
    assert {"1e999999999", "Customer One renamed"} <= names


@pytest.mark.django_db
def test_an_import_with_malformed_transforms_changes_nothing(acme):
    connection_plant(acme, name="Imported CRM")
    with schema_context(acme.company.schema_name):
        document = configuration_export()
        document["crm_mappings"][0]["fields"][0]["transform"] = {"date_format": 5, "trim": "no"}
        with pytest.raises(ValidationError) as refused:
            configuration_import(actor=acme.owner, document=document)
    assert any("crm_mappings[0]" in line for line in refused.value.messages)


@pytest.mark.django_db
def test_the_notice_secret_rotates_is_never_cached_and_ends_with_the_connection(acme):
    planted = connection_plant(acme)
    c = planted["connection"]
    admin = client_on(acme.host, acme.admin)
    with schema_context(acme.company.schema_name):
        Connection.objects.filter(pk=c.pk).update(
            webhook_secret="whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        )
    page = admin.get(f"/settings/integrations/{c.pk}/")
    assert "no-store" in page["Cache-Control"]
    admin.post(f"/settings/integrations/{c.pk}/hook-secret/rotate/")
    with schema_context(acme.company.schema_name):
        rotated = Connection.objects.get(pk=c.pk).webhook_secret
    assert rotated.startswith("whsec_") and rotated != "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    admin.post(f"/settings/integrations/{c.pk}/disconnect/")
    with schema_context(acme.company.schema_name):
        assert Connection.objects.get(pk=c.pk).webhook_secret == ""
    assert "hook-secret" not in admin.get(f"/settings/integrations/{c.pk}/").content.decode()


@pytest.mark.django_db
def test_the_api_finds_owners_only_among_the_companys_people(acme, globex):
    import json

    from identity.tokens import token_create

    _, plain = token_create(actor=acme.member, company=acme.company, name="t")
    response = client_on(acme.host).post(
        "/api/v1/accounts/",
        json.dumps({"name": "Umbrella", "owner": globex.member.email}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )
    assert response.status_code == 400
    assert "No one at your company" in json.dumps(response.json())
