"""The decision record PDF: the paper form's parts, signatures, determination, redaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from dataclasses import replace
from decimal import Decimal

import pytest
from pypdf import PdfReader

from commissioning.decisions.document import (
    Assessment,
    DecisionDocument,
    Determination,
    Exemption,
    Link,
    Section,
    Signature,
)
from commissioning.decisions.pdf import CHARACTERISTICS, decision_pdf

CANARY = "CANARY-7f3a commercial terms of the Braunstone contract"

SUMMARY = """For 2013/14 the Police and Crime Commissioner (PCC) received £1.65m through the PCC Community Safety Fund (CSF) from the Home Office to fund initiatives that would contribute to achieving the Strategic Priorities within the Police and Crime Plan. This funding was previously distributed to partners via a number of Home Office specific grants including:

1. Community Safety Fund
2. Drug Intervention Programme
3. Community Safety Partnership
4. Youth Crime and Substance Misuse
5. Positive Futures
6. Communities against guns, gangs & knives programme
7. Innovation Fund
8. Safer Future Communities

To ensure that all partnership funding was identified and to reduce the risk of duplicate funding, the CSF has been amalgamated with funding historically used by the Leicestershire Police to fund specific initiatives with partners to give a total funding pot of £2.9m.

During the development of the Police and Crime Plan (PCP), it was recognised that to support the achievement of the Themes and Strategic Objectives within the Police and Crime Plan a commissioning framework needed to be developed. This would underpin how the Police and Crime Commissioner would commission outcomes.

To enable the Commissioning Intentions to be developed and in recognition of partner feedback that they would need to plan for the outcomes of the Commissioning Intentions and change in the way outcomes are to be delivered, the funding has been split into a number of streams:

1. Initiatives that were historically funded through Home Office Grants – Allocate 6 months funding at 2012/13 levels (funding up to end of September 2013).
2. Previous Leicestershire Police funded initiatives funded at either 2012/13 levels or pre-agreed arrangements (funding up to 31st March 2014).
3. Funding to both City and County Basic Command Units (BCU) to fund emerging issues at a local level (£100k to each BCU).
4. Continuation of allocations to the Leicestershire to ensure contribution to partner initiatives are maintained (funding up to 31st March 2014).

The Police and Crime Plan was published on 31st March 2013. This enabled the Commissioning intentions to be published on 21st June 2013.

The Commissioning Intentions were developed after engagement with various partners. This helped to identify the commissioning avenues available to the Police and Crime Commissioner and the partners' ability to deliver the outcomes to contribute to the achievement of the strategic priorities. As a result of this engagement the following purchasing systems (with proposed funding allocated to each) were established within the Commissioning Intentions, which aim to deliver outcomes that support the themes and objectives within the Police and Crime Plan.

1. Direct Commissioning – Directly tender or contract under a single tender dispensation;
2. Co-Commissioning with existing Commissioners under a "Contract" – i.e. ask existing Commissioners to commission outcomes on the behalf of the PCC under a contract;
3. Co-Commissioning with Community Safety Partnerships at City, County, Rutland and District level under a contract based on business cases presented and agreed;
4. Issuing funds via a new PCC Grant, inviting any provider or providers to submit applications against a set of criteria;
5. Awarding funding via a new Innovation Fund, inviting any provider or providers to propose and work on new and innovative solutions for "testing" against Plan priorities and outcomes, not otherwise described in his Commissioning Plans;
6. Allocating via the BCU Fund – this is a continuation of the model whereby the BCU Commanders have a fund which they can use flexibly to meet local need/demand.

As a result of the above purchasing systems within the Commissioning Intentions, the attached schedule shows the proposed allocations for the funding through each process and how they link to the themes within the Police and Crime Plan.

The funding of the above proposals (and those within the attached schedule) are as follows:

Funding Streams\tAmount
PCC Community Safety Grant\t£1,649,000
Former Police Force Partnership funding\t£1,305,029
Sub-Total\t£2,954,029
Use of Budget Equalisation Reserve\t£294,994*
Total\t£3,249,023

