"""Reads of the budget and the ledger. Each returns fully fetched data in a fixed number of
queries, whatever the number of allocations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.http import Http404

from commissioning.core.money import ZERO, money_text, pounds
from commissioning.core.sorting import sort_chosen, sort_value

from . import reconcile as rec
from .models import (
    IN_KIND_ENTRIES,
    POT_ENTRIES,
    Account,
    Allocation,
    AllocationVersion,
    BudgetLine,
    FinancialYear,
    FindingExplanation,
    Funding,
    FundingStream,
    LedgerEntry,
    Mechanism,
    Pool,
    SourceRow,
    StatedFigure,
    Status,
    counts_in_pot,
)
from .periods import PERIODS
from .tables import Line, Table, build_table


def year_get(label_or_slug: str) -> FinancialYear:
    label = label_or_slug.replace("-", "/")
    year = FinancialYear.objects.filter(label=label).first()
    if year is None:
        raise Http404(f"No financial year {label}")
    return year


def year_list() -> QuerySet[FinancialYear]:
    return FinancialYear.objects.all()


VERSION_RELATED = (
    "allocation",
    "organisation",
    "theme",
    "primary_priority",
    "secondary_priority",
    "reach",
    "intention",
    "funding_stream",
)


def current_versions(year: FinancialYear | None = None) -> QuerySet[AllocationVersion]:
    """The latest version of every allocation (cancelled ones included)."""
    later = AllocationVersion.objects.filter(
        allocation=OuterRef("allocation"), number__gt=OuterRef("number")
    )
    qs = AllocationVersion.objects.filter(~Exists(later)).select_related(*VERSION_RELATED)
    if year is not None:
        qs = qs.filter(allocation__year=year)
    return qs


def allocation_get(uuid) -> Allocation:
    allocation = Allocation.objects.select_related("year").filter(uuid=uuid).first()
    if allocation is None:
        raise Http404("No such allocation")
    return allocation


def allocation_history(allocation: Allocation) -> list[AllocationVersion]:
    return list(
        allocation.versions.select_related(*VERSION_RELATED, "created_by")
        .prefetch_related(
            Prefetch(
                "entries",
                queryset=LedgerEntry.objects.filter(account=Account.COMMITTED).order_by("id"),
            )
        )
        .order_by("number")
    )


def current_version(allocation: Allocation) -> AllocationVersion:
    return allocation.versions.select_related(*VERSION_RELATED).order_by("-number")[0]


def paid_total(allocation: Allocation) -> Decimal:
    """What has been paid out of an allocation: its entries on the ledger's paid account."""
    return pounds(
        LedgerEntry.objects.filter(allocation=allocation, account=Account.PAID).aggregate(
            total=Sum("amount")
        )["total"]
    )


