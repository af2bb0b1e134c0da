"""A synthetic reoffending cohort for the demo: made-up offenders, labelled on every page as
"Synthetic example data, not real offenders". Nothing here is from the papers or from any
real person: pseudonyms are SYN-..., and the numbers come from a seeded random generator
shaped loosely on the Panel's report of December 2013 (004, para 19: PPO 38.9%, IOM 67.37%,
DYO 43.94%, 16-24 52.17%; the Troubled Families cohort "too small to draw any judgement").

Five cohorts across the nine areas of Leicester, Leicestershire and Rutland: IOM (every
adult offender), PPO and 16-24 (sub-groups of IOM, the same people with the same offences),
DYO (young people of their own) and Troubled Families (nine offenders: withheld everywhere
outside the team). Rutland's handful of offenders in each cohort are withheld too, and so,
to protect them, is the next smallest area.

`cohorts_ensure()` is deterministic and idempotent: it makes the upload once, through the
upload service (as the demo's officer), and links the IOM cohort to the outcome of the 2013/14
IOM agreement (CI006) when the demo's agreements exist.
"""

from __future__ import annotations

import csv
import io
import random

from django.contrib.auth import get_user_model

from commissioning.agreements.models import Outcome
from commissioning.core.actors import COMMAND_LINE

from . import services
from .models import CohortUpload

DEMO_NAME = "IOM, PPO, DYO, 16-24 and Troubled Families cohorts (synthetic)"
PERIOD = "2013/14"
SEED = 20131213
# Each area's share of the adult cohort, and its ONS code.
AREAS = (
    ("E06000016", 0.40),  # Leicester
    ("E07000130", 0.13),  # Charnwood
    ("E07000134", 0.10),  # North West Leicestershire
    ("E07000132", 0.09),  # Hinckley and Bosworth
    ("E07000129", 0.08),  # Blaby
    ("E07000131", 0.06),  # Harborough
    ("E07000133", 0.055),  # Melton
    ("E07000135", 0.06),  # Oadby and Wigston
    ("E06000017", 0.025),  # Rutland
)
ADULTS = 423  # the caseload the report gives (004, para 22)
YOUNG = 80
# How likely each baseline offence is to recur in the current period, by group.
RECUR = {"ppo": 0.58, "young_adult": 0.45, "iom": 0.12, "dyo": 0.55}


def _area(rng: random.Random) -> str:
    codes = [c for c, _ in AREAS]
    return rng.choices(codes, weights=[w for _, w in AREAS])[0]


def _offences(rng: random.Random, group: str, mean: float) -> tuple[str, int, int]:
    """(in custody throughout, baseline, current) for one made-up offender."""
    in_custody = rng.random() < 0.06
    baseline = 0 if rng.random() < 0.04 else 1 + int(rng.expovariate(1 / mean))
    current = sum(1 for _ in range(baseline) if rng.random() < RECUR[group])
    if rng.random() < 0.08:
        current += 1  # a new offence
    if in_custody:
        current = 0
    return ("yes" if in_custody else "no"), baseline, current


def synthetic_rows() -> list[dict[str, str | int]]:
    """The cohort file's rows, the same every time."""
    rng = random.Random(SEED)
    rows: list[dict[str, str | int]] = []
    for n in range(1, ADULTS + 1):
        pseudonym = f"SYN-A{n:04d}"
        area = _area(rng)
        draw = rng.random()
        group = "ppo" if draw < 0.28 else "young_adult" if draw < 0.62 else "iom"
        custody, baseline, current = _offences(rng, group, 7.0 if group == "ppo" else 4.0)
        cohorts = ["IOM"]
        if group == "ppo":
            cohorts.append("PPO")
        if group == "young_adult":
            cohorts.append("16-24")
        if n % 45 == 0:
            cohorts.append("Troubled Families")
        for cohort in cohorts:
            rows.append(
                {
                    "pseudonym": pseudonym,
                    "cohort": cohort,
                    "area_code": area,
                    "in_custody": custody,
                    "baseline_offences": baseline,
                    "current_offences": current,
                }
            )
    for n in range(1, YOUNG + 1):
        custody, baseline, current = _offences(rng, "dyo", 3.0)
        rows.append(
            {
                "pseudonym": f"SYN-Y{n:04d}",
                "cohort": "DYO",
                "area_code": _area(rng),
                "in_custody": custody,
                "baseline_offences": baseline,
                "current_offences": current,
            }
        )
    return rows


def synthetic_file() -> bytes:
    out = io.StringIO()
    columns = (
        "pseudonym",
        "cohort",
        "area_code",
        "in_custody",
        "baseline_offences",
        "current_offences",
    )
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(synthetic_rows())
    return out.getvalue().encode()


def _iom_outcome() -> Outcome | None:
    """The first outcome of the demo's IOM agreement (CI006), 2013/14 first."""
    for label in (PERIOD, "2016/17"):
        found = (
            Outcome.objects.filter(
                agreement__allocation__year__label=label,
                agreement__allocation__versions__intention__code="CI006",
            )
            .exclude(agreement__status="cancelled")
            .select_related("agreement")
            .order_by("agreement__reference", "order")
            .first()
        )
        if found is not None:
            return found
    return None


def cohorts_ensure() -> CohortUpload:
    """The demo's synthetic cohort upload, made once."""
    existing = CohortUpload.objects.filter(synthetic=True, name=DEMO_NAME).first()
    if existing is not None:
        return existing
    officer = get_user_model().objects.filter(username="officer").first()
    actor = officer or COMMAND_LINE
    upload = services.cohort_upload(
        actor=actor,
        name=DEMO_NAME,
        period_label=PERIOD,
        filename="synthetic-cohorts-2013-14.csv",
        content=synthetic_file(),
        synthetic=True,
    )
    outcome = _iom_outcome()
    if outcome is not None:
        iom = upload.cohorts.get(name="IOM")
        services.cohort_link(actor=actor, cohort=iom, outcome=outcome)
    return upload
