"""360Giving grants data package and spreadsheet: built from plain dataclasses, checked offline
against the official 1.4.3 schemas with format checking on. No database."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
import socket
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from commissioning.opendata import giving360 as g360
from commissioning.opendata import spreadsheet as flat
from commissioning.opendata import validation
from commissioning.opendata.giving360 import Classification, Grant, Location, Org

# The official files, found independently of the module under test.
OFFICIAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "360giving"
PREFIX = "360G-opcc-llr"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
PLAN = "Police and Crime Plan 2021-2025 priorities"


def official_columns() -> list[dict[str, str]]:
    with (OFFICIAL / "360giving_grant_columns.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


FUNDER = Org(
    name="Office of the Police and Crime Commissioner for Leicester, Leicestershire and Rutland",
    kind="opcc",
    key="opcc",
    area=Location("Leicestershire", "E23000021", "PFA"),
)
CHARITY = Org(
    name="Leicestershire Cares",
    kind="charity",
    charity_number=" 1 123 456 ",
    street_address="1 High Street",
    city="Leicester",
    postal_code="LE1 1AA",
)
COMPANY = Org(name="SafeNight Ltd", kind="company", company_number="4567890")
COUNCIL = Org(
    name="Leicester City Council",
    kind="council",
    la_register_code="lce",
    area=Location("Leicester", "E06000016", "UA"),
)
CSP = Org(
    name="Blaby and Hinckley & Bosworth Community Safety Partnership",
    kind="csp",
    key="Blaby Hinckley CSP",
    area=Location("Blaby", "E22000164", "CSP"),
)


def grants() -> list[Grant]:
    return [
        Grant(
            identifier="AW-2023-001",
            title="Victim support navigators",
            description="Two navigators for victims of domestic abuse.",
            amount=Decimal("1234.56"),
            award_date=date(2013, 9, 5),
            recipient=CHARITY,
            funder=FUNDER,
            planned_start=date(2013, 10, 1),
            planned_end=date(2014, 3, 31),
            beneficiary_locations=(Location("Leicester", "E22000168", "CSP"),),
            classifications=(
                Classification(PLAN, "P1", "Victims"),
                Classification(PLAN, "P4", "Safe and sound communities"),
            ),
            programme_title="Commissioning Framework",
            programme_code="CF-2013",
            decision_reference="EXE 0025/13",
            decision_url="https://www.leics.pcc.police.uk/decisions/exe-0025-13",
            from_open_call=True,
        ),
        Grant(
            identifier="AW-2023-002",
            title="Night-time economy marshals",
            description="Marshals in the city centre at weekends.",
            amount=Decimal("100000.00"),
            award_date=date(2014, 1, 15),
            recipient=COMPANY,
            funder=FUNDER,
            beneficiary_locations=(Location("Leicester", "E06000016", "UA"),),
            classifications=(Classification(PLAN, "P3", "Fighting crime"),),
        ),
        Grant(
            identifier="AW-2023-003",
            title="Youth diversion",
            description="Diversionary activities for young people at risk.",
            amount=Decimal("25000"),
            award_date=date(2014, 2, 3),
            recipient=COUNCIL,
            funder=FUNDER,
            beneficiary_locations=(Location("Leicester", "E06000016", "UA"),),
            data_source="https://www.leics.pcc.police.uk/transparency/grants",
        ),
        Grant(
            identifier="AW-2023-004",
            title="Partnership Locality Fund: Blaby and Hinckley & Bosworth",
            description="The locality fund of the joint Community Safety Partnership.",
            amount=Decimal("87654.32"),
            award_date=date(2014, 4, 1),
            recipient=CSP,
            funder=FUNDER,
            planned_start=date(2014, 4, 1),
            planned_end=date(2015, 3, 31),
            beneficiary_locations=(
                Location("Blaby", "E07000129", "NMD"),
                Location("Hinckley and Bosworth", "E07000132", "NMD"),
                Location("Blaby CSP", "E22000164", "CSP"),
            ),
            classifications=(Classification(PLAN, "P4", "Safe and sound communities"),),
            amount_applied_for=Decimal("90000"),
            date_modified=datetime(2014, 4, 2, 10, 15, tzinfo=UTC),
        ),
    ]


def build(items: list[Grant] | None = None) -> dict[str, Any]:
    return g360.package(
        grants() if items is None else items,
        publisher_name="OPCC for Leicester, Leicestershire and Rutland",
        publisher_prefix=PREFIX,
        generated_at=datetime(2024, 4, 1, 10, 30, tzinfo=timezone(timedelta(hours=1))),
        licence_url=OGL,
        publisher_website="https://www.leics.pcc.police.uk/",
    )


@pytest.fixture
def pkg() -> dict[str, Any]:
    return build()


# --------------------------------------------------------------------------------------------
# A valid package


def test_package_of_charity_company_council_and_csp_grants_is_valid(pkg):
    """Four hand-built grants (charity, company, council with register code, CSP with E22
    and NMD/UA locations, plan priorities as classifications) validate with no error."""
    assert len(pkg["grants"]) == 4
    assert validation.validate(pkg) == []
    assert validation.geo_code_problems(pkg) == []


def test_recipients_get_org_id_identifiers(pkg):
    """Each recipient is identified as org-id.guide says for its register."""
    ids = [grant["recipientOrganization"][0]["id"] for grant in pkg["grants"]]
    assert ids == [
        "GB-CHC-1123456",
        "GB-COH-04567890",
        "GB-LAE-LCE",
        f"{PREFIX}-blaby-hinckley-csp",
    ]
    assert {grant["fundingOrganization"][0]["id"] for grant in pkg["grants"]} == {f"{PREFIX}-opcc"}


def test_grant_identifiers_start_with_the_publisher_prefix_and_are_unique(pkg):
    """360Giving grant identifiers are the publisher's prefix and its own reference."""
    ids = [grant["id"] for grant in pkg["grants"]]
    assert all(i.startswith(PREFIX + "-") for i in ids)
    assert len(set(ids)) == len(ids)
    assert ids[0] == f"{PREFIX}-AW-2023-001"


