"""Issue 14's "tables that fit", in the pages of `commissioning demo`: at 1280 px no table on
the widest pages (the allocations list, the year's tables, the formula run, the decision
record's funding, the public register) is wider than its column; on a 375 px phone the
amount column of the register's tables, the allocations list and the reconciliation's
findings is in view, and the page itself does not scroll sideways. Screenshots go to var/screenshots/ as tables-*.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.journey import shot, sign_in

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}

# Every table's width against its column's: [id or caption, scrollWidth, clientWidth].
_WIDTHS = """[...document.querySelectorAll('main table')].map(t => [
  t.id || (t.caption ? t.caption.textContent.trim() : ''),
  t.scrollWidth,
  t.parentElement.clientWidth,
])"""

# Where the amount column is on screen: the last shown heading's and the first row's last shown
# cell's left and right edges (a group's heading row is not a row of figures; a column a phone
# hides is not shown), and the viewport's width.
_AMOUNT_COLUMN = """(selector) => {
  const table = document.querySelector(selector);
  const shown = row => [...row.children].filter(c => c.getClientRects().length).pop();
  const heading = shown(table.querySelector('thead tr'));
  const cell = shown(table.querySelector('tbody tr:not(.app-group-row)'));
  const edges = e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; };
  return {
    heading: heading.textContent.trim(),
    cell: cell.textContent.trim(),
    edges: [edges(heading), edges(cell)],
    width: document.documentElement.clientWidth,
    page: document.documentElement.scrollWidth,
  };
}"""


# What sticks out of the page's width (outside the scrolling regions), to name in a failure.
_WIDER_THAN_PAGE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
    && !e.closest('.app-table-wrapper'))
  .slice(0, 5)
  .map(e => `${e.tagName} ${e.getAttribute('class') || ''} ${Math.round(e.getBoundingClientRect().right)} ${getComputedStyle(e).maxWidth}`)"""


def _links(page, url: str, pattern: str) -> list[str]:
    page.goto(url)
    hrefs = [a.get_attribute("href") for a in page.locator("main a[href]").all()]
    return sorted({h for h in hrefs if re.fullmatch(pattern, h or "")})


def _assert_tables_fit(page, path: str) -> None:
    tables = page.evaluate(_WIDTHS)
    assert tables, f"{path}: no table to measure"
    too_wide = [t for t in tables if t[1] > t[2]]
    assert not too_wide, f"{path}: tables wider than their column at 1280 px: {too_wide}"


@pytest.fixture
def staff_pages(page, demo) -> list[str]:
    """The pages with the widest tables, found through the demo's own links."""
    sign_in(page, demo, "officer", "demo-officer-pass")
    runs = _links(page, demo + "formula/", r"/formula/runs/[0-9a-f-]+/")
    records = _links(page, demo + "decisions/", r"/decisions/(?!new/)[a-z0-9-]+/")
    published = _links(page, demo + "register/decisions/", r"/register/decisions/[a-z0-9-]+/")
    assert runs and records and published
    return [
        "years/2016-17/allocations/",
        "years/2013-14/allocations/",
        "years/2013-14/allocations/?page=2&sort=-total",
        "years/2016-17/tables/organisation/",
        "years/2013-14/tables/mechanism/",
        "register/grants/",
        "register/allocations/2016-17/",
        "register/allocations/2013-14/",
        "register/contracts/2016-17/",
        "scrutiny/2016-17/",
        "mtfs/llr-2013-12/",
        "years/2013-14/reconciliation/",
        "years/2016-17/year-end/?show=all",
        *[r.lstrip("/") for r in runs + records + published],
    ]


