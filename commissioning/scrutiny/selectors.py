"""Reads for the Police and Crime Panel's outcomes pack, in a fixed number of queries whatever
the number of agreements, measures and returns: every year's facts are read at once (the pack
shows the years side by side) and added up by `rollup`.

Which agreements count: those issued, accepted or closed (their terms were settled when they
were issued); drafts, whose terms may still change, and cancelled ones do not. An agreement
belongs to the year of the allocation it rests on. Only accepted returns count: their actuals,
the officer's RAG, their spend, and the targets and profile of their periods.

The intentions' money is the ledger's: what is committed (and indicative) on the allocations
whose current version names the intention, and what the ledger's paid account has paid out of
them, for the year; every allocation counts once, so the intentions' totals and the row of
allocations naming none add up to the year's committed total (`budgets.selectors.position`).

The reoffending cohorts measured for the year are the cohort team's aggregate measures with
small counts withheld, always read through `cohorts.selectors.cohort_summary(suppress=True)`,
the one way cohort figures leave the team: no pseudonym and no record reaches the pack.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from commissioning.agreements.models import (
    Agreement,
    AgreementStatus,
    BudgetProfile,
    Measure,
    MeasureActual,
    MeasureTarget,
    MonitoringReturn,
    ReturnStatus,
    SpendLine,
)
from commissioning.budgets.models import POT_ENTRIES, Account, FinancialYear, LedgerEntry, Status
from commissioning.budgets.selectors import current_versions
from commissioning.cohorts.measures import Measure as CohortMeasure
from commissioning.cohorts.models import CohortUpload
from commissioning.cohorts.selectors import cohort_summary
from commissioning.cohorts.services import suppress_under
from commissioning.core.money import pounds
from commissioning.plans.models import (
    CommissioningIntention,
    EstimateKind,
    IntentionEstimate,
    Plan,
    StrategicPriority,
    Theme,
)

from .rollup import (
    ZERO,
    IntentionInfo,
    IntentionTable,
    MeasureFacts,
    Money,
    PriorityInfo,
    Rollup,
    ThemeInfo,
    YearOnYearRow,
    intention_table,
    roll_up,
    share,
    year_on_year,
)

LIVE = (AgreementStatus.ISSUED, AgreementStatus.ACTIVE, AgreementStatus.CLOSED)


@dataclass(frozen=True)
class CohortGroup:
    """One cohort of an upload as the pack shows it: over all areas, then area by area."""

    cohort: str
    total: CohortMeasure  # area "all"
    areas: tuple[CohortMeasure, ...]

    @property
    def rows(self) -> tuple[CohortMeasure, ...]:
        return (self.total, *self.areas)


@dataclass(frozen=True)
class CohortSection:
    """One cohort upload measuring the pack's year, its rows as `cohort_summary` gives them
    (suppressed), grouped by cohort. Nothing here names a person or a record."""

    uuid: uuid.UUID
    name: str
    period_label: str
    target_pct: Decimal
    synthetic: bool
    groups: tuple[CohortGroup, ...]

    @property
    def title(self) -> str:
        return f"Reoffending cohorts: {self.name}"

    @property
    def rows(self) -> list[CohortMeasure]:
        """Every row in the order shown: each cohort over all areas, then its areas."""
        return [m for g in self.groups for m in g.rows]


@dataclass
class OutcomesPack:
    """Everything the pack shows for one year, and the years beside it."""

    year: FinancialYear
    plan: str
    agreements: int
    returns_accepted: int
    rollup: Rollup
    years: list[str]  # the years with agreements, oldest first: the year-on-year columns
    year_on_year: list[YearOnYearRow]
    intentions: IntentionTable
    intention_years: list[str]  # years with an estimate or money for an intention
    intentions_by_year: dict[str, IntentionTable] = field(default_factory=dict)
    cohorts: list[CohortSection] = field(default_factory=list)
    cohort_threshold: int = 0  # rows of fewer offenders than this are withheld

    @property
    def has_agreements(self) -> bool:
        return self.agreements > 0

    def intentions_side_by_side(self) -> list[dict]:
        """Each intention (then the intentions together, the allocations naming none and the
        total) with its estimate and what is committed, for every year of `intention_years`."""
        tables = [self.intentions_by_year[label].every_row() for label in self.intention_years]
        first = self.intentions_by_year[self.intention_years[0]]
        kinds = {
            id(first.subtotal): "subtotal",
            id(first.not_linked): "none",
            id(first.total): "total",
        }
        out = []
        for n, row in enumerate(first.every_row()):
            cells = [
                {
                    "estimate": t[n].estimate,
                    "committed": t[n].money.committed,
                    "paid": t[n].money.paid,
                }
                for t in tables
            ]
            out.append(
                {
                    "code": row.code,
                    "description": row.description,
                    "kind": kinds.get(id(row), ""),
                    "years": cells,
                }
            )
        return out


def _themes(referenced: set[int]) -> list[ThemeInfo]:
    """The current plan's themes with their priorities (and any other plan's theme that a
    measure's priority belongs to), in the plan's order. Three queries."""
    plan = Plan.objects.order_by("-starts").values_list("id", flat=True).first()
    priorities: dict[int, list[PriorityInfo]] = defaultdict(list)
    for p in StrategicPriority.objects.order_by("plan_id", "number").values(
        "id", "code", "title", "theme_id"
    ):
        priorities[p["theme_id"]].append(PriorityInfo(p["id"], p["code"], p["title"]))
    themes = []
    for t in Theme.objects.order_by("plan__starts", "number").values(
        "id", "number", "title", "plan_id"
    ):
        mine = tuple(priorities.get(t["id"], ()))
        if t["plan_id"] == plan or any(p.id in referenced for p in mine):
            themes.append(ThemeInfo(t["id"], t["number"], t["title"], mine))
    return themes


def measure_facts() -> tuple[dict[str, list[MeasureFacts]], dict[str, int], dict[str, int]]:
    """Every live agreement's measures as facts, by year label; how many live agreements and
    accepted returns each year has. Seven queries, whatever the numbers."""
    agreement_year = {
        pk: label
        for pk, label in Agreement.objects.filter(status__in=LIVE).values_list(
            "id", "allocation__year__label"
        )
    }
    measures: dict[int, list[tuple[int, str | None, int | None]]] = defaultdict(list)
    for pk, unit, priority, agreement in (
        Measure.objects.filter(outcome__agreement__status__in=LIVE)
        .order_by("outcome__order", "order")
        .values_list("id", "unit", "priority_id", "outcome__agreement_id")
    ):
        measures[agreement].append((pk, unit, priority))

    accepted_periods: set[int] = set()
    rags: dict[int, list[str]] = defaultdict(list)
    returns_by_year: dict[str, int] = defaultdict(int)
    for period, agreement, rag in MonitoringReturn.objects.filter(
        status=ReturnStatus.ACCEPTED, period__agreement__status__in=LIVE
    ).values_list("period_id", "period__agreement_id", "officer_rag"):
        accepted_periods.add(period)
        rags[agreement].append(rag)
        returns_by_year[agreement_year[agreement]] += 1

    targets: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for measure, period, target in MeasureTarget.objects.filter(
        measure__outcome__agreement__status__in=LIVE
    ).values_list("measure_id", "period_id", "target"):
        targets[measure].append((period, target))

    actuals: dict[int, list[Decimal]] = defaultdict(list)
    for measure, value in MeasureActual.objects.filter(
        report__status=ReturnStatus.ACCEPTED, measure__outcome__agreement__status__in=LIVE
    ).values_list("measure_id", "value"):
        actuals[measure].append(value)

    budget: dict[int, Decimal] = defaultdict(lambda: ZERO)
    profiled: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for agreement, period, amount in BudgetProfile.objects.filter(
        category__agreement__status__in=LIVE
    ).values_list("category__agreement_id", "period_id", "amount"):
        budget[agreement] += amount
        if period in accepted_periods:
            profiled[agreement] += amount

    spent: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for agreement, amount in SpendLine.objects.filter(
        report__status=ReturnStatus.ACCEPTED, report__period__agreement__status__in=LIVE
    ).values_list("report__period__agreement_id", "amount"):
        spent[agreement] += amount

    by_year: dict[str, list[MeasureFacts]] = defaultdict(list)
    agreements_by_year: dict[str, int] = defaultdict(int)
    for agreement, label in agreement_year.items():
        agreements_by_year[label] += 1
        # an agreement with no measures: one fact with no unit, so its money still counts
        mine = measures.get(agreement) or [(0, None, None)]
        n = len(mine)
        shares = zip(
            share(pounds(budget[agreement]), n),
            share(pounds(profiled[agreement]), n),
            share(pounds(spent[agreement]), n),
            strict=True,
        )
        for (measure, unit_of, priority_of), (b, p, s) in zip(mine, shares, strict=True):
            mine_targets = targets.get(measure, [])
            by_year[label].append(
                MeasureFacts(
                    agreement=agreement,
                    year=label,
                    priority=priority_of,
                    unit=unit_of,
                    targets=tuple(t for _, t in mine_targets),
                    reported_targets=tuple(t for per, t in mine_targets if per in accepted_periods),
                    actuals=tuple(actuals.get(measure, [])),
                    rags=tuple(rags.get(agreement, [])),
                    budget=b,
                    profiled=p,
                    spent=s,
                )
            )
    return dict(by_year), dict(agreements_by_year), dict(returns_by_year)


def _estimates(plan_id: int | None) -> dict[tuple[int, str], Decimal]:
    """Each intention's estimate per year: the total the paper states, or else the sum of its
    lines (by area or purchasing system). One query."""
    stated: dict[tuple[int, str], Decimal] = {}
    lines: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    if plan_id is None:
        return {}
    for intention, label, kind, amount in IntentionEstimate.objects.filter(
        intention__plan_id=plan_id
    ).values_list("intention_id", "year__label", "kind", "amount"):
        if kind == EstimateKind.TOTAL:
            stated[(intention, label)] = amount
        else:
            lines[(intention, label)] += amount
    return {**lines, **stated}


def intention_money() -> dict[str, dict[int | None, Money]]:
    """The ledger by year and by the intention each allocation's current version names:
    committed and indicative (by its current status) and paid, in cash (support in kind is
    not money from the pot). Two queries."""
    current = {
        allocation: (intention, status)
        for allocation, intention, status in current_versions().values_list(
            "allocation_id", "intention_id", "status"
        )
    }
    out: dict[str, dict[int | None, Money]] = defaultdict(lambda: defaultdict(Money))
    for allocation, label, account, total in (
        LedgerEntry.objects.filter(POT_ENTRIES)
        .values_list("allocation_id", "year__label", "account")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        amount = pounds(total)
        if amount == 0:
            continue
        intention, status = current.get(allocation, (None, Status.CANCELLED))
        money = out[label][intention]
        if account == Account.PAID:
            money.paid += amount
        elif account != Account.COMMITTED:
            continue  # carried to the next year's pot: counted there, as the pot's money
        elif status == Status.COMMITTED:
            money.committed += amount
        elif status == Status.INDICATIVE:
            money.indicative += amount
    return {label: dict(by) for label, by in out.items()}


def cohort_uploads_of(year: FinancialYear) -> list[CohortUpload]:
    """The cohort uploads that measure `year`: those whose period is the year's label
    ("2013/14", or written "2013-14"). Of several uploads with the same name only the most
    recent counts (it is the team's latest file for that cohort set: an earlier one is kept
    until its retention date, but is superseded). In name order. One query."""
    latest: dict[str, CohortUpload] = {}
    for upload in CohortUpload.objects.filter(
        period_label__in=[year.label, year.label.replace("/", "-")]
    ).order_by("-created_at", "-id"):
        latest.setdefault(upload.name, upload)
    return sorted(latest.values(), key=lambda u: (u.name.casefold(), u.name))


def _cohort_groups(rows: list[CohortMeasure]) -> tuple[CohortGroup, ...]:
    """`cohort_summary`'s rows (each cohort's areas, then its "all" row), each cohort's
    "all" row first."""
    areas: dict[str, list[CohortMeasure]] = {}
    totals: dict[str, CohortMeasure] = {}
    for m in rows:
        areas.setdefault(m.cohort, [])
        if m.is_all:
            totals[m.cohort] = m
        else:
            areas[m.cohort].append(m)
    return tuple(CohortGroup(name, totals[name], tuple(mine)) for name, mine in areas.items())


def cohort_sections(year: FinancialYear) -> list[CohortSection]:
    """The reoffending cohorts measured for `year`, small counts withheld. One query for the
    uploads, then `cohort_summary`'s two for each upload shown (its rows, its areas' names),
    whatever the number of records, cohorts and areas."""
    return [
        CohortSection(
            uuid=upload.uuid,
            name=upload.name,
            period_label=upload.period_label,
            target_pct=upload.target_percent,
            synthetic=upload.synthetic,
            groups=_cohort_groups(cohort_summary(upload, suppress=True)),
        )
        for upload in cohort_uploads_of(year)
    ]


def outcomes_pack(year: FinancialYear) -> OutcomesPack:
    """The outcomes pack for `year`: the roll-up by theme and priority, the years side by
    side, the commissioning intentions against the ledger and the reoffending cohorts. A
    fixed number of queries (two more for each cohort upload shown)."""
    facts, agreements, returns = measure_facts()
    referenced = {f.priority for fs in facts.values() for f in fs if f.priority is not None}
    themes = _themes(referenced)
    years = sorted(
        set(agreements) | {year.label}, key=lambda label: FinancialYear.parse_label(label)[0]
    )
    rollups = {label: roll_up(facts.get(label, []), themes) for label in years}
    shown_years = [label for label in years if agreements.get(label)] or [year.label]

    plan = Plan.objects.order_by("-starts").values("id", "title").first()
    plan_id = plan["id"] if plan else None
    intentions = (
        [
            IntentionInfo(pk, code, description)
            for pk, code, description in CommissioningIntention.objects.filter(plan_id=plan_id)
            .order_by("code")
            .values_list("id", "code", "description")
        ]
        if plan_id is not None
        else []
    )
    estimates = _estimates(plan_id)
    money = intention_money()
    known = {i.id for i in intentions}
    intention_years = sorted(
        {label for (_, label) in estimates}
        | {label for label, by in money.items() if any(k in known for k in by)}
        | {year.label},
        key=lambda label: FinancialYear.parse_label(label)[0],
    )
    tables = {}
    for label in intention_years:
        by = dict(money.get(label, {}))
        unknown = Money()
        for key in [k for k in by if k is not None and k not in known]:
            unknown.add(by.pop(key))  # an intention of an older plan: counted as none
        if unknown != Money():
            by.setdefault(None, Money()).add(unknown)
        tables[label] = intention_table(
            intentions,
            {i.id: estimates[(i.id, label)] for i in intentions if (i.id, label) in estimates},
            by,
        )
    return OutcomesPack(
        year=year,
        plan=plan["title"] if plan else "",
        agreements=agreements.get(year.label, 0),
        returns_accepted=returns.get(year.label, 0),
        rollup=rollups[year.label],
        years=shown_years,
        year_on_year=year_on_year({label: rollups[label] for label in shown_years}),
        intentions=tables[year.label],
        intention_years=intention_years,
        intentions_by_year=tables,
        cohorts=cohort_sections(year),
        cohort_threshold=suppress_under(),
    )


def pack_years() -> list[dict]:
    """The years there is a pack for, newest first, with how many agreements each has: every
    financial year (a year with none says so on its page). Two queries."""
    counts: dict[str, int] = defaultdict(int)
    for label in Agreement.objects.filter(status__in=LIVE).values_list(
        "allocation__year__label", flat=True
    ):
        counts[label] += 1
    return [
        {"year": y, "agreements": counts.get(y.label, 0)}
        for y in FinancialYear.objects.order_by("-starts")
    ]
