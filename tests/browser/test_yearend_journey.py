"""Issue 11's "Must show" journey, through the pages of `commissioning demo`: the year's loop
end to end. The demo has closed 2016/17 (returns in, agreements closed, the underspend of
one collected into the central pot of 2017/18, one partner still owing money back). The CFO
reads the year end, records the repayment and collects it into the pot; the pot's stream
and line in 2017/18 grow by it and 2016/17's available money does not. A Community Safety
Partnership applies to the re-offer round, which only the partnerships may; an officer
screens it, a reviewer scores it, the panel recommends it, and the PCC's approval commits
the award against the pot. The Police and Crime Panel member reads the year end, without
the CFO's actions. axe checks each distinct page; screenshots go to var/screenshots/ as
yearend-NN-*.png."""

from __future__ import annotations

import re
from decimal import Decimal

from tests.browser.journey import shot, sign_in

ROUND = "underspend-2016-17"


def _pounds(text: str) -> Decimal:
    return Decimal(re.sub(r"[£,\s]", "", text))


def _card(page, label: str) -> Decimal:
    card = page.locator(".app-dashboard-card", has_text=label).first
    return _pounds(card.locator(".app-dashboard-card__figure").inner_text())


def test_the_year_end_loop_from_returns_to_an_award_from_the_pot(
    page, demo, assert_accessible, browser, watched_context
):
    main = page.locator("main")

    # 1. The CFO reads the year end: what needs them, and the outturn reconciled.
    sign_in(page, demo, "cfo", "demo-cfo-pass")
    page.goto(demo + "years/2016-17/")
    available_before = _card(page, "Available")
    carried_before = _card(page, "carried to the next year")
    page.goto(demo + "years/2017-18/")
    pot_year_budget_before = _card(page, "Budget")
    page.goto(demo + "years/2016-17/year-end/")
    assert "What needs you" in main.inner_text()
    assert "The outturn agrees with the ledger" in main.inner_text()
    collected_before = _card(page, "Collected into the central pot")
    owed = _card(page, "Owed back, not yet repaid")
    assert owed > 0 and collected_before == carried_before
    shot(page, "yearend-01-cfo")
    assert_accessible(page)

    # 2. The repayment comes in: recorded, then collected into the pot.
    page.get_by_role("link", name=re.compile("Record the repayment")).first.click()
    shot(page, "yearend-02-repaid-form")
    assert_accessible(page)
    page.get_by_role("button", name="Record the repayment").click()
    assert "There is a problem" in main.inner_text()  # every error at once
    page.get_by_label("Date received").fill("15/5/2017")
    page.get_by_label("Finance system reference").fill("BACS-2017-0515")
    page.get_by_role("button", name="Record the repayment").click()
    assert "The repayment of" in main.inner_text()
    page.get_by_role("link", name=re.compile(r"^Collect £")).first.click()
    shot(page, "yearend-03-collect-form")
    assert_accessible(page)
    amount = _pounds(page.get_by_label("Underspend to collect").input_value())
    assert amount == owed
    page.get_by_label("Where the underspend was identified").fill(
        "Final return and the repayment of the Q4 advance"
    )
    page.get_by_role("button", name="Collect the underspend").click()
    assert "is collected into Central pot: underspend of 2016/17" in main.inner_text()
    collected = _card(page, "Collected into the central pot")
    assert collected == collected_before + amount
    assert "The outturn agrees with the ledger" in main.inner_text()
    shot(page, "yearend-04-collected")

    # No pound counted twice: 2016/17's available money is unchanged (the released money is
    # carried), and 2017/18's budget grew by exactly what was collected.
    page.goto(demo + "years/2016-17/")
    assert _card(page, "Available") == available_before
    assert _card(page, "carried to the next year") == collected
    page.goto(demo + "years/2017-18/")
    assert _card(page, "Budget") == pot_year_budget_before + amount
    assert "Underspend collected from 2016/17" in main.inner_text()
    shot(page, "yearend-05-next-year")
    assert_accessible(page)

    # 3. A partnership applies to the re-offer round, open to the partnerships only.
    sign_in(page, demo, "csp", "demo-csp-pass")
    page.goto(demo + "funding/")
    assert "Re-offered underspend of 2016/17" in main.inner_text()
    page.goto(demo + f"funding/{ROUND}/")
    assert "Safer Leicester Partnership" in page.inner_text("#open-to")
    assert "Leicester City Council" not in page.inner_text("#open-to")
    shot(page, "yearend-06-reoffer-round")
    assert_accessible(page)
    page.get_by_label("Project title").fill("Night-time economy street pastors")
    page.get_by_role("button", name="Start an application").click()
    page.get_by_label("Amount requested").fill("6,000")
    page.get_by_label("What will the additional funding do, and for whom?").fill(
        "Street pastors on Friday and Saturday nights in the city centre."
    )
    page.get_by_role("button", name="Submit application").click()
    assert page.inner_text("#status") == "Submitted"
    application_url = page.url
    shot(page, "yearend-07-applied")

    # A partner not invited reads the round but cannot apply.
    sign_in(page, demo, "partner", "demo-partner-pass")
    page.goto(demo + f"funding/{ROUND}/")
    assert "Leicester City Council is not one of them" in page.inner_text("#not-invited")
    assert page.get_by_role("button", name="Start an application").count() == 0

    # 4. Screened, reviewed, recommended and approved, as any round.
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(application_url)
    page.get_by_role("radio", name="Eligible: send to review").check()
    page.get_by_label("Reason", exact=True).fill("A partnership, invited")
    page.get_by_role("button", name="Record screening").click()
    assert page.inner_text("#status") == "In review"
    page.goto(demo + f"funding/{ROUND}/dashboard/")
    page.get_by_role("button", name="Assign reviewers").click()
    for username in ("reviewer", "reviewer2"):
        sign_in(page, demo, username, f"demo-{username}-pass")
        page.goto(demo + "reviews/")
        page.locator("tr", has_text="Safer Leicester Partnership").get_by_role(
            "link", name=re.compile("Declare any conflict of interest")
        ).click()
        page.get_by_role("radio", name="No").check()
        page.get_by_role("button", name="Record my declaration").click()
        page.locator("select[id^=score_]").first.wait_for()
        for select in page.locator("select[id^=score_]").all():
            select.select_option("4")
        for box in page.locator("textarea[id^=comment_]").all():
            box.fill("Clear need, deliverable this year")
        page.get_by_role("button", name="Submit scores").click()
        assert "submitted" in main.inner_text()
    sign_in(page, demo, "panel", "demo-panel-pass")
    page.goto(demo + f"funding/{ROUND}/panel/")
    page.get_by_label("Interests (or write None)").fill("None")
    page.get_by_role("button", name="Record declaration").click()
    page.get_by_role("radio", name="Fund", exact=True).check()
    page.get_by_label("Reasons").fill("Fills a gap the partnership identified")
    page.get_by_role("button", name="Recommend").click()
    sign_in(page, demo, "pcc", "demo-pcc-pass")
    page.goto(demo + f"funding/{ROUND}/decision/")
    assert page.inner_text("#decision-total") == "£6,000"
    page.get_by_role("button", name="Approve the recommendations").click()
    assert "committed in the ledger" in main.inner_text()
    assert "Safer Leicester Partnership" in page.inner_text("#allocations")
    shot(page, "yearend-08-award-from-the-pot")

    # The award is committed in 2017/18 against the pot's capped line.
    sign_in(page, demo, "cfo", "demo-cfo-pass")
    page.goto(demo + "years/2017-18/")
    row = page.locator("tr", has_text="Re-offered underspend").first
    assert "£6,000" in row.inner_text()

    # 5. The Police and Crime Panel reads the year end: figures, no actions.
    sign_in(page, demo, "pcp", "demo-pcp-pass")
    page.goto(demo + "years/2016-17/year-end/")
    assert "Outturn by allocation" in main.inner_text()
    assert "What needs you" not in main.inner_text()
    assert page.locator("a[href*='/collect/'], a[href*='/repaid/']").count() == 0
    shot(page, "yearend-09-panel")
    assert_accessible(page)

    # 6. On a phone the amount that matters stays in view.
    with watched_context(browser, viewport={"width": 375, "height": 812}) as context:
        phone = context.new_page()
        sign_in(phone, demo, "cfo", "demo-cfo-pass")
        phone.goto(demo + "years/2016-17/year-end/")
        table = phone.locator("#outturn")
        assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth + 1")
        assert phone.locator("#outturn th", has_text="Unspent").is_visible()
        shot(phone, "yearend-10-phone")