* In May 2013, the Police and Crime Commissioner announced that he intended to allocate an additional £1m over the next 3 years to boost the commissioning budget. This funding is to be allocated from the Budget Equalisation Reserve. The table above shows a proportion of this funding is proposed to be used in 2013-14 to support prevention and early intervention initiatives.

The processes for allocating the Community Safety Fund and the PCC Grant were undertaken in July/August 2013. These were as follows:

Community Safety Fund:

The Community Safety Partnerships (CSP) were requested to submit business cases to the Office of the Police and Crime Commissioner. The business cases submitted by the Districts were forwarded to Leicestershire Safer Communities Senior Officer Group to enable an independent assessment and recommendations to be presented to the Police and Crime Commissioner. The business cases submitted by Leicester City and Rutland County Council were assessed by members of staff from the Office of the Police and Crime Commissioner. Summaries of the business cases and recommendations were presented to the Police and Crime Commissioner for approval.

PCC Grant:

Submissions via application, were invited from all interested parties and in total 33 applications were received. In order to engage partners in the funding process and to instil a degree of independence into the decision making process the following process was adopted:

- A number of people from various organisations and with expertise covering the Police and Crime Plan Themes were approached to assess the application forms (score the responses). They provided recommendations and feedback on the applications allocated to them. These were known as the "Themed Reviewers"
- A "Review Panel" was established whose membership consisted of representatives from the Office of the Police and Crime Commissioner, Force, Leicestershire County Council, Leicester City Council, Rutland County Council, Probation and the Third Sector. The remit of the Panel was to make recommendations to the Police and Crime Commissioner on which proposals to fund. This would be on the basis of the scores, comments and recommendations of the "Themed Reviewers".
- The recommendations of the "Review Panel" were presented to the Police and Crime Commissioner for approval."""

RECOMMENDATIONS = """1. Approve the funding allocations and distributions set out in Table 1 (attached).
2. Approve the use of the Budget Equalisation Reserve to support the commissioning intentions and the Police and Crime Plan."""

DISCUSSION = """During 2013 a series of meetings and discussions have taken place with various partners and bodies to determine how funding should be allocated and what approaches to commissioning to be undertaken by Police and Crime Commissioner can be adopted. These include meetings of the Strategic Partnership Board and various meeting and discussions with officers at various levels within Leicester City Council, Leicestershire County Council, Rutland County Council, Probation Service and various voluntary sector organisations.

The key discussion points were:

1. How to allocate the PCC community Safety Funding, whilst taking into consideration:
  - Previous funding received by partners from the Home Office.
  - The impact to partners of potential funding changes.
  - Partners delivering on outcomes not services.
  - Partners Planning for the outcomes of the Commissioners Intentions
  - The Themes and Strategic Priorities within the Police and Crime Plan
