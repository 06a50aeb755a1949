"""The local Tryton 8.0 CRM (tests/crm/tryton.py) answers JSON-RPC the way the CRM connector
will speak it: plain HTTP + JSON (no proteus here), a session header, Tryton's typed JSON for
datetimes and Decimals, party.party and sale.opportunity CRUD, a modification cursor, field
discovery, and the opportunity workflow."""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from tests.crm.rpc import RpcError, Tryton, _decode, _encode  # noqa: F401
from tests.crm.tryton_fixture import TrytonDatabase

pytest_plugins = ["tests.crm.tryton_fixture"]  # the real Tryton: `tryton_server`, `tryton_db`

STATES = ["lead", "opportunity", "converted", "won", "lost", "cancelled"]


@pytest.fixture
def rpc(tryton_db: TrytonDatabase) -> Tryton:
    client = Tryton(tryton_db)
    client.login()
    return client


def _user_error(excinfo: pytest.ExceptionInfo) -> str:
    kind, (message, description, _domain) = excinfo.value.error
    assert kind == "UserError"
    assert isinstance(description, str)
    return message


# -- the harness ------------------------------------------------------------------------------


def test_server_and_fresh_database(tryton_server, tryton_db):
    assert tryton_db.url == tryton_server.url
    assert tryton_db.url.startswith("http://127.0.0.1:")
    request = Request(
        f"{tryton_db.url}/rpc/",
        data=b'{"id": 0, "method": "common.server.version", "params": []}',
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=5) as response:
        assert json.loads(response.read()) == {"id": 0, "result": "8.0"}
    client = Tryton(tryton_db)
    client.login()
    # a fresh copy of the template: only the company's and the sync employee's parties
    parties = client("model.party.party.search_read", [], 0, None, [["id", "ASC"]], ["name"], {})
    assert [p["name"] for p in parties] == ["Northwind CRM Inc.", "Ecosystem Cloud sync"]


# -- login and session ------------------------------------------------------------------------


def test_login_session_and_preferences(tryton_db):
    client = Tryton(tryton_db)
    user_id, session, bus_url = client.login()
    assert isinstance(user_id, int) and user_id > 1
    assert isinstance(session, str) and len(session) == 64
    assert bus_url is None

    # the context a client passes: the user's preferences, context_only=True
    context = client("model.res.user.get_preferences", True, {})
    assert context["company"] == 1 and context["company.rec_name"] == "Northwind CRM Inc."
    assert context["employee.rec_name"] == "Ecosystem Cloud sync"
    assert context["language"] == "en"
    full = client("model.res.user.get_preferences", False, {})
    assert full["companies"] == [1] and full["employees"] == [context["employee"]]

    # HTTP Basic works too (a login per request, no session)
    basic = base64.b64encode(f"{tryton_db.login}:{tryton_db.password}".encode()).decode()
    status, answer = client.post(
        "model.res.user.get_preferences", [True, {}], auth=f"Basic {basic}"
    )
    assert status == 200 and answer["result"]["company"] == 1

    client("common.db.logout")
    status, _ = client.post("model.res.user.get_preferences", [True, {}])
    assert status == 401


def test_login_and_auth_errors(tryton_db):
    client = Tryton(tryton_db)
    # a wrong password is HTTP 401 with an HTML body, not a JSON-RPC error (and every failed
    # attempt for that login doubles a server-side delay, so a connector must not retry blindly)
    status, body = client.post("common.db.login", ["nobody", {"password": "wrong"}, "en"])
    assert status == 401 and "Unauthorized" in body
    # no password parameter: the server asks for it as a JSON-RPC error
    status, answer = client.post("common.db.login", [tryton_db.login, {}, "en"])
    assert status == 200
    assert answer["error"] == [
        "LoginException",
        ["password", f"Password for {tryton_db.login}", "password"],
    ]
    # no or a bad session: 401 with `WWW-Authenticate: Basic realm="Tryton"`, empty body
    status, body = client.post("model.party.party.search", [[], 0, None, None, {}])
    assert (status, body) == (401, "")
    bad = base64.b64encode(f"{tryton_db.login}:2:{'0' * 64}".encode()).decode()
    status, _ = client.post(
        "model.party.party.search", [[], 0, None, None, {}], auth=f"Session {bad}"
    )
    assert status == 401
    # a database that does not exist: 404
    missing = TrytonDatabase(tryton_db.url, "no_such_db", tryton_db.login, tryton_db.password)
    status, _ = Tryton(missing).post("common.db.login", [tryton_db.login, {"password": "x"}, "en"])
    assert status == 404


# -- CRUD, timestamps and the cursor ------------------------------------------------------------

