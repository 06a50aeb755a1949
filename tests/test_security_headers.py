"""Every response carries the Content-Security-Policy and the Permissions-Policy: the network's
pages, a company's pages and its API. The policy lets no inline script or style run, so pages
keep their behaviour in static files (the browser tests in tests/e2e/ check that they do)."""

import pytest
from django.conf import settings

from tests.builders import client_on

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in parts}


def _assert_policies(response) -> None:  # type: ignore[no-untyped-def]
    directives = _directives(response)
    for name in ("script-src", "style-src"):
        assert directives[name] == ["'self'"], directives[name]
        assert not any(v.startswith("'unsafe-") for v in directives[name])
    assert directives["default-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # the login hands off between the network's host and the companies' hosts
    assert directives["form-action"] == [
        "'self'",
        f"{settings.BASE_DOMAIN}:*",
        f"*.{settings.BASE_DOMAIN}:*",
    ]
    features = dict(feature.split("=", 1) for feature in response["Permissions-Policy"].split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "clipboard-read"):
        assert features[feature] == "()", feature
    assert features["clipboard-write"] == "(self)"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_network_page_sends_the_policies(network_client):
    response = network_client.get("/accounts/login/")
    assert response.status_code == 200
    _assert_policies(response)


def test_company_page_sends_the_policies(acme):
    response = client_on(acme.host, acme.member).get("/")
    assert response.status_code == 200
    _assert_policies(response)


def test_api_response_sends_the_policies(acme):
    response = client_on(acme.host, acme.member).get("/api/v1/me/")
    assert response.status_code == 200
    _assert_policies(response)


def test_api_docs_load_their_start_up_script_from_a_url(acme):
    client = client_on(acme.host, acme.member)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    _assert_policies(page)
    html = page.content.decode()
    assert '<script src="/api/v1/docs/?script="></script>' in html
    assert "<script>" not in html and "<style>" not in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content


def test_api_docs_script_is_refused_to_another_company(acme, globex):
    response = client_on(acme.host, globex.member).get("/api/v1/docs/?script=")
    assert response.status_code in (403, 404)
    assert b"SwaggerUIBundle(" not in response.content


@pytest.mark.django_db
def test_an_api_address_opened_in_a_browser_answers_json(acme):
    """DRF's browsable HTML view needs inline styles; the API answers JSON to browsers too."""
    response = client_on(acme.host, acme.member).get("/api/v1/me/", HTTP_ACCEPT="text/html")
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_error_pages_carry_the_policies_too(acme):
    response = client_on(acme.host, acme.member).get("/no-such-page/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "camera=()" in response["Permissions-Policy"]