2. How the Police and Crime Plan can be supported through the commissioning intentions.
3. The commissioning purchasing systems which could be adopted to support both the Police and Crime Plan and the Commissioning Intentions.
4. How to encourage partners to present original innovative ideas which would allow the PCC to gain maximum impact for the resources that are available."""

RESOLUTION = "The recommendations set out above be accepted and implemented to support both the Police and Crime Plan and the Commissioning Intentions."

APPROVAL_STATEMENT = (
    "I have been consulted about the proposal and confirm that appropriate advice has been "
    "taken into account in the preparation of this report. I am satisfied that this is an "
    "appropriate request to be submitted to the Police and Crime Commissioner"
)


def exe_0025_13(**changes: object) -> DecisionDocument:
    """The decision record of paper 000 (EXE 0025/13), signed and determined, with an EIA."""
    doc = DecisionDocument(
        reference="EXE 0025/13",
        title="Police and Crime Commissioner Partner Funding",
        status="Published",
        decision_date=dt.date(2013, 8, 27),
        officers_present=(
            "Paul Stock (CEO), Sue Haslett (Commissioning Manager), "
            "Robert Vickers (Interim Accountant)"
        ),
        received_on=None,
        sections=(
            Section("summary", "Summary of issue", SUMMARY),
            Section("recommendations", "Recommendations presented", RECOMMENDATIONS),
            Section("discussion", "Key discussion points at meeting", DISCUSSION),
            Section("resolution", "It was resolved that", RESOLUTION),
        ),
        links=(
            Link(
                "allocation",
                "ALL-2013-0007",
                "Leicester City Community Safety Partnership",
                "Community Safety Fund: business case",
                Decimal("249000"),
                "2013/14",
            ),
            Link(
                "award",
                "GR-2013-0012",
                "Twenty-Twenty",
                "PCC Grant: youth mentoring",
                Decimal("47556.50"),
                "2013/14",
                purpose="Mentoring young people at risk of entering the criminal justice system.",
                conditions="Quarterly monitoring returns; spend only on the agreed budget.",
                reasons="Diverting young people from offending reduces first-time entrants.",
            ),
            Link(
                "formula_run",
                "FR-2013-01",
                "Seven district CSPs",
                "Partnership locality fund formula",
                None,
                "2013/14",
            ),
        ),
        assessment=Assessment(
            plan_name="Police and Crime Commissioner Partner Funding 2013/14",
            owner="Sue Haslett",
            completed_by="Sue Haslett",
            completed_on=dt.date(2013, 8, 20),
            aim="To direct the spend of the commissioning budget for 2013/14.",
            characteristics=("Age", "sex"),
            data_used="Financial spend on initiatives which may serve specific groups.",
            data_gaps="The equality aspects of otherwise defined groups have not been assessed.",
            impacts="- Youth diversion provision continues for six months at 2012/13 levels.",
            mitigations="Review youth provision in the October commissioning round.",
            consultation="An open consultation was held on the Commissioning Intentions.",
            decision="Plan to remain unchanged",
            marking="Not Protectively Marked",
            review_date="2014/15",
            reviews="None yet.",
        ),
        approval=Signature(
            "Chief Finance Officer", "Peter Lewis", dt.date(2013, 9, 3), APPROVAL_STATEMENT
        ),
        approval_note="",
        pcc_signature=Signature(
            "Police and Crime Commissioner", "Sir Clive Loader", dt.date(2013, 9, 5)
        ),
        determination=Determination(
            record="Yes",
            assessment="Yes",
            details="Yes",
            reasons="",
            signature=Signature("Monitoring Officer", "Paul Stock", dt.date(2013, 9, 4)),
        ),
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]


def small_doc(**changes: object) -> DecisionDocument:
    """A short record of one page, with no EIA; the record is part redacted."""
    small = {
        "reference": "EXE 0003/25",
        "title": "Violence reduction network funding",
        "status": "Signed",
        "decision_date": dt.date(2025, 5, 1),
        "officers_present": "A. Officer (Chief Executive)",
        "received_on": dt.date(2025, 4, 28),
        "sections": (
            Section("summary", "Summary of issue", "The network asks for a second year."),
            Section("recommendations", "Recommendations presented", "1. Approve £120,000."),
            Section("discussion", "Key discussion points", "Value for money was discussed."),
            Section("resolution", "Resolution", "Approved as recommended."),
        ),
        "links": (
            Link("award", "GR-25-1", "Network CIC", "Second year", Decimal("1234"), "2025/26"),
            Link("award", "GR-25-2", "Youth Trust", "Outreach", Decimal("1234.56"), "2025/26"),
        ),
        "assessment": None,
        "approval": Signature("Chief Executive", "Helen King", dt.date(2025, 4, 30)),
        "approval_note": "The proposal is affordable within the 2025/26 budget.",
        "pcc_signature": Signature("PCC", "Rupert Matthews", dt.date(2025, 5, 2)),
        "determination": Determination(
            "Part redacted",
            "Yes",
            "No",
            "Commercial terms withheld: FOI Act 2000 s.43(2).",
            Signature("Monitoring Officer", "Lisa Mair", dt.date(2025, 5, 6)),
        ),
    }
    return exe_0025_13(**(small | changes))


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(pdf: bytes) -> str:
    """All the text, with line breaks and runs of spaces as single spaces."""
    return " ".join(" ".join(pages(pdf)).split())


def words_in(text: str) -> str:
    return " ".join(text.replace("£", "").split())


def test_pdf_starts_with_header_and_sets_metadata():
    """The bytes are a PDF whose title, author and subject name the record."""
    pdf = decision_pdf(small_doc())
    assert pdf.startswith(b"%PDF")
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta is not None
    assert meta.title == "Decision record EXE 0003/25: Violence reduction network funding"
    assert meta.author == "Office of the Police and Crime Commissioner for Leicestershire"
    assert meta.subject is not None and "Violence reduction network funding" in meta.subject


def test_heading_and_grid_follow_the_paper_form():
    """The heading is derived from the commissioner; the grid has the paper's labels."""
    text = flat(
        decision_pdf(small_doc(), commissioner="Police and Crime Commissioner for Rutshire")
    )
    assert "POLICE AND CRIME COMMISSIONER FOR RUTSHIRE \u2014 DECISION RECORD" in text
    for label in ("Date", "Officers present", "Received in OPCC date", "OPCC Ref", "Title"):
        assert label in text
    assert "1 May 2025" in text and "28 April 2025" in text