def current_amounts(version: AllocationVersion) -> dict[str, Decimal]:
    sums = (
        LedgerEntry.objects.filter(account=Account.COMMITTED, version=version)
        .values("period")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    # Round first: SQLite adds decimals in floating point, so a reversed amount can sum to
    # a trace like -1.7E-18 rather than 0.
    amounts = {row["period"]: pounds(row["total"]) for row in sums}
    return {period: amount for period, amount in amounts.items() if amount != 0}


def _line(version: AllocationVersion, amounts: dict[str, Decimal]) -> Line:
    theme = version.theme
    primary = version.primary_priority
    secondary = version.secondary_priority
    return Line(
        uuid=str(version.allocation.uuid),
        reference=version.allocation.reference,
        year="",
        organisation=version.organisation.name,
        organisation_key=version.organisation.key,
        initiative=version.initiative,
        mechanism=version.mechanism,
        mechanism_label=Mechanism(version.mechanism).label,
        theme_number=theme.number if theme else None,
        theme=theme.title if theme else "",
        primary_priority=f"{primary.code} {primary.title}" if primary else "",
        primary_priority_number=primary.number if primary else None,
        secondary_priority=f"{secondary.code} {secondary.title}" if secondary else "",
        reach_code=version.reach.code if version.reach else "",
        reach=version.reach.name if version.reach else (version.reach_as_stated or ""),
        status=version.status,
        comment=version.comment,
        amounts=amounts,
        funding=version.allocation.funding,
    )


def allocation_lines(year: FinancialYear, *, organisation_id: int | None = None) -> list[Line]:
    """Every allocation with money in the year, from two queries."""
    entries = LedgerEntry.objects.filter(account=Account.COMMITTED, year=year)
    if organisation_id is not None:
        entries = entries.filter(version__organisation_id=organisation_id)
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in entries.values("version_id", "period").annotate(total=Sum("amount")).order_by():
        if (total := pounds(row["total"])) != 0:
            sums[row["version_id"]][row["period"]] = total
    versions = AllocationVersion.objects.filter(id__in=list(sums)).select_related(*VERSION_RELATED)
    lines = [_line(v, sums[v.id]) for v in versions]
    return sorted(lines, key=lambda l: l.reference)


def ledger_by_reference(year: FinancialYear) -> dict[str, dict[str, Decimal]]:
    out: dict[str, dict[str, Decimal]] = defaultdict(dict)
    rows = (
        LedgerEntry.objects.filter(account=Account.COMMITTED, year=year)
        .values("allocation__reference", "period")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for row in rows:
        if (total := pounds(row["total"])) != 0:
            out[row["allocation__reference"]][row["period"]] = total
    return out


def pot(year: FinancialYear) -> Decimal:
    return FundingStream.objects.filter(year=year).aggregate(t=Sum("amount"))["t"] or ZERO


@dataclass
class PositionRow:
    key: str
    label: str
    budget: Decimal | None = None
    capped: bool = False
    committed: Decimal = ZERO
    indicative: Decimal = ZERO
    carried: Decimal = ZERO

    @property
    def available(self) -> Decimal | None:
        if self.budget is None:
            return None
        return self.budget - self.committed - self.indicative - self.carried

    @property
    def over(self) -> bool:
        return self.available is not None and self.available < 0


@dataclass
class Position:
    year: FinancialYear
    streams: list[FundingStream]
    pot: Decimal
    committed: Decimal
    indicative: Decimal
    reserve: Decimal
    reserve_lines: list[BudgetLine]
    by_mechanism: list[PositionRow]
    by_theme: list[PositionRow]
    by_priority: list[PositionRow]
    by_stream: list[PositionRow]
    unassigned_to_lines: Decimal
    lines_total: Decimal
    notes: list[str] = field(default_factory=list)
    carried: Decimal = ZERO
    in_kind: Decimal = ZERO  # support in kind, valued: not in any figure above

    @property
    def uncommitted(self) -> Decimal:
        return self.pot - self.committed - self.carried

    @property
    def available(self) -> Decimal:
        return self.pot - self.committed - self.indicative - self.reserve - self.carried

    def measures(self) -> dict[str, Decimal]:
        streams_subtotal = sum((s.amount for s in self.streams if s.kind != "reserve_draw"), ZERO)
        return {
            "pot": self.pot,
            "committed": self.committed,
            "indicative": self.indicative,
            "uncommitted": self.uncommitted,
            "reserve": self.reserve,
            "available": self.available,
            "carried": self.carried,
            "streams_subtotal": streams_subtotal,
            "in_kind": self.in_kind,
        }


def _status_sums(year: FinancialYear, *dims: str) -> dict[tuple, dict[str, Decimal]]:
    """Committed and indicative (by the entry's version's status) and carried to the next
    year, summed by the version's `dims`."""
    rows = (
        LedgerEntry.objects.filter(
            Q(account=Account.COMMITTED, version__status__in=[Status.COMMITTED, Status.INDICATIVE])
            | Q(account=Account.CARRIED),
            POT_ENTRIES,
            year=year,
        )
        .values(*[f"version__{d}" for d in dims], "version__status", "account")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    out: dict[tuple, dict[str, Decimal]] = defaultdict(
        lambda: {"committed": ZERO, "indicative": ZERO, "carried": ZERO}
    )
    for row in rows:
        key = tuple(row[f"version__{d}"] for d in dims)
        bucket = "carried" if row["account"] == Account.CARRIED else row["version__status"]
        out[key][bucket] += pounds(row["total"])
    return out


def in_kind_total(year: FinancialYear) -> Decimal:
    """The year's support in kind (not cash), committed or indicative: its valuation."""
    total = LedgerEntry.objects.filter(
        IN_KIND_ENTRIES,
        account=Account.COMMITTED,
        version__status__in=[Status.COMMITTED, Status.INDICATIVE],
        year=year,
    ).aggregate(total=Sum("amount"))["total"]
    return pounds(total)


def position(year: FinancialYear) -> Position:
    """The year's position, computed from the ledger in a handful of queries. Every figure
    is the pot's cash: support in kind is left out of them and given on its own (`in_kind`),
    and awards from pooled budgets are the pools' money (`pool_report`)."""
    streams = list(FundingStream.objects.filter(year=year).select_related("reserve"))
    lines = list(BudgetLine.objects.filter(year=year).select_related("reserve"))
    total_pot = sum((s.amount for s in streams), ZERO)

    by_mech_sums = _status_sums(year, "mechanism")
    mech_lines = {l.mechanism: l for l in lines if not l.is_reserve}
    by_mechanism = []
    for code, label in Mechanism.choices:
        sums = by_mech_sums.get((code,))
        line = mech_lines.get(code)
        if sums is None and line is None:
            continue
        by_mechanism.append(
            PositionRow(
                key=code,
                label=label,
                budget=line.amount if line else None,
                capped=bool(line and line.capped),
                committed=sums["committed"] if sums else ZERO,
                indicative=sums["indicative"] if sums else ZERO,
                carried=sums["carried"] if sums else ZERO,
            )
        )

    theme_sums = _status_sums(year, "theme__number", "theme__title")
    by_theme = [
        PositionRow(
            key=str(number or "all"),
            label=title or "Across all themes",
            committed=s["committed"],
            indicative=s["indicative"],
        )
        for (number, title), s in sorted(theme_sums.items(), key=lambda kv: kv[0][0] or 99)
    ]
    prio_sums = _status_sums(
        year, "primary_priority__number", "primary_priority__code", "primary_priority__title"
    )
    by_priority = [
        PositionRow(
            key=code or "none",
            label=f"{code} {title}" if code else "No strategic priority given",
            committed=s["committed"],
            indicative=s["indicative"],
        )
        for (number, code, title), s in sorted(prio_sums.items(), key=lambda kv: kv[0][0] or 99)
    ]
    stream_sums = _status_sums(year, "funding_stream")
    by_stream = []
    for stream in streams:
        s = stream_sums.get((stream.pk,), {"committed": ZERO, "indicative": ZERO})
        by_stream.append(
            PositionRow(
                key=str(stream.uuid),
                label=stream.name,
                budget=stream.amount,
                committed=s["committed"],
                indicative=s["indicative"],
            )
        )
    unattributed = stream_sums.get((None,))
    if unattributed:
        by_stream.append(
            PositionRow(
                key="unattributed",
                label="Not attributed to a funding stream",
                committed=unattributed["committed"],
                indicative=unattributed["indicative"],
            )
        )
    committed = sum((r.committed for r in by_mechanism), ZERO)
    indicative = sum((r.indicative for r in by_mechanism), ZERO)
    carried = sum((r.carried for r in by_mechanism), ZERO)
    reserve_lines = [l for l in lines if l.is_reserve]
    reserve = sum((l.amount for l in reserve_lines), ZERO)
    lines_total = sum((l.amount for l in lines if not l.is_reserve), ZERO)
    result = Position(
        year=year,
        streams=streams,
        pot=total_pot,
        committed=committed,
        indicative=indicative,
        reserve=reserve,
        reserve_lines=reserve_lines,
        by_mechanism=by_mechanism,
        by_theme=by_theme,
        by_priority=by_priority,
        by_stream=by_stream,
        unassigned_to_lines=total_pot - lines_total - reserve,
        lines_total=lines_total,
        carried=carried,
        in_kind=in_kind_total(year),
    )
    if result.available < 0:
        result.notes.append(
            f"Committed, indicative and reserve together exceed the budget by {money_text(-result.available)}."
        )
    for row in by_mechanism:
        if row.over:
            result.notes.append(
                f"{row.label}: allocations exceed the budget line by {money_text(-(row.available or ZERO))}."
            )
    if lines and result.unassigned_to_lines != 0:
        word = (
            "not assigned to any budget line" if result.unassigned_to_lines > 0 else "over-assigned"
        )
        result.notes.append(
            f"The budget lines and reserve add up to {money_text(lines_total + reserve)} against a budget of "
            f"{money_text(total_pot)}: {money_text(abs(result.unassigned_to_lines))} {word}."
        )
    return result


def year_facts(year: FinancialYear) -> rec.YearFacts:
    rows = (
        SourceRow.objects.filter(table__year=year)
        .select_related("table", "allocation")
        .prefetch_related("amounts")
        .order_by("table__key", "row")
    )
    current_orgs = {
        v.allocation_id: v.organisation
        for v in current_versions(year).prefetch_related("organisation__aliases")
    }
    stated_rows = []
    for r in rows:
        org = current_orgs.get(r.allocation_id) if r.allocation_id else None
        stated_rows.append(
            rec.StatedRow(
                table=r.table.key,
                table_name=r.table.name,
                row=r.row,
                group=r.group,
                label=(r.initiative_as_stated or r.organisation_as_stated)[:120],
                allocation=r.allocation.reference if r.allocation else None,
                stated={a.period: a.amount for a in r.amounts.all()},
                organisation_as_stated=r.organisation_as_stated,
                organisation_name=org.name if org else "",
                organisation_aliases=frozenset(a.name for a in org.aliases.all())
                if org
                else frozenset(),
            )
        )
    figures = [
        rec.Stated(
            table=f.table.key if f.table else "",
            table_name=f.table.name if f.table else "",
            label=f.label,
            scope=f.scope,
            group=f.group,
            measure=f.measure,
            period=f.period,
            amount=f.amount,
            precision=f.precision,
            stated_as=f.stated_as,
            ref=str(f.uuid),
            measure_label=f.get_measure_display() if f.measure else "",
        )
        for f in StatedFigure.objects.filter(year=year).select_related("table").order_by("id")
    ]
    pos = position(year)
    return rec.YearFacts(
        rows=stated_rows,
        figures=figures,
        ledger=ledger_by_reference(year),
        pot=pos.pot,
        position=pos.measures(),
    )


def finding_explanations(year: FinancialYear) -> dict[str, list[rec.Explanation]]:
    """The explanations written for the year's findings, by finding key, newest first."""
    out: dict[str, list[rec.Explanation]] = defaultdict(list)
    for e in FindingExplanation.objects.filter(year=year).order_by("key", "-created_at", "-id"):
        out[e.key].append(
            rec.Explanation(
                note=e.note,
                by=e.explained_by_name,
                on=e.created_at,
                stated=e.stated,
                computed=e.computed,
            )
        )
    return out


def reconcile_year(year: FinancialYear) -> list[rec.Finding]:
    """The year's findings, recomputed, each with the latest explanation of its key."""
    return rec.with_explanations(rec.reconcile(year_facts(year)), finding_explanations(year))


def findings_unexplained(year: FinancialYear) -> int:
    """How many of the year's findings no one has explained (or whose figures have changed
    since they were)."""
    return sum(1 for f in reconcile_year(year) if not f.explained)


def year_table(year: FinancialYear, by: str) -> Table:
    """The year's allocations grouped `by` one of `tables.TABLE_KINDS`, with the pot and the
    reserve when the year has funding streams; mechanisms in the order of `Mechanism`."""
    pos = position(year)
    return build_table(
        [line for line in allocation_lines(year) if counts_in_pot(line.funding)],
        by,
        mechanisms=Mechanism.values,
        pot=pos.pot if pos.streams else None,
        reserve=pos.reserve,
    )


FILTERS = ("organisation", "mechanism", "theme", "status")
# The list page's sortable columns; anything else asked for is ignored.
ALLOCATION_SORTS = ("reference", "organisation", "mechanism", "theme", "total")
ALLOCATIONS_PAGE_SIZE = 50
_HALF_PENNY = Decimal("0.005")


@dataclass
class AllocationList:
    """One page of the year's allocations as the list page shows them: filtered, searched
    and sorted as chosen, with the count and totals of the whole filtered list."""

    lines: list[Line]
    page: Page
    periods: list[str]
    totals: dict[str, Decimal]
    count: int
    chosen: dict[str, str]
    organisations: list[tuple[str, str]]
    themes: list[tuple[str, str]]
    in_kind: Decimal = ZERO  # the listed support in kind, left out of `totals`
    pooled: Decimal = ZERO  # the listed awards from pooled budgets, left out of `totals`

    @property
    def grand_total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    @property
    def sort(self) -> tuple[str, bool]:
        """The column sorted on, and whether descending."""
        chosen = self.chosen["sort"]
        return chosen.lstrip("-"), chosen.startswith("-")


def _by_label(field: str, choices: list[tuple[str, str]]) -> Case:
    """An ordering of `field` by its choices' labels, as the page shows them."""
    ranked = sorted(choices, key=lambda c: c[1].lower())
    return Case(
        *[When(**{field: code}, then=Value(i)) for i, (code, _) in enumerate(ranked)],
        default=Value(len(ranked)),
        output_field=IntegerField(),
    )


def allocation_list(
    year: FinancialYear, *, organisation_id: int | None, chosen: Mapping[str, str]
) -> AllocationList:
    """One page (`chosen["page"]`, of `ALLOCATIONS_PAGE_SIZE`) of the year's allocations with
    money in it (one organisation's, if given), filtered by organisation key, mechanism, theme
    number ("all" for none) and status, searched (`q`) in organisation, initiative and
    reference, and sorted (`sort`, one of `ALLOCATION_SORTS`, "-" before it for descending;
    by reference otherwise). The totals are the whole filtered list's, summed by the database;
    the choices offered are those of every line. Five queries, whatever the number of
    allocations and whichever page."""
    committed = Q(entries__account=Account.COMMITTED, entries__year=year)
    # Versions with money in the year: a period whose entries do not net to nothing. (A
    # varied allocation's old version has its entries reversed; SQLite sums decimals in
    # floating point, hence the half-penny either side of zero.)
    with_money = (
        LedgerEntry.objects.filter(account=Account.COMMITTED, year=year)
        .values("version_id", "period")
        .annotate(net=Sum("amount"))
        .filter(Q(net__gte=_HALF_PENNY) | Q(net__lte=-_HALF_PENNY))
        .values("version_id")
    )
    every = AllocationVersion.objects.filter(id__in=with_money)
    if organisation_id is not None:
        every = every.filter(organisation_id=organisation_id)

    picked = {k: str(chosen.get(k, "")).strip() for k in (*FILTERS, "q")}
    picked["q"] = picked["q"][:100]
    if picked["mechanism"] not in Mechanism.values:
        picked["mechanism"] = ""
    if picked["status"] not in Status.values:
        picked["status"] = ""
    if picked["theme"] != "all" and not picked["theme"].isdigit():
        picked["theme"] = ""
    shown = every
    if picked["organisation"]:
        shown = shown.filter(organisation__key=picked["organisation"])
    if picked["mechanism"]:
        shown = shown.filter(mechanism=picked["mechanism"])
    if picked["theme"] == "all":
        shown = shown.filter(theme__isnull=True)
    elif picked["theme"]:
        shown = shown.filter(theme__number=int(picked["theme"]))
    if picked["status"]:
        shown = shown.filter(status=picked["status"])
    if picked["q"]:
        shown = shown.filter(
            Q(organisation__name__icontains=picked["q"])
            | Q(initiative__icontains=picked["q"])
            | Q(allocation__reference__icontains=picked["q"])
        )

    key, descending = sort_chosen(chosen.get("sort"), ALLOCATION_SORTS, "reference")
    picked["sort"] = sort_value(key, descending)
    columns: dict[str, F | Expression] = {
        "reference": F("allocation__reference"),
        "organisation": Lower("organisation__name"),
        "mechanism": _by_label("mechanism", Mechanism.choices),
        "theme": F("theme__number"),
        "total": F("year_total"),
    }
    column = columns[key]
    ordering = column.desc(nulls_last=True) if descending else column.asc(nulls_last=True)
    rows = (
        shown.select_related(*VERSION_RELATED)
        .annotate(
            year_total=Sum("entries__amount", filter=committed),
            **{
                f"amount_{p}": Sum("entries__amount", filter=committed & Q(entries__period=p))
                for p in PERIODS
            },
        )
        .order_by(ordering, "allocation__reference", "id")
    )
    page = Paginator(rows, ALLOCATIONS_PAGE_SIZE).get_page(chosen.get("page"))
    lines = []
    for v in page:
        amounts = {p: pounds(getattr(v, f"amount_{p}")) for p in PERIODS}
        lines.append(_line(v, {p: a for p, a in amounts.items() if a != 0}))

    sums = (
        LedgerEntry.objects.filter(
            account=Account.COMMITTED, year=year, version__in=shown.values("id")
        )
        .values("period", "allocation__funding")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    by_period: dict[str, Decimal] = defaultdict(lambda: ZERO)
    in_kind = pooled = ZERO
    for row in sums:
        if counts_in_pot(row["allocation__funding"]):
            by_period[row["period"]] += pounds(row["total"])
        elif row["allocation__funding"] == Funding.POOLED:
            pooled += pounds(row["total"])
        else:
            in_kind += pounds(row["total"])
    periods = [p for p in PERIODS if by_period.get(p, ZERO) != 0]
    themes = set(every.values_list("theme__number", "theme__title").distinct().order_by())
    return AllocationList(
        lines=lines,
        page=page,
        periods=periods,
        totals={p: by_period[p] for p in periods},
        in_kind=in_kind,
        pooled=pooled,
        count=page.paginator.count,
        chosen=picked,
        organisations=sorted(
            set(every.values_list("organisation__key", "organisation__name").distinct().order_by()),
            key=lambda o: o[1].lower(),
        ),
        themes=[
            (str(number or "all"), title or "Across all themes")
            for number, title in sorted(themes, key=lambda t: (t[0] is None, t[0] or 0))
        ],
    )


def reconciliation_sections(
    year: FinancialYear, findings: list[rec.Finding] | None = None
) -> list[dict]:
    """The year's reconciliation findings grouped by kind, in the order they were found,
    each kind's unexplained findings first."""
    groups: dict[str, list[rec.Finding]] = {}
    for finding in reconcile_year(year) if findings is None else findings:
        groups.setdefault(finding.kind, []).append(finding)
    return [
        {
            "kind": k,
            "label": rec.KIND_LABELS.get(k, k),
            "findings": sorted(v, key=lambda f: f.explained),
            "unexplained": sum(1 for f in v if not f.explained),
        }
        for k, v in groups.items()
    ]


def allocation_sources(allocation: Allocation) -> QuerySet[SourceRow]:
    """The rows of the papers this allocation was entered from."""
    return SourceRow.objects.filter(allocation=allocation).select_related(
        "table", "table__document"
    )


def organisation_years(organisation_id: int | None) -> list[dict]:
    """An organisation's allocations year by year, each year with its total."""
    if organisation_id is None:
        return []
    sections = []
    for fy in year_list():
        lines = allocation_lines(fy, organisation_id=organisation_id)
        if lines:
            sections.append(
                {"year": fy, "lines": lines, "total": sum((l.total for l in lines), ZERO)}
            )
    return sections


def organisation_versions(organisation) -> QuerySet[AllocationVersion]:
    """The current version of each of an organisation's allocations that is not cancelled."""
    return (
        current_versions()
        .filter(organisation=organisation)
        .exclude(status=Status.CANCELLED)
        .order_by("allocation__year__starts", "allocation__reference")
    )


# --- Pooled budgets ---


def pool_committed(pool: Pool) -> Decimal:
    """What the partners have committed to a pool: the sum its awards may not pass."""
    return pounds(
        pool.contributions.filter(status="committed").aggregate(total=Sum("amount"))["total"]
    )


def pool_awarded(pool: Pool, *, excluding: Allocation | None = None) -> Decimal:
    """What is committed to awards from a pool (optionally leaving one award out)."""
    entries = LedgerEntry.objects.filter(
        allocation__pool=pool, account=Account.COMMITTED, version__status=Status.COMMITTED
    )
    if excluding is not None:
        entries = entries.exclude(allocation=excluding)
    return pounds(entries.aggregate(total=Sum("amount"))["total"])


def year_pools(year: FinancialYear) -> list[Pool]:
    return list(Pool.objects.filter(year=year).select_related("host"))


def pool_get(year: FinancialYear, slug: str) -> Pool:
    pool = Pool.objects.filter(year=year, slug=slug).select_related("host", "year").first()
    if pool is None:
        raise Http404(f"No pooled budget {slug} in {year}")
    return pool


@dataclass(frozen=True)
class ContributionShare:
    """One partner's contribution and, when it is committed, its share of what the pool
    awarded, paid and has left unspent (to the penny; each column adds up to the pool's)."""

    contributor: str
    amount: Decimal
    status: str
    period: str
    conditions: str
    illustrative: bool
    cite: str
    allocation_uuid: str  # the PCC's contribution: the allocation of the pot that pays it
    allocation_reference: str
    share: Decimal | None  # of the committed contributions, as a fraction; None if indicative
    awarded: Decimal | None
    paid: Decimal | None
    unspent: Decimal | None

    @property
    def share_pct(self) -> Decimal | None:
        """The share as the page and the export both show it: per cent to two places."""
        return None if self.share is None else (self.share * 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class PoolAward:
    uuid: str
    reference: str
    organisation: str
    initiative: str
    status: str
    total: Decimal
    paid: Decimal


@dataclass(frozen=True)
class PoolReport:
    """A pool as its page and export show it. `committed` is what the partners committed;
    `awarded` and `paid` are the ledger's, for the pool's awards; what is unspent is shared
    back in proportion to the committed contributions (at the year end, the underspend
    returned to each partner)."""

    pool: Pool
    contributions: list[ContributionShare]
    awards: list[PoolAward]
    committed: Decimal
    indicative: Decimal
    awarded: Decimal
    paid: Decimal
    problems: list[str]

    @property
    def contributed(self) -> Decimal:
        return self.committed + self.indicative

    @property
    def committed_partners(self) -> int:
        return sum(1 for c in self.contributions if c.status == "committed")

    @property
    def not_awarded(self) -> Decimal:
        return self.committed - self.awarded

    @property
    def unspent(self) -> Decimal:
        return self.committed - self.paid

    @property
    def uncontributed(self) -> Decimal:
        """The part of the agreed total no partner has yet offered."""
        return self.pool.agreed_total - self.contributed


def pool_report(pool: Pool) -> PoolReport:
    """The pool, its contributions and awards, and each partner's shares, in a fixed number
    of queries. A share is the committed contribution's proportion of all committed ones,
    split to the penny by largest remainder (`shares_of`), so the shares add up exactly."""
    from commissioning.core.money import shares_of

    contributions = list(
        pool.contributions.select_related("contributor", "allocation").order_by("id")
    )
    committed_rows = [c for c in contributions if c.status == "committed"]
    committed = sum((c.amount for c in committed_rows), ZERO)
    indicative = sum((c.amount for c in contributions if c.status != "committed"), ZERO)

    versions = {
        v.allocation_id: v for v in current_versions(pool.year).filter(allocation__pool=pool)
    }
    sums = (
        LedgerEntry.objects.filter(allocation__pool=pool)
        .filter(Q(account=Account.PAID) | Q(account=Account.COMMITTED))
        .values("allocation_id", "account")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    paid_by: dict[int, Decimal] = defaultdict(lambda: ZERO)
    committed_by: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in sums:
        target = paid_by if row["account"] == Account.PAID else committed_by
        target[row["allocation_id"]] += pounds(row["total"])
    awards = [
        PoolAward(
            uuid=str(v.allocation.uuid),
            reference=v.allocation.reference,
            organisation=v.organisation.name,
            initiative=v.initiative,
            status=v.status,
            total=committed_by[allocation_id],
            paid=paid_by[allocation_id],
        )
        for allocation_id, v in sorted(versions.items(), key=lambda kv: kv[1].allocation.reference)
    ]
    awarded = sum((a.total for a in awards if a.status == Status.COMMITTED), ZERO)
    paid = sum((a.paid for a in awards), ZERO)

    weights = [c.amount for c in committed_rows]
    if committed:
        awarded_shares = shares_of(awarded, weights)
        paid_shares = shares_of(paid, weights)
    else:
        awarded_shares = paid_shares = []
    shared = {
        c.pk: (c.amount / committed, a, p, c.amount - p)
        for c, a, p in zip(committed_rows, awarded_shares, paid_shares, strict=True)
    }
    rows = []
    problems = []
    for c in contributions:
        share, a_share, p_share, unspent = shared.get(c.pk, (None, None, None, None))
        rows.append(
            ContributionShare(
                contributor=c.contributor.name,
                amount=c.amount,
                status=c.status,
                period=PERIODS[c.period].label,
                conditions=c.conditions,
                illustrative=c.illustrative,
                cite=c.cite,
                allocation_uuid=str(c.allocation.uuid) if c.allocation else "",
                allocation_reference=c.allocation.reference if c.allocation else "",
                share=share,
                awarded=a_share,
                paid=p_share,
                unspent=unspent,
            )
        )
        if c.allocation is not None:
            now = pounds(
                LedgerEntry.objects.filter(
                    allocation=c.allocation,
                    account=Account.COMMITTED,
                    version__status=Status.COMMITTED,
                ).aggregate(total=Sum("amount"))["total"]
            )
            if c.status == "committed" and now != c.amount:
                problems.append(
                    f"The PCC's contribution is recorded as {money_text(c.amount)}, but the allocation "
                    f"that pays it, {c.allocation.reference}, now commits {money_text(now)}: record "
                    "the pool's contribution again, or vary the allocation back."
                )
    if awarded > committed:
        problems.append(
            f"{money_text(awarded)} is awarded from the pool but only {money_text(committed)} is "
            "committed to it."
        )
    return PoolReport(
        pool=pool,
        contributions=rows,
        awards=awards,
        committed=committed,
        indicative=indicative,
        awarded=awarded,
        paid=paid,
        problems=problems,
    )


# --- The year by theme, beside the year before ---


@dataclass(frozen=True)
class ThemeChange:
    theme: str
    this_year: Decimal
    earlier: Decimal | None  # None when there is no earlier year to compare with

    @property
    def change(self) -> Decimal | None:
        return None if self.earlier is None else self.this_year - self.earlier


@dataclass(frozen=True)
class ThemeChart:
    """The year's money by plan theme (committed and indicative, cash of the pot), as bars,
    beside the latest earlier year that has any (hatched), and the same as a table."""

    svg: str
    earlier: FinancialYear | None
    rows: list[ThemeChange]

    @property
    def total(self) -> Decimal:
        return sum((r.this_year for r in self.rows), ZERO)

    @property
    def earlier_total(self) -> Decimal | None:
        if self.earlier is None:
            return None
        return sum((r.earlier or ZERO for r in self.rows), ZERO)


def _theme_money(pos: Position) -> dict[str, Decimal]:
    return {r.label: r.committed + r.indicative for r in pos.by_theme}


def theme_chart(year: FinancialYear, pos: Position) -> ThemeChart | None:
    """None when nothing is allocated in the year yet. The earlier year is the latest one
    before it with money allocated (the example's years are 2013/14 and 2016/17)."""
    from django.utils.safestring import mark_safe

    from commissioning.core.charts import bar_chart_svg

    now = _theme_money(pos)
    if not any(now.values()):
        return None
    earlier = None
    before: dict[str, Decimal] = {}
    for candidate in FinancialYear.objects.filter(starts__lt=year.starts).order_by("-starts"):
        before = _theme_money(position(candidate))
        if any(before.values()):
            earlier = candidate
            break
    labels = list(now) + [label for label in before if label not in now]
    rows = [
        ThemeChange(
            theme=label,
            this_year=now.get(label, ZERO),
            earlier=before.get(label, ZERO) if earlier is not None else None,
        )
        for label in labels
    ]
    svg = bar_chart_svg(
        [(r.theme, r.this_year) for r in rows],
        title=f"{year.label} budget by theme",
        value_label=money_text,
        compare=[(r.theme, r.earlier or ZERO) for r in rows] if earlier is not None else None,
        compare_label=earlier.label if earlier is not None else "",
        label=year.label,
        width=640,
    )
    return ThemeChart(
        svg=mark_safe(svg),  # noqa: S308 - built from our own numbers by core.charts, which escapes text
        earlier=earlier,
        rows=rows,
    )
