"""Use it as a person would: the README's demo command serves the product; a browser signs
in, reads the year, the tables and the reconciliation, records and varies an allocation, and
axe checks each page against WCAG 2.1 A and AA. Screenshots go to var/screenshots/."""

from __future__ import annotations

from tests.browser.journey import SHOTS, shot, sign_in, sign_out
from tests.pdfs import PDF


def test_officer_reads_the_year_and_tables(page, demo, assert_accessible):
    sign_in(page, demo, "officer", "demo-officer-pass")
    assert "Olu Officer" in page.content()
    page.goto(demo + "years/2013-14/")
    assert page.get_by_role("heading", name="2013/14 commissioning budget").is_visible()
    assert "£3,249,023" in page.inner_text("main")
    shot(page, "year-2013-14")
    assert_accessible(page)

    page.get_by_role("link", name="Tables").click()
    assert page.get_by_role("heading", name="By organisation").is_visible()
    # Cash only: 000 Table 1's £284,100 of police support in kind is not in the table, so
    # the pot less the table is £292,892 (the paper's £8,794 counts it as cash).
    assert page.inner_text("#unallocated") == "£292,892"
    assert page.inner_text("#grand-total") == "£3,249,023"
    shot(page, "table-2013-14-organisation")
    assert_accessible(page)

    page.goto(demo + "years/2016-17/")
    assert "£359,017" in page.inner_text("main")
    shot(page, "year-2016-17")
    assert_accessible(page)
    page.goto(demo + "years/2016-17/tables/theme/")
    shot(page, "table-2016-17-theme")
    assert_accessible(page)

    page.goto(demo + "years/2013-14/reconciliation/")
    assert "findings" in page.inner_text("#finding-count")
    shot(page, "reconciliation-2013-14")
    assert_accessible(page)


def test_dashboard_on_a_phone(browser, demo, assert_accessible, watched_context):
    with watched_context(
        browser, viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True
    ) as context:
        page = context.new_page()
        sign_in(page, demo, "cfo", "demo-cfo-pass")
        page.goto(demo + "years/2016-17/")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
        shot(page, "year-2016-17-phone")
        assert_accessible(page)


def test_officer_records_varies_and_commits_an_allocation(page, demo, assert_accessible):
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(demo + "years/2014-15/allocations/new/")
    page.get_by_role("button", name="Record allocation").click()
    assert page.get_by_text("There is a problem").is_visible()
    shot(page, "allocation-form-errors")
    assert_accessible(page)

    page.get_by_label("Organisation").select_option(label="Catch22")
    page.get_by_label("Initiative").fill("Victim First helpline")
    page.get_by_label("Funding mechanism").select_option(value="direct")
    page.locator("#id_amount_H1").fill("12,500")
    page.locator("#id_amount_H2").fill("12500")
    page.get_by_role("button", name="Record allocation").click()
    assert page.get_by_text("recorded.").is_visible()
    assert "£25,000" in page.inner_text("main")

    page.get_by_role("link", name="Vary this allocation").click()
    page.locator("#id_amount_H2").fill("7500")
    page.get_by_label("Reason for the variation").fill("Provider asked for less")
    page.get_by_role("button", name="Record variation").click()
    page.get_by_role("button", name="Commit").click()
    main = page.inner_text("main")
    assert "£20,000" in main and "Version 3" in main and "Reversal" in main
    shot(page, "allocation-detail-after-variation")
    assert_accessible(page)


def test_public_pages_and_partner_view(page, demo, assert_accessible):
    page.goto(demo)
    assert_accessible(page)
    page.goto(demo + "plan/")
    assert "SP17" in page.inner_text("main")
    shot(page, "plan")
    assert_accessible(page)
    page.goto(demo + "years/2013-14/")
    assert "/sign-in/" in page.url

    sign_in(page, demo, "partner", "demo-partner-pass")
    page.goto(demo + "our-allocations/")
    text = page.inner_text("main")
    assert "Leicester City Council" in text and "Catch22" not in text
    shot(page, "partner-our-allocations")
    assert_accessible(page)