def test_text_has_reference_title_sections_signatures_and_determination():
    """Every section's title and text, every signer and the three determinations appear."""
    doc = exe_0025_13()
    text = flat(decision_pdf(doc))
    assert "EXE 0025/13" in text
    assert "Police and Crime Commissioner Partner Funding" in text
    for section in doc.sections:
        assert section.title in text
        for paragraph in section.text.split("\n"):
            body = paragraph.lstrip(" -0123456789.").split("\t")[0].strip()
            if body:
                assert words_in(body) in words_in(text), body
    assert "Signed electronically by Sir Clive Loader on 5 September 2013" in text
    assert "Signed electronically by Peter Lewis on 3 September 2013" in text
    assert "Signed electronically by Paul Stock on 4 September 2013" in text
    assert APPROVAL_STATEMENT in text
    assert "Decision of Monitoring Officer" in text
    assert text.count("Yes / Part redacted / No") == 3


def test_chosen_determination_is_bold_and_the_others_are_not():
    """Record "Part redacted", assessment "Yes", details "No": each chosen answer is set in
    bold, and the other two answers of each line in the regular face."""
    reader = PdfReader(io.BytesIO(decision_pdf(small_doc())))
    runs: list[tuple[str, str]] = []

    def visit(text, cm, tm, font, size):
        if font is not None and text.strip():
            runs.append((text, str(font.get("/BaseFont"))))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    answers = ("Yes", "Part redacted", "No")
    start = next(i for i, (text, _) in enumerate(runs) if "Decision of Monitoring Officer" in text)
    choice_runs = [
        (text, font)
        for text, font in runs[start:]
        if all(w.strip() in answers for w in text.split("/") if w.strip())
        and any(a in text for a in answers)
    ]
    bold = [t.strip() for t, f in choice_runs if f.endswith("Helvetica-Bold")]
    regular = [w.strip() for t, f in choice_runs if f.endswith("/Helvetica") for w in t.split("/")]
    assert bold == ["Part redacted", "Yes", "No"]
    assert sorted(w for w in regular if w) == [
        "No",
        "No",
        "Part redacted",
        "Part redacted",
        "Yes",
        "Yes",
    ]


def test_links_table_formats_amounts_and_totals():
    """Whole pounds show without pence, pence when there are any, and the total row sums."""
    text = flat(decision_pdf(small_doc()))
    assert "GR-25-1" in text and "Network CIC" in text and "2025/26" in text
    assert "£1,234 " in text + " "
    assert "£1,234.56" in text
    assert "Total £2,468.56" in text