def test_locations_and_priorities_are_carried(pkg):
    """The CSP grant lists its two districts and its CSP; priorities are classifications."""
    csp_grant = pkg["grants"][3]
    assert [(x["geoCode"], x["geoCodeType"]) for x in csp_grant["beneficiaryLocation"]] == [
        ("E07000129", "NMD"),
        ("E07000132", "NMD"),
        ("E22000164", "CSP"),
    ]
    first = pkg["grants"][0]
    assert [(c["vocabulary"], c["code"]) for c in first["classifications"]] == [
        (PLAN, "P1"),
        (PLAN, "P4"),
    ]
    assert first["decisionReference"] == "EXE 0025/13"


def test_dates_are_written_as_the_schema_patterns_want(pkg):
    """Award and planned dates are YYYY-MM-DD; issued is an RFC 3339 date-time in UTC."""
    first = pkg["grants"][0]
    assert first["awardDate"] == "2013-09-05"
    assert first["plannedDates"] == [{"startDate": "2013-10-01", "endDate": "2014-03-31"}]
    issued = datetime.fromisoformat(pkg["issued"])
    assert issued == datetime(2024, 4, 1, 9, 30, tzinfo=UTC)
    assert issued.utcoffset() == timedelta(0)
    assert pkg["grants"][3]["dateModified"] == "2014-04-02T10:15:00+00:00"


def test_a_full_datetime_award_date_is_also_valid(pkg):
    """The schema takes a date or a date-time with an offset for awardDate."""
    pkg["grants"][0]["awardDate"] = "2013-09-05T14:00:00+01:00"
    assert validation.validate(pkg) == []