FIELDS = ["name", "code", "rec_name", "create_date", "write_date", "last_modified_at"]
OPPORTUNITY_FIELDS = [
    "number",
    "description",
    "party",
    "party.name",
    "amount",
    "currency",
    "currency.code",
    "company",
    "employee",
    "state",
    "start_date",
    "end_date",
    "conversion_probability",
    "create_date",
    "write_date",
    "last_modified_at",
]


def test_party_and_opportunity_crud_and_cursor(rpc):
    started = rpc(
        "model.party.party.search_read",
        [],
        0,
        1,
        [["last_modified_at", "DESC"]],
        ["last_modified_at"],
        {},
    )[0]["last_modified_at"]

    (party_id,) = rpc("model.party.party.create", [{"name": "Acme Robotics"}], {})
    (party,) = rpc("model.party.party.read", [party_id], FIELDS, {})
    assert party["name"] == "Acme Robotics" and party["code"]  # code: from a sequence
    assert isinstance(party["create_date"], dt.datetime)  # naive, UTC

    # an opportunity with an empty context: company and currency must be given
    (opp_id,) = rpc(
        "model.sale.opportunity.create",
        [
            {
                "description": "Robot arms for line 3",
                "party": party_id,
                "company": 1,
                "currency": 1,
                "amount": Decimal("12500.50"),
            }
        ],
        {},
    )
    (opp,) = rpc("model.sale.opportunity.read", [opp_id], OPPORTUNITY_FIELDS, {})
    assert opp["state"] == "lead" and opp["number"] == "1"
    assert opp["amount"] == Decimal("12500.50")
    assert opp["party."] == {"id": party_id, "name": "Acme Robotics"}  # dotted fields nest
    assert opp["currency."] == {"id": 1, "code": "USD"}
    assert opp["employee"] is None  # nothing in the context to default it from
    assert opp["start_date"] == dt.date.today()
    assert opp["conversion_probability"] == 0.5
    # a record never written since its creation has no write_date: last_modified_at is
    # COALESCE(write_date, create_date), searchable and sortable, the cursor to use
    assert opp["write_date"] is None
    assert opp["last_modified_at"] == opp["create_date"] > started

    found = rpc(
        "model.sale.opportunity.search_read",
        [["party", "=", party_id]],
        0,
        None,
        [["last_modified_at", "ASC"], ["id", "ASC"]],
        ["number", "write_date", "create_date", "last_modified_at"],
        {},
    )
    assert [o["id"] for o in found] == [opp_id]
    assert rpc(
        "model.sale.opportunity.search", [["party.name", "ilike", "%acme%"]], 0, None, None, {}
    ) == [opp_id]
    assert rpc("model.sale.opportunity.search_count", [], {}) == 1

    cursor = max(party["last_modified_at"], opp["last_modified_at"])
    assert (
        rpc("model.party.party.search", [["last_modified_at", ">", cursor]], 0, None, None, {})
        == []
    )

    rpc(
        "model.sale.opportunity.write",
        [opp_id],
        {"description": "Robot arms, line 3 and 4", "amount": Decimal("18000")},
        {},
    )
    (after,) = rpc(
        "model.sale.opportunity.read",
        [opp_id],
        ["description", "amount", "write_date", "last_modified_at"],
        {},
    )
    assert after["amount"] == Decimal("18000.00")  # stored at the currency's digits
    assert after["write_date"] > cursor and after["last_modified_at"] == after["write_date"]

    # changed since the cursor: a datetime travels in a domain as {"__class__": "datetime", …}
    assert rpc(
        "model.sale.opportunity.search", [["write_date", ">", cursor]], 0, None, None, {}
    ) == [opp_id]
    assert rpc(
        "model.sale.opportunity.search", [["last_modified_at", ">", cursor]], 0, None, None, {}
    ) == [opp_id]
    assert (
        rpc("model.party.party.search", [["last_modified_at", ">", cursor]], 0, None, None, {})
        == []
    )
    rpc("model.party.party.write", [party_id], {"name": "Acme Robotics Ltd"}, {})
    changed = rpc(
        "model.party.party.search_read",
        [["last_modified_at", ">", cursor]],
        0,
        None,
        None,
        ["name"],
        {},
    )
    assert changed == [{"id": party_id, "name": "Acme Robotics Ltd"}]

    # delete: an opportunity only once cancelled
    with pytest.raises(RpcError) as excinfo:
        rpc("model.sale.opportunity.delete", [opp_id], {})
    assert "you must cancel it" in _user_error(excinfo)
    rpc("model.sale.opportunity.cancel", [opp_id], {})
    assert rpc("model.sale.opportunity.delete", [opp_id], {}) is None
    assert rpc("model.sale.opportunity.search", [["id", "=", opp_id]], 0, None, None, {}) == []
    with pytest.raises(RpcError) as excinfo:
        rpc("model.sale.opportunity.read", [opp_id], ["number"], {})
    assert "don't exist" in _user_error(excinfo)
    assert rpc("model.party.party.delete", [party_id], {}) is None


