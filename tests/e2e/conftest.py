"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Chromium resolves *.localhost to the loopback address, so each company's host works for real.
These tests are transactional (the live server thread needs committed data), so each builds its
own companies; pytest-django runs them after the rolled-back tests. Every context the `browser`
fixture makes reports Content-Security-Policy violations, and a test with any fails."""

from __future__ import annotations

import os
from urllib.parse import urlparse

import pytest

from tests.builders import network_rows_restore

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


# Runs in every page before its own scripts: reports each Content-Security-Policy violation to
# the test (through a binding) and keeps it on the page too.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const violation = [
    event.effectiveDirective, "blocked", event.blockedURI || "(inline)",
    "at", event.sourceFile || event.documentURI, String(event.lineNumber || ""),
    event.sample || "",
  ].join(" ");
  window.__cspViolations.push(violation);
  window.__reportCspViolation(violation);
}, true);
"""


class CheckedBrowser:
    """The session's Chromium for one test: every context it makes records CSP violations.

    Violations come from two places: the page's `securitypolicyviolation` events and Chromium's
    console messages about the policy (which also cover what happens before any script runs).
    Other attributes are the real Browser's."""

    def __init__(self, browser) -> None:  # type: ignore[no-untyped-def]
        self._browser = browser
        self._contexts: list = []
        self.csp_violations: list[str] = []

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._browser, name)

    def new_context(self, **options):  # type: ignore[no-untyped-def]
        context = self._browser.new_context(**options)
        context.expose_binding(
            "__reportCspViolation",
            lambda source, violation: self.csp_violations.append(
                f"{source['page'].url}: {violation}"
            ),
        )
        context.add_init_script(CSP_WATCH)
        context.on("console", self._console)
        self._contexts.append(context)
        return context

    def new_page(self, **options):  # type: ignore[no-untyped-def]
        return self.new_context(**options).new_page()

    def _console(self, message) -> None:  # type: ignore[no-untyped-def]
        if "Content Security Policy" in message.text:
            self.csp_violations.append(
                f"{message.page.url if message.page else '?'}: {message.text}"
            )

    def close_contexts(self) -> None:
        for context in self._contexts:
            try:
                for page in context.pages:
                    # A round trip delivers any violation reported just before it.
                    page.evaluate("window.__cspViolations && window.__cspViolations.length")
                context.close()
            except Exception:  # noqa: S110 - already closed by the test, or its page is gone
                pass


@pytest.fixture(scope="session")
def chromium():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def browser(chromium):  # type: ignore[no-untyped-def]
    """Chromium for this test; the test fails if any page broke the Content-Security-Policy."""
    checked = CheckedBrowser(chromium)
    yield checked
    checked.close_contexts()
    if checked.csp_violations:
        pytest.fail(
            "Content-Security-Policy violations:\n" + "\n".join(checked.csp_violations),
            pytrace=False,
        )


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def site(live_server, settings, transactional_db):  # type: ignore[no-untyped-def]
    """URL builder for the live server's hosts; the network exists, with a small pool (its
    rows restored after the previous test's flush; the template is never migrated again)."""
    port = urlparse(live_server.url).port
    settings.PUBLIC_PORT = str(port)
    network_rows_restore(pool_size=1)

    def url(host: str = "localhost", path: str = "/") -> str:
        return f"http://{host}:{port}{path}"

    return url
