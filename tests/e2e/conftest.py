"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Chromium resolves *.localhost to the loopback address, so each company's host works for real.
These tests are transactional (the live server thread needs committed data), so each builds its
own companies; pytest-django runs them after the rolled-back tests."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest

from tests.builders import network_make

# Playwright's sync API runs an event loop in this thread; our ORM calls here are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def site(live_server, settings, transactional_db):  # type: ignore[no-untyped-def]
    """URL builder for the live server's hosts; the network exists, with a small pool."""
    port = urlparse(live_server.url).port
    settings.PUBLIC_PORT = str(port)
    network_make(pool_size=1)

    def url(host: str = "localhost", path: str = "/") -> str:
        return f"http://{host}:{port}{path}"

    return url
