"""The reoffending measures of a cohort, as the Panel's thematic report reads them (seed paper
004, paras 17-21). Pure: no ORM, no settings; Decimal throughout.

For each cohort, per area and over all areas (area "all"):

- **offenders**: the offenders measured, that is the caseload less those **excluded**, who
  are left out of the measures and counted (para 19): in custody throughout the current
  period, or with no offences in the baseline period (nothing to reduce);
- **reduction_pct**: the cohort reduction, `1 - sum(current) / sum(baseline)` over the
  offenders measured, as a percentage to two places (ROUND_HALF_UP); negative when offending
  went up; blank when nobody is measured;
- **meeting_target** and **meeting_target_pct**: the number and share (of the offenders
  measured, two places) of offenders meeting the target on their own (para 20): an offender
  meets it when `current <= baseline * (1 - target / 100)`.

`suppress` prepares the measures for anyone outside the officers who may see cohort data. A
row of fewer offenders than the threshold is withheld: figures blank, `suppressed` true,
reason "too few to judge" (para 21). Then, so that a withheld area cannot be worked out by
taking the shown areas from the cohort's "all" row, while the withheld areas of a cohort
together hold fewer offenders than the threshold (and its "all" row is shown), the smallest
shown area is withheld as well, with its own reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ALL = "all"
TOO_FEW = "too few to judge"
WORKED_OUT = "withheld so that a smaller area's figures cannot be worked out from the total"
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)

COLUMNS = (
    "cohort",
    "area_code",
    "offenders",
    "excluded",
    "reduction_pct",
    "meeting_target",
    "meeting_target_pct",
    "suppressed",
)


@dataclass(frozen=True)
class Offender:
    """One row of a cohort file: an offender in a cohort (by pseudonym, which the measures
    never need)."""

    cohort: str
    area_code: str
    in_custody: bool
    baseline: int
    current: int

    @property
    def excluded(self) -> bool:
        """Left out of the measures: in custody throughout, or no baseline offences."""
        return self.in_custody or self.baseline == 0


def meets_target(baseline: int, current: int, target: Decimal) -> bool:
    """An offender meets the target when their offences fell by at least target per cent."""
    return Decimal(current) <= Decimal(baseline) * (1 - Decimal(target) / HUNDRED)


def percent(part: int, whole: int) -> Decimal:
    """part / whole as a percentage to two places, halves rounded up."""
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TWO_PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class Measure:
    """One cohort in one area (or over all areas, `area_code` "all")."""

    cohort: str
    area_code: str
    target_pct: Decimal
    offenders: int | None
    excluded: int | None
    baseline_offences: int | None
    current_offences: int | None
    reduction_pct: Decimal | None
    meeting_target: int | None
    meeting_target_pct: Decimal | None
    suppressed: bool = False
    reason: str = ""
    area_name: str = ""

    @property
    def is_all(self) -> bool:
        return self.area_code == ALL

    @property
    def caseload(self) -> int | None:
        """Everyone in the cohort here, measured or excluded."""
        if self.offenders is None or self.excluded is None:
            return None
        return self.offenders + self.excluded

    @property
    def reduction_meets_target(self) -> bool | None:
        """Whether the cohort's reduction reaches the target (None when not known)."""
        if self.reduction_pct is None:
            return None
        return self.reduction_pct >= self.target_pct

    def withheld(self, reason: str) -> Measure:
        """The same row with every figure blank."""
        return replace(
            self,
            suppressed=True,
            reason=reason,
            offenders=None,
            excluded=None,
            baseline_offences=None,
            current_offences=None,
            reduction_pct=None,
            meeting_target=None,
            meeting_target_pct=None,
        )

    def record(self, *, text: bool = False) -> dict[str, Any]:
        """The row as the CLI and the download give it (`COLUMNS`, plus the area's name and
        the reason it is withheld). With `text`, `suppressed` is "true" or "false" (for
        CSV); otherwise a boolean (for JSON)."""
        return {
            "cohort": self.cohort,
            "area_code": self.area_code,
            "area_name": self.area_name,
            "offenders": self.offenders,
            "excluded": self.excluded,
            "reduction_pct": self.reduction_pct,
            "meeting_target": self.meeting_target,
            "meeting_target_pct": self.meeting_target_pct,
            "suppressed": ("true" if self.suppressed else "false") if text else self.suppressed,
            "reason": self.reason,
        }


def _measure(cohort: str, area_code: str, rows: Sequence[Offender], target: Decimal) -> Measure:
    measured = [r for r in rows if not r.excluded]
    baseline = sum(r.baseline for r in measured)
    current = sum(r.current for r in measured)
    meeting = sum(1 for r in measured if meets_target(r.baseline, r.current, target))
    return Measure(
        cohort=cohort,
        area_code=area_code,
        target_pct=Decimal(target),
        offenders=len(measured),
        excluded=len(rows) - len(measured),
        baseline_offences=baseline,
        current_offences=current,
        # baseline > 0 whenever anyone is measured: each has at least one baseline offence
        reduction_pct=percent(baseline - current, baseline) if measured else None,
        meeting_target=meeting,
        meeting_target_pct=percent(meeting, len(measured)) if measured else None,
    )


def cohort_order(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def measure(offenders: Iterable[Offender], *, target: Decimal) -> list[Measure]:
    """Every cohort's measures: its areas in code order, then the cohort over all areas;
    cohorts in alphabetical order. Nothing is withheld: see `suppress`."""
    target = Decimal(target)
    if not (0 <= target <= HUNDRED):
        raise ValueError(f"the target is a percentage from 0 to 100, not {target}")
    by_cohort: dict[str, dict[str, list[Offender]]] = defaultdict(lambda: defaultdict(list))
    for offender in offenders:
        by_cohort[offender.cohort][offender.area_code].append(offender)
    out: list[Measure] = []
    for cohort in sorted(by_cohort, key=cohort_order):
        areas = by_cohort[cohort]
        for code in sorted(areas):
            out.append(_measure(cohort, code, areas[code], target))
        out.append(_measure(cohort, ALL, [r for code in areas for r in areas[code]], target))
    return out


def suppress(measures: Sequence[Measure], *, under: int) -> list[Measure]:
    """The measures as they may be shown outside the officers who see cohort data: rows of
    fewer than `under` offenders withheld ("too few to judge"), then the smallest shown
    areas of a cohort withheld until its withheld areas together hold at least `under`
    offenders (or all are withheld), so none can be worked out from the cohort's total."""
    if under < 0:
        raise ValueError("the suppression threshold is a number of offenders, 0 or more")
    out = list(measures)
    by_cohort: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(out):
        if m.suppressed:
            continue
        by_cohort[m.cohort].append(i)
        if m.offenders is not None and m.offenders < under:
            out[i] = m.withheld(TOO_FEW)
    for indices in by_cohort.values():
        total = [i for i in indices if out[i].is_all]
        if not total or out[total[0]].suppressed:
            continue  # the cohort's total is itself withheld: nothing to take away from
        areas = [i for i in indices if not out[i].is_all]
        withheld = [i for i in areas if out[i].suppressed]
        held = sum(measures[i].offenders or 0 for i in withheld)
        while withheld and held < under:
            shown = [i for i in areas if not out[i].suppressed]
            if not shown:
                break
            smallest = min(shown, key=lambda i: (measures[i].offenders or 0, out[i].area_code))
            out[smallest] = out[smallest].withheld(WORKED_OUT)
            withheld.append(smallest)
            held += measures[smallest].offenders or 0
    return out
