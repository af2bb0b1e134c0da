"""The late-returns rule of a run (the 2022 scheme, para 15): set per run, said in the
method, applied area by area when the run is adopted (held indicative, or reduced to the
penny), recorded on the adoption with the returns that triggered it; never for an area with
fewer late returns than the rule's number, nor for returns late by no more than its days.

The returns are real agreements' returns for the partnerships: agreements on the test year
2031/32, so the run is adopted for 2032/33 and lateness judged on 1 June 2032."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from commissioning.agreements import late as agreements_late
from commissioning.agreements import returns
from commissioning.agreements import services as agreement_services
from commissioning.agreements.models import MonitoringReturn
from commissioning.budgets import services as budget_services
from commissioning.budgets.models import FinancialYear, Status
from commissioning.budgets.selectors import current_version, year_get
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.formula import explain, late, selectors, services
from commissioning.formula.models import FormulaRun
from tests.agreements.conftest import ready

pytestmark = pytest.mark.django_db

WEIGHTS = {"harm": D(65), "rate": D(20), "population": D(15)}
TODAY = dt.date(2032, 6, 1)  # the day the run is adopted in these tests
LEICESTER, RUTLAND = "E06000016", "E06000017"
PLAIN_PARAMS = {"pot", "weights", "unit", "minimum", "floor_pct", "cap_pct", "phase_in"}


def request(**kw) -> services.RunRequest:
    base = dict(year=year_get("2023/24"), pot=D("639675"), weights=WEIGHTS)
    base.update(kw)
    return services.RunRequest(**base)


@pytest.fixture
def next_year(cfo) -> FinancialYear:
    """The year the run is adopted for: the one after the test year (2031/32)."""
    return budget_services.financial_year_get_or_create(actor=cfo, label="2032/33")


@pytest.fixture
def agreement_for(make_allocation, officer, user_with):
    """An accepted agreement on the test year for an area's partnership, with its four
    quarterly returns (Q4's falls due in the April after the year), and its partner."""

    def make(area_code: str):
        organisation = selectors.organisation_for_area(area_code)
        partner = user_with(Role.PARTNER, organisation=organisation)
        allocation = make_allocation(
            "10000",
            status=Status.COMMITTED,
            organisation=organisation,
            initiative=f"Project of {organisation.name}",
        )
        agreement = ready(
            agreement_services.agreement_draft(actor=officer, allocation=allocation), officer
        )
        agreement_services.agreement_issue(actor=officer, agreement=agreement)
        agreement_services.agreement_accept(
            actor=partner, agreement=agreement, name="Pat Partner", position="Director"
        )
        agreement.refresh_from_db()
        return agreement, partner

    return make


def quarter(agreement, n: int):
    return agreement.periods.get(number=n)


def submit(period, partner, on: dt.date) -> None:
    """The partner submits the period's return, recorded as submitted on the day `on` (the
    services stamp the real time; the day is set after, as the agreements tests do)."""
    agreement = period.agreement
    returns.return_save(
        actor=partner,
        period=period,
        spend={c.pk: "0" for c in agreement.budget_categories.all()},
        actuals={m.pk: "1" for o in agreement.outcomes.all() for m in o.measures.all()},
        achievements="Work done",
        partner_rag="green",
    )
    returns.return_submit(actor=partner, period=period)
    MonitoringReturn.objects.filter(period=period).update(
        submitted_at=timezone.make_aware(dt.datetime.combine(on, dt.time(12)))
    )


def days_after_due(period, days: int) -> dt.date:
    return period.due_on + dt.timedelta(days=days)


def area_allocations(adoption) -> dict[str, object]:
    """The adoption's allocations by the area they reach, as their current versions."""
    versions = [current_version(a) for a in adoption.allocations.all()]
    return {v.reach.code: v for v in versions}


# --- the rule is a parameter of the run ------------------------------------------------


def test_without_a_rule_the_params_have_no_late_returns_key(officer):
    """A run without a rule stores exactly the parameters runs stored before the rule
    existed, so existing runs' inputs and hashes are unchanged."""
    plain = services.build_snapshot(request(), actor=officer)
    assert set(plain["params"]) == PLAIN_PARAMS
    explicit_none = services.build_snapshot(
        request(late_action="none", late_returns=3, late_days=9), actor=officer
    )
    assert explicit_none == plain


def test_a_rule_adds_its_key_and_leaves_the_computation_alone(officer):
    """With a rule the params gain `late_returns`, nothing else changes, and the output is
    byte-identical to the same run without the rule."""
    plain = services.formula_run_create(actor=officer, req=request(title="No rule"))
    ruled = services.formula_run_create(
        actor=officer,
        req=request(
            title="Rule", late_action="reduce", late_returns=2, late_days=14, late_percent=D("10")
        ),
    )
    assert ruled.inputs["params"]["late_returns"] == {
        "action": "reduce",
        "returns": 2,
        "days": 14,
        "percent": "10",
    }
    assert {k: v for k, v in ruled.inputs["params"].items() if k != "late_returns"} == (
        plain.inputs["params"]
    )
    assert ruled.output_hash == plain.output_hash
    assert selectors.formula_run_recompute(ruled)[1]


@pytest.mark.parametrize(
    ("kw", "fields"),
    [
        ({"late_action": "delay"}, {"late_action"}),
        ({"late_action": "hold", "late_returns": 0}, {"late_returns"}),
        ({"late_action": "hold", "late_days": -1}, {"late_days"}),
        ({"late_action": "reduce"}, {"late_percent"}),
        ({"late_action": "reduce", "late_percent": D("0")}, {"late_percent"}),
        ({"late_action": "reduce", "late_percent": D("100.01")}, {"late_percent"}),
        (
            {"late_action": "reduce", "late_returns": 0, "late_days": -3},
            {"late_returns", "late_days", "late_percent"},
        ),
    ],
)
def test_a_bad_rule_is_refused_naming_each_field_and_nothing_is_stored(kw, fields, officer):
    before = (FormulaRun.objects.count(), AuditEvent.objects.count())
    with pytest.raises(services.FormulaInputError) as exc:
        services.formula_run_create(actor=officer, req=request(**kw))
    assert set(exc.value.message_dict) == fields
    assert (FormulaRun.objects.count(), AuditEvent.objects.count()) == before


def test_a_reduction_of_all_of_it_is_allowed_and_a_hold_ignores_a_percentage():
    assert late.late_rule("reduce", 1, 0, D("100")) == late.LateRule("reduce", 1, 0, D("100"))
    assert late.late_rule("hold", 2, 7, D("50")) == late.LateRule("hold", 2, 7, None)


# --- the method says it ----------------------------------------------------------------


def test_the_method_says_the_rule_in_words(officer):
    held = services.build_snapshot(
        request(
            late_action="hold",
            late_returns=2,
            late_days=14,
            previous_year=year_get("2016/17"),
        ),
        actor=officer,
    )
    text = " ".join(explain.method(held))
    assert (
        "Late returns: an area whose partnership had 2 or more monitoring returns late by "
        "more than 14 days, of those due in 2016/17" in text
    )
    assert "held (indicative) until the late returns are in" in text
    cut = services.build_snapshot(
        request(late_action="reduce", late_percent=D("12.5")), actor=officer
    )
    text = " ".join(explain.method(cut))
    assert (
        "had a monitoring return late, of those due in the financial year before the one "
        "the run is adopted for" in text
    )
    assert "reduced by 12.5%; the amount withheld stays unallocated in the fund" in text
    plain = services.build_snapshot(request(), actor=officer)
    assert not any(p.startswith("Late returns") for p in explain.method(plain))


# --- the facts: which returns are late -------------------------------------------------


def test_a_return_submitted_late_counts_and_one_in_on_time_does_not(agreement_for, year):
    agreement, partner = agreement_for(LEICESTER)
    q1, q2, q3 = (quarter(agreement, n) for n in (1, 2, 3))
    submit(q1, partner, days_after_due(q1, 1))  # a day late
    submit(q2, partner, q2.due_on)  # on the day it was due
    submit(q3, partner, days_after_due(q3, -5))  # early
    found = agreements_late.late_returns(agreement.organisation, year, 0, TODAY)
    assert [(r.label, r.days_late, r.submitted_on) for r in found] == [
        (q1.label, 1, days_after_due(q1, 1))
    ]
    rule = late.LateRule("hold", 1, 0)
    assert late.rule_applies(rule, found)
    assert not late.rule_applies(late.LateRule("hold", 2, 0), found)


def test_a_return_not_in_is_late_from_its_due_date_and_one_sent_back_is_not_in(
    agreement_for, year, officer
):
    agreement, partner = agreement_for(LEICESTER)
    q1, q2 = quarter(agreement, 1), quarter(agreement, 2)
    submit(q2, partner, q2.due_on)
    returns.return_send_back(actor=officer, period=q2, comment="Add the case study")
    found = {
        r.label: r for r in agreements_late.late_returns(agreement.organisation, year, 0, TODAY)
    }
    assert found[q1.label].submitted_on is None
    assert found[q1.label].days_late == (TODAY - q1.due_on).days
    assert found[q2.label].submitted_on is None and not found[q2.label].is_in
    assert found[q2.label].days_late == (TODAY - q2.due_on).days


def test_only_returns_due_in_the_year_before_count(agreement_for, year):
    """Q4 of the test year falls due after the year ends: not in, and overdue on the day of
    adoption, it still does not count for the year."""
    agreement, partner = agreement_for(LEICESTER)
    q1, q2, q3, q4 = (quarter(agreement, n) for n in (1, 2, 3, 4))
    for period in (q1, q2, q3):
        submit(period, partner, period.due_on)
    assert year.ends < q4.due_on < TODAY
    assert agreements_late.late_returns(agreement.organisation, year, 0, TODAY) == []
    # the same return in its own year does count
    following = FinancialYear(
        label="2032/33", starts=dt.date(2032, 4, 1), ends=dt.date(2033, 3, 31)
    )
    assert [
        r.label for r in agreements_late.late_returns(agreement.organisation, following, 0, TODAY)
    ] == [q4.label]


def test_no_source_registered_means_no_late_returns(agreement_for, year, monkeypatch):
    agreement, _partner = agreement_for(LEICESTER)
    assert late.late_returns_for(agreement.organisation, year, 0, TODAY)  # Q1 to Q3 not in
    monkeypatch.setattr(late, "_SOURCES", [])
    assert late.late_returns_for(agreement.organisation, year, 0, TODAY) == []


def test_the_year_before_is_the_comparison_year_or_else_the_year_before_adoption(year, next_year):
    compared = late.year_before({"previous": {"year": "2016/17"}}, next_year)
    assert compared == year_get("2016/17")
    assert late.year_before({"previous": None}, next_year) == year  # 2031/32
    later = FinancialYear(label="2041/42", starts=dt.date(2041, 4, 1), ends=dt.date(2042, 3, 31))
    unsaved = late.year_before({}, later)
    assert unsaved.pk is None
    assert (unsaved.label, unsaved.starts, unsaved.ends) == (
        "2040/41",
        dt.date(2040, 4, 1),
        dt.date(2041, 3, 31),
    )


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        ("100.01", "50", "50.01"),  # 50.005: half a penny rounds up
        ("1000", "12.5", "875.00"),
        ("80000", "100", "0.00"),
        ("33333", "33.3", "22233.11"),  # 22,233.111
    ],
)
def test_a_reduction_is_exact_to_the_penny(amount, percent, expected):
    got = late.reduced(D(amount), D(percent))
    assert got == D(expected) and got.as_tuple().exponent == -2