def test_json_text_validates_as_well_as_the_dict(pkg):
    """validate() takes the published text too, and says when it is not JSON."""
    assert validation.validate(g360.dumps(pkg)) == []
    errors = validation.validate("{not json")
    assert len(errors) == 1 and "not JSON" in errors[0]


# --------------------------------------------------------------------------------------------
# The validator catches what it must


def test_validator_rejects_a_british_style_date(pkg):
    """05/09/2013 matches neither the date pattern nor the date-time format."""
    pkg["grants"][1]["awardDate"] = "05/09/2013"
    errors = validation.validate(pkg)
    assert len(errors) == 1
    assert errors[0].startswith("$.grants[1].awardDate:")
    assert "05/09/2013" in errors[0]


def test_validator_checks_formats_not_just_patterns(pkg):
    """A date-time without a time zone is not RFC 3339: caught only with format checking on."""
    pkg["grants"][0]["awardDate"] = "2013-09-05T10:00:00"
    errors = validation.validate(pkg)
    assert [e.split(":")[0] for e in errors] == ["$.grants[0].awardDate"]


def test_validator_rejects_a_bad_modified_timestamp(pkg):
    """dateModified must be a full date-time: a plain date is not one."""
    pkg["grants"][3]["dateModified"] = "2014-04-02"
    errors = validation.validate(pkg)
    assert [e.split(":")[0] for e in errors] == ["$.grants[3].dateModified"]


@pytest.mark.parametrize(
    "field", ["id", "title", "description", "currency", "amountAwarded", "awardDate"]
)
def test_validator_reports_a_missing_required_field(pkg, field):
    """A grant without a required field fails, and the message names the field and grant."""
    del pkg["grants"][2][field]
    errors = validation.validate(pkg)
    assert len(errors) == 1
    assert errors[0].startswith("$.grants[2]:")
    assert f"'{field}' is a required property" in errors[0]


def test_validator_reports_a_missing_funder(pkg):
    """Every grant names its funder."""
    del pkg["grants"][0]["fundingOrganization"]
    errors = validation.validate(pkg)
    assert len(errors) == 1 and "'fundingOrganization' is a required property" in errors[0]


def test_validator_rejects_an_unknown_currency(pkg):
    """Currency is checked against the ISO 4217 codelist in the grant schema."""
    pkg["grants"][0]["currency"] = "GPB"
    errors = validation.validate(pkg)
    assert len(errors) == 1
    assert errors[0].startswith("$.grants[0].currency:") and "'GPB'" in errors[0]


def test_validator_rejects_an_amount_written_as_text(pkg):
    """Amounts are numbers, not strings with a pound sign."""
    pkg["grants"][0]["amountAwarded"] = "£1,234.56"
    errors = validation.validate(pkg)
    assert [e.split(":")[0] for e in errors] == ["$.grants[0].amountAwarded"]


def test_validator_rejects_a_malformed_url(pkg):
    """URI fields are format-checked."""
    pkg["grants"][2]["dataSource"] = "grants page on our website"
    errors = validation.validate(pkg)
    assert [e.split(":")[0] for e in errors] == ["$.grants[2].dataSource"]


def test_validator_rejects_an_empty_grant_list(pkg):
    """A package must hold at least one grant."""
    pkg["grants"] = []
    errors = validation.validate(pkg)
    assert len(errors) == 1 and errors[0].startswith("$.grants:")


def test_validator_rejects_a_bad_version(pkg):
    """The package's version is major.minor."""
    pkg["version"] = "1.4.3"
    assert [e.split(":")[0] for e in validation.validate(pkg)] == ["$.version"]


