"""A scenario of the medium-term financial strategy as an A4 PDF for the CFO to take to the
Panel: the base year, the assumptions, income, expenditure and the gap, the commissioning
pot, the precept options beside the printed table, and where the printed figures do not
follow. The same figures as the page (`selectors.report`), in the papers' plain style of the
Panel pack (`scrutiny.pdf`): boxed bands and ruled tables, Helvetica, the one money format.

reportlab (and the shared helpers, which import it) is imported inside `scenario_pdf`, so
the rest of the app loads without it.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from commissioning.core.money import money_text

from . import calc
from .selectors import Report


def scenario_pdf(report: Report) -> bytes:
    """Render the scenario as A4 PDF bytes."""
    from io import BytesIO

    from reportlab.platypus import CondPageBreak, Flowable, Spacer

    from commissioning.decisions.pdf import _no_marker
    from commissioning.decisions.pdf_form import _boxed_table, _Form, _p
    from commissioning.formula.report_pdf import (
        _data_table,
        _numbered_canvas,
        _plain,
        a4_document,
    )

    scenario = report.scenario
    funder = settings.SITE_ORGANISATION_NAME or "Office of the Police and Crime Commissioner"
    title = f"Medium-term financial strategy: {scenario.name}"
    buffer = BytesIO()
    template, width = a4_document(
        buffer,
        title=title,
        author=funder,
        subject=scenario.title,
        creator="Commissioning: medium-term financial strategy",
        keywords="medium-term financial strategy, precept, funding gap, commissioning pot",
    )
    years = report.years
    base = report.projection.base

    story: list[Flowable] = [
        _p(f"{funder.upper()} \u2014 MEDIUM-TERM FINANCIAL STRATEGY", "heading"),
        _p(
            f"Scenario {scenario.name}. Prepared on {timezone.localdate():%-d %B %Y}. Every "
            "figure is worked out from the assumptions below with exact decimals and shown to "
            "the penny.",
            "note",
        ),
    ]
    summary = _Form(width)
    summary.band(scenario.title)
    if scenario.plan:
        summary.field("Police and Crime Plan", str(scenario.plan))
    if scenario.document:
        summary.field("Taken from", f"{scenario.document.title} ({scenario.cite})")
    summary.field("Base year", scenario.base_year)
    summary.field("Budget requirement", money_text(base.budget_requirement))
    summary.field("Council tax requirement", money_text(base.council_tax_requirement))
    summary.field(
        "Tax base and Band D",
        f"{calc.fmt_number(base.tax_base)} Band D equivalents at "
        f"£{calc.fmt_number(base.band_d, calc.BAND_D_PLACES)}",
    )
    summary.field("Government funding", f"{money_text(base.grant.pounds)}: {base.grant.how}")
    if scenario.notes:
        summary.field("Notes", scenario.notes)
    story += [summary.table(), Spacer(1, 8)]

    money_names = set(calc.MONEY_FIELDS)
    assumption_rows = [
        [label, *(money_text(v) if name in money_names else calc.fmt_pct(v) for v in values)]
        for name, label, values in report.assumption_table()
    ]
    story += _boxed_table(
        "Assumptions, each on the year before",
        _data_table(["Assumption", *years], assumption_rows, None, width),
        width,
    )
    story.append(Spacer(1, 8))
    gap_rows = [
        [label, *(money_text(f.pounds) for f in figures)]
        for _, label, figures in report.gap_table()
    ]
    story += _boxed_table(
        "Income, expenditure and the funding gap",
        _data_table(["Figure", *years], gap_rows, None, width),
        width,
    )
    story.append(Spacer(1, 8))

    p = report.pot
    pot_years = [y.year for y in p.years]
    pot_rows = [
        ["Commissioning pot", *(money_text(y.pot) for y in p.years)],
        ["Of which drawn from reserves", *(money_text(y.reserve_draws) for y in p.years)],
        [
            "The scenario's use of reserves",
            *("" if y.use_of_reserves is None else money_text(y.use_of_reserves) for y in p.years),
        ],
        ["Pot as a share of expenditure", *(calc.fmt_pct(y.share.value) for y in p.years)],
        ["Pot at risk from the gap", *(money_text(y.at_risk.value) for y in p.years)],
        ["Pot if the gap is closed in proportion", *(money_text(y.pot_after) for y in p.years)],
    ]
    carried = (
        f" No budget for {' or '.join(p.carried)} yet: the pot shown is the latest earlier year's."
        if p.carried
        else ""
    )
    story.append(CondPageBreak(160))
    story += _boxed_table(
        "The commissioning pot: what the gap left would take from it if closed in proportion "
        f"(pot \u00d7 gap \u00f7 expenditure).{carried}",
        _data_table(["Figure", *pot_years], pot_rows, None, width),
        width,
    )
    story.append(Spacer(1, 8))
    if p.tracks or p.notes:
        reserves = _Form(width)
        reserves.band("Reserve commitments and the scenario")
        for t in p.tracks:
            by_year = "; ".join(
                f"{c.year} drawn {money_text(c.drawn)}, {money_text(c.remaining)} to draw"
                for c in t.years
            )
            reserves.field(t.commitment.purpose, f"{t.summary()}. {by_year}.")
        for n, note in enumerate(p.notes, start=1):
            reserves.field(f"Note {n}", note)
        story += [reserves.table(), Spacer(1, 8)]

    precept_rows = []
    for row in report.precept_rows:
        cells = []
        for option, cell in row.cells:
            text = money_text(option.additional_income.pounds)
            if cell is not None:
                text += f" (printed {money_text(cell.stated.amount)}"
                if cell.agrees or cell.difference is None:
                    text += ", agrees)" if cell.agrees else ")"
                else:
                    text += f", differs by {money_text(cell.difference)})"
            cells.append(text)
        precept_rows.append([calc.fmt_pct(row.increase_pct), *cells])
    story.append(CondPageBreak(120))
    story += _boxed_table(
        "Precept options: additional income from a precept that much higher",
        _data_table(["Increase", *years], precept_rows, None, width),
        width,
    )
    story.append(Spacer(1, 8))

    rec = report.reconciliation
    findings = _Form(width)
    findings.band(
        "Where the printed figures do not follow",
        f"{rec.precept_agreeing} of {len(rec.precept)} printed precept figures and "
        f"{rec.gaps_agreeing} of {len(rec.gaps)} printed gaps agree with this scenario.",
    )
    for f in rec.findings:
        text = f"{f.note}"
        if f.difference is not None:
            text += f"; printed less computed {money_text(f.difference)}"
        text += "."
        if f.explanations:
            text += " " + " ".join(f.explanations)
        findings.field(f"{f.where}" + (f" ({f.cite})" if f.cite else ""), text)
    if not rec.findings:
        findings.field("Findings", "None: every printed figure agrees.")
    story.append(findings.table())

    footer_text = _plain(title)
    template.build(
        story,
        onFirstPage=_no_marker,
        onLaterPages=_no_marker,
        canvasmaker=_numbered_canvas(footer_text),
    )
    return buffer.getvalue()