# --- adoption applies the rule ---------------------------------------------------------


def test_adopting_with_a_hold_records_the_area_indicative_with_its_returns(
    agreement_for, next_year, officer
):
    """Leicester's partnership had two returns late by more than 14 days (one still not
    in, one submitted 30 days late): its allocation is recorded indicative although
    committed was asked, its comment says why, and the adoption lists it. Rutland's one
    late return is fewer than two: it is committed as the run shares it."""
    leicester, l_partner = agreement_for(LEICESTER)
    q1, q2, q3 = (quarter(leicester, n) for n in (1, 2, 3))
    submit(q2, l_partner, days_after_due(q2, 30))
    submit(q3, l_partner, q3.due_on)
    rutland, r_partner = agreement_for(RUTLAND)
    for n in (2, 3):
        submit(quarter(rutland, n), r_partner, quarter(rutland, n).due_on)
    run = services.formula_run_create(
        actor=officer, req=request(title="Held", late_action="hold", late_returns=2, late_days=14)
    )
    adoption = services.formula_run_adopt(
        actor=officer, run=run, year=next_year, status=Status.COMMITTED, today=TODAY
    )
    by_area = area_allocations(adoption)
    shared = {a.area_code: a.allocation for a in run.areas.all()}
    held = by_area[LEICESTER]
    assert held.status == Status.INDICATIVE and held.total == shared[LEICESTER]
    assert "Held under the run's late-returns rule" in held.comment
    assert f"{leicester.reference} {q1.label}" in held.comment
    assert f"{leicester.reference} {q2.label}" in held.comment
    assert q3.label not in held.comment
    others = {code: v for code, v in by_area.items() if code != LEICESTER}
    assert all(v.status == Status.COMMITTED for v in others.values())
    assert all(v.total == shared[code] for code, v in others.items())
    assert sum(v.total for v in by_area.values()) == run.pot
    [record] = adoption.late_returns
    assert record["area_code"] == LEICESTER and record["action"] == "hold"
    assert record["before"] == record["after"] == str(shared[LEICESTER])
    assert record["allocation"] == held.allocation.reference
    assert [(r["label"], r["submitted_on"]) for r in record["returns"]] == [
        (q1.label, None),
        (q2.label, days_after_due(q2, 30).isoformat()),
    ]
    assert record["returns"][1]["days_late"] == 30
    event = AuditEvent.objects.filter(action="formula_run.adopt").latest("id")
    assert event.after["late_returns"] == adoption.late_returns
    assert event.after["late_rule"]["action"] == "hold"