def test_validation_never_touches_the_network(pkg, monkeypatch):
    """The remote $ref to the grant schema is served from the local file."""
    validation._validator.cache_clear()

    def refuse(*args, **kwargs):
        raise AssertionError("validation tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert validation.validate(pkg) == []
    pkg["grants"][0]["currency"] = "XYZ"
    assert len(validation.validate(pkg)) == 1


def test_validator_reads_schemas_from_the_folder_given(pkg, tmp_path):
    """The schema folder is an argument: an empty folder is an error, not a silent pass."""
    with pytest.raises(FileNotFoundError):
        validation.validate(pkg, schema_dir=tmp_path)
    for name in ("360-giving-package-schema.json", "360-giving-schema.json"):
        (tmp_path / name).write_text((OFFICIAL / name).read_text(encoding="utf-8"))
    assert validation.validate(pkg, schema_dir=tmp_path) == []


def test_geo_code_of_the_wrong_type_is_reported(pkg):
    """A district code labelled CSP, or an unknown code type, is a quality problem."""
    pkg["grants"][3]["beneficiaryLocation"][0]["geoCodeType"] = "CSP"
    pkg["grants"][0]["beneficiaryLocation"][0]["geoCodeType"] = "DISTRICT"
    problems = validation.geo_code_problems(pkg)
    assert len(problems) == 2
    assert problems[0].startswith("$.grants[0].beneficiaryLocation[0].geoCodeType:")
    assert problems[1].startswith("$.grants[3].beneficiaryLocation[0].geoCode:")
    assert "E22" in problems[1]


# --------------------------------------------------------------------------------------------
# Organisation identifiers


@pytest.mark.parametrize(
    ("org", "expected"),
    [
        (Org("A", "charity", charity_number="1123456"), "GB-CHC-1123456"),
        (Org("A", "charity", charity_number=" 220 949 "), "GB-CHC-220949"),
        (Org("A", "charity", charity_number="sc012345"), "GB-SC-SC012345"),
        (Org("A", "charity", charity_number="NIC100012"), "GB-NIC-100012"),
        (Org("A", "company", company_number="4567890"), "GB-COH-04567890"),
        (Org("A", "company", company_number="00123"), "GB-COH-00000123"),
        (Org("A", "cic", company_number=" sc 12345 "), "GB-COH-SC012345"),
        (Org("A", "company", company_number="OC301234"), "GB-COH-OC301234"),
        # A charitable company: the charity number comes first.
        (Org("A", "charity", charity_number="1123456", company_number="4567890"), "GB-CHC-1123456"),
        (Org("A", "council", la_register_code=" lce "), "GB-LAE-LCE"),
        (Org("A", "council", la_register_code="LEIC"), "GB-LAE-LEIC"),
        (Org("A", "council", key="rutland"), f"{PREFIX}-rutland"),
        (Org("A", "csp", key="Blaby  Hinckley CSP"), f"{PREFIX}-blaby-hinckley-csp"),
        (Org("A", "police_force", key="leics-police"), f"{PREFIX}-leics-police"),
        (Org("A", "charity", key="small-charity"), f"{PREFIX}-small-charity"),
        # The org-id.guide identifier an organisation carries comes first, whatever its list.
        (Org("A", "charity", org_id="GB-CHC-1234567", key="a"), "GB-CHC-1234567"),
        (Org("A", "company", org_id=" gb-coh-01234567 ", key="a"), "GB-COH-01234567"),
        (Org("A", "council", org_id="GB-LAE-LCE", key="a"), "GB-LAE-LCE"),
        (Org("A", "other", org_id="GB-EDU-123456", key="a"), "GB-EDU-123456"),
        (Org("A", "charity", org_id="GB-SC-SC012345"), "GB-SC-SC012345"),
        (Org("A", "charity", org_id="GB-NIC-100012"), "GB-NIC-100012"),
        (Org("A", "charity", org_id="GB-CHC-1234567", charity_number="1123456"), "GB-CHC-1234567"),
        # One that is not an org-id.guide identifier is passed over.
        (Org("A", "charity", org_id="CHC 1123456", charity_number="1123456"), "GB-CHC-1123456"),
        (Org("A", "other", org_id="GB-1234567", key="small-group"), f"{PREFIX}-small-group"),
        (Org("A", "other", org_id="G1-CHC-1234567", key="small-group"), f"{PREFIX}-small-group"),
    ],
)
def test_org_identifier(org, expected):
    """org-id.guide identifiers, normalised for whitespace and case."""
    assert g360.org_identifier(org, PREFIX) == expected


@pytest.mark.parametrize(
    ("value", "standard"),
    [
        ("GB-CHC-1234567", "GB-CHC-1234567"),
        ("gb-coh-sc012345", "GB-COH-sc012345"),
        (" GB-EDU-123456\n", "GB-EDU-123456"),
        ("XM-DAC-41114", "XM-DAC-41114"),
        ("GB-CHC-", ""),
        ("GB-CHC", ""),
        ("GBR-CHC-1234567", ""),
        ("GB-CH1-1234567", ""),
        ("GB-CHC-12--34", ""),
        ("1234567", ""),
        ("", ""),
    ],
)
def test_standard_org_id(value, standard):
    """PREFIX-IDENTIFIER, the prefix two letters, a dash and letters (put in capitals)."""
    assert g360.standard_org_id(value) == standard


def test_an_org_id_that_cannot_be_used_is_reported():
    assert g360.org_id_problem(Org("Fine", "charity", org_id="GB-CHC-1234567")) == ""
    assert g360.org_id_problem(Org("None", "charity")) == ""
    problem = g360.org_id_problem(Org("Odd Trust", "charity", org_id="charity 1234567"))
    assert "Odd Trust" in problem and "'charity 1234567'" in problem
    assert "not an org-id.guide identifier" in problem


def test_a_charitable_company_publishes_both_numbers_in_standard_form():
    """The identifier uses the charity number; both numbers are published, normalised."""
    org = Org("A", "charity", charity_number=" 1123456", company_number="4567890")
    grant = Grant("X", "T", "D", Decimal(1), date(2020, 1, 1), org, FUNDER)
    recipient = build([grant])["grants"][0]["recipientOrganization"][0]
    assert recipient["id"] == "GB-CHC-1123456"
    assert recipient["charityNumber"] == "1123456"
    assert recipient["companyNumber"] == "04567890"


@pytest.mark.parametrize(
    ("org", "complaint"),
    [
        (Org("Bad Charity", "charity", charity_number="12AB"), "charity number"),
        (Org("Bad Charity", "charity", charity_number="0123456"), "charity number"),
        (Org("Bad Charity", "charity", charity_number="12345678"), "charity number"),
        (Org("Bad Co", "company", company_number="123456789"), "company number"),
        (Org("Bad Co", "company", company_number="00000000"), "company number"),
        (Org("Bad Co", "company", company_number="ABC12345"), "company number"),
        (Org("Bad Council", "council", la_register_code="L1"), "register code"),
        (Org("Not A Council", "charity", la_register_code="LCE"), "only a council"),
        (Org("Nameless", "other"), "nothing"),
        (Org("Odd Key", "other", key="a/b"), "key"),
    ],
)
def test_org_identifier_rejects_rubbish(org, complaint):
    """A malformed number raises ValueError naming the organisation and the problem."""
    with pytest.raises(ValueError) as raised:
        g360.org_identifier(org, PREFIX)
    message = str(raised.value)
    assert org.name in message
    assert complaint in message or (complaint == "nothing" and "no charity number" in message)


@pytest.mark.parametrize("prefix", ["", "opcc-llr", "360G opcc", "360G-", "GB-CHC-123"])
def test_org_identifier_rejects_a_bad_publisher_prefix(prefix):
    """The fallback must be a 360Giving prefix (360G-...)."""
    with pytest.raises(ValueError, match="360Giving publisher prefix"):
        g360.org_identifier(Org("A", "csp", key="a"), prefix)


def test_org_refuses_an_unknown_kind():
    """Kinds are the organisation kinds of the product."""
    with pytest.raises(ValueError, match="kind"):
        Org("A", "charity_shop")


# --------------------------------------------------------------------------------------------
# Building refuses what cannot be published


def test_grant_refuses_a_float_amount():
    """Money is Decimal: a float would lose pence."""
    with pytest.raises(TypeError, match="Decimal"):
        Grant("X", "T", "D", 1234.56, date(2020, 1, 1), CHARITY, FUNDER)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", ["-1", "10.005", "NaN", "Infinity"])
def test_grant_refuses_impossible_amounts(amount):
    """Negative, fractional pence and non-finite amounts are refused."""
    with pytest.raises(ValueError, match="amount"):
        Grant("X", "T", "D", Decimal(amount), date(2020, 1, 1), CHARITY, FUNDER)


def test_the_amount_disbursed_is_written_exactly_and_validates():
    """What has been paid under a grant so far is 360Giving's amountDisbursed: a number with
    its pence as they are, next to the amount awarded, and the package still validates; a
    grant that knows none has no such field."""
    paid = Grant(
        "AW-PAID", "Paid grant", "Paid in part.", Decimal("10000"), date(2016, 4, 1), CHARITY,
        FUNDER, amount_disbursed=Decimal("2500.05"), planned_start=date(2016, 4, 1),
        planned_end=date(2017, 3, 31),
    )  # fmt: skip
    package = build([paid, *grants()[:1]])
    first, second = package["grants"]
    assert first["amountDisbursed"] == Decimal("2500.05")
    assert first["plannedDates"] == [{"startDate": "2016-04-01", "endDate": "2017-03-31"}]
    assert "amountDisbursed" not in second
    assert '"amountDisbursed": 2500.05,' in g360.dumps(package)
    assert validation.validate(g360.dumps(package)) == []
    titles, cells = flat.rows(package)
    assert cells[0][titles.index("Amount Disbursed")] == Decimal("2500.05")


@pytest.mark.parametrize("amount", [1.5, Decimal("-1"), Decimal("0.001")])
def test_grant_refuses_an_impossible_amount_disbursed(amount):
    with pytest.raises((TypeError, ValueError), match="amount disbursed"):
        Grant(
            "X", "T", "D", Decimal(1), date(2020, 1, 1), CHARITY, FUNDER, amount_disbursed=amount
        )  # fmt: skip


def test_grant_refuses_a_datetime_for_the_award_date():
    """The award date is a date; a datetime would be written with a made-up time."""
    with pytest.raises(TypeError, match="award date"):
        Grant("X", "T", "D", Decimal(1), datetime(2020, 1, 1, tzinfo=UTC), CHARITY, FUNDER)


def test_grant_refuses_an_end_before_its_start():
    with pytest.raises(ValueError, match="before"):
        Grant(
            "X", "T", "D", Decimal(1), date(2020, 1, 1), CHARITY, FUNDER,
            planned_start=date(2020, 4, 1), planned_end=date(2020, 3, 31),
        )  # fmt: skip


def test_location_refuses_a_code_that_is_not_ons():
    with pytest.raises(ValueError, match="ONS code"):
        Location("Blaby", "BLABY", "NMD")


def test_package_refuses_no_grants_duplicates_and_naive_times():
    """Nothing to publish, a repeated identifier and a time without a zone are errors."""
    with pytest.raises(ValueError, match="at least one grant"):
        build([])
    twice = [grants()[0], grants()[0]]
    with pytest.raises(ValueError, match="two grants"):
        build(twice)
    with pytest.raises(ValueError, match="time zone"):
        g360.package(
            grants(),
            publisher_name="P",
            publisher_prefix=PREFIX,
            generated_at=datetime(2024, 4, 1, 10, 30),
            licence_url=OGL,
        )


# --------------------------------------------------------------------------------------------
# Exact money in JSON


def test_decimal_amounts_survive_dumps_exactly(pkg):
    """1234.56 and 100000.00 are written as the numbers 1234.56 and 100000."""
    text = g360.dumps(pkg)
    assert re.search(r'"amountAwarded": 1234\.56[,\n]', text)
    assert re.search(r'"amountAwarded": 100000[,\n]', text)
    assert '"amountAwarded": "' not in text
    loaded = json.loads(text, parse_float=Decimal)
    amounts = [grant["amountAwarded"] for grant in loaded["grants"]]
    assert amounts == [Decimal("1234.56"), 100000, 25000, Decimal("87654.32")]
    assert loaded["grants"][3]["amountAppliedFor"] == 90000


def test_dumps_does_not_round_through_float():
    """Digits beyond a float's precision are kept."""
    value = Decimal("12345678901234567.89")
    assert float(value) != value  # the trap this avoids
    text = g360.dumps({"amount": value}, indent=None)
    assert text == '{"amount": 12345678901234567.89}'
    assert json.loads(text, parse_float=Decimal)["amount"] == value


def test_dumps_round_trips_plain_json():
    """For values json already handles, dumps() is read back as the same value."""
    value: dict[str, Any] = {"a": [1, 2.5, None, True, "£ café", {"b": [], "c": {}}], "d": 'x"y\n'}
    for indent in (None, 2):
        assert json.loads(g360.dumps(value, indent=indent)) == value
    assert g360.dumps(value, indent=None) == json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("bad", [date(2020, 1, 1), Decimal("NaN"), float("inf"), {1: "x"}])
def test_dumps_refuses_what_is_not_json(bad):
    with pytest.raises((TypeError, ValueError)):
        g360.dumps({"x": bad})


# --------------------------------------------------------------------------------------------
# The spreadsheet


def _json_path_of(header: str, by_title: dict[str, str]) -> list[str | int] | None:
    """The JSON path of a flatten-tool column title: numbers in the title are the positions
    of the lists they follow; a list with no number is at position 0."""
    segments = header.split(":")
    names = [s for s in segments if not s.isdigit()]
    official = by_title.get(":".join(names))
    if official is None:
        return None
    numbers: dict[int, int] = {}
    name_no = -1
    for s in segments:
        if s.isdigit():
            numbers[name_no] = int(s)
        else:
            name_no += 1
    path: list[str | int] = []
    name_no = -1
    for part in official.split("/"):
        if part == "0":
            path.append(numbers.get(name_no, 0))
        else:
            name_no += 1
            path.append(part)
    return path


def _get(value: Any, path: list[str | int]) -> Any:
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError):
            return ""
    return value


