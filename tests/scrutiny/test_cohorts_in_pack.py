"""The reoffending cohorts in the Police and Crime Panel's outcomes pack: the rows are the
cohort team's `cohort_summary` with small counts withheld, in the page, the XLSX, the JSON and
the PDF alike; a withheld row says why and shows no figure; no pseudonym reaches any of them;
a year with none says so; each showing of cohort figures is audited once, and nothing else is
written; the cohort part of the pack costs a fixed number of queries.

The cohort file, target 17%, groups of fewer than 5 offenders withheld:

IOM, Leicester (E06000016): four offenders 10 -> 5 (meet the target), four 4 -> 4 (do not),
  one in custody throughout and one with no baseline offences (both excluded): measured 8,
  excluded 2; baseline 56, current 36: reduction 1 - 36/56 = 35.71%; meeting 4 of 8, 50.00%.
IOM, Charnwood (E07000130): six offenders 5 -> 5: reduction 0.00%, meeting 0. Shown alone it
  could be; but with Rutland withheld it is withheld too, so that Rutland's figures cannot be
  worked out from the cohort's total.
IOM, Rutland (E06000017): two offenders 3 -> 0: too few to judge.
IOM, all areas: measured 16, excluded 2; baseline 92, current 66: 1 - 66/92 = 28.26%;
  meeting 4 + 0 + 2 = 6 of 16, 37.50%.
Troubled Families, Leicester: three offenders 2 -> 1: too few to judge, over all areas too.
"""

from __future__ import annotations

import html as htmllib
import io
import json
import re
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from commissioning.cohorts import services as cohorts
from commissioning.cohorts.measures import TOO_FEW, WORKED_OUT
from commissioning.cohorts.selectors import cohort_summary
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.scrutiny import exports
from commissioning.scrutiny.selectors import outcomes_pack

from .test_exports import pdf_text

pytestmark = pytest.mark.django_db

HEADER = "pseudonym,cohort,area_code,in_custody,baseline_offences,current_offences"
LEICESTER, CHARNWOOD, RUTLAND = "E06000016", "E07000130", "E06000017"
NONE_FOR = "No reoffending cohort has been measured for 2031/32"


def rows_of_file() -> list[str]:
    rows = []
    for n in range(4):
        rows.append(f"ZQPSEUD-L{n}A,IOM,{LEICESTER},no,10,5")
        rows.append(f"ZQPSEUD-L{n}B,IOM,{LEICESTER},no,4,4")
    rows.append(f"ZQPSEUD-LCUST,IOM,{LEICESTER},yes,3,0")
    rows.append(f"ZQPSEUD-LNONE,IOM,{LEICESTER},no,0,2")
    rows += [f"ZQPSEUD-C{n},IOM,{CHARNWOOD},no,5,5" for n in range(6)]
    rows += [f"ZQPSEUD-R{n},IOM,{RUTLAND},no,3,0" for n in range(2)]
    rows += [f"ZQPSEUD-T{n},Troubled Families,{LEICESTER},no,2,1" for n in range(3)]
    return rows


PSEUDONYMS = {r.split(",")[0] for r in rows_of_file()}


def upload_of(officer, rows: list[str], **kw):
    return cohorts.cohort_upload(
        actor=officer,
        name=kw.pop("name", "IOM and Troubled Families, first half"),
        period_label=kw.pop("period_label", "2031/32"),
        filename="cohorts.csv",
        content=("\n".join([HEADER, *rows]) + "\n").encode(),
        **kw,
    )


@pytest.fixture
def threshold(settings):
    settings.COHORT_SUPPRESS_UNDER = 5
    return 5


@pytest.fixture
def upload(year, officer, threshold):
    return upload_of(officer, rows_of_file())


@pytest.fixture
def member(client, user_with):
    user = user_with(Role.POLICE_CRIME_PANEL)
    client.force_login(user)
    return user


def page_text(response) -> str:
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split()))


def get(client, fmt: str):
    if fmt == "page":
        response = client.get(reverse("outcomes-pack", args=["2031-32"]))
    else:
        response = client.get(reverse("outcomes-pack-download", args=["2031-32", fmt]))
    assert response.status_code == 200, fmt
    return response


