"""The commissioning pot inside the MTFS (issue 12 item 4): each scenario year's pot from the
budget ledger, what the year's gap would take from it, a change to the scenario flowing
through to the pot, and the £1m reserve commitment tracked year by year against its draws."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from commissioning.budgets.models import FinancialYear, FundingStream, Reserve, StreamKind
from commissioning.core.models import AuditEvent
from commissioning.core.money import money_text
from commissioning.mtfs import calc, pot, selectors, services
from commissioning.mtfs.models import ReserveCommitment

from .conftest import inputs_004


def facts(**pots) -> dict[str, pot.PotFacts]:
    return {
        label.replace("_", "/"): pot.PotFacts(label.replace("_", "/"), *v)
        for label, v in pots.items()
    }


def test_the_gap_left_puts_the_pot_at_risk_in_proportion():
    projection = calc.compute(inputs_004())
    years = pot.pot_years(projection, facts(**{"2013_14": (D("3249023"), D("294994"))}))
    assert [y.year for y in years] == ["2013/14", "2014/15", "2015/16", "2016/17"]
    base, y1415 = years[0], years[1]
    assert base.is_base and base.budgeted and base.at_risk.value == 0
    assert base.reserve_draws == D("294994")
    # 2014/15 has no budget of its own: it carries 2013/14's pot, and says so.
    assert not y1415.budgeted and y1415.source_year == "2013/14"
    assert y1415.pot == D("3249023") and y1415.reserve_draws == 0
    gap = projection.year("2014/15").gap.value
    expenditure = projection.year("2014/15").expenditure.value
    expected = (D("3249023") * gap / expenditure).quantize(D("0.01"))
    assert y1415.at_risk.value == expected == D("11312.07")
    assert y1415.pot_after == D("3249023") - expected
    assert y1415.share.value == D("1.907")  # 3,249,023 / 170,350,000


def test_a_precept_one_percent_higher_lowers_the_gap_and_the_pot_at_risk():
    inputs = inputs_004()
    higher = calc.inputs_with(inputs, "2014/15", precept_change_pct=D("1"))
    ledger = facts(**{"2013_14": (D("3249023"), D("294994"))})
    before = pot.pot_years(calc.compute(inputs), ledger)[1]
    after = pot.pot_years(calc.compute(higher), ledger)[1]
    extra = (
        calc.compute(higher).year("2014/15").income.value
        - calc.compute(inputs).year("2014/15").income.value
    )
    assert after.gap == before.gap - extra
    assert after.at_risk.value < before.at_risk.value
    assert after.at_risk.value == (D("3249023") * after.gap / after.expenditure).quantize(D("0.01"))


def test_no_gap_puts_nothing_at_risk_and_no_budget_says_so():
    inputs = calc.inputs_with(inputs_004(), "2014/15", use_of_reserves=D("10000000"))
    years = pot.pot_years(calc.compute(inputs), {})
    assert years[1].gap < 0 and years[1].at_risk.value == 0
    assert all(y.source_year == "" and y.pot == 0 for y in years)


def test_a_commitment_is_tracked_year_by_year():
    c = pot.Commitment("c", "Boost", "BER", D("1000000"), "2013/14", "2015/16")
    t = pot.track(c, {"2013/14": D("294994"), "2016/17": D("5")}, {"2013/14"})
    assert [(y.year, y.drawn, y.drawn_to_date, y.remaining) for y in t.years] == [
        ("2013/14", D("294994"), D("294994"), D("705006")),
        ("2014/15", 0, D("294994"), D("705006")),
        ("2015/16", 0, D("294994"), D("705006")),
    ]
    assert t.outside == (("2016/17", D("5")),)
    assert t.remaining == D("705006") and not t.overdrawn
    assert "2014/15 and 2015/16 not yet budgeted" in t.summary()
    over = pot.track(c, {"2013/14": D("600000"), "2014/15": D("400000.01")}, set())
    assert over.overdrawn and "£0.01 more than committed" in over.summary()


def test_the_example_links_its_pot_and_its_commitment(db, scenario):
    report = selectors.report(scenario).pot
    by_year = {y.year: y for y in report.years}
    assert by_year["2013/14"].pot == D("3249023") and by_year["2013/14"].reserve_draws == D(
        "294994"
    )
    assert by_year["2016/17"].budgeted and by_year["2016/17"].pot == D("4611000")
    (track,) = report.tracks
    assert track.commitment.amount == D("1000000")
    assert track.drawn == D("294994") and track.remaining == D("705006")
    assert any("£705,006 of the commitment is still to be drawn" in n for n in report.notes)


def test_a_new_draw_in_the_ledger_moves_the_commitment(db, scenario, cfo):
    year = FinancialYear.objects.get(label="2014/15")
    FundingStream.objects.create(
        year=year,
        name="Use of Budget Equalisation Reserve 2014/15",
        amount=D("350000"),
        kind=StreamKind.RESERVE_DRAW,
        reserve=Reserve.objects.get(name="Budget Equalisation Reserve"),
    )
    report = selectors.report(scenario).pot
    (track,) = report.tracks
    assert track.remaining == D("355006")
    y = {p.year: p for p in report.years}["2014/15"]
    assert y.budgeted and y.reserve_draws == D("350000")
    # The scenario plans no use of reserves in 2014/15: the pot's draw is outside it.
    assert y.draws_outside_scenario == D("350000")
    assert any("2014/15: the pot draws £350,000 on reserves" in n for n in report.notes)


def test_a_commitment_is_refused_naming_every_field(db, cfo):
    with pytest.raises(ValidationError) as caught:
        services.reserve_commitment_create(
            actor=cfo,
            data=services.CommitmentData(
                name="Bad Name",
                reserve="No such reserve",
                purpose=" ",
                amount="-5",
                first_year="2015/16",
                last_year="2013/14",
            ),
        )
    fields = set(caught.value.message_dict)
    assert fields == {"name", "reserve", "purpose", "amount", "last_year"}
    assert not ReserveCommitment.objects.filter(name="Bad Name").exists()


def test_a_commitment_is_audited(db, cfo):
    row = services.reserve_commitment_create(
        actor=cfo,
        data=services.CommitmentData(
            name="ber-more",
            reserve="Budget Equalisation Reserve",
            purpose="More",
            amount="250,000",
            first_year="2016/17",
            last_year="2017/18",
        ),
    )
    assert row.amount == D("250000")
    event = AuditEvent.objects.get(action="mtfs.commitment_create", object_uuid=row.uuid)
    assert event.after["name"] == "ber-more"


def test_only_the_cfo_records_a_commitment(db, officer):
    with pytest.raises(ValidationError, match="only the Chief Finance Officer"):
        services.reserve_commitment_create(
            actor=officer,
            data=services.CommitmentData(
                "x", "Budget Equalisation Reserve", "X", "1", "2013/14", "2013/14"
            ),
        )


def test_the_cli_prints_the_pot(db, scenario):
    out = io.StringIO()
    call_command("mtfs", "pot", "--scenario", "llr-2013-12", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == pot.POT_COLUMNS
    assert rows[1]["year"] == "2014/15" and rows[1]["pot_at_risk"] == "11312.07"
    assert D(rows[1]["pot"]) - D(rows[1]["pot_at_risk"]) == D(rows[1]["pot_after"])
    out = io.StringIO()
    call_command("mtfs", "pot", "--scenario", "llr-2013-12", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["reserve_commitments"][0]["remaining"] == "705006.00"
    assert data["notes"]


def test_the_page_shows_the_pot_and_a_change_moves_it(client, db, scenario, cfo):
    client.force_login(cfo)
    url = reverse("mtfs-scenario", args=["llr-2013-12"])
    html = client.get(url).content.decode()
    assert 'id="pot-table"' in html and "£11,312.07" in html
    assert "ber-commissioning-1m" in html and "£705,006" in html
    response = client.post(
        reverse("mtfs-copy", args=["llr-2013-12"]), {"name": "plus-one", "title": "Plus one"}
    )
    assert response.status_code == 302
    values = {
        n: calc.pct_text(D(getattr(scenario.years.get(year="2014/15"), n)))
        for n in calc.YEAR_FIELDS
    }
    values["precept_change_pct"] = "1"
    response = client.post(
        reverse("mtfs-year-edit", args=["plus-one", "2014-15"]), {**values, "reason": "What if"}
    )
    assert response.status_code == 302, response.content.decode()[:800]
    changed = selectors.report(selectors.scenario_get("plus-one")).pot
    new_risk = {y.year: y for y in changed.years}["2014/15"].at_risk.value
    assert new_risk < D("11312.07")
    html = client.get(
        reverse("mtfs-compare") + "?first=llr-2013-12&second=plus-one"
    ).content.decode()
    assert 'id="compare-pot"' in html
    assert (new_risk - D("11312.07")).copy_abs().quantize(
        D("0.01")
    ).to_eng_string() in html.replace(",", "")
    download = client.get(reverse("mtfs-download", args=["plus-one", "pot", "csv"]))
    assert download.status_code == 200 and b"pot_at_risk" in download.content


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed"
)
def test_the_scenario_pdf_carries_the_page_figures(client, db, scenario, officer):
    client.force_login(officer)
    response = client.get(reverse("mtfs-download", args=["llr-2013-12", "scenario", "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=response.content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    report = selectors.report(scenario)
    y = report.projection.year("2014/15")
    # The page's figures, in the one money format: the gap, the pot at risk, the precept cell.
    assert money_text(y.gap.pounds) in text
    assert "£11,312.07" in text and "£705,006" in text
    assert "(printed £496,000," in text
    assert f"{report.reconciliation.precept_agreeing} of 12 printed precept figures" in text
    # Another scenario's figures follow its own inputs.
    other = client.get(reverse("mtfs-download", args=["llr-2013-01", "scenario", "pdf"]))
    assert other.status_code == 200 and other.content != response.content


def test_the_panel_member_may_read_the_pdf_and_a_partner_may_not(
    client, db, user_with, organisation
):
    from commissioning.core.roles import Role

    url = reverse("mtfs-download", args=["llr-2013-12", "scenario", "pdf"])
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    assert client.get(url).status_code == 200
    client.force_login(user_with(Role.PARTNER, organisation=organisation))
    assert client.get(url).status_code == 403
    assert client.get(
        reverse("mtfs-download", args=["llr-2013-12", "scenario", "xlsx"])
    ).status_code in (403, 404)