def test_needs_based_allocation_run_adopt_and_partner_view(page, demo, assert_accessible):
    """An officer opens the 2022 scheme run, checks it re-runs identically, looks at the map,
    adopts it into 2023/24; the Leicester partner then reads their area and the method."""
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(demo + "formula/")
    assert_accessible(page)
    page.get_by_role("link", name="F2023/24-001").click()
    assert "byte-for-byte identical" in page.inner_text("#reproduced")
    assert page.inner_text("#run-total") == "£639,675"
    assert page.locator("#map svg path").count() >= 9
    shot(page, "formula-run")
    assert_accessible(page)
    page.locator("#map").screenshot(path=str(SHOTS / "formula-map.png"))
    with page.expect_download() as download:
        page.get_by_role("link", name="report for partners (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.get_by_label("Funding year").select_option(label="2023/24")
    page.get_by_role("button", name="Adopt this run").click()
    assert "adopted" in page.inner_text("main")
    shot(page, "formula-adopted-allocations")
    sign_in(page, demo, "partner", "demo-partner-pass")
    assert page.goto(demo + "formula/").status == 403
    run_url = demo + "formula/runs/"
    # the partner reaches the explanation from their allocations page
    page.goto(demo + "our-allocations/")
    page.get_by_role("link", name="How this was worked out").first.click()
    assert "How the allocation was worked out" in page.inner_text("h1")
    assert "Leicester" in page.inner_text(".govuk-panel__title")
    assert run_url in page.url
    shot(page, "formula-partner-view")
    assert_accessible(page)


MINIMAL_PDF = PDF


def test_a_charity_registers_applies_and_an_officer_screens(
    page, demo, assert_accessible, tmp_path
):
    """An organisation registers, drafts, attaches its budget and submits before the deadline;
    an officer screens it into review."""
    page.goto(demo + "funding/")
    assert_accessible(page)
    page.get_by_role("link", name="PCC Grant", exact=False).first.click()
    shot(page, "grant-round")
    assert_accessible(page)
    page.goto(demo + "funding/register/")
    page.get_by_label("Organisation's legal name").fill("Braunstone Youth Project")
    page.get_by_label("What kind of organisation is it?").select_option(value="charity")
    page.get_by_label("Registered charity number").fill("1098765")
    page.get_by_label("Address", exact=True).fill("1 Main Street, Leicester")
    page.get_by_label("Your full name").fill("Ria Youth")
    page.get_by_label("Your email address").fill("ria@example.org")
    page.get_by_label("Choose a username").fill("ria")
    page.get_by_label("Choose a password").fill("braunstone-youth-2026")
    shot(page, "grant-register")
    assert_accessible(page)
    page.get_by_role("button", name="Register").click()
    assert "is registered" in page.inner_text("main")
    page.get_by_role("link", name="PCC Grant", exact=False).first.click()
    page.get_by_label("Project title").fill("Detached youth work")
    page.get_by_role("button", name="Start an application").click()
    page.get_by_label("Amount requested").fill("8,500")
    page.get_by_label("Summary of the project").fill("Evening detached youth work on two estates.")
    page.get_by_role("button", name="Save draft").click()
    assert "Draft saved" in page.inner_text("main")
    shot(page, "grant-application-form")
    # The charity's home lists the draft to finish, with its round's closing date, first.
    application = page.url
    page.goto(demo)
    first = page.locator("main .app-work-list a").first
    assert first.inner_text().startswith("Draft to finish: Detached youth work, PCC Grant")
    assert "closes on" in first.inner_text()
    shot(page, "home-charity-1280")
    desktop = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 812})
    shot(page, "home-charity-375")
    page.set_viewport_size(desktop)
    first.click()
    assert page.get_by_role("heading", name="Detached youth work").count()
    page.goto(application)
    # The budget is chosen on the form itself, among the questions and before Submit.
    budget = tmp_path / "budget.pdf"
    budget.write_bytes(MINIMAL_PDF)
    page.get_by_label("Project budget", exact=True).set_input_files(str(budget))
    page.get_by_role("button", name="Save draft").click()
    assert "budget.pdf attached" in page.inner_text("main")
    page.get_by_role("button", name="Submit application").click()
    assert "cannot be submitted yet" in page.inner_text("main")
    # Every problem at once, each a link to its question.
    summary = page.locator(".govuk-error-summary__list")
    assert summary.get_by_role("link", name="Start date: answer this question").count() == 1
    assert summary.get_by_role("link", name="Area served: answer this question").count() == 1
    shot(page, "grant-application-problems")
    assert_accessible(page)
    page.get_by_label("Outcomes and how you will measure them").fill(
        "Fewer ASB calls; 40 young people engaged."
    )
    start = page.get_by_role("group", name="Start date")
    start.get_by_label("Day").fill("10")
    start.get_by_label("Month").fill("1")
    start.get_by_label("Year").fill("2027")
    page.get_by_label("Area served").select_option(label="Leicester")
    for radio in page.get_by_role("radio", name="Yes").all():
        radio.check()
    page.get_by_role("button", name="Submit application").click()
    assert page.inner_text("#status") == "Submitted"
    shot(page, "grant-application-submitted")
    assert_accessible(page)
    detail_url = page.url
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(detail_url)
    page.get_by_role("radio", name="Eligible: send to review").check()
    page.get_by_label("Reason", exact=True).fill("Meets the criteria")
    page.get_by_role("button", name="Record screening").click()
    assert page.inner_text("#status") == "In review"
    page.goto(demo + "funding/pcc-grant-demo/dashboard/")
    page.get_by_role("button", name="Assign reviewers").click()
    shot(page, "grant-round-dashboard")
    assert_accessible(page)
    reference = detail_url  # the application page, to try as each reviewer

    # One reviewer declares no conflict and scores; the other declares one and loses sight of it.
    for username, password, conflict in (
        ("reviewer", "demo-reviewer-pass", False),
        ("reviewer2", "demo-reviewer2-pass", True),
    ):
        sign_in(page, demo, username, password)
        page.goto(demo + "reviews/")
        page.get_by_role("link", name="Declare any conflict of interest", exact=False).first.click()
        shot(page, f"grant-declare-{username}")
        assert_accessible(page)
        page.get_by_role("radio", name="Yes" if conflict else "No").check()
        if conflict:
            page.get_by_label("If yes, what is it?").fill("I am a trustee of the applicant")
        page.get_by_role("button", name="Record my declaration").click()
        if conflict:
            assert page.goto(reference).status == 404
        else:
            # .all() does not wait: wait for the score page the declaration leads to first
            page.locator("select[id^=score_]").first.wait_for()
            for select in page.locator("select[id^=score_]").all():
                select.select_option("4")
            for box in page.locator("textarea[id^=comment_]").all():
                box.fill("Clear need and outcomes")
            shot(page, "grant-score")
            assert_accessible(page)
            page.get_by_role("button", name="Submit scores").click()
            assert "submitted" in page.inner_text("main")

    # The panel declares, sees the ranking against the pot and recommends.
    sign_in(page, demo, "panel", "demo-panel-pass")
    page.goto(demo + "funding/pcc-grant-demo/panel/")
    page.get_by_label("Interests (or write None)").fill("None")
    page.get_by_role("button", name="Record declaration").click()
    assert "80.00" in page.inner_text("#ranking")
    # The reduced amount is revealed only for "Fund at a reduced amount".
    reduced = page.get_by_label("Reduced amount", exact=True)
    assert not reduced.is_visible()
    page.get_by_role("radio", name="Fund at a reduced amount").check()
    assert reduced.is_visible()
    page.get_by_role("radio", name="Fund", exact=True).check()
    assert not reduced.is_visible()
    page.get_by_label("Reasons").fill("Strong local need")
    page.get_by_role("button", name="Recommend").click()
    shot(page, "grant-panel")
    assert_accessible(page)

    # The PCC approves: the award is committed in the ledger.
    sign_in(page, demo, "pcc", "demo-pcc-pass")
    page.goto(demo + "funding/pcc-grant-demo/decision/")
    assert page.inner_text("#decision-total") == "£8,500"
    shot(page, "grant-decision")
    assert_accessible(page)
    page.get_by_role("button", name="Approve the recommendations").click()
    assert "committed in the ledger" in page.inner_text("main")
    assert "Braunstone Youth Project" in page.inner_text("#allocations")
    shot(page, "grant-award-in-ledger")

    # The officer drafts the decision record from the round; it is signed off and published,
    # and the award appears on the public grants register with the panel's reasons.
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(demo + "funding/pcc-grant-demo/dashboard/")
    page.get_by_role("button", name="Draft the decision record for publication").click()
    page.wait_for_load_state()
    assert "Grant awards: " in page.locator("h1").inner_text()
    record_url = page.url
    for user, password, action in (
        ("cfo", "demo-cfo-pass", "approve"),
        ("pcc", "demo-pcc-pass", "sign"),
        ("chief.exec", "demo-ceo-pass", "determine"),
    ):
        sign_in(page, demo, user, password)
        page.goto(record_url)
        if action == "approve":
            page.get_by_role("button", name="Approve and send to the PCC").click()
        elif action == "sign":
            page.get_by_label("I have read the record and decide as it recommends").check()
            page.get_by_role("button", name="Sign the decision").click()
        else:
            page.get_by_role("link", name="Determine publication").click()
            for name in ("publish_record", "publish_assessment", "publish_details"):
                page.locator(f"input[name={name}][value=yes]").check()
            page.get_by_role("button", name="Sign the determination").click()
        page.wait_for_load_state()
    assert "Published" in page.inner_text("main")
    sign_out(page)
    page.goto(demo + "register/grants/?q=Braunstone")
    text = page.inner_text("main")
    assert "Braunstone Youth Project" in text and "Strong local need" in text
    shot(page, "register-grant-award")
    assert_accessible(page)