def test_spreadsheet_headers_are_official_titles_and_include_the_required(pkg):
    """Every header is an official column title (a position number aside) or a declared
    extra field; every required column is there."""
    columns = official_columns()
    titles = {c["column_title"] for c in columns}
    headers, _ = flat.rows(pkg)
    assert len(headers) == len(set(headers))
    for header in headers:
        plain = ":".join(s for s in header.split(":") if not s.isdigit())
        assert plain in titles or header in g360.EXTRA_FIELDS, header
    required = {
        c["column_title"]
        for c in columns
        if c["required"].startswith("yes") and not c["column_title"].startswith("Recipient Ind")
    }
    assert len(required) == 10
    assert required <= set(headers)


def test_spreadsheet_numbers_columns_only_for_lists_with_several_items(pkg):
    """Three locations on one grant give Beneficiary Location:0: to :2: columns; the single
    recipient keeps its plain title."""
    headers, _ = flat.rows(pkg)
    for n in range(3):
        assert f"Beneficiary Location:{n}:Geographic Code" in headers
    assert "Beneficiary Location:Geographic Code" not in headers
    assert "Recipient Org:Identifier" in headers
    assert not any(h.startswith("Recipient Org:0") for h in headers)

    single, _ = flat.rows(build(grants()[1:3]))
    assert "Beneficiary Location:Geographic Code" in single
    assert not any(re.search(r":\d+:", h) for h in single)


