"""Browser test fixtures: headless Chromium (Debian's /usr/bin/chromium) via Playwright.

Fixtures
    browser                 one Chromium for the whole session (skips if not installed)
    page                    a fresh context and page per test, 1280x900, closed after
    watched_context         ``with watched_context(browser, **options) as context``: a context
                            whose pages are watched as `page`'s are (for a phone, a second person)
    assert_accessible       ``assert_accessible(page)`` fails with axe's violations

Every page of every watched context is checked by axe as it loads (tests/browser/axe.py's
AxeWatch): a test fails if any page it passed through has a WCAG A or AA violation, whether
or not it called assert_accessible there. Run in one process (`-n 0`), the run ends with
how many pages were checked.
    demo                    ``commissioning demo`` for the whole session, its URL: ONE server
                            that every journey file shares (tests/browser/journey.py has
                            ``sign_in``/``sign_out``/``shot`` for it)

Tests in this folder are marked ``browser``. Use pytest-django's ``live_server`` for the
site under test. Playwright's sync API runs its own event loop in this thread, which
Django would otherwise take as an async context and refuse database queries in.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# From tests.browser.axe, the module tests/conftest.py uses too, so they share its tally.
from tests.browser.axe import AxeWatch, add_axe_tally, format_violations, run_axe

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright Python package")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


# Page loads checked by axe in this run, and those left before their check finished.
AXE_TALLY = {"checked": 0, "left": 0}


@contextmanager
def watched_context(browser: Any, **options: Any) -> Iterator[Any]:
    """A browser context whose pages are watched: the Content-Security-Policy must never
    have to block anything the product itself sent (an inline script or style), and axe
    checks every page as it loads. Either fails the test when the context closes."""
    context = browser.new_context(
        **{"viewport": VIEWPORT, "locale": "en-GB", "timezone_id": "Europe/London", **options}
    )
    context.set_default_timeout(15_000)
    blocked: list[str] = []
    context.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    watch = AxeWatch(context)
    try:
        yield context
        found = watch.finish()
    finally:
        AXE_TALLY["checked"] += watch.checked
        AXE_TALLY["left"] += watch.left_unchecked
        context.close()
    assert blocked == [], "the Content-Security-Policy blocked:\n" + "\n".join(blocked)
    assert not found, "\n".join(f"{url}\n{format_violations(v)}" for url, v in found)


@pytest.fixture(name="watched_context")
def watched_context_fixture() -> Callable[..., Any]:
    return watched_context


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh watched context (see `watched_context`)."""
    with watched_context(browser) as context:
        yield context.new_page()


def pytest_sessionfinish(session: Any) -> None:
    """Under pytest-xdist, hand this worker's tally to the controller (tests/conftest.py adds
    the workers' up and prints the total); run in one process, that prints it itself."""
    out = getattr(session.config, "workeroutput", None)
    if out is not None:
        out["axe"] = dict(AXE_TALLY)
    else:
        add_axe_tally(session.config, AXE_TALLY)


@pytest.fixture
def assert_accessible() -> Callable[..., None]:
    """``assert_accessible(page)``: no WCAG 2.0/2.1 A or AA violations found by axe."""

    def check(page: Any) -> None:
        violations = run_axe(page)
        assert not violations, f"{page.url}\n{format_violations(violations)}"

    return check


@pytest.fixture(scope="session")
def demo(tmp_path_factory) -> Iterator[str]:
    """`commissioning demo` on its own embedded SQLite database, as the README runs it: one
    server for every journey of the session."""
    from tests.browser.journey import running_demo

    with running_demo(tmp_path_factory.mktemp("demo-data")) as running:
        yield running.url