def test_create_with_the_users_context_and_nested_records(rpc):
    context = rpc("model.res.user.get_preferences", True, {})
    (party_id,) = rpc(
        "model.party.party.create",
        [
            {
                "name": "Globex Corporation",
                "contact_mechanisms": [
                    [
                        "create",
                        [
                            {"type": "email", "value": "sales@globex.test"},
                            {"type": "phone", "value": "+1 555 0100"},
                        ],
                    ]
                ],
                "addresses": [
                    [
                        "create",
                        [{"street": "1 Main St", "city": "Springfield", "postal_code": "12345"}],
                    ]
                ],
            }
        ],
        context,
    )
    (party,) = rpc(
        "model.party.party.read", [party_id], ["email", "phone", "addresses", "active"], context
    )
    assert party["email"] == "sales@globex.test" and party["phone"] == "+1 555 0100"
    assert len(party["addresses"]) == 1
    assert party["active"]  # SQLite answers 1, PostgreSQL true

    # with the preferences as context, company, currency and employee default
    (opp_id,) = rpc(
        "model.sale.opportunity.create", [{"description": "Renewal", "party": party_id}], context
    )
    (opp,) = rpc(
        "model.sale.opportunity.read",
        [opp_id],
        ["company", "currency", "employee", "amount"],
        context,
    )
    assert opp["company"] == context["company"] and opp["currency"] == 1
    assert opp["employee"] == context["employee"] and opp["amount"] is None


# -- discovery ---------------------------------------------------------------------------------


def test_model_and_field_discovery(rpc):
    models = rpc(
        "model.ir.model.search_read",
        [["name", "in", ["party.party", "sale.opportunity"]]],
        0,
        None,
        [["name", "ASC"]],
        ["name", "string", "module"],
        {},
    )
    assert [(m["name"], m["string"], m["module"]) for m in models] == [
        ("party.party", "Party", "party"),
        ("sale.opportunity", "Sale Opportunity", "sale_opportunity"),
    ]
    fields = rpc(
        "model.ir.model.field.search_read",
        [["model", "=", "sale.opportunity"]],
        0,
        None,
        [["name", "ASC"]],
        ["name", "string", "ttype", "relation", "module"],
        {},
    )
    by_name = {f["name"]: f for f in fields}
    assert by_name["party"]["ttype"] == "many2one" and by_name["party"]["relation"] == "party.party"
    assert by_name["amount"]["ttype"] == "numeric" and by_name["amount"]["relation"] is None
    assert by_name["state"]["ttype"] == "selection"
    assert by_name["write_date"]["ttype"] == "timestamp"
    assert by_name["last_modified_at"]["ttype"] == "timestamp"
    assert by_name["lines"]["relation"] == "sale.opportunity.line"
    # ir.model.field has no `required`: that (and readonly, selection, states) is fields_get's
    with pytest.raises(RpcError) as excinfo:
        rpc(
            "model.ir.model.field.search_read",
            [["model", "=", "party.party"]],
            0,
            1,
            None,
            ["required"],
            {},
        )
    assert excinfo.value.error == ["'required'", ""]

    spec = rpc("model.sale.opportunity.fields_get", [], {})
    required = sorted(name for name, f in spec.items() if f["required"])
    assert required == [
        "company",
        "conversion_probability",
        "currency",
        "number",
        "start_date",
        "state",
    ]
    assert spec["state"]["type"] == "selection" and spec["state"]["readonly"] is True
    assert [value for value, _label in spec["state"]["selection"]] == STATES
    assert spec["party"]["relation"] == "party.party"
    assert '"required"' in spec["party"]["states"]  # required unless lead/lost/cancelled
    assert spec["amount"]["type"] == "numeric"
    assert spec["number"]["readonly"] is True  # from the opportunity sequence

    party = rpc("model.party.party.fields_get", ["name", "code", "email"], {})
    assert party["name"]["required"] is False  # not even the name is required
    assert party["code"]["required"] is True  # but the server fills it from a sequence
    assert party["email"]["searchable"] is False  # a function field over contact mechanisms


# -- the opportunity workflow -----------------------------------------------------------------


def _state(rpc: Tryton, opp_id: int) -> str:
    return rpc("model.sale.opportunity.read", [opp_id], ["state"], {})[0]["state"]