def test_a_hold_lasts_until_the_returns_are_in(agreement_for, next_year, officer):
    agreement, partner = agreement_for(LEICESTER)
    q1 = quarter(agreement, 1)
    run = services.formula_run_create(
        actor=officer, req=request(title="Hold one", late_action="hold", late_returns=1)
    )
    adoption = services.formula_run_adopt(actor=officer, run=run, year=next_year, today=TODAY)
    allocation = area_allocations(adoption)[LEICESTER].allocation
    problems = late.hold_problems(allocation, TODAY)
    assert len(problems) == 3 and q1.label in problems[0] and "is not in" in problems[0]
    for n in (1, 2, 3):
        submit(quarter(agreement, n), partner, dt.date(2032, 6, 10))
    assert len(late.hold_problems(allocation, dt.date(2032, 6, 5))) == 3  # not in yet then
    assert late.hold_problems(allocation, dt.date(2032, 6, 15)) == []
    other = area_allocations(adoption)[RUTLAND].allocation
    assert late.hold_problems(other, TODAY) == []


def test_adopting_with_a_reduction_takes_the_percentage_to_the_penny(
    agreement_for, next_year, officer
):
    agreement_for(LEICESTER)  # Q1 to Q3 not in
    percent = D("33.3")
    run = services.formula_run_create(
        actor=officer,
        req=request(title="Cut", late_action="reduce", late_returns=3, late_percent=percent),
    )
    adoption = services.formula_run_adopt(
        actor=officer, run=run, year=next_year, status=Status.COMMITTED, today=TODAY
    )
    shared = run.areas.get(area_code=LEICESTER).allocation
    expected = (shared * (100 - percent) / 100).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    by_area = area_allocations(adoption)
    cut = by_area[LEICESTER]
    assert cut.total == expected and cut.status == Status.COMMITTED
    assert "Reduced by 33.3% from" in cut.comment
    assert sum(v.total for v in by_area.values()) == run.pot - (shared - expected)
    [record] = adoption.late_returns
    assert (record["action"], D(record["before"]), D(record["after"])) == (
        "reduce",
        shared,
        expected,
    )
    assert len(record["returns"]) == 3


