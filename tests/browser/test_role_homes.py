"""Issue 14's "a home for each role", in the pages of `commissioning demo`: each demo person's
home, at 1280 px and on a 375 px phone, opens on what needs them now, each item a link that
works for them, the page does not scroll sideways and at 1280 px the menu is one row. Screenshots go to var/screenshots/
as home-<person>-1280.png and home-<person>-375.png."""

from __future__ import annotations

import pytest

from commissioning.accounts.services import DEMO_USERS
from tests.browser.journey import shot, sign_in

SIZES = {"1280": {"width": 1280, "height": 900}, "375": {"width": 375, "height": 812}}

# The links under "What needs you now": [text, href].
_WORK = """() => [...document.querySelectorAll('main .app-work-list a')]
  .map(a => [a.textContent.trim(), a.getAttribute('href')])"""


# The distinct tops of the menu's items: one when the menu is one row.
_MENU_ROWS = """() => [...new Set([...document.querySelectorAll('#navigation li')]
  .map(li => Math.round(li.getBoundingClientRect().top)))]"""


@pytest.mark.parametrize("person", DEMO_USERS, ids=lambda p: p.username)
def test_each_roles_home_opens_on_what_needs_them(page, demo, person):
    sign_in(page, demo, person.username, person.password)
    work: list[list[str]] = []
    for name, size in SIZES.items():
        page.set_viewport_size(size)
        page.goto(demo)
        heading = page.get_by_role("heading", name="What needs you now")
        assert heading.is_visible(), f"{person.username}'s home has no 'What needs you now'"
        # It is the first thing after the greeting: nothing of the page's comes before it.
        assert heading.bounding_box()["y"] < size["height"], "what needs you is below the fold"
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= size["width"], f"{person.username}'s home scrolls sideways at {name} px"
        if name == "1280":  # the menu fits one row
            tops = page.evaluate(_MENU_ROWS)
            assert len(tops) == 1, f"{person.username}'s menu wraps to {len(tops)} rows"
        work = page.evaluate(_WORK)
        shot(page, f"home-{person.username}-{name}")
    # Every item is counted or named, and its link opens for this person (no 403, no 404).
    for text, href in work:
        assert text and href.startswith("/"), (text, href)
        response = page.goto(demo + href.lstrip("/"))
        assert response is not None and response.status == 200, f"{text} -> {href}: {response}"
