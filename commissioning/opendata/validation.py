"""Checking a 360Giving grants package offline: schema errors as readable strings (none means
valid), against the official JSON Schemas with format checking on, as the 360Giving tools do;
and beneficiary locations whose geographic code does not belong to the code type given (a
quality check the schema cannot make).

The official schemas live in ``shared/data/360giving`` beside the repository. The package
schema refers to the grant schema by a remote URL (of release 1.4.2, while the file itself
says 1.4.3); :func:`validate` maps that URL to the local file so nothing is fetched.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from .giving360 import dumps

DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "360giving"
PACKAGE_SCHEMA_FILE = "360-giving-package-schema.json"
GRANT_SCHEMA_FILE = "360-giving-schema.json"
GEO_CODE_TYPES_FILE = "codelist_geoCodeType.csv"


def _remote_refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            yield ref
        for value in schema.values():
            yield from _remote_refs(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _remote_refs(value)


@lru_cache(maxsize=4)
def _validator(schema_dir: Path) -> Any:
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    package_schema = json.loads((schema_dir / PACKAGE_SCHEMA_FILE).read_text(encoding="utf-8"))
    grant_schema = json.loads((schema_dir / GRANT_SCHEMA_FILE).read_text(encoding="utf-8"))
    # The schemas name their dialect by the "http://" URI, which `referencing` does not
    # recognise, so the dialect is given rather than detected.
    grant = DRAFT202012.create_resource(grant_schema)
    registry: Registry[Any] = Registry()
    for ref in {*_remote_refs(package_schema), grant_schema["$id"]}:
        if not ref.split("#")[0].endswith("/" + GRANT_SCHEMA_FILE):
            raise RuntimeError(f"the package schema refers to {ref}, which is not held locally")
        registry = registry.with_resource(ref.split("#")[0], grant)
    format_checker = Draft202012Validator.FORMAT_CHECKER
    missing = {"date-time", "uri"} - set(format_checker.checkers)
    if missing:
        raise RuntimeError(
            f"jsonschema cannot check the format(s) {', '.join(sorted(missing))}: install "
            "rfc3339-validator and rfc3986-validator, or dates and URLs go unchecked"
        )
    Draft202012Validator.check_schema(package_schema)
    Draft202012Validator.check_schema(grant_schema)
    return Draft202012Validator(package_schema, registry=registry, format_checker=format_checker)


def _brief(instance: Any, message: str) -> str:
    """Drop the repr of a whole object or array from the front of a message."""
    if isinstance(instance, dict | list):
        shown = repr(instance)
        if message.startswith(shown):
            return "the value" + message[len(shown) :]
    return message


def _describe(error: Any) -> str:
    message = _brief(error.instance, error.message)
    if error.validator == "enum" and len(error.validator_value) > 10:
        name = error.schema.get("title", "value")
        message = f"{error.instance!r} is not an allowed {name} (the codelist has {len(error.validator_value)} codes)"
    text = f"{error.json_path}: {message}"
    if error.validator in {"oneOf", "anyOf"} and error.context:
        reasons: list[str] = []
        for sub in error.context:
            where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in sub.path)
            reason = (where.lstrip(".") + ": " if where else "") + _brief(sub.instance, sub.message)
            if reason not in reasons:
                reasons.append(reason)
        text += " (" + "; or ".join(reasons) + ")"
    return text


def validate(package: Mapping[str, Any] | str, *, schema_dir: Path | None = None) -> list[str]:
    """Schema errors in ``package`` (a package ``dict`` or its JSON text), each as
    ``"$.grants[0].awardDate: ..."``; an empty list means valid against the 360Giving 1.4.3
    package schema. The ``dict`` is checked as :func:`dumps` writes it. Offline: the grant
    schema is read from ``schema_dir`` (default :data:`DEFAULT_SCHEMA_DIR`).

    Raises ``FileNotFoundError`` when the schemas are not there, and ``RuntimeError`` when
    ``jsonschema`` cannot check the ``date-time`` or ``uri`` formats (their packages are
    missing): an unchecked format would let bad dates through and fail good ones."""
    validator = _validator((schema_dir or DEFAULT_SCHEMA_DIR).resolve())
    try:
        text = package if isinstance(package, str) else dumps(package, indent=None)
        instance = json.loads(text)
    except (TypeError, ValueError) as exc:
        return [f"$: not JSON: {exc}"]
    errors = sorted(
        validator.iter_errors(instance), key=lambda e: (list(map(str, e.path)), e.message)
    )
    return [_describe(e) for e in errors]


@lru_cache(maxsize=4)
def geo_code_types(schema_dir: Path | None = None) -> dict[str, frozenset[str]]:
    """The 360Giving geographic code types and the ONS entity codes each covers, from the
    codelist: ``{"CSP": {"E22"}, "UA": {"E06", "W06"}, ...}``."""
    path = (schema_dir or DEFAULT_SCHEMA_DIR) / GEO_CODE_TYPES_FILE
    found: dict[str, set[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            entity = row["Documentation (URL)"].rstrip("/").rsplit("/", 1)[-1]
            found.setdefault(row["Code"].strip(), set()).add(entity)
    return {code: frozenset(entities) for code, entities in found.items()}


def geo_code_problems(package: Mapping[str, Any], *, schema_dir: Path | None = None) -> list[str]:
    """Locations whose ``geoCodeType`` is not in the 360Giving codelist, or whose
    ``geoCode`` is not of that type (``CSP`` must be an ``E22…`` code). The schema checks
    neither."""
    types = geo_code_types(schema_dir)
    problems: list[str] = []

    def check(location: Mapping[str, Any], where: str) -> None:
        code, kind = location.get("geoCode"), location.get("geoCodeType")
        if not code and not kind:
            return
        if kind not in types:
            problems.append(f"{where}.geoCodeType: {kind!r} is not in the 360Giving codelist")
        elif not isinstance(code, str) or code[:3] not in types[kind]:
            expected = " or ".join(sorted(types[kind]))
            problems.append(f"{where}.geoCode: {code!r} is not a {kind} code ({expected}…)")

    for g, grant in enumerate(package.get("grants", [])):
        for n, location in enumerate(grant.get("beneficiaryLocation", [])):
            check(location, f"$.grants[{g}].beneficiaryLocation[{n}]")
        for role in ("recipientOrganization", "fundingOrganization"):
            for o, org in enumerate(grant.get(role, [])):
                for n, location in enumerate(org.get("location", [])):
                    check(location, f"$.grants[{g}].{role}[{o}].location[{n}]")
    return problems


__all__ = ["DEFAULT_SCHEMA_DIR", "geo_code_problems", "geo_code_types", "validate"]