def xlsx_rows(content: bytes) -> list[tuple]:
    return list(
        load_workbook(io.BytesIO(content))["Reoffending cohorts"].iter_rows(values_only=True)
    )


def every_text(client) -> dict[str, str]:
    """What the member can read in each form of the pack."""
    book = load_workbook(io.BytesIO(get(client, "xlsx").content))
    return {
        "page": get(client, "page").content.decode(),
        "xlsx": " ".join(
            str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c
        ),
        "json": get(client, "json").content.decode(),
        "pdf": pdf_text(get(client, "pdf").content),
    }


# --- the rows ------------------------------------------------------------------------------


def test_the_pack_rows_are_the_cohort_summary_with_small_counts_withheld(year, upload):
    """Each cohort over all areas first, then its areas; exactly `cohort_summary`'s rows with
    suppression, figures worked out as the module's docstring says."""
    pack = outcomes_pack(year)
    [section] = pack.cohorts
    assert section.title == "Reoffending cohorts: IOM and Troubled Families, first half"
    assert sorted(section.rows, key=repr) == sorted(cohort_summary(upload, suppress=True), key=repr)
    assert [g.cohort for g in section.groups] == ["IOM", "Troubled Families"]
    assert [(m.area_name, m.suppressed) for m in section.groups[0].rows] == [
        ("All areas", False),
        ("Leicester", False),
        ("Rutland", True),
        ("Charnwood", True),
    ]
    total, leicester, rutland, charnwood = section.groups[0].rows
    assert (total.offenders, total.excluded, total.reduction_pct) == (16, 2, D("28.26"))
    assert (total.meeting_target, total.meeting_target_pct) == (6, D("37.50"))
    assert (leicester.offenders, leicester.reduction_pct, leicester.meeting_target) == (
        8,
        D("35.71"),
        4,
    )
    assert (rutland.reason, charnwood.reason) == (TOO_FEW, WORKED_OUT)
    assert all(
        m.offenders is None and m.reduction_pct is None and m.meeting_target is None
        for m in section.rows
        if m.suppressed
    )
    assert [m.suppressed for m in section.groups[1].rows] == [True, True]
    assert pack.cohort_threshold == 5


def test_the_latest_upload_of_each_name_for_the_year_is_shown(year, officer, threshold):
    """Of two uploads with one name the later counts; another name counts too, and so does a
    period written "2031-32"; an upload of another period does not."""
    upload_of(officer, rows_of_file(), name="IOM cohort")
    later = upload_of(officer, rows_of_file()[:8], name="IOM cohort")
    other = upload_of(officer, rows_of_file(), name="DYO cohort", period_label="2031-32")
    upload_of(officer, rows_of_file(), name="Last year", period_label="2030/31")
    shown = outcomes_pack(year).cohorts
    assert [s.name for s in shown] == ["DYO cohort", "IOM cohort"]
    assert [s.uuid for s in shown] == [other.uuid, later.uuid]
    assert shown[1].groups[0].total.offenders == 8


# --- each form of the pack -----------------------------------------------------------------


def test_the_page_shows_the_figures_and_too_few_to_judge_in_place_of_them(client, member, upload):
    response = get(client, "page")
    text = page_text(response)
    assert "Reoffending cohorts: IOM and Troubled Families, first half" in text
    assert "left out of the measures and counted as excluded" in text
    assert "Groups of fewer than 5 offenders are withheld" in text
    assert "35.71%" in text and "28.26%" in text and "37.50%" in text and "17.00%" in text
    withheld = re.findall(r"<tr [^>]*data-withheld>(.*?)</tr>", response.content.decode(), re.S)
    assert len(withheld) == 4
    shown = [page_text_of(row) for row in withheld]
    assert "Rutland , IOM Too few to judge" in shown
    assert "All areas , Troubled Families Too few to judge" in shown
    charnwood = next(row for row in shown if "Charnwood" in row)
    assert "cannot be worked out from the total" in charnwood
    assert not any(re.search(r"\d", row) for row in shown)
    assert "Synthetic example data" not in text
    assert NONE_FOR not in text


