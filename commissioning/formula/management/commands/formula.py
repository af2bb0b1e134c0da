"""`commissioning formula run ...`: the needs-based formula, on stored crime data or on a file.

    commissioning formula run --year 2023/24 --pot 639675 --weights harm=65,rate=20,population=15 \\
        [--join E07000129,E07000132] [--join-mode merge|add] [--unit 1] [--format csv|json] [--save] \\
        [--late-action hold|reduce --late-returns N --late-days D --late-percent P]
    commissioning formula run --indicators FILE.csv --pot N --weights name=w,... [--unit 1] [--format csv|json]
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commissioning.budgets.management import year_or_error
from commissioning.core.actors import COMMAND_LINE
from commissioning.formula import calc, explain, late, selectors, services
from commissioning.formula.engine import compute


def parse_weights(text: str) -> dict[str, Decimal]:
    weights: dict[str, Decimal] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"--weights: “{part}” should look like name=number, e.g. harm=65")
        try:
            weights[name.strip()] = Decimal(value.strip())
        except InvalidOperation:
            raise CommandError(f"--weights: “{value}” is not a number (in {part})") from None
    return weights


def money(text: str, flag: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("£", ""))
    except InvalidOperation:
        raise CommandError(f"{flag}: “{text}” is not an amount") from None
    if not value.is_finite():
        raise CommandError(f"{flag}: “{text}” is not an amount")
    return value


def _messages(exc: services.FormulaInputError) -> list[str]:
    """The refusal's messages, each late-returns one under the flag that gave the value."""
    if not hasattr(exc, "error_dict"):
        return list(exc.messages)
    return [
        f"--{key.replace('_', '-')}: {message}" if key.startswith("late_") else message
        for key, messages in exc.message_dict.items()
        for message in messages
    ]


def _percent(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.strip().rstrip("%"))
    except InvalidOperation:
        raise CommandError(f"--late-percent: “{text}” is not a number") from None


def rows_of(result: calc.Result) -> list[dict[str, str]]:
    out = []
    for a in result.areas:
        out.append(
            {
                "area_code": a.code,
                "area_name": a.name,
                "share": f"{a.formula_share * 100:.4f}",
                **{f"{k}_share": f"{v * 100:.4f}" for k, v in a.shares.items()},
                "allocation": f"{a.allocation:.2f}",
            }
        )
    return out


