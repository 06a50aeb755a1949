"""Missing pages answer the product's 404 page (JSON under /api/), never Django's technical
page; the demo runs without DEBUG."""

import importlib

import pytest
from django.conf import settings

from tests.builders import client_on


@pytest.mark.django_db
def test_missing_pages_answer_the_products_404(acme, globex):
    client = client_on(acme.host, acme.member)
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert "couldn't find that page" in page.content.decode()
    assert "URLconf" not in page.content.decode()
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404 and api.json() == {"detail": "Not found."}
    # another company's host answers its member the same page, naming nothing of Acme
    theirs = client_on(globex.host, globex.member).get("/no-such-page/").content.decode()
    assert "couldn't find that page" in theirs and "Acme" not in theirs
    network = client_on(settings.BASE_DOMAIN).get("/no-such-page/")
    assert network.status_code == 404 and "couldn't find that page" in network.content.decode()


def test_the_demo_runs_without_debug_unless_asked(monkeypatch):
    monkeypatch.delenv("DEBUG", raising=False)
    import ecosystem.settings.dev as dev

    dev = importlib.reload(dev)
    assert dev.DEBUG is False and dev.DEMO is True
