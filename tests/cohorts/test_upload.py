"""Uploading a cohort file through the service: all rows or none; every problem named by row
and column, all at once; nothing stored on any problem; the upload's retention date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commissioning.cohorts import services
from commissioning.cohorts.models import Cohort, CohortRecord, CohortUpload
from commissioning.cohorts.selectors import cohort_summary
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role

from .conftest import HAND_CHECKED, HEADER, csv_file

pytestmark = pytest.mark.django_db


def stored() -> tuple[int, int, int, int]:
    return (
        CohortUpload.objects.count(),
        Cohort.objects.count(),
        CohortRecord.objects.count(),
        AuditEvent.objects.filter(action__startswith="cohort.").count(),
    )


def refused(officer, content: bytes, filename="cohorts.csv", **kw) -> services.CohortUploadRefused:
    before = stored()
    with pytest.raises(services.CohortUploadRefused) as caught:
        services.cohort_upload(
            actor=officer,
            name=kw.pop("name", "Test"),
            period_label=kw.pop("period_label", "2013/14"),
            filename=filename,
            content=content,
            **kw,
        )
    assert stored() == before, "nothing may be stored when the upload is refused"
    return caught.value


def test_a_good_file_is_stored_whole_with_its_audit_event(make_upload, officer):
    upload = make_upload()
    assert upload.rows == 10 and upload.uploaded_by == officer
    assert sorted(upload.cohorts.values_list("name", flat=True)) == ["IOM", "PPO"]
    assert CohortRecord.objects.filter(cohort__upload=upload).count() == 10
    # The same pseudonym stands in two cohorts, once in each.
    assert CohortRecord.objects.filter(cohort__upload=upload, pseudonym="P-001").count() == 2
    event = AuditEvent.objects.get(action="cohort.upload", object_uuid=upload.uuid)
    assert event.after["records"] == 10 and event.after["cohorts"] == {"IOM": 8, "PPO": 2}
    assert "P-001" not in str(event.after)
    assert upload.target_percent == D("17.00")
    assert upload.retain_until == timezone.localdate() + dt.timedelta(days=365)


def test_the_stored_rows_give_the_hand_checked_measures(make_upload):
    """The same figures as tests/cohorts/test_measures.py works out, through the database."""
    rows = {(m.cohort, m.area_code): m for m in cohort_summary(make_upload(), suppress=False)}
    iom = rows[("IOM", "all")]
    assert (iom.offenders, iom.excluded, iom.reduction_pct, iom.meeting_target) == (
        6,
        2,
        D("20.00"),
        3,
    )
    assert rows[("IOM", "E06000016")].reduction_pct == D("19.17")
    assert rows[("IOM", "E06000016")].area_name == "Leicester"


def test_every_bad_row_is_named_by_row_and_column_all_at_once(officer):
    content = csv_file(
        [
            "P-001,IOM,E06000016,no,10,5",
            "P-002,IOM,E06000016,no,-3,2",  # row 3: a negative count
            "P-003,IOM,E06000016,no,4,lots",  # row 4: text in a count
            "P-001,IOM,E06000017,no,2,1",  # row 5: P-001 is already in IOM (row 2)
            "P-004,IOM,E99999999,no,2,1",  # row 6: an area the product does not know
            "P-005,IOM,E06000016,maybe,2,1",  # row 7: not yes or no
            "P-006,IOM,E06000016,no,2.5,1",  # row 8: not a whole number
            "John Smith,IOM,E06000016,no,2,1",  # row 9: a name, not a pseudonym
            "P-007,iom,E06000016,no,2,1",  # row 10: the cohort spelt another way
            "P-008,,E06000016,no,,1",  # row 11: a blank cohort and a blank count
        ]
    )
    problems = [str(p) for p in refused(officer, content).problems]
    expected = [
        "Row 3, baseline_offences: -3 is negative",
        "Row 4, current_offences: “lots” is not a whole number",
        "Row 5, pseudonym: this offender is already in the IOM cohort on row 2",
        "Row 6, area_code: “E99999999” is not an area the product knows",
        "Row 7, in_custody: “maybe” is not yes or no",
        "Row 8, baseline_offences: “2.5” is not a whole number",
        "Row 9, pseudonym: must be letters, digits",
        "Row 10, cohort: “iom” is spelt differently from “IOM” on row 2",
        "Row 11, cohort: is blank",
        "Row 11, baseline_offences: is blank",
    ]
    for start in expected:
        assert any(p.startswith(start) for p in problems), (start, problems)
    assert len(problems) == len(expected)
    assert not any(p.startswith("Row 2") for p in problems)


def test_the_form_fields_and_the_file_are_refused_together(officer):
    today = timezone.localdate()
    exc = refused(
        officer,
        csv_file(["P-001,IOM,E06000016,no,-1,0"]),
        name="",
        period_label="",
        target="120",
        retain_until=today,
    )
    assert set(exc.message_dict) == {"name", "period_label", "target", "retain_until", "file"}
    assert exc.message_dict["file"] == [
        "Nothing was stored: put right the 1 problem in the file and upload it again"
    ]
    assert [str(p) for p in exc.problems] == [
        "Row 2, baseline_offences: -1 is negative: a count is 0 or more"
    ]


def test_data_cannot_be_kept_longer_than_the_retention_period(officer, settings):
    settings.COHORT_RETENTION_DAYS = 30
    later = timezone.localdate() + dt.timedelta(days=31)
    exc = refused(officer, csv_file(HAND_CHECKED), retain_until=later)
    assert "kept at most 30 days" in exc.message_dict["retain_until"][0]
    made = services.cohort_upload(
        actor=officer,
        name="Short",
        period_label="2013/14",
        filename="c.csv",
        content=csv_file(HAND_CHECKED),
        retain_until=later - dt.timedelta(days=10),
        target="25",
    )
    assert made.retain_until == later - dt.timedelta(days=10)
    assert made.target_percent == D("25.00")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "pseudonym,cohort,area_code,in_custody,baseline_offences",
            "Row 1, current_offences: this column is missing",
        ),
        (HEADER + ",name", "Row 1: name is not a column of a cohort file"),
        (HEADER + ",cohort", "Row 1, cohort: this column is in the file twice"),
    ],
)
def test_the_columns_must_be_exactly_the_cohort_columns(officer, header, message):
    problems = [str(p) for p in refused(officer, csv_file(["a,b,c,d,e,f"], header)).problems]
    assert any(p.startswith(message) for p in problems), problems


def test_columns_may_come_in_any_order(officer):
    header = "cohort,pseudonym,current_offences,baseline_offences,in_custody,area_code"
    made = services.cohort_upload(
        actor=officer,
        name="Reordered",
        period_label="2013/14",
        filename="c.csv",
        content=csv_file(["IOM,P-1,1,4,no,E06000016"], header),
    )
    record = CohortRecord.objects.get(cohort__upload=made)
    assert (record.baseline_offences, record.current_offences) == (4, 1)


@pytest.mark.parametrize(
    ("content", "filename", "field_or_problem"),
    [
        (b"", "c.csv", "The file is empty"),
        (HEADER.encode() + b"\n", "c.csv", "The file: there are no rows under the header"),
        ("\n".join([HEADER, "P-1,IOM,E06000016,no,1"]).encode(), "c.csv", "Row 2: it has 5 cells"),
        (
            "\n".join(
                [HEADER, "P-1,IOM,E06000016,no,1,0", "", "P-2,IOM,E06000016,no,1,0"]
            ).encode(),
            "c.csv",
            "Row 3: the row is empty",
        ),
        ("\n".join([HEADER, "P-1,IOM,E06000016,no,1,0"]).encode("utf-16"), "c.csv", "UTF-8"),
        (csv_file(HAND_CHECKED), "cohorts.txt", "are not accepted here"),
    ],
)
def test_files_that_are_not_a_cohort_csv_are_refused(officer, content, filename, field_or_problem):
    exc = refused(officer, content, filename=filename)
    said = [*exc.message_dict.get("file", []), *(str(p) for p in exc.problems)]
    assert any(field_or_problem in s for s in said), said


def test_a_long_list_of_problems_is_capped_with_a_count_of_the_rest(officer):
    rows = [f"P-{n},IOM,E06000016,no,x,0" for n in range(120)]
    exc = refused(officer, csv_file(rows))
    assert len(exc.problems) == 120
    assert len(exc.problem_lines) == 51
    assert exc.problem_lines[-1] == "… and 70 more problems not listed"


@pytest.mark.parametrize("role", [Role.CHIEF_EXECUTIVE, Role.CFO, Role.PCC, Role.PARTNER])
def test_only_commissioning_officers_upload(user_with, role):
    before = stored()
    with pytest.raises(ValidationError, match="only commissioning officers upload"):
        services.cohort_upload(
            actor=user_with(role),
            name="Test",
            period_label="2013/14",
            filename="c.csv",
            content=csv_file(HAND_CHECKED),
        )
    assert stored() == before
