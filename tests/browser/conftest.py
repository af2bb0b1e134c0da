"""Browser test fixtures: headless Chromium (Debian's /usr/bin/chromium) via Playwright.

Fixtures
    browser                 one Chromium for the whole session (skips if not installed)
    page                    a fresh context and page per test, 1280x900, closed after
    assert_accessible       ``assert_accessible(page)`` fails with axe's violations
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
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

try:  # tests/browser as a package
    from .axe import format_violations, run_axe
except ImportError:  # pytest's default (rootdir-relative "prepend") import mode
    from axe import format_violations, run_axe  # type: ignore[no-redef]

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


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page in a fresh context. Whatever the journey, the page's Content-Security-Policy
    must never have to block anything the product itself sent (an inline script or style).
    """
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(15_000)
    blocked: list[str] = []
    tab = context.new_page()
    tab.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    try:
        yield tab
    finally:
        context.close()
    assert blocked == [], "the Content-Security-Policy blocked:\n" + "\n".join(blocked)


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