def test_spreadsheet_cells_trace_back_to_the_package(pkg):
    """Each cell holds the value at the official JSON path its title names, and no value of
    the package is left out."""
    by_title = {c["column_title"]: c["json_path"] for c in official_columns()}
    headers, table = flat.rows(pkg)
    assert len(table) == len(pkg["grants"])
    for grant, row in zip(pkg["grants"], table, strict=True):
        for header, cell in zip(headers, row, strict=True):
            path = _json_path_of(header, by_title)
            expected = grant.get(header, "") if path is None else _get(grant, path)
            assert cell == expected, (header, cell, expected)
    leaves = sum(1 for grant in pkg["grants"] for _ in _scalars(grant))
    filled = sum(1 for row in table for cell in row if cell != "")
    assert filled == leaves


def _scalars(value: Any):
    if isinstance(value, dict):
        for item in value.values():
            yield from _scalars(item)
    elif isinstance(value, list):
        for item in value:
            yield from _scalars(item)
    else:
        yield value


def test_workbook_opens_with_a_grants_sheet_and_one_row_per_grant(pkg):
    """The XLSX has one sheet, grants, a header row and a row per grant; amounts are numbers."""
    book = openpyxl.load_workbook(io.BytesIO(flat.workbook(pkg)))
    assert book.sheetnames == ["grants"]
    sheet = book["grants"]
    values = list(sheet.iter_rows(values_only=True))
    headers = list(values[0])
    assert headers == flat.rows(pkg)[0]
    assert len(values) == 1 + len(pkg["grants"])
    amount = headers.index("Amount Awarded")
    awarded = [row[amount] for row in values[1:]]
    assert all(isinstance(a, int | float) for a in awarded)
    assert [Decimal(str(a)) for a in awarded] == [
        Decimal("1234.56"), Decimal(100000), Decimal(25000), Decimal("87654.32"),
    ]  # fmt: skip
    ids = [row[headers.index("Identifier")] for row in values[1:]]
    assert ids == [grant["id"] for grant in pkg["grants"]]