def test_the_xlsx_has_a_sheet_of_the_cohorts_with_numbers_and_no_figure_where_withheld(
    client, member, upload
):
    rows = xlsx_rows(get(client, "xlsx").content)
    assert rows[0][0] == "Reoffending cohorts, 2031/32"
    titles = [r[0] for r in rows]
    assert "Reoffending cohorts: IOM and Troubled Families, first half" in titles
    header = next(r for r in rows if r[0] == "Cohort")
    assert header[3:9] == (
        "Offenders measured",
        "Excluded",
        "Cohort reduction %",
        "Target %",
        "Offenders meeting the target",
        "Offenders meeting the target %",
    )
    by = {
        (r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows if r[2] and r[0] != "Cohort"
    }
    leicester = by[("IOM", "Leicester")]
    assert leicester["Offenders measured"] == 8 and leicester["Excluded"] == 2
    assert D(str(leicester["Cohort reduction %"])) == D("35.71")
    assert D(str(leicester["Target %"])) == 17 and leicester["Withheld"] is None
    rutland = by[("IOM", "Rutland")]
    assert rutland["Withheld"] == "Too few to judge"
    assert [
        v for k, v in rutland.items() if k not in ("Cohort", "Area", "Area code", "Withheld")
    ] == [None] * 6
    assert by[("Troubled Families", "All areas")]["Withheld"] == "Too few to judge"


def test_the_json_has_numbers_decimal_strings_and_nulls_where_withheld(client, member, upload):
    data = json.loads(get(client, "json").content)["cohorts"]
    assert data["year"] == "2031/32" and data["suppress_under"] == 5 and data["message"] is None
    [section] = data["uploads"]
    assert section["title"] == "Reoffending cohorts: IOM and Troubled Families, first half"
    assert section["synthetic"] is False and section["target_pct"] == "17.00"
    rows = {(r["cohort"], r["area_code"]): r for r in section["rows"]}
    total = rows[("IOM", "all")]
    assert total["offenders"] == 16 and total["meeting_target"] == 6
    assert total["reduction_pct"] == "28.26" and total["meeting_target_pct"] == "37.50"
    assert total["target_pct"] == "17.00" and total["suppressed"] is False
    rutland = rows[("IOM", "E06000017")]
    assert rutland == {
        "cohort": "IOM",
        "area_code": "E06000017",
        "area_name": "Rutland",
        "offenders": None,
        "excluded": None,
        "reduction_pct": None,
        "target_pct": None,
        "meeting_target": None,
        "meeting_target_pct": None,
        "suppressed": True,
        "reason": TOO_FEW,
    }
    assert [r["area_name"] for r in section["rows"]][:4] == [
        "All areas",
        "Leicester",
        "Rutland",
        "Charnwood",
    ]


def test_the_pdf_has_a_table_of_the_cohorts(client, member, upload):
    whole = pdf_text(get(client, "pdf").content)
    title = "Reoffending cohorts: IOM and Troubled Families, first half"
    assert title in whole
    assert "Groups of fewer than 5 offenders are withheld" in " ".join(whole.split())
    text = whole[whole.index(title) :]
    leicester = next(line for line in text.splitlines() if "Leicester" in line and "%" in line)
    assert "35.71%" in leicester and "17.00%" in leicester and "50.00%" in leicester
    rutland = next(line for line in text.splitlines() if "Rutland" in line)
    assert "Too few to judge" in rutland and not re.search(r"\d", rutland)


def test_no_pseudonym_reaches_any_form_of_the_pack(client, member, upload):
    """Nor the command line's pack, nor the audit event of the showing."""
    texts = every_text(client)
    out = io.StringIO()
    call_command("report", "panel", "--year", "2031/32", "--format", "json", stdout=out)
    texts["command line"] = out.getvalue()
    texts["audit"] = " ".join(
        json.dumps(e.after) for e in AuditEvent.objects.filter(action="cohort.view_pack")
    )
    assert all("Reoffending cohorts: IOM" in t for k, t in texts.items() if k != "audit")
    assert {(k, p) for k, t in texts.items() for p in PSEUDONYMS if p in t} == set()
    assert "ZQPSEUD" not in " ".join(texts.values())


def test_synthetic_data_is_labelled_in_every_form(client, member, year, officer, threshold):
    upload_of(officer, rows_of_file(), name="Demo cohorts (synthetic)", synthetic=True)
    texts = every_text(client)
    for kind in ("page", "xlsx", "pdf"):
        assert "Synthetic example data, not real offenders" in texts[kind], kind
    assert json.loads(texts["json"])["cohorts"]["uploads"][0]["synthetic"] is True


def test_a_year_with_no_cohort_says_so_everywhere_and_records_nothing(
    client, member, year, officer
):
    upload_of(officer, rows_of_file(), name="Another year", period_label="2030/31")
    before = AuditEvent.objects.count()
    texts = every_text(client)
    assert NONE_FOR in page_text_of(texts["page"])
    assert NONE_FOR in texts["xlsx"] and NONE_FOR in texts["pdf"].replace("\n", " ")
    data = json.loads(texts["json"])["cohorts"]
    assert data["uploads"] == [] and data["message"].startswith(NONE_FOR)
    assert "Reoffending cohorts: Another year" not in texts["page"]
    assert AuditEvent.objects.count() == before


def page_text_of(html: str) -> str:
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", html).split()))


# --- the audit -----------------------------------------------------------------------------


def counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


def test_each_showing_of_cohort_figures_is_audited_once_and_nothing_else_is_written(
    client, member, upload
):
    before = counts()
    for fmt in ("page", "pdf", "xlsx", "json"):
        get(client, fmt)
    after = counts()
    assert after.pop("core.AuditEvent") == before.pop("core.AuditEvent") + 4
    assert after == before
    events = AuditEvent.objects.filter(action="cohort.view_pack").order_by("id")
    assert [e.after["as"] for e in events] == [
        "the page",
        "the PDF",
        "the spreadsheet (XLSX)",
        "the data (JSON)",
    ]
    event = events.first()
    assert event.actor == member and event.object_type == "budgets.FinancialYear"
    assert event.after["year"] == "2031/32"
    assert event.after["uploads"] == [
        {"upload": str(upload.uuid), "name": upload.name, "period": "2031/32"}
    ]


def test_the_command_line_pack_is_audited_as_the_command_line(upload, tmp_path):
    call_command(
        "report",
        "panel",
        "--year",
        "2031/32",
        "--format",
        "xlsx",
        "-o",
        str(tmp_path / "p.xlsx"),
        stderr=io.StringIO(),
    )
    event = AuditEvent.objects.get(action="cohort.view_pack")
    assert event.actor is None and event.actor_label == "command line"
    assert event.after["as"] == "the spreadsheet (XLSX)"


# --- queries -------------------------------------------------------------------------------


def test_the_cohorts_cost_the_same_queries_whatever_their_size(year, officer, threshold):
    """One query for the uploads whatever the year holds; two for each upload shown (its
    rows, its areas' names), whatever its records, cohorts and areas."""
    with CaptureQueriesContext(connection) as none:
        outcomes_pack(year)
    small = upload_of(officer, rows_of_file()[:3], name="Small")
    with CaptureQueriesContext(connection) as one_small:
        outcomes_pack(year)
    small.delete()
    codes = [LEICESTER, CHARNWOOD, RUTLAND, "E07000129", "E07000131", "E07000132"]
    big = [
        f"ZQPSEUD-{c}{n},{c_name},{codes[n % len(codes)]},no,{n % 7 + 1},{n % 3}"
        for n in range(400)
        for c, c_name in (("A", "IOM"), ("B", "PPO"), ("C", "DYO"))
    ]
    upload_of(officer, big, name="Big")
    with CaptureQueriesContext(connection) as one_big:
        pack = outcomes_pack(year)
    assert len(pack.cohorts[0].rows) == 3 * (len(codes) + 1)
    upload_of(officer, rows_of_file(), name="Another")
    with CaptureQueriesContext(connection) as two:
        outcomes_pack(year)
    assert len(one_small) == len(one_big) == len(none) + 2
    assert len(two) == len(one_big) + 2
    assert exports.pack_json(pack)["cohorts"]["uploads"][0]["name"] == "Big"
