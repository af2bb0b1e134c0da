"""Issue 10's "Must show" journey, through the pages of `commissioning demo`, as the people
would: the officer records and commits an allocation for Leicester City Council, draws up its
agreement, gives it an outcome and a budget (a wrong profile first) and issues it; the
partner reads and signs it, then writes the first quarter's return with a PDF and submits it;
the officer returns it for a change; the partner corrects it and submits it again; the
officer accepts it with a rating and requests instalment 1; the CFO approves it; the officer
records it as paid today; and anyone finds the payment on the public spending-over-£500
register for this month. axe checks every distinct page; screenshots go to var/screenshots/
as agreement-NN-*.png."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.browser.journey import shot, sign_in
from tests.pdfs import PDF

ORGANISATION = "Leicester City Council"
INITIATIVE = "Street-based youth outreach"
FINANCE_REFERENCE = "FIN-2026-0415"


def test_an_agreement_from_allocation_to_the_spending_register(
    page, demo, assert_accessible, tmp_path
):
    main = page.locator("main")
    summary = page.locator(".govuk-error-summary")

    # 1. The officer records and commits an allocation, then draws up its agreement.
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(demo + "years/2014-15/allocations/new/")
    page.get_by_label("Organisation").select_option(label=ORGANISATION)
    page.get_by_label("Initiative").fill(INITIATIVE)
    page.get_by_label("Funding mechanism").select_option(value="direct")
    page.locator("#id_amount_H1").fill("10,000")
    page.locator("#id_amount_H2").fill("10000")
    page.get_by_role("button", name="Record allocation").click()
    expect(main).to_contain_text("recorded.")
    page.get_by_role("button", name="Commit").click()
    expect(page.get_by_role("button", name="Draw up the agreement")).to_be_visible()
    allocation_url = page.url
    page.get_by_role("button", name="Draw up the agreement").click()
    expect(main).to_contain_text("is drafted with quarterly returns")
    agreement_url = page.url
    assert re.search(r"/agreements/[0-9a-f-]{36}/$", agreement_url), agreement_url
    caption = page.locator(".govuk-caption-l").first.inner_text()
    reference = caption.removeprefix("Agreement ").strip()
    assert reference.startswith("AG-"), caption
    expect(page.locator("h1")).to_have_text(f"{ORGANISATION}: {INITIATIVE}")
    expect(main).to_contain_text("£20,000")
    expect(main.locator(".govuk-tag").first).to_have_text("Draft")
    shot(page, "agreement-01-draft")
    assert_accessible(page)

    # Issuing an incomplete draft is refused, naming the part it is in.
    page.get_by_role("button", name="Issue to the partner").click()
    expect(summary).to_contain_text("Outcomes and measures: Add at least one outcome")
    expect(page.get_by_role("link", name=re.compile("^Outcomes and measures:"))).to_have_attribute(
        "href", "#outcomes"
    )

    # An outcome with one measure and a target for each quarter.
    page.goto(agreement_url)
    page.get_by_role("link", name="Add an outcome").click()
    expect(page.locator("h1")).to_have_text("Add an outcome")
    targets = page.locator("input[id^='id_measures-1-target-']")
    quarters = [
        label.removeprefix("Measure 1: target for ")
        for label in page.locator("label[for^='id_measures-1-target-']").all_inner_texts()
    ]
    assert len(quarters) == 4, quarters
    page.get_by_label("Outcome", exact=True).fill("Fewer young people drawn into offending")
    page.get_by_label("Measure 1: name").fill("Young people engaged")
    page.get_by_label("Measure 1: unit").select_option(label="Number")
    page.get_by_label("Measure 1: baseline").fill("0")
    priority = page.get_by_label("Measure 1: strategic priority it serves")
    sp1 = next(t for t in priority.locator("option").all_inner_texts() if t.startswith("SP1 "))
    priority.select_option(label=sp1)
    for quarter, target in zip(quarters, ("10", "15", "15", "20"), strict=True):
        page.get_by_label(f"Measure 1: target for {quarter}").fill(target)
    assert targets.count() == 4
    shot(page, "agreement-02-outcome-form")
    assert_accessible(page)
    page.get_by_role("button", name="Add the outcome").click()
    expect(main).to_contain_text("is added.")
    expect(page.locator("#outcome-1")).to_contain_text("Fewer young people drawn into offending")

    # The budget: a profile that does not add up is refused, named on its line.
    page.get_by_role("link", name="Set the budget").click()
    expect(page.locator("h1")).to_have_text("Set the budget")
    page.get_by_label("Line 1: category").fill("Youth workers")
    page.get_by_label("Line 1: amount").fill("16,000")
    for quarter, amount in zip(quarters, ("4000", "4000", "4000", "3000"), strict=True):
        page.get_by_label(f"Line 1: {quarter}").fill(amount)
    page.get_by_label("Line 2: category").fill("Activities and transport")
    page.get_by_label("Line 2: amount").fill("4,000")
    for quarter in quarters:
        page.get_by_label(f"Line 2: {quarter}").fill("1000")
    page.get_by_role("button", name="Save the budget").click()
    expect(summary).to_contain_text(
        re.compile(r"Line 1: the profile adds up to £15,000(\.00)?, not £16,000")
    )
    error_link = summary.get_by_role("link", name=re.compile("Line 1: the profile"))
    expect(error_link).to_have_attribute("href", "#id_categories-1-amount")
    expect(page.locator("#id_categories-1-amount")).to_have_class(re.compile("govuk-input--error"))
    assert page.title().startswith("Error: ")
    # what was typed is kept, every row of it
    expect(page.get_by_label("Line 2: category")).to_have_value("Activities and transport")
    shot(page, "agreement-03-budget-errors")
    assert_accessible(page)
    page.get_by_label(f"Line 1: {quarters[3]}").fill("4,000")
    page.get_by_role("button", name="Save the budget").click()
    expect(main).to_contain_text("The budget is saved.")
    budget = page.locator("#budget-caption").locator("xpath=..")
    expect(budget.locator(".app-total-row")).to_contain_text("£20,000")

    page.get_by_role("button", name="Issue to the partner").click()
    expect(main).to_contain_text(f"{reference} is issued to {ORGANISATION}")
    expect(main.locator(".govuk-tag").first).to_have_text("Issued to the partner")
    shot(page, "agreement-04-issued")
    assert_accessible(page)

    # 2. The partner sees it waits for them, reads it and signs it.
    sign_in(page, demo, "partner", "demo-partner-pass")
    page.get_by_role("link", name="Our agreements").first.click()
    expect(page.locator("h1")).to_have_text("Our agreements")
    row = page.locator("tr", has=page.get_by_role("link", name=reference, exact=True))
    expect(row).to_contain_text("Issued")
    expect(row).to_contain_text("£20,000")
    expect(row.get_by_role("link", name="Waiting for you to accept it")).to_be_visible()
    shot(page, "agreement-05-our-agreements")
    assert_accessible(page)
    row.get_by_role("link", name=reference, exact=True).click()
    expect(page.locator("h1")).to_have_text(f"{ORGANISATION}: {INITIATIVE}")
    expect(page.locator("#needs")).to_be_visible()
    page.get_by_role("link", name="Read and accept the agreement").click()
    expect(page.locator("h1")).to_have_text("Read and accept the agreement")
    expect(main).to_contain_text("Fewer young people drawn into offending")
    expect(main).to_contain_text("Youth workers")
    page.get_by_role("button", name="Accept and sign").click()
    expect(summary).to_contain_text("Type your full name to sign")
    expect(summary).to_contain_text("Give your position in the organisation")
    page.get_by_label("Your full name").fill("Parveen Partner")
    page.get_by_label("Your position in the organisation").fill("Head of Community Safety")
    shot(page, "agreement-06-accept")
    assert_accessible(page)
    page.get_by_role("button", name="Accept and sign").click()
    expect(main).to_contain_text(f"You accepted {reference}")
    expect(main.locator(".govuk-tag").first).to_have_text("Accepted")
    expect(main).to_contain_text("Signed by Parveen Partner, Head of Community Safety")

    # 3. The partner writes the first quarter's return, with evidence, and submits it.
    page.get_by_role("link", name="Our returns").first.click()
    expect(page.locator("h1")).to_have_text("Our monitoring returns")
    ours = page.locator("#returns tr", has_text=reference)
    expect(ours).to_have_count(4)  # a return a quarter, every one of them late (2014/15)
    expect(ours.first).to_contain_text(quarters[0])
    expect(ours.first).to_contain_text("Not started")
    shot(page, "agreement-07-our-returns")
    assert_accessible(page)
    # Each period's link names its agreement too (the periods repeat across agreements).
    ours.get_by_role("link", name=f"{quarters[0]}: return for {reference}", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"Monitoring return for {quarters[0]}")
    return_url = page.url
    page.get_by_label("Youth workers").fill("3,000")
    page.get_by_label("Activities and transport").fill("1000")
    page.get_by_label("Young people engaged (number)").fill("12")
    page.get_by_label("What you achieved in the period").fill(
        "Twelve young people took part in weekly sessions on two estates."
    )
    page.get_by_label("Risks and issues").fill("One youth worker post was vacant for a month.")
    page.get_by_role("radio", name="Amber").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(main).to_contain_text(f"Your return for {quarters[0]} has been saved.")
    evidence = tmp_path / "attendance-q1.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Attach evidence").set_input_files(str(evidence))
    page.get_by_role("button", name="Attach the file").click()
    expect(main).to_contain_text("attendance-q1.pdf attached.")
    expect(page.locator("#files")).to_contain_text("attendance-q1.pdf")
    # what was saved is still there after the upload
    expect(page.get_by_label("Young people engaged (number)")).to_have_value("12")
    shot(page, "agreement-08-return-form")
    assert_accessible(page)
    page.get_by_role("button", name="Submit the return").click()
    expect(main).to_contain_text(f"Your return for {quarters[0]} has been submitted.")
    expect(page.locator("#return-status")).to_contain_text("Submitted")

    # 4. The officer reads it and returns it for a change.
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(return_url)
    expect(page.locator("#spend")).to_contain_text("£3,000")
    expect(page.locator("#measures")).to_contain_text("12")
    expect(page.locator("#suggestion")).to_be_visible()
    shot(page, "agreement-09-return-review")
    assert_accessible(page)
    page.get_by_label("What the partner needs to change").fill(
        "Youth workers' spend does not match the invoice: it was £3,500."
    )
    page.get_by_role("button", name="Return for changes").click()
    expect(main).to_contain_text(f"The return for {quarters[0]} was sent back for changes.")
    expect(page.locator("#return-status")).to_contain_text("Returned")

    # 5. The partner corrects the spend and submits it again.
    sign_in(page, demo, "partner", "demo-partner-pass")
    page.goto(return_url)
    expect(page.locator("#returned-comment")).to_contain_text("it was £3,500")
    expect(page.get_by_label("Youth workers")).to_have_value(re.compile(r"^3,?000(\.00)?$"))
    page.get_by_label("Youth workers").fill("3500")
    page.get_by_role("button", name="Submit the return").click()
    expect(main).to_contain_text(f"Your return for {quarters[0]} has been submitted.")
    expect(page.locator("#return-status")).to_contain_text("Submitted")
    expect(page.locator("#spend")).to_contain_text("£3,500")

    # 6. The officer accepts it with a rating and a reason, then requests instalment 1.
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(return_url)
    accept = page.locator("form", has=page.get_by_role("button", name="Accept", exact=True))
    accept.get_by_role("radio", name="Green").check()
    page.get_by_label("Reason for the rating").fill("Spend is close to profile; 12 of 10 engaged.")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(main).to_contain_text(f"The return for {quarters[0]} was accepted.")
    expect(page.locator("#return-status")).to_contain_text("Accepted")
    expect(main).to_contain_text("Spend is close to profile")

    page.goto(agreement_url)
    instalment = page.locator("#payment-1")
    expect(instalment).to_contain_text("£5,000")
    expect(instalment).to_contain_text("Scheduled")
    page.get_by_role("button", name="Request payment: instalment 1").click()
    expect(main).to_contain_text("Instalment 1 is requested.")
    expect(instalment).to_contain_text("Requested")
    # the officer who asked cannot approve it
    expect(page.get_by_role("button", name="Approve: instalment 1")).to_have_count(0)

    # 7. The CFO approves it; the officer records it as paid.
    sign_in(page, demo, "cfo", "demo-cfo-pass")
    page.goto(agreement_url)
    shot(page, "agreement-10-payment-buttons")
    assert_accessible(page)
    page.get_by_role("button", name="Approve: instalment 1").click()
    expect(main).to_contain_text("Instalment 1 is approved.")
    expect(instalment).to_contain_text("Approved")

    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(agreement_url)
    page.get_by_role("link", name="Record as paid: instalment 1").click()
    expect(page.locator("h1")).to_have_text("Record the payment as made")
    page.get_by_role("button", name="Record as paid").click()
    expect(summary).to_contain_text("Enter the date the payment was made")
    expect(summary).to_contain_text("Give the finance system's reference for the payment")
    today = dt.datetime.now(ZoneInfo("Europe/London")).date()  # the demo's own today
    page.get_by_label("Date paid").fill(f"{today.day}/{today.month}/{today.year}")
    page.get_by_label("Finance system reference").fill(FINANCE_REFERENCE)
    shot(page, "agreement-11-paid-form")
    assert_accessible(page)
    page.get_by_role("button", name="Record as paid").click()
    expect(main).to_contain_text("Instalment 1 is recorded as paid.")
    expect(instalment).to_contain_text("Paid")
    expect(instalment).to_contain_text(FINANCE_REFERENCE)
    expect(main).to_contain_text("£5,000 paid")
    page.goto(allocation_url)
    expect(main).to_contain_text("Paid so far: £5,000 of £20,000")

    # 8. Anyone finds the payment on the public register of spending over £500.
    page.context.clear_cookies()
    page.goto(demo + "spending/")
    expect(page.locator("h1")).to_have_text("Spending over £500")
    month = f"{today:%B %Y}"
    page.locator("#months").get_by_role("link", name=month, exact=True).click()
    expect(page.locator("h1")).to_have_text(month)
    line = page.locator("#payments tr", has_text=reference)
    expect(line).to_have_count(1)
    expect(line).to_contain_text(ORGANISATION)
    expect(line).to_contain_text("£5,000.00")
    expect(line).to_contain_text(f"{today.day} {today:%b %Y}")
    assert FINANCE_REFERENCE not in page.content()
    shot(page, "agreement-12-spending-register")
    assert_accessible(page)

    # 9. A variation: the officer raises a target and adds a measure the partner proposed
    # (a new measure with no outcome is refused first); the CFO approves it; the partner
    # signs it on a phone, and the original terms show beside the new ones.
    sign_in(page, demo, "officer", "demo-officer-pass")
    page.goto(agreement_url)
    page.get_by_role("link", name="Propose a variation").click()
    expect(page.locator("h1")).to_have_text("Propose a variation")
    reported = page.get_by_label(f"Young people engaged: target for {quarters[0]}")
    expect(reported).to_be_disabled()  # its return is in: its target stays
    page.get_by_label(f"Young people engaged: target for {quarters[1]}").fill("18")
    page.get_by_label("Measure 1: name").fill("Young people referred on to training")
    page.get_by_label("The partner proposed this measure").check()
    page.get_by_label(f"Measure 1: target for {quarters[2]}").fill("3")
    page.get_by_role("button", name="Propose the variation").click()
    expect(summary).to_contain_text("Give the new outcome a title")
    expect(summary).to_contain_text("Say why the agreement is being varied")
    # what was typed is kept
    expect(page.get_by_label(f"Young people engaged: target for {quarters[1]}")).to_have_value("18")
    shot(page, "agreement-13-variation-errors")
    assert_accessible(page)
    page.get_by_label("The new measure is for").select_option(
        label="Fewer young people drawn into offending"
    )
    page.get_by_label("Why is the agreement being varied?").fill(
        "More referrals than planned; the partner asked to count onward training."
    )
    page.get_by_role("button", name="Propose the variation").click()
    expect(main).to_contain_text("Variation 1 is proposed")
    variations_table = page.locator("#variations-caption").locator("xpath=..")
    expect(variations_table).to_contain_text(f"{quarters[1]} from 15 to 18")
    expect(variations_table).to_contain_text("Young people referred on to training")

    sign_in(page, demo, "cfo", "demo-cfo-pass")
    page.goto(agreement_url)
    page.get_by_role("link", name="Variation 1").first.click()
    expect(page.locator("h1")).to_have_text("Decide variation 1")
    page.get_by_role("radio", name="Approve the variation").check()
    shot(page, "agreement-14-variation-decide")
    assert_accessible(page)
    page.get_by_role("button", name="Record the decision").click()
    expect(main).to_contain_text(f"It comes into force when {ORGANISATION} signs it.")

    sign_in(page, demo, "partner", "demo-partner-pass")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(demo + "our-agreements/")  # on a phone the menu is behind its button
    row = page.locator("tr", has=page.get_by_role("link", name=reference, exact=True))
    row.get_by_role("link", name="Variation 1 is waiting for you to sign it").click()
    expect(page.locator("h1")).to_have_text("Sign or decline variation 1")
    expect(main).to_contain_text(f"{quarters[1]} from 15 to 18")
    page.get_by_role("radio", name="Sign the varied terms").check()
    page.get_by_label("Your full name (to sign)").fill("Parveen Partner")
    page.get_by_label("Your position in the organisation (to sign)").fill(
        "Head of Community Safety"
    )
    shot(page, "agreement-15-variation-sign-phone")
    assert_accessible(page)
    page.get_by_role("button", name="Send your answer").click()
    expect(main).to_contain_text("You have signed variation 1")
    page.set_viewport_size({"width": 1280, "height": 800})
    compared = page.locator("caption", has_text="The original terms beside the current ones")
    table = compared.locator("xpath=..")
    expect(table).to_contain_text("Targets: Young people engaged")
    expect(table).to_contain_text("2 measures")
    shot(page, "agreement-16-varied")
    assert_accessible(page)