def test_decision_record_drafted_signed_determined_and_published(page, demo, assert_accessible):
    """An officer drafts a record and cites allocations; the CFO approves; the PCC signs; the
    Monitoring Officer withholds the discussion under s.43; the public page leaves it out."""
    secret = "Landlord-Quillfeather"
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(demo + "decisions/new/")
    page.get_by_label("Title", exact=True).fill("Winter community safety grants")
    page.get_by_label("Summary of issue").fill("Three partnerships asked for winter help.")
    page.get_by_label("Recommendations presented").fill("1. Approve the grants cited below.")
    page.get_by_label("Key discussion points").fill(f"The refuge's landlord is {secret}.")
    page.get_by_label("It was resolved that").fill("The recommendations be accepted.")
    page.get_by_role("button", name="Save the draft").click()
    page.wait_for_load_state()
    heading = page.locator("h1").inner_text()
    assert heading == "Winter community safety grants"
    record_url = page.url
    reference = page.locator(".govuk-caption-l").first.inner_text().removeprefix("Decision record ")
    page.get_by_role("link", name="Cite allocations").click()
    page.get_by_label("Financial year").select_option("2016/17")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    boxes = page.locator("input[name=allocation]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_label("Conditions (for grants)").fill("Quarterly monitoring returns")
    page.get_by_role("button", name="Cite the chosen allocations").click()
    page.wait_for_load_state()
    assert "2 allocations cited" in page.inner_text("main")
    shot(page, "decision-draft")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, demo, "cfo", "demo-cfo-pass")
    page.goto(record_url)
    page.get_by_label("Your assessment (optional)").fill("Affordable within the year's budget.")
    page.get_by_role("button", name="Approve and send to the PCC").click()
    page.wait_for_load_state()
    assert "approved for the PCC" in page.inner_text("main")
    assert page.get_by_role("link", name="Edit the text").count() == 0

    page.context.clear_cookies()
    sign_in(page, demo, "pcc", "demo-pcc-pass")
    page.goto(record_url)
    page.get_by_label("I have read the record and decide as it recommends").check()
    page.get_by_role("button", name="Sign the decision").click()
    page.wait_for_load_state()
    assert "You signed" in page.inner_text("main")
    shot(page, "decision-signed")

    page.context.clear_cookies()
    sign_in(page, demo, "chief.exec", "demo-ceo-pass")
    page.goto(record_url)
    page.get_by_role("link", name="Determine publication").click()
    page.locator("input[name=publish_record][value=part]").check()
    page.locator("input[name=publish_assessment][value=yes]").check()
    page.locator("input[name=publish_details][value=yes]").check()
    page.locator("#id_exempt_discussion").select_option("foi_s43")
    page.locator("#id_why_discussion").fill("The landlord's commercial interests")
    shot(page, "decision-determine")
    assert_accessible(page)
    page.get_by_role("button", name="Sign the determination").click()
    page.wait_for_load_state()
    assert "Published" in page.inner_text("main")

    page.context.clear_cookies()
    page.goto(demo + "register/decisions/")
    assert reference in page.inner_text("main")
    page.get_by_role("link", name=f"{reference} Winter community safety grants").click()
    page.wait_for_load_state()
    text = page.inner_text("main")
    assert secret not in page.content()
    assert "Parts not published" in text and "s.43" in text
    assert "Quarterly monitoring returns" in text
    shot(page, "register-decision-redacted")
    assert_accessible(page)
    page.goto(demo + "register/decisions/?q=Quillfeather")
    assert "0 decisions" in page.inner_text("main")