def test_award_details_and_missing_amounts_are_shown_as_given():
    """Grant purpose, conditions and reasons appear; a link without an amount shows none."""
    text = flat(decision_pdf(exe_0025_13()))
    assert "Mentoring young people at risk" in text
    assert "Quarterly monitoring returns" in text
    assert "Diverting young people from offending" in text
    assert "Total £296,556.50" in text
    assert "£0" not in text


def test_tab_separated_lines_become_a_table_and_lists_keep_their_numbers():
    """The funding streams table of the paper is laid out as a table with its total."""
    text = flat(decision_pdf(exe_0025_13()))
    assert "Funding Streams Amount" in text
    assert "PCC Community Safety Grant £1,649,000" in text
    assert "Total £3,249,023" in text
    assert "8. Safer Future Communities" in text


def test_public_document_lists_exemptions_and_leaves_the_exempt_part_out():
    """The canary is only in the internal discussion; the public version omits that part
    and lists the exemption with its legislation and reason instead."""
    internal = small_doc(
        sections=(
            *small_doc().sections[:2],
            Section("discussion", "Key discussion points", CANARY),
            small_doc().sections[3],
        )
    )
    exemption = Exemption(
        part="Key discussion points",
        exemption="FOI Act 2000 s.43 Commercial interests",
        reason="Would prejudice the provider's negotiating position.",
    )
    public = dataclasses.replace(
        internal,
        sections=tuple(s for s in internal.sections if s.key != "discussion"),
        exemptions=(exemption,),
        public=True,
    )
    internal_text = flat(decision_pdf(internal))
    public_text = flat(decision_pdf(public))
    assert CANARY in internal_text
    assert CANARY not in public_text
    assert "CANARY" not in public_text
    assert "Parts not published" in public_text
    assert "Key discussion points" in public_text
    assert "FOI Act 2000 s.43 Commercial interests" in public_text
    assert "Would prejudice the provider's negotiating position." in public_text


def test_internal_document_names_the_parts_to_be_left_out():
    """Staff see the exempt text and, under another heading, what the public will not."""
    exemption = Exemption("Key discussion points", "FOI Act 2000 s.43", "Commercial terms.")
    text = flat(decision_pdf(small_doc(exemptions=(exemption,))))
    assert "Parts to be left out of the published version" in text
    assert "Parts not published" not in text
    assert "Value for money was discussed." in text


def test_supersession_is_shown_both_ways():
    """A correction names the record it supersedes, and the old one what superseded it."""
    assert "Supersedes EXE 0001/25" in flat(decision_pdf(small_doc(supersedes="EXE 0001/25")))
    text = flat(decision_pdf(small_doc(superseded_by="EXE 0009/25")))
    assert "Superseded by EXE 0009/25" in text


def test_public_document_without_exemptions_has_no_exemption_section():
    """Nothing withheld, nothing listed."""
    text = flat(decision_pdf(small_doc(public=True)))
    assert "Parts not published" not in text


def test_draft_shows_draft_on_every_page():
    """A draft carries "DRAFT" on each page; a signed record carries it on none."""
    draft = exe_0025_13(status="Draft", pcc_signature=None, determination=None, approval=None)
    draft_pages = pages(decision_pdf(draft))
    assert len(draft_pages) > 2
    assert all("DRAFT" in page for page in draft_pages)
    assert not any("DRAFT" in page for page in pages(decision_pdf(exe_0025_13())))


def test_unsigned_steps_show_blank_signature_lines():
    """Approval, PCC and Monitoring Officer unsigned: three "Not yet signed" blocks, no
    determination chosen."""
    doc = small_doc(status="Draft", approval=None, pcc_signature=None, determination=None)
    text = flat(decision_pdf(doc))
    assert text.count("Not yet signed") == 3
    assert "Signed electronically" not in text
    assert text.count("Yes / Part redacted / No") == 3