@pytest.mark.parametrize(("days", "applies"), [(13, True), (14, False)])
def test_returns_late_by_no_more_than_the_days_do_not_count(
    days, applies, agreement_for, next_year, officer
):
    """Two returns submitted 14 and 15 days late: both count when the rule's days are 13;
    only one when they are 14, fewer than the rule's two."""
    agreement, partner = agreement_for(LEICESTER)
    q1, q2, q3 = (quarter(agreement, n) for n in (1, 2, 3))
    submit(q1, partner, days_after_due(q1, 14))
    submit(q2, partner, days_after_due(q2, 15))
    submit(q3, partner, q3.due_on)
    run = services.formula_run_create(
        actor=officer,
        req=request(title=f"Days {days}", late_action="hold", late_returns=2, late_days=days),
    )
    adoption = services.formula_run_adopt(
        actor=officer, run=run, year=next_year, status=Status.COMMITTED, today=TODAY
    )
    status = area_allocations(adoption)[LEICESTER].status
    assert (status == Status.INDICATIVE) is applies
    assert bool(adoption.late_returns) is applies


def test_a_run_without_a_rule_adopts_as_before(agreement_for, next_year, officer):
    agreement_for(LEICESTER)
    run = services.formula_run_create(actor=officer, req=request(title="No rule here"))
    adoption = services.formula_run_adopt(
        actor=officer, run=run, year=next_year, status=Status.COMMITTED, today=TODAY
    )
    assert adoption.late_returns == []
    assert {v.status for v in area_allocations(adoption).values()} == {Status.COMMITTED}
    event = AuditEvent.objects.filter(action="formula_run.adopt").latest("id")
    assert "late_returns" not in event.after