def test_the_papers_decision_records_on_the_public_register(page, demo, assert_accessible):
    for path, name in (
        ("register/", "register-home"),
        ("register/decisions/exe-0025-13/", "register-exe-0025-13"),
        ("register/grants/", "register-grants"),
        ("register/allocations/2013-14/", "register-allocations"),
        ("register/forward-plan/", "register-forward-plan"),
        ("register/needs-based-allocation/", "register-formula"),
    ):
        page.goto(demo + path)
        shot(page, name)
        assert_accessible(page)
    page.goto(demo + "register/decisions/exe-0025-13/")
    text = page.inner_text("main")
    assert "Peter Lewis" in text and "Paul Stock" in text and "£3,240,231" in text
    response = page.request.get(demo + "register/decisions/exe-0025-13.pdf")
    assert response.status == 200 and response.body()[:4] == b"%PDF"


def test_an_officer_configures_and_publishes_a_round_on_the_pages(page, demo, assert_accessible):
    """Criteria, an eligibility question and form questions added on pages; publishing is
    refused until the weights add up to 100, then the round is open to applicants."""
    import datetime as dt

    from commissioning.budgets.periods import year_label_of

    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(demo + "funding/new/")
    today = dt.date.today()
    closes = today + dt.timedelta(days=30)
    page.get_by_label("Reference").fill("browser-round")
    page.get_by_label("Title").fill("Safer night-time economy grants")
    page.get_by_label("Funding mechanism").select_option("pcc_grant")
    year = year_label_of(today)
    page.get_by_label("Financial year").select_option(label=year)
    pot = page.get_by_label("Pot")
    label = next(
        text
        for text in pot.locator("option").all_inner_texts()
        if text.startswith(f"{year}:") and "(PCC Grant)" in text
    )
    pot.select_option(label=label)
    page.get_by_label("Opening date").fill(f"{today.day}/{today.month}/{today.year}")
    page.get_by_label("Opening time (UK time)").fill("00:01")
    page.get_by_label("Closing date").fill(f"{closes.day}/{closes.month}/{closes.year}")
    page.get_by_label("Closing time (UK time)").fill("5pm")
    page.get_by_label("Maximum award").fill("5,000")
    page.get_by_role("button", name="Create the round").click()
    page.wait_for_load_state()
    errors = page.locator(".govuk-error-summary")
    assert errors.count() == 0, errors.first.inner_text()

    for title, weight in (("Need", "60"), ("Value for money", "30")):
        page.get_by_role("link", name="Add a criterion").click()
        page.get_by_label("Title").fill(title)
        page.get_by_label("Weight (%)").fill(weight)
        page.get_by_role("button", name="Save").click()
        page.wait_for_load_state()
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Question", exact=True).fill("What will you do?")
    page.get_by_label("Text", exact=True).check()
    page.get_by_label("Word limit").fill("300")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Publish the round").click()
    page.wait_for_load_state()
    assert "add up to 90" in page.inner_text("main") or "90" in page.inner_text(
        ".govuk-error-summary"
    )
    shot(page, "round-setup-refused")
    assert_accessible(page)

    page.get_by_role("link", name="Add a criterion").click()
    page.get_by_label("Title").fill("Link to the plan")
    page.get_by_label("Weight (%)").fill("10")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Publish the round").click()
    page.wait_for_load_state()
    shot(page, "round-setup-published")
    assert_accessible(page)
    page.context.clear_cookies()
    page.goto(demo + "funding/")
    assert "Safer night-time economy grants" in page.inner_text("main")
