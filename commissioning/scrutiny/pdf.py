"""The outcomes pack as an A4 PDF for a Police and Crime Panel meeting, in the papers' plain
style: the heading, boxed bands and ruled tables of the decision record and the agreement
(`decisions.pdf_form`, `formula.report_pdf`), Helvetica, amounts in the product's one money
format. Figures only: nothing about a person (the reoffending cohorts are the cohort team's
aggregate measures with small counts withheld, never a record or a pseudonym).

reportlab (and the shared helpers, which import it) is imported inside `pack_pdf`, so the
rest of the app loads without it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from commissioning.cohorts.measures import Measure as CohortMeasure
from commissioning.core.templatetags.govuk import money

from .format import (
    COHORT_METHOD,
    COHORTS_TITLE,
    NONE,
    NOTES,
    SYNTHETIC,
    TITLE,
    cohort_percent,
    cohorts_none,
    cohorts_withheld,
    figure,
    number,
    percent,
    withheld_reason,
)
from .rollup import RAGS, Figures, IntentionRow, truncate
from .selectors import OutcomesPack


def _blank(text: str) -> str:
    """A missing figure is a blank cell in the PDF's tables (a dash would stop a column of
    numbers lining up on the right)."""
    return "" if text == NONE else text


UNIT_ROW = {"count": "", "pounds": " (measures in pounds)", "percent": " (percentages: means)"}


def _outcome_rows(label: str, f: Figures) -> list[list[str]]:
    """One row per unit the priority's measures use (a priority with none: one row); the
    units show in the figures themselves (£ for pounds, % for percentages)."""
    units = f.unit_list
    if not units:
        return [[label, number(f.measures), "", "", "", ""]]
    return [
        [
            (label if i == 0 else "") + UNIT_ROW[u.unit],
            number(u.measures),
            _blank(figure(u.target_shown, u.unit)),
            _blank(figure(u.reported_target_shown, u.unit)),
            _blank(figure(u.actual_shown, u.unit)),
            _blank(percent(u.achieved)),
        ]
        for i, u in enumerate(units)
    ]


def _spend_row(label: str, f: Figures) -> list[str]:
    return [
        label,
        money(f.budget),
        money(f.profiled),
        money(f.spent),
        _blank(percent(f.spent_of_profile)),
        *[number(f.rag[r]) for r in RAGS],
    ]


def _intention_cells(row: IntentionRow) -> list[str]:
    m = row.money
    return [
        row.code,
        truncate(row.description, 70),
        money(row.estimate) if row.estimate is not None else "",
        money(m.committed),
        money(m.indicative),
        money(m.paid),
        money(row.difference) if row.difference is not None else "",
    ]


COHORT_COLUMNS = [
    "Cohort and area",
    "Offenders measured",
    "Excluded",
    "Cohort reduction",
    "Target",
    "Offenders meeting the target",
    "Share meeting the target",
    "Withheld",
]


def _cohort_cells(m: CohortMeasure) -> list[str]:
    """A cohort row: its first, over all areas, named "IOM: all areas", then one for each area
    by its name; a withheld row has no figure, only why it is withheld."""
    head = [f"{m.cohort}: all areas" if m.is_all else m.area_name]
    if m.suppressed:
        return [*head, "", "", "", "", "", "", withheld_reason(m.reason)]
    return [
        *head,
        number(m.offenders),
        number(m.excluded),
        _blank(cohort_percent(m.reduction_pct)),
        cohort_percent(m.target_pct),
        number(m.meeting_target),
        _blank(cohort_percent(m.meeting_target_pct)),
        "",
    ]


def pack_pdf(pack: OutcomesPack) -> bytes:
    """Render the pack as A4 PDF bytes."""
    from io import BytesIO

    from reportlab.platypus import CondPageBreak, Flowable, Spacer, TableStyle

    from commissioning.decisions.pdf import _no_marker
    from commissioning.decisions.pdf_form import _BOX, _boxed_table, _Form, _p
    from commissioning.formula.report_pdf import (
        _data_table,
        _numbered_canvas,
        _plain,
        a4_document,
    )

    funder = settings.SITE_ORGANISATION_NAME or "Office of the Police and Crime Commissioner"
    year = pack.year.label
    buffer = BytesIO()
    template, width = a4_document(
        buffer,
        title=f"{TITLE}, {year}: Police and Crime Panel pack",
        author=funder,
        subject=f"Outcomes of the Commissioner's agreements by theme and priority, {year}",
        creator="Commissioning: Police and Crime Panel pack",
        keywords="Police and Crime Panel, outcomes, strategic priorities, commissioning",
    )
    total = pack.rollup.total

    story: list[Flowable] = [
        _p(f"{funder.upper()} \u2014 REPORT TO THE POLICE AND CRIME PANEL", "heading"),
        _p(f"{TITLE}, {year}. Prepared on {timezone.localdate():%-d %B %Y}.", "note"),
    ]
    summary = _Form(width)
    summary.band("The pack")
    summary.field("Financial year", year)
    summary.field("Police and Crime Plan", pack.plan or NONE)
    summary.field("Agreements", number(pack.agreements))
    summary.field("Measures", number(total.measures))
    summary.field("Returns accepted", number(pack.returns_accepted))
    summary.field(
        "Ratings of accepted returns",
        ", ".join(f"{number(total.rag[r])} {r}" for r in RAGS) + " (one per measure per return)",
    )
    summary.field("Budget of the agreements", money(total.budget))
    summary.field(
        "Spent, as reported",
        f"{money(total.spent)} of {money(total.profiled)} profiled for the periods reported "
        f"({percent(total.spent_of_profile)})",
    )
    summary.field(
        "Committed in the ledger", money(pack.intentions.total.money.committed) + " for the year"
    )
    story.append(summary.table())
    story.append(Spacer(1, 8))
    if not pack.has_agreements:
        story.append(_p(f"There are no agreements for {year} yet: the tables below are empty."))

    outcome_columns = [
        "Priority",
        "Measures",
        "Target for the year",
        "Target for returns accepted",
        "Actual",
        "Achieved",
    ]
    spend_columns = [
        "Priority",
        "Budget",
        "Profile for returns accepted",
        "Spent",
        "Spent of profile",
        "Green",
        "Amber",
        "Red",
    ]

    def section(title: str, rows: list, subtotal_label: str, subtotal: Figures) -> None:
        """A theme (or the rest): its targets and actuals, then its ratings and spend."""
        outcome_rows = [cells for label, f in rows for cells in _outcome_rows(label, f)]
        last = _outcome_rows(subtotal_label, subtotal)
        story.append(CondPageBreak(200))
        story.extend(
            _boxed_table(
                f"{title}: targets and actuals",
                _data_table(outcome_columns, outcome_rows + last[:-1], last[-1], width),
                width,
            )
        )
        story.append(Spacer(1, 4))
        story.extend(
            _boxed_table(
                f"{title}: spend against budget, and ratings of accepted returns",
                _data_table(
                    spend_columns,
                    [_spend_row(label, f) for label, f in rows],
                    _spend_row(subtotal_label, subtotal),
                    width,
                ),
                width,
            )
        )
        story.append(Spacer(1, 10))

    for g in pack.rollup.groups:
        section(g.label, [(r.label, r.figures) for r in g.rows], f"Total {g.label}", g.subtotal)
    none = pack.rollup.not_linked
    section("Measures on no priority, and the total", [(none.label, none.figures)], "Total", total)

    if len(pack.years) > 1:
        columns = ["Theme or priority"]
        for y in pack.years:
            columns += [f"{y} measures", f"{y} achieved", f"{y} spent"]
        rows = []
        for yoy in pack.year_on_year[:-1]:
            cells = [yoy.label if yoy.kind != "theme" else f"{yoy.label} (total)"]
            for y in pack.years:
                f = yoy.by_year[y]
                cells += [number(f.measures), _blank(percent(f.achieved)), money(f.spent)]
            rows.append(cells)
        last = pack.year_on_year[-1]
        footer = ["Total"]
        for y in pack.years:
            f = last.by_year[y]
            footer += [number(f.measures), _blank(percent(f.achieved)), money(f.spent)]
        story += _boxed_table("Year on year", _data_table(columns, rows, footer, width), width)
        story.append(Spacer(1, 8))

    table = pack.intentions
    story += _boxed_table(
        f"Commissioning intentions: the plan's estimates and the ledger, {year}",
        _data_table(
            [
                "Code",
                "Intention",
                "Estimate",
                "Committed",
                "Indicative",
                "Paid",
                "Committed less estimate",
            ],
            [_intention_cells(r) for r in [*table.rows, table.subtotal, table.not_linked]],
            _intention_cells(table.total),
            width,
        ),
        width,
    )
    story.append(Spacer(1, 8))

    if len(pack.intention_years) > 1:
        columns = ["Code"]
        for y in pack.intention_years:
            columns += [f"{y} estimate", f"{y} committed"]
        labels = {"subtotal": "All", "none": "None named", "total": "Total"}
        rows = [
            [
                line["code"] or labels[line["kind"]],
                *[
                    text
                    for cell in line["years"]
                    for text in (
                        money(cell["estimate"]) if cell["estimate"] is not None else "",
                        money(cell["committed"]),
                    )
                ],
            ]
            for line in pack.intentions_side_by_side()
        ]
        story += _boxed_table(
            "Commissioning intentions year by year: estimate and committed",
            _data_table(columns, rows[:-1], rows[-1], width),
            width,
        )
        story.append(Spacer(1, 8))

    cohorts = _Form(width)
    cohorts.band(f"{COHORTS_TITLE}, {year}")
    cohorts.field("How they are measured", COHORT_METHOD)
    cohorts.field("Small groups", cohorts_withheld(pack.cohort_threshold))
    if not pack.cohorts:
        cohorts.field("Measured", cohorts_none(year))
    story.append(CondPageBreak(120))
    story.append(cohorts.table())
    story.append(Spacer(1, 8))
    for shown in pack.cohorts:
        band = _Form(width)
        note = f"Period measured {shown.period_label}."
        band.band(shown.title, f"{SYNTHETIC}. {note}" if shown.synthetic else note)
        cohort_table = _data_table(
            COHORT_COLUMNS,
            [_cohort_cells(m) for m in shown.rows],
            None,
            width,
        )
        cohort_table.setStyle(TableStyle(_BOX))
        story += [CondPageBreak(90), band.table(), cohort_table, Spacer(1, 8)]

    notes = _Form(width)
    notes.band("How the pack counts")
    for n, note in enumerate(NOTES, start=1):
        notes.field(f"Note {n}", note)
    story.append(notes.table())

    footer_text = _plain(f"{TITLE} {year} \u00b7 Police and Crime Panel pack")
    template.build(
        story,
        onFirstPage=_no_marker,
        onLaterPages=_no_marker,
        canvasmaker=_numbered_canvas(footer_text),
    )
    return buffer.getvalue()