# --- the pages -------------------------------------------------------------------------


def test_the_run_form_has_a_late_returns_fieldset_and_reports_every_error(client, officer):
    client.force_login(officer)
    page = client.get(reverse("formula-create")).content.decode()
    assert 'id="late-returns"' in page and ">Late returns</h2>" in page
    assert 'name="late_action" type="radio" value="hold"' in page
    for name in ("late_returns", "late_days", "late_percent"):
        assert f'name="{name}"' in page
    before = FormulaRun.objects.count()
    bad = client.post(
        reverse("formula-create"),
        {
            "year": year_get("2023/24").pk,
            "pot": "639,675",
            "weight_harm": "65",
            "weight_rate": "20",
            "weight_population": "10",
            "population_source": "census2021",
            "join": "merge",
            "unit": "1",
            "late_action": "reduce",
            "late_returns": "0",
            "late_days": "-2",
            "late_percent": "",
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 400
    assert "add up to 95%" in text
    assert 'href="#id_late_returns"' in text and "1 or more" in text
    assert 'href="#id_late_days"' in text and "0 or more" in text
    assert 'href="#id_late_percent"' in text and "percentage to reduce" in text
    assert FormulaRun.objects.count() == before


def test_a_rule_set_on_the_form_is_stored_and_shown_then_applied_at_adoption(
    client, officer, agreement_for, next_year
):
    agreement_for(LEICESTER)
    client.force_login(officer)
    ok = client.post(
        reverse("formula-create"),
        {
            "title": "From the form",
            "year": year_get("2023/24").pk,
            "pot": "639,675",
            "weight_harm": "65",
            "weight_rate": "20",
            "weight_population": "15",
            "population_source": "census2021",
            "join": "merge",
            "unit": "1",
            "late_action": "hold",
            "late_returns": "2",
            "late_days": "7",
        },
    )
    assert ok.status_code == 302
    run = FormulaRun.objects.get(title="From the form")
    assert run.inputs["params"]["late_returns"] == {
        "action": "hold",
        "returns": 2,
        "days": 7,
        "percent": None,
    }
    page = client.get(ok["Location"]).content.decode()
    assert "2 or more monitoring returns late by more than 7 days, of those due in" in page
    assert "Late returns at adoption" not in page  # not adopted yet
    # adopted today, long before any of the test year's returns falls due: no area is late,
    # and the page says so
    adopted = client.post(
        reverse("formula-adopt", args=[run.uuid]),
        {"year": next_year.pk, "status": Status.COMMITTED},
        follow=True,
    )
    assert "The late-returns rule changed no area&#x27;s allocation." in adopted.content.decode()
    page = client.get(ok["Location"]).content.decode()
    assert "Late returns at adoption" in page and 'id="late-returns-none"' in page


def test_the_run_page_lists_each_area_the_rule_changed(client, officer, agreement_for, next_year):
    agreement, _partner = agreement_for(LEICESTER)
    run = services.formula_run_create(
        actor=officer, req=request(title="Page", late_action="hold", late_returns=3)
    )
    services.formula_run_adopt(actor=officer, run=run, year=next_year, today=TODAY)
    client.force_login(officer)
    page = client.get(reverse("formula-run", args=[run.uuid])).content.decode()
    table = page[page.index('id="late-returns-table"') :]
    assert "Leicester" in table and "Held (indicative) until the returns are in" in table
    assert f"{agreement.reference} {quarter(agreement, 1).label}" in table
    assert "Still held" in table  # the returns are still not in today
    assert 'id="late-returns-none"' not in page


# --- the command line ------------------------------------------------------------------


def cli(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


BASE = [
    "formula",
    "run",
    "--year",
    "2023/24",
    "--pot",
    "639675",
    "--weights",
    "harm=65,rate=20,population=15",
]


def test_the_cli_stores_a_run_with_its_rule_and_says_it():
    before = FormulaRun.objects.count()
    _out, err = cli(
        *BASE,
        "--save",
        "--late-action",
        "reduce",
        "--late-returns",
        "2",
        "--late-days",
        "30",
        "--late-percent",
        "15",
    )
    assert FormulaRun.objects.count() == before + 1
    run = FormulaRun.objects.order_by("-id").first()
    assert run.inputs["params"]["late_returns"] == {
        "action": "reduce",
        "returns": 2,
        "days": 30,
        "percent": "15",
    }
    assert "late by more than 30 days" in err and "reduced by 15%" in err


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--late-action", "reduce"], "--late-percent"),
        (["--late-action", "hold", "--late-returns", "0"], "--late-returns"),
        (["--late-days", "5"], "--late-action"),
    ],
)
def test_the_cli_refuses_a_bad_rule_naming_the_flag(flags, message):
    before = FormulaRun.objects.count()
    with pytest.raises(CommandError, match=message):
        cli(*BASE, "--save", *flags)
    assert FormulaRun.objects.count() == before


def test_the_cli_refuses_a_rule_on_an_indicators_file(tmp_path):
    path = tmp_path / "ind.csv"
    path.write_text("area_code,area_name,harm\nA,Alpha,1\n")
    with pytest.raises(CommandError, match="use it with --year"):
        cli(
            "formula",
            "run",
            "--indicators",
            str(path),
            "--pot",
            "10",
            "--weights",
            "harm=100",
            "--late-action",
            "hold",
        )


def test_a_held_allocation_cannot_be_committed_while_its_returns_are_not_in(
    agreement_for, next_year, officer
):
    """Committing asks budgets' commit checks, and the formula registers the hold there."""
    from django.core.exceptions import ValidationError

    from commissioning.budgets.services import allocation_commit

    agreement, _partner = agreement_for(LEICESTER)
    run = services.formula_run_create(
        actor=officer, req=request(title="Hold to commit", late_action="hold", late_returns=1)
    )
    adoption = services.formula_run_adopt(actor=officer, run=run, year=next_year, today=TODAY)
    held = area_allocations(adoption)[LEICESTER].allocation
    with pytest.raises(ValidationError) as excinfo:
        allocation_commit(actor=officer, allocation=held)
    assert f"{agreement.reference} {quarter(agreement, 1).label}" in " ".join(
        excinfo.value.message_dict["status"]
    )
    assert area_allocations(adoption)[LEICESTER].status == Status.INDICATIVE
    other = area_allocations(adoption)[RUTLAND].allocation
    assert allocation_commit(actor=officer, allocation=other).status == Status.COMMITTED