class Command(BaseCommand):
    help = "Run the needs-based allocation formula."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Compute allocations")
        source = run.add_mutually_exclusive_group(required=True)
        source.add_argument("--year", help="Use the loaded police.uk data for this financial year")
        source.add_argument(
            "--indicators", help="CSV: area_code, area_name, then one column per indicator"
        )
        run.add_argument("--pot", required=True)
        run.add_argument("--weights", required=True, help="name=percent,... summing to 100")
        run.add_argument(
            "--join", action="append", default=[], help="District codes to treat as one partnership"
        )
        run.add_argument("--join-mode", choices=["merge", "add"], default="merge")
        run.add_argument(
            "--unit", default="1", help="Round to this many pounds (largest remainder)"
        )
        run.add_argument(
            "--population", default="census2021", choices=sorted(services.POPULATION_SOURCES)
        )
        run.add_argument("--include-asb", action="store_true")
        run.add_argument("--format", choices=["csv", "json"], default="csv")
        run.add_argument("--save", action="store_true", help="Store the run (with --year)")
        late_rule = run.add_argument_group(
            "late returns",
            "A rule applied when the stored run is adopted (with --year): an area whose "
            "partnership had N or more monitoring returns in the year before late by more "
            "than D days is held (indicative) until they are in, or reduced by P%%.",
        )
        late_rule.add_argument("--late-action", choices=[late.HOLD, late.REDUCE])
        late_rule.add_argument("--late-returns", type=int, metavar="N", help="default 1")
        late_rule.add_argument(
            "--late-days", type=int, metavar="D", help="default 0: late at all counts"
        )
        late_rule.add_argument("--late-percent", metavar="P", help="for --late-action reduce")

    def handle(self, *args, **o):
        given = [
            flag
            for flag, key in (
                ("--late-returns", "late_returns"),
                ("--late-days", "late_days"),
                ("--late-percent", "late_percent"),
            )
            if o.get(key) is not None
        ]
        if given and not o.get("late_action"):
            raise CommandError(
                f"{', '.join(given)}: say what the rule does with --late-action hold or reduce"
            )
        if o.get("late_action") and o["indicators"]:
            raise CommandError(
                "--late-action: a late-returns rule is applied when a stored run is adopted; "
                "use it with --year"
            )
        pot, unit, weights = (
            money(o["pot"], "--pot"),
            money(o["unit"], "--unit"),
            parse_weights(o["weights"]),
        )
        try:
            if o["indicators"]:
                result = self.from_file(
                    Path(o["indicators"]), pot, unit, weights, o["join"], o["join_mode"]
                )
            else:
                result = self.from_store(o, pot, unit, weights)
        except calc.FormulaError as exc:
            raise CommandError(str(exc)) from exc
        except services.FormulaInputError as exc:
            raise CommandError("; ".join(_messages(exc))) from exc
        rows = rows_of(result)
        if o["format"] == "json":
            self.stdout.write(json.dumps(result.as_dict(), indent=2, sort_keys=True))
        else:
            writer = csv.DictWriter(self.stdout, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)

    def from_store(self, o, pot, unit, weights) -> calc.Result:
        year = year_or_error(o["year"])
        req = services.RunRequest(
            year=year,
            pot=pot,
            weights=weights,
            unit=unit,
            population_source=o["population"],
            include_asb=o["include_asb"],
            join="none" if not o["join"] else o["join_mode"],
            late_action=o.get("late_action") or late.NONE,
            late_returns=o["late_returns"] if o.get("late_returns") is not None else 1,
            late_days=o["late_days"] if o.get("late_days") is not None else 0,
            late_percent=_percent(o.get("late_percent")),
        )
        snapshot = services.build_snapshot(req, actor=COMMAND_LINE)
        if sentence := explain.late_rule_sentence(snapshot):
            self.stderr.write(sentence)
        if o["join"]:
            groups, names = {}, {}
            for i, spec in enumerate(o["join"], start=1):
                members = sorted(c.strip() for c in spec.split(",") if c.strip())
                joint = next(
                    (
                        code
                        for code, (_, m) in selectors.joint_partnerships().items()
                        if m == members
                    ),
                    f"JOINT-{i}",
                )
                groups[joint] = members
                names[joint] = selectors.joint_partnerships().get(
                    joint, (" with ".join(members), [])
                )[0]
            snapshot["join"] = {"mode": o["join_mode"], "groups": groups, "names": names}
        if o["save"]:
            run = services.formula_run_create(actor=COMMAND_LINE, req=req)
            self.stderr.write(f"Stored run {run.reference} (output {run.output_hash[:12]})")
            return compute(run.inputs)
        return compute(snapshot)

    def from_file(self, path: Path, pot, unit, weights, join, mode) -> calc.Result:
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in (reader.fieldnames or [])]
            if columns[:2] != ["area_code", "area_name"]:
                raise CommandError("the file must start with the columns area_code, area_name")
            areas = []
            for n, row in enumerate(reader, start=2):
                values = {}
                for name in columns[2:]:
                    raw = (row.get(name) or "").strip()
                    if raw == "":
                        raise CommandError(
                            f"row {n}, {name}: missing value for {row.get('area_code')}"
                        )
                    try:
                        values[name] = Decimal(raw.replace(",", ""))
                    except InvalidOperation:
                        raise CommandError(f"row {n}, {name}: “{raw}” is not a number") from None
                areas.append(
                    calc.AreaInput(
                        code=row["area_code"].strip(), name=row["area_name"].strip(), values=values
                    )
                )
        params = calc.Params(pot=pot, weights=weights, unit=unit)
        if join:
            groups = {}
            for i, spec in enumerate(join, start=1):
                for code in spec.split(","):
                    groups[code.strip()] = f"JOINT-{i}"
            if mode == "merge":
                indicators = [calc.Indicator(name, "count") for name in columns[2:]]
                members: dict[str, list[str]] = {}
                for code, group in groups.items():
                    members.setdefault(group, []).append(code)
                merged = calc.merge(areas, members, indicators, {g: g for g in members})
                return calc.allocate(merged, params)
            return calc.allocate(areas, params, groups=groups)
        return calc.allocate(areas, params)