def test_opportunity_states_and_transitions(rpc):
    context = rpc("model.res.user.get_preferences", True, {})
    (party_id,) = rpc("model.party.party.create", [{"name": "Initech"}], {})
    (bare,) = rpc(
        "model.sale.opportunity.create",
        [{"description": "No employee", "party": party_id, "company": 1, "currency": 1}],
        {},
    )
    # lead -> opportunity needs a party and an employee
    with pytest.raises(RpcError) as excinfo:
        rpc("model.sale.opportunity.opportunity", [bare], {})
    assert 'A value is required for field "Employee"' in _user_error(excinfo)

    (opp_id,) = rpc(
        "model.sale.opportunity.create",
        [{"description": "TPS reports", "party": party_id, "amount": Decimal("900")}],
        context,
    )
    # transitions are button methods: params [ids, context], result None
    assert rpc("model.sale.opportunity.opportunity", [opp_id], context) is None
    assert _state(rpc, opp_id) == "opportunity"
    rpc("model.sale.opportunity.lost", [opp_id], context)
    (lost,) = rpc("model.sale.opportunity.read", [opp_id], ["state", "end_date"], {})
    assert lost == {"id": opp_id, "state": "lost", "end_date": dt.date.today()}
    # a button not allowed from the current state
    with pytest.raises(RpcError) as excinfo:
        rpc("model.sale.opportunity.lost", [opp_id], context)
    assert _user_error(excinfo) == f'You can not call "lost" on "{opp_id}" of "Sale Opportunity".'
    rpc("model.sale.opportunity.lead", [opp_id], context)
    assert _state(rpc, opp_id) == "lead"
    rpc("model.sale.opportunity.opportunity", [opp_id], context)

    # convert makes a draft sale.sale (origin "sale.opportunity,<id>") and answers an action
    action = rpc("model.sale.opportunity.convert", [opp_id], context)
    assert action["res_model"] == "sale.sale" and len(action["res_id"]) == 1
    (converted,) = rpc(
        "model.sale.opportunity.read", [opp_id], ["state", "sales", "converted_by"], {}
    )
    assert converted["state"] == "converted" and converted["sales"] == action["res_id"]
    assert converted["converted_by"] == context["employee"]
    (sale,) = rpc("model.sale.sale.read", action["res_id"], ["state", "origin", "party"], {})
    assert sale["state"] == "draft" and sale["origin"] == f"sale.opportunity,{opp_id}"

    # `won` is no RPC method (Tryton sets it when the sale is confirmed and processed): 403
    status, _ = rpc.post("model.sale.opportunity.won", [[opp_id], context])
    assert status == 403
    # but the readonly `state` field can be written directly, skipping the workflow
    (direct,) = rpc(
        "model.sale.opportunity.create", [{"description": "Direct", "party": party_id}], context
    )
    rpc("model.sale.opportunity.write", [direct], {"state": "won"}, context)
    (won,) = rpc("model.sale.opportunity.read", [direct], ["state", "end_date"], {})
    assert won == {"id": direct, "state": "won", "end_date": None}
    with pytest.raises(RpcError) as excinfo:
        rpc("model.sale.opportunity.write", [direct], {"state": "bogus"}, context)
    assert "is not one of the allowed options" in _user_error(excinfo)


# -- error shapes ------------------------------------------------------------------------------


def test_error_shapes(rpc):
    # a validation error: JSON-RPC "error": ["UserError", [message, description, domain]]
    with pytest.raises(RpcError) as excinfo:
        rpc(
            "model.sale.opportunity.create",
            [{"description": "x", "company": 1, "currency": 1, "amount": 99.99}],
            {},
        )
    assert "exceeds the limit" in _user_error(excinfo)  # a float is not a Decimal
    # the company record rule, with no company given nor in the context
    with pytest.raises(RpcError) as excinfo:
        rpc("model.sale.opportunity.create", [{"description": "x"}], {})
    assert "User in companies" in _user_error(excinfo)
    # a missing record
    with pytest.raises(RpcError) as excinfo:
        rpc("model.party.party.write", [999999], {"name": "x"}, {})
    assert "don't exist" in _user_error(excinfo)
    # programming errors: [str(exception), traceback-or-""]
    with pytest.raises(RpcError) as excinfo:
        rpc("model.no.such.search", [], 0, None, None, {})
    assert excinfo.value.error == ["'no.such'", ""]
    with pytest.raises(RpcError) as excinfo:
        rpc("model.party.party.search", [["no_field", "=", 1]], 0, None, None, {})
    assert excinfo.value.error == ["'no_field'", ""]
    # transport-level refusals are plain HTTP errors
    status, body = rpc.post("model.party.party.search", [[], 0, None, None])
    assert status == 422 and "Missing context argument" in body
    status, _ = rpc.post("model.party.party.frobnicate", [{}])
    assert status == 403
    # without the exact {"id", "method", "params"} envelope, errors become HTTP 400 pages
    request = Request(
        rpc.db.rpc_url,
        data=json.dumps(
            {"method": "model.party.party.read", "params": [[999999], ["name"], {}]}
        ).encode(),
        headers={"Content-Type": "application/json", "Authorization": rpc.header},
    )
    with pytest.raises(HTTPError) as http_error:
        urlopen(request, timeout=10)
    assert http_error.value.code == 400
