"""The open data and the register's downloads of the example are exactly what they were
before the exports streamed: JSON and CSV byte for byte, XLSX cell for cell (value, type,
number format, bold, frozen panes), against files captured from the code as it was.

When the example itself changes (a new decision, a corrected amount), the captured files are
out of date: regenerate them with ``REGENERATE_GOLDEN=1`` (the test then fails once, saying
so) and review the difference before keeping it.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone

from commissioning.agreements.exports import giving_facts
from commissioning.budgets.models import FinancialYear

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).parent / "golden"
BASE_URL = "https://opcc.example.org"
NOW = dt.datetime(2026, 11, 30, 9, 15, 0, tzinfo=dt.UTC)
LOADED_ON = timezone.localdate().isoformat()  # read before any test stops the clock


def xlsx_cells(data: bytes) -> str:
    """A workbook as text: each sheet's title, frozen panes and every cell's value (with
    its type), data type, number format and boldness."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    out = []
    for sheet in book.worksheets:
        out.append(f"sheet {sheet.title!r} freeze {sheet.freeze_panes}")
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None and not cell.font.b:
                    continue
                out.append(
                    f"{cell.coordinate}\t{type(cell.value).__name__}\t{cell.value!r}\t"
                    f"{cell.data_type}\t{cell.number_format}\t{bool(cell.font.b)}"
                )
    return "\n".join(out) + "\n"


def check(name: str, actual: bytes | str) -> None:
    if isinstance(actual, bytes) and name.endswith(".xlsx"):
        actual, name = xlsx_cells(actual), name + ".cells"
    data = actual.encode("utf-8") if isinstance(actual, str) else actual
    # The example is loaded today, so a publication date is today's: kept as "<today>",
    # written as text (CSV, JSON) or as a spreadsheet's date cell.
    loaded = dt.date.fromisoformat(LOADED_ON)
    as_cell = repr(dt.datetime(loaded.year, loaded.month, loaded.day, 0, 0))
    data = data.replace(LOADED_ON.encode(), b"<today>").replace(as_cell.encode(), b"<today>")
    path = GOLDEN / name
    if os.environ.get("REGENERATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
        pytest.fail(f"regenerated {path.name}: review the difference before keeping it")
    expected = path.read_bytes()
    assert data == expected, (
        f"{name} differs from what it was ({len(data)} against {len(expected)} bytes)"
    )


def giving_outputs(facts=None) -> dict[str, bytes | str]:
    """The 360Giving files of the example as they are now written, a grant at a time (the
    JSON with the newline the command ends it with)."""
    from commissioning.decisions.giving import giving_file

    facts = giving_facts() if facts is None else facts
    out: dict[str, bytes | str] = {}
    for fmt in ("json", "csv", "xlsx"):
        content = giving_file(fmt, base_url=BASE_URL, now=NOW, facts=facts)
        if fmt == "xlsx":
            assert hasattr(content, "read")
            with content:
                out["360giving.xlsx"] = content.read()
        else:
            assert not hasattr(content, "read")
            out[f"360giving.{fmt}"] = "".join(content) + ("\n" if fmt == "json" else "")
    return out


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_the_360giving_files_are_as_they_were(fmt):
    """The package written while reading the grants in chunks is the package that was built
    whole: same grants, same order, same bytes."""
    check(f"360giving.{fmt}", giving_outputs()[f"360giving.{fmt}"])


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_the_360giving_download_is_as_it_was(client, monkeypatch, fmt):
    """The public download (with what the agreements add) is the same file as before."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)
    response = client.get(f"/register/360giving.{fmt}", HTTP_HOST="testserver")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    check(f"download-360giving.{fmt}", body if fmt == "xlsx" else body.decode("utf-8"))


REGISTER_DOWNLOADS = [
    "/register/grants.csv",
    "/register/grants.xlsx",
    "/register/grants.json",
    "/register/grants.csv?q=domestic",
    "/register/decisions.csv",
    "/register/decisions.xlsx",
    "/register/decisions.json",
    "/register/decisions.csv?year=2013",
]


def _golden_name(url: str) -> str:
    path, _, query = url.partition("?")
    name = path.strip("/").replace("/", "-")
    if query:
        stem, ext = name.rsplit(".", 1)
        name = f"{stem}-{query.replace('=', '-')}.{ext}"
    return name


@pytest.mark.parametrize("url", REGISTER_DOWNLOADS)
def test_the_register_downloads_are_as_they_were(client, url):
    """The grants and decisions registers' CSV, XLSX and JSON, read in chunks, are the
    files they were."""
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    name = _golden_name(url)
    check(name, body if name.endswith(".xlsx") else body.decode("utf-8"))


@pytest.mark.parametrize("kind", ["allocations", "contracts"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_the_year_tables_are_as_they_were(client, kind, fmt):
    """The allocations and contracts tables of the example's first year go through the same
    download helper and are unchanged by it."""
    year = FinancialYear.objects.order_by("starts").first()
    assert year is not None
    label = year.label.replace("/", "-")
    response = client.get(f"/register/{kind}/{label}.{fmt}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    check(f"{kind}-{label}.{fmt}", body if fmt == "xlsx" else body.decode("utf-8"))


def some_facts() -> dict:
    """What agreements would add, for every third grant of the register (the example has no
    accepted agreements of its own)."""
    from decimal import Decimal

    from commissioning.decisions.giving import GrantFacts
    from commissioning.decisions.models import PublishedGrant

    references = PublishedGrant.objects.order_by("id").values_list("reference", flat=True)
    return {
        reference: GrantFacts(
            amount_disbursed=Decimal(n * 1000) + Decimal("0.50") if n % 2 else None,
            planned_start=dt.date(2013, 4, 1) + dt.timedelta(days=n),
            planned_end=dt.date(2014, 3, 31) if n % 4 else None,
        )
        for n, reference in enumerate(references)
        if n % 3 == 0
    }


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_what_agreements_add_is_written_as_it_was(fmt):
    """Amounts disbursed and planned dates (what the agreements add) are written as before."""
    check(f"360giving-with-facts.{fmt}", giving_outputs(some_facts())[f"360giving.{fmt}"])
