"""The probe's hostile-input classes, kept in the suite: NUL and control characters, deep
JSON, huge strings and unusual unicode sent to every route of both URLconfs (enumerated like
the leak matrix) and every operation of the API document. Nothing answers 5xx; anything
carrying a character no field accepts answers 400 with a sentence, before any view runs."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import get_resolver

from tests.builders import client_on, company_make
from tests.security.hostile import (
    EDGE_FORM_VALUES,
    FORM_VALUES,
    JSON_VALUES,
    LINE_VALUES,
    NUL,
    api_operations,
    deep_json,
    forms_of,
    has_forbidden,
    json_body,
)
from tests.test_url_coverage import _patterns, company_paths

# Query parameters the pages and API read somewhere; each request sends all of them.
QUERY_NAMES = [
    "q",
    "page",
    "sort",
    "ordering",
    "partner",
    "stage",
    "status",
    "type",
    "kind",
    "object_type",
    "shared_with_me",
    "owner",
    "motion",
    "view",
    "columns",
    "next",
    "cf_region",
    "cf_region__gte",
    "cf_region__lte",
    "-cf_region",
    "from",
    "to",
    "actor",
    "action",
]


def _client(host: str, user=None) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_HOST=host, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _public_paths() -> list[str]:
    paths = []
    for route, _ in _patterns(get_resolver("ecosystem.urls_public")):
        if "^" in route or "(?P" in route or "admin/" in route:
            continue
        path = "/" + route.replace("<uuid:token>", "00000000-0000-0000-0000-000000000000")
        path = path.replace("<slug:slug>", "acme")
        if "<" not in path:
            paths.append(path)
    return sorted(set(paths))


def _report(failures: list[str]) -> None:
    assert not failures, f"{len(failures)} bad answers:\n" + "\n".join(failures[:40])


def _status_ok(response, value: object) -> str | None:  # type: ignore[no-untyped-def]
    """None when the answer is right for the value sent, else why not."""
    if response.status_code >= 500:
        return f"{response.status_code}"
    if has_forbidden(value) and response.status_code != 400:
        return f"{response.status_code} (expected 400 for a forbidden character)"
    return None


@pytest.mark.django_db
def test_hostile_query_parameters_never_answer_5xx_on_any_route(world):
    acme, ids = world
    failures = []
    company = _client(acme.host, acme.owner)
    public = _client(settings.BASE_DOMAIN, acme.owner)
    targets = [(company, p) for p in company_paths(ids)] + [(public, p) for p in _public_paths()]
    for client, path in targets:
        for value in LINE_VALUES:
            query = urlencode({name: value for name in QUERY_NAMES})
            response = client.get(f"{path}?{query}")
            problem = _status_ok(response, value)
            if problem is None and len(value) > 4_000 and response.status_code != 400:
                problem = f"{response.status_code} (expected 400 for an over-long parameter)"
            if problem:
                failures.append(f"GET {path} ?{value[:20]!r}: {problem}")
    _report(failures)


@pytest.mark.django_db
def test_hostile_path_segments_never_answer_5xx(world):
    acme, ids = world
    client = _client(acme.host, acme.owner)
    failures = []
    segments = ["%00", "a%00b", "x" * 3_000, quote("Zoë🚀"), "-1", "9" * 30, "%ED%A0%80"]
    needles = [str(v) for v in ids.values()] + ["/acme/", "/regions/"]
    for path in company_paths(ids):
        for needle in needles:
            if needle not in path:
                continue
            for segment in segments:
                hostile = path.replace(needle, needle.replace(needle.strip("/"), segment), 1)
                for method in ("get", "post"):
                    response = getattr(client, method)(hostile)
                    expected_400 = "%00" in segment
                    if response.status_code >= 500 or (
                        expected_400 and response.status_code != 400
                    ):
                        failures.append(f"{method.upper()} {hostile[:90]}: {response.status_code}")
            break
    assert len(failures) == 0 or _report(failures)


@pytest.mark.django_db
def test_hostile_form_values_never_answer_5xx_on_any_page_form(world):
    """Every form on every page (parsed from the page's own HTML), one field at a time, the
    others left as the page filled them."""
    acme, ids = world
    failures = []
    seen: set[tuple[str, str, str, frozenset]] = set()
    forms = []
    company = _client(acme.host, acme.owner)
    crawls = [
        (company, company_paths(ids)),
        (_client(settings.BASE_DOMAIN, acme.owner), _public_paths()),
        # what anonymous visitors are offered: sign-up, log in, reset, find my company
        (_client(settings.BASE_DOMAIN), _public_paths() + ["/accounts/password/reset/"]),
        (_client(acme.host), ["/accounts/login/", "/accounts/password/reset/"]),
    ]
    for client, paths in crawls:
        for path in paths:
            if path.startswith("/api/") or "/remove/" in path or "/revoke/" in path:
                continue
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for form in forms_of(response.content.decode(), path):
                key = (
                    client.defaults["HTTP_HOST"] + str(client.session.session_key is None),
                    form.method,
                    re.sub(r"[0-9a-f-]{36}", "<id>", form.action),
                    frozenset(form.fields),
                )
                if key not in seen and form.fields:
                    seen.add(key)
                    forms.append((client, form))
    assert len(forms) > 30, [f.action for _, f in forms]
    sent = 0
    for client, form in forms:
        send = client.post if form.method == "post" else client.get
        names = form.fields_to_probe()
        # Refused at the edge whatever the field: once per form, in every field at once.
        for value in EDGE_FORM_VALUES if names else []:
            if form.method == "get" and len(value) > 4_000:
                continue  # a GET form's fields are query parameters, covered above
            response = send(form.action, {**form.fields, **dict.fromkeys(names, value)})
            sent += 1
            if response.status_code not in (400, 413):  # 413: many fields, each near the limit
                failures.append(
                    f"{form.method.upper()} {form.action} {value[:12]!r}: {response.status_code}"
                )
        # Reach the view: one field at a time, the others as the page filled them.
        for name in names:
            for value in FORM_VALUES:
                if form.method == "get" and len(value) > 4_000:
                    continue
                response = send(form.action, {**form.fields, name: value})
                sent += 1
                if response.status_code >= 500:
                    failures.append(
                        f"{form.method.upper()} {form.action} {name}={value[:20]!r}: {response.status_code}"
                    )
    _report(failures)
    assert sent > 500


@pytest.mark.django_db
def test_hostile_json_never_answers_5xx_on_any_api_operation(world):
    """Every operation of the company's own API document: each body field with every hostile
    value, and every query parameter with a NUL."""
    acme, ids = world
    client = _client(acme.host, acme.owner)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    fill = {
        "id": str(ids["pipeline/"]),
        "slug": "globex",
        "key": "region",
        "delivery_pk": str(ids["delivery"]),
    }
    operations = api_operations(schema, fill)
    assert len(operations) > 30
    failures = []
    for op in operations:
        # the record id that fits the operation's prefix
        path = op.path
        for prefix, key in (
            ("/api/v1/shared/", "shared/"),
            ("/api/v1/solutions/", "solutions/"),
            ("/api/v1/accounts/", "customers/"),
            ("/api/v1/marketing-plans/", "marketing/"),
            ("/api/v1/partnerships/", "partners/"),
            ("/api/v1/approvals/", "approvals/"),
            ("/api/v1/tokens/", "token"),
            ("/api/v1/webhooks/endpoints/", "settings/webhooks/"),
        ):
            if path.startswith(prefix):
                path = path.replace(str(ids["pipeline/"]), str(ids[key]))
        if op.method == "get":
            for name in op.query:
                for value in LINE_VALUES:
                    response = client.get(f"{path}?{urlencode({name: value})}")
                    problem = _status_ok(response, value)
                    if problem:
                        failures.append(f"GET {path}?{name}={value[:20]!r}: {problem}")
            continue
        send = getattr(client, op.method)
        for name in op.body or ["title"]:
            for value in JSON_VALUES:
                response = send(path, json_body({name: value}), content_type="application/json")
                problem = _status_ok(response, value)
                if problem:
                    failures.append(
                        f"{op.method.upper()} {path} {name}={str(value)[:20]!r}: {problem}"
                    )
        response = send(
            path, json_body({"custom_fields": {"region": NUL}}), content_type="application/json"
        )
        if response.status_code != 400:
            failures.append(f"{op.method.upper()} {path} custom_fields NUL: {response.status_code}")
    _report(failures)


@pytest.mark.django_db
def test_deep_and_oversized_json_bodies_are_refused_on_every_route(world):
    acme, ids = world
    client = _client(acme.host, acme.owner)
    deep = deep_json(1_000)
    huge = '{"title": "' + "x" * 3_000_000 + '"}'
    failures = []
    for path in company_paths(ids):
        for method in ("post", "patch", "put"):
            response = getattr(client, method)(path, deep, content_type="application/json")
            if response.status_code != 400 or "nested" not in response.content.decode():
                failures.append(f"{method.upper()} {path} deep: {response.status_code}")
        response = client.post(path, huge, content_type="application/json")
        if response.status_code != 413:
            failures.append(f"POST {path} 3 MB: {response.status_code}")
    _report(failures)


@pytest.mark.django_db
def test_the_probes_named_cases_answer_400_with_a_sentence(world):
    acme, ids = world
    client = _client(acme.host, acme.owner)
    for path in (
        "/api/v1/opportunities/?cf_region=%00",
        "/api/v1/shared/?partner=%00",
        "/api/v1/directory/%00/",
        "/solutions/?q=%00",
        "/pipeline/?q=a%00b",
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "NUL" in response.content.decode(), path
    response = client.post("/pipeline/views/", {"name": "a\x00b", "query": "stage=qualify"})
    assert response.status_code == 400
    response = client.post(
        "/api/v1/opportunities/",
        {"customer_name": "Initech", "owner": "\u0000"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The field “owner” contains a NUL byte, which we don't accept."
    }
    for path in ("/api/v1/opportunities/", f"/api/v1/shared/{ids['shared/']}/comments/"):
        response = client.post(path, deep_json(1_000), content_type="application/json")
        assert response.status_code == 400
        assert response.json() == {"detail": "The JSON is nested more than 32 levels deep."}


@pytest.mark.django_db
def test_bad_credentials_in_headers_and_cookies_do_not_crash(acme):
    anonymous = Client(HTTP_HOST=acme.host, raise_request_exception=False)
    response = anonymous.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer eco_\x00_x")
    assert response.status_code == 400
    response = anonymous.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer eco_" + "a" * 5_000)
    assert response.status_code == 400
    anonymous.cookies[settings.SESSION_COOKIE_NAME] = "abc\x00defghijkl"
    response = anonymous.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_the_configuration_import_refuses_deep_and_nul_json_files(acme):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_on(acme.host, acme.owner)
    for content, words in (
        (deep_json(5_000).encode(), "nested more than 32 levels"),
        (b'{"version": 2, "fields": [{"key": "a\\u0000b"}]}', "NUL byte"),
        (b'{"version": 1e999999}', "Nothing was imported"),  # parses: inf is no version
    ):
        upload = SimpleUploadedFile("config.json", content, content_type="application/json")
        response = client.post("/settings/configuration/", {"file": upload})
        assert response.status_code == 200
        assert words in response.content.decode(), words


@pytest.mark.django_db
def test_unrelated_company_routes_still_work_for_ordinary_unicode(acme):
    """The edge refuses control characters, not languages: names in any script are kept."""
    company_make("zoe-unicode")
    client = client_on(acme.host, acme.owner)
    response = client.post(
        "/api/v1/opportunities/",
        {
            "customer_name": "Zoë & Søn 漢字 🚀",
            "amount": "10",
            "currency": "EUR",
            "close_date": "2027-01-31",
            "stage": "qualify",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["customer_name"] == "Zoë & Søn 漢字 🚀"


@pytest.mark.django_db
def test_multipart_bodies_are_checked_whatever_the_method(world):
    """DRF reads multipart PATCH and PUT bodies itself: the edge checks them as it checks a
    POST's form, and nothing with a control character reaches the record."""
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    acme, ids = world
    client = _client(acme.host, acme.owner)
    path = f"/api/v1/opportunities/{ids['pipeline/']}/"
    for field, value in (("owner", "x\x00@acme.test"), ("next_step", "ctl\x01\x1b[31mRED")):
        body = encode_multipart(BOUNDARY, {field: value, "version": "1"})
        for method in (client.patch, client.put):
            response = method(path, body, content_type=MULTIPART_CONTENT)
            assert response.status_code == 400, (field, response.status_code)
            assert "which we don't accept" in response.json()["detail"]
    detail = client.get(path).json()
    assert "RED" not in detail["next_step"]


@pytest.mark.django_db
def test_a_body_larger_than_any_endpoint_takes_is_refused_before_it_is_read(acme):
    from django.core.files.uploadedfile import SimpleUploadedFile

    anonymous = Client(HTTP_HOST=settings.BASE_DOMAIN, raise_request_exception=False)
    big = SimpleUploadedFile("big.bin", b"x" * (settings.EDGE_MAX_BODY_BYTES + 1))
    response = anonymous.post("/accounts/login/", {"login": "a@b.test", "file": big})
    assert response.status_code == 413
    # the configuration import's own limit still speaks for files under the edge's
    client = client_on(acme.host, acme.owner)
    upload = SimpleUploadedFile("config.json", b" " * 5_500_000, content_type="application/json")
    response = client.post("/settings/configuration/", {"file": upload})
    assert response.status_code == 200 and "larger than 5 MB" in response.content.decode()