def test_workbook_keeps_formula_like_text_as_text():
    """A title beginning with = is stored as text, never as a formula."""
    grant = grants()[1]
    risky = Grant(
        identifier=grant.identifier,
        title='=HYPERLINK("http://x.invalid","click")',
        description=grant.description,
        amount=grant.amount,
        award_date=grant.award_date,
        recipient=grant.recipient,
        funder=grant.funder,
    )
    book = openpyxl.load_workbook(io.BytesIO(flat.workbook(build([risky]))))
    sheet = book["grants"]
    headers = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=headers.index("Title") + 1)
    assert cell.data_type == "s"
    assert cell.value == risky.title


def test_csv_text_has_one_row_per_grant_and_exact_amounts(pkg):
    """The CSV carries the same headers and the amounts' exact digits."""
    records = list(csv.DictReader(io.StringIO(flat.csv_text(pkg))))
    assert len(records) == len(pkg["grants"])
    assert [r["Amount Awarded"] for r in records] == ["1234.56", "100000", "25000", "87654.32"]
    assert records[0]["Award Date"] == "2013-09-05"
    assert records[0]["decisionReference"] == "EXE 0025/13"
    assert records[3]["Beneficiary Location:1:Name"] == "Hinckley and Bosworth"


def test_spreadsheet_of_a_tampered_package_shows_the_tampering(pkg):
    """rows() reads the package it is given rather than anything cached."""
    changed = copy.deepcopy(pkg)
    changed["grants"][0]["title"] = "Changed"
    assert flat.rows(changed)[1][0][1] == "Changed"
    assert flat.rows(pkg)[1][0][1] == "Victim support navigators"