def test_no_table_is_wider_than_its_column_at_1280_px(page, demo, staff_pages, assert_accessible):
    page.set_viewport_size(DESKTOP)
    widest = {"formula/runs/": "tables-formula-run-1280", "decisions/": "tables-decision-1280"}
    for path in staff_pages:
        page.goto(demo + path)
        _assert_tables_fit(page, path)
        for start, name in list(widest.items()):
            if path.startswith(start):
                shot(page, name)
                del widest[start]
    page.goto(demo + "years/2016-17/allocations/")
    shot(page, "tables-allocations-1280")
    assert_accessible(page)


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("register/grants/", "#grants"),
        ("register/allocations/2016-17/", "main table"),
        ("register/contracts/2016-17/", "main table"),
        ("years/2016-17/allocations/", "#allocations"),
        ("years/2013-14/tables/organisation/", "#allocation-table"),
        ("years/2013-14/reconciliation/", "main table"),
    ],
)
def test_on_a_phone_the_amount_stays_in_view(page, demo, path, table):
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.set_viewport_size(PHONE)
    page.goto(demo + path)
    seen = page.evaluate(_AMOUNT_COLUMN, table)
    assert re.search(r"Amount|Total|Difference", seen["heading"]), seen
    assert seen["cell"].startswith("£"), seen
    for left, right in seen["edges"]:
        assert 0 <= left and right <= seen["width"], f"{path}: the amount is off-screen: {seen}"
    assert seen["page"] <= seen["width"], f"{path}: the page scrolls sideways: {seen}"
    shot(page, "tables-" + re.sub(r"[^a-z0-9]+", "-", path).strip("-") + "-375")


@pytest.mark.parametrize(
    ("listing", "pattern", "table", "heading", "name"),
    [
        ("formula/", r"/formula/runs/[0-9a-f-]+/", "#run-table", "Allocation", "formula-run"),
        (
            "register/decisions/",
            r"/register/decisions/[a-z0-9-]+/",
            "#decision-funds",
            "Amount",
            "register-decision",
        ),
    ],
)
def test_on_a_phone_each_runs_and_records_amounts_stay_in_view(
    page, demo, listing, pattern, table, heading, name
):
    """Every formula run (signed in as an officer) and every published decision record
    (as a resident): the amount column stays on a 375 px screen."""
    if listing.startswith("formula"):
        sign_in(page, demo, "officer", "demo-officer-pass")
    found = _links(page, demo + listing, pattern)
    assert found
    page.set_viewport_size(PHONE)
    for path in found:
        page.goto(demo + path.lstrip("/"))
        seen = page.evaluate(_AMOUNT_COLUMN, table)
        assert seen["heading"] == heading and seen["cell"].startswith("£"), seen
        for left, right in seen["edges"]:
            assert 0 <= left and right <= seen["width"], f"{path}: amount off-screen: {seen}"
        assert seen["page"] <= seen["width"], f"{path}: the page scrolls sideways: {seen}"
    shot(page, f"tables-{name}-375")


@pytest.mark.parametrize(
    ("path", "table", "heading"),
    [
        ("mtfs/llr-2013-12/", "#gap-table", r"2016/17"),
        ("mtfs/llr-2013-12/", "#pot-table", r"2016/17"),
        ("years/2013-14/pools/sub-regional-drug-and-alcohol-pool/", "#pool-shares", r"unspent"),
        ("scrutiny/2016-17/", "#spend", r"Spent, of profile"),
    ],
)
def test_on_a_phone_a_wide_table_keeps_its_row_names_and_last_amounts_in_view(
    page, demo, path, table, heading
):
    """Tables too wide for a phone scroll in their region with the first column (what the
    row is) and the last (the latest year, the share unspent) held at the edges."""
    sign_in(page, demo, "cfo", "demo-cfo-pass")
    page.set_viewport_size(PHONE)
    page.goto(demo + path)
    page.locator(table).scroll_into_view_if_needed()
    seen = page.evaluate(_AMOUNT_COLUMN, table)
    assert re.search(heading, seen["heading"]) and seen["cell"].startswith("£"), seen
    for left, right in seen["edges"]:
        assert 0 <= left and right <= seen["width"], f"{path}: the amount is off-screen: {seen}"
    # Scrolled to the end and back, the row's name stays where it was.
    name = page.locator(f"{table} tbody tr:not(.app-group-row)").first.locator(":scope > *").first
    before = name.bounding_box()
    page.evaluate("(s) => { document.querySelector(s).parentElement.scrollLeft = 10000; }", table)
    after = name.bounding_box()
    assert before and after and abs(before["x"] - after["x"]) < 1, (before, after)
    # So does the name of each group of rows, where the table has groups.
    for group in page.locator(f"{table} .app-group-row .app-sticky-label").all():
        box = group.bounding_box()
        assert box and box["x"] >= 0, f"a group's heading scrolled away: {box}"
    wider = page.evaluate(_WIDER_THAN_PAGE)
    assert page.evaluate("document.documentElement.scrollWidth") <= seen["width"], wider
    shot(page, "tables-" + table.strip("#") + "-375")