def test_long_document_paginates_with_page_numbers_and_reference():
    """Every page's footer has the reference and "Page N of M"."""
    doc = exe_0025_13()
    texts = pages(decision_pdf(doc))
    assert len(texts) >= 3
    assert "Page 2 of" in " ".join(texts)
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {len(texts)}" in text
        assert "EXE 0025/13" in text


def test_a_section_longer_than_a_page_runs_on_over_the_page():
    """One very long section splits across pages rather than failing to lay out."""
    text = "\n".join(
        f"Paragraph {i}: " + "the panel considered the business case. " * 8 for i in range(60)
    )
    doc = small_doc(sections=(Section("summary", "Summary of issue", text),))
    rendered = pages(decision_pdf(doc))
    assert len(rendered) >= 3
    assert "Paragraph 59:" in " ".join(rendered)


def test_assessment_form_ticks_the_chosen_characteristics():
    """The EIA lists the nine characteristics, All and None, and ticks only those chosen."""
    text = decision_pdf(exe_0025_13())
    number = next(i for i, page in enumerate(pages(text)) if "Equality Impact Assessment" in page)
    assessment = pages(text)[number]
    assert len(CHARACTERISTICS) == 11 and "Marriage and civil partnership" in CHARACTERISTICS
    for label in CHARACTERISTICS:
        assert label in assessment
    reader = PdfReader(io.BytesIO(text))
    assert sum(page.extract_text().count("ticked") for page in reader.pages) == 4
    ticks: list[tuple[float, float]] = []
    labels: dict[str, tuple[float, float]] = {}

    def visit(fragment, cm, tm, font, size):
        point = (cm[4] + tm[4], cm[5] + tm[5])
        if fragment.strip() == "ticked":
            ticks.append(point)
        elif fragment.strip():
            labels.setdefault(fragment.strip(), point)

    reader.pages[number].extract_text(visitor_text=visit)

    def box_owner(tick: tuple[float, float]) -> str:
        """The label a tick belongs to: the nearest one to its left on the same row."""
        row = [(x, name) for name, (x, y) in labels.items() if abs(y - tick[1]) < 6 and x < tick[0]]
        return max(row)[1]

    def ticked(label: str) -> bool:
        return any(box_owner(t) == label for t in ticks)

    # Age and Sex (given as "sex") of the characteristics; the decision and the marking
    assert ticked("Age") and ticked("Sex")
    assert not ticked("Disability") and not ticked("Religion or belief") and not ticked("None")
    assert "Name of the plan" in assessment
    rest = " ".join(pages(text)[number:])
    assert "Step 6" in rest and "Date of next review: 2014/15" in rest


def test_unknown_characteristic_is_shown_ticked_not_dropped():
    """A value that is none of the form's options still appears, ticked."""
    doc = exe_0025_13()
    assert doc.assessment is not None
    doc = dataclasses.replace(
        doc, assessment=dataclasses.replace(doc.assessment, characteristics=("Care leavers",))
    )
    assert "Care leavers" in flat(decision_pdf(doc))


def test_text_is_reduced_to_windows_1252():
    """Characters outside Helvetica's encoding do not break the PDF: a minus becomes a dash."""
    doc = small_doc(title="Funding \u2212 reserve \u2192 grants \u2728")
    text = flat(decision_pdf(doc))
    assert "Funding \u2013 reserve" in text


@pytest.mark.parametrize("status", ["Signed", "Published"])
def test_signed_records_show_their_status(status):
    """The grid shows the record's status."""
    assert f"Status {status}" in flat(decision_pdf(small_doc(status=status)))


def test_a_signature_entered_from_paper_says_so():
    doc = exe_0025_13()
    assert doc.pcc_signature is not None
    paper = replace(doc, pcc_signature=replace(doc.pcc_signature, on_paper=True))
    text = flat(decision_pdf(paper))
    assert "Signed on paper by Sir Clive Loader on 5 September 2013" in text
    assert "Signed electronically by Sir Clive Loader" not in text
    assert "Signed electronically by Peter Lewis" in text
