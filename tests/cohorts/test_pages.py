"""The cohort pages through the test client: only commissioning officers and the Chief
Executive reach them (403 for everyone else, sign-in for anonymous); each view of cohort data
is audited (and the list, which shows none, is not); pseudonyms appear only on the records
page; the upload form names every problem by row; writes need CSRF; a cohort is linked to
an agreement's outcome by an officer."""

from __future__ import annotations

import csv
import html as htmllib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from commissioning.agreements import services as agreement_services
from commissioning.budgets.models import Status
from commissioning.cohorts.measures import TOO_FEW
from commissioning.cohorts.models import CohortUpload
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role

from .conftest import HAND_CHECKED, csv_file

pytestmark = pytest.mark.django_db

PSEUDONYMS = ("P-001", "P-004", "P-008")


def text_of(response) -> str:
    page = response.content.decode()
    return htmllib.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def pages(upload) -> list[str]:
    return [
        reverse("cohort-list"),
        reverse("cohort-upload", args=[upload.uuid]),
        reverse("cohort-records", args=[upload.uuid]),
        reverse("cohort-download", args=[upload.uuid]),
    ]


@pytest.mark.parametrize(
    "role", [Role.PARTNER, Role.REVIEWER, Role.PANEL_MEMBER, Role.CFO, Role.PCC]
)
def test_everyone_but_officers_and_the_chief_executive_is_refused(
    client, user_with, make_upload, role
):
    upload = make_upload()
    cohort = upload.cohorts.get(name="IOM")
    client.force_login(user_with(role))
    before = AuditEvent.objects.count()
    for url in [*pages(upload), reverse("cohort-upload-new")]:
        assert client.get(url).status_code == 403, url
    link = reverse("cohort-link", args=[upload.uuid, cohort.uuid])
    assert client.post(link, {"outcome": ""}).status_code == 403
    assert AuditEvent.objects.count() == before


def test_anonymous_is_sent_to_sign_in(client, make_upload):
    for url in pages(make_upload()):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url


def test_the_chief_executive_sees_cohort_data_but_does_not_upload_or_link(client, ceo, make_upload):
    upload = make_upload()
    client.force_login(ceo)
    for url in pages(upload):
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("cohort-upload-new")).status_code == 403
    link = reverse("cohort-link", args=[upload.uuid, upload.cohorts.get(name="IOM").uuid])
    assert client.post(link, {"outcome": ""}).status_code == 403


def test_each_view_of_cohort_data_is_audited_and_the_list_is_not(client, officer, make_upload):
    upload = make_upload()
    client.force_login(officer)
    before = AuditEvent.objects.count()
    assert client.get(reverse("cohort-list")).status_code == 200
    assert AuditEvent.objects.count() == before
    client.get(reverse("cohort-upload", args=[upload.uuid]))
    client.get(reverse("cohort-records", args=[upload.uuid]))
    client.get(reverse("cohort-download", args=[upload.uuid]))
    events = AuditEvent.objects.filter(object_uuid=upload.uuid).exclude(action="cohort.upload")
    assert sorted(events.values_list("action", flat=True)) == [
        "cohort.download",
        "cohort.view",
        "cohort.view_records",
    ]
    assert set(events.values_list("actor", flat=True)) == {officer.pk}
    assert not any(p in str(e.after) for e in events for p in PSEUDONYMS)


def test_the_list_shows_each_upload_and_its_retention_date(client, officer, make_upload):
    upload = make_upload(name="IOM first half")
    client.force_login(officer)
    page = text_of(client.get(reverse("cohort-list")))
    assert "IOM first half" in page and "2013/14" in page
    assert f"{upload.retain_until:%-d %b %Y}" in page
    assert "Upload a cohort file" in page
    assert not any(p in page for p in PSEUDONYMS)


def test_the_measures_page_shows_every_figure_and_marks_what_is_withheld(
    client, officer, make_upload
):
    """The hand-checked cohort: every group is under 10, so all are withheld outside the
    team; the officer still sees the figures (tests/cohorts/test_measures.py)."""
    upload = make_upload()
    client.force_login(officer)
    response = client.get(reverse("cohort-upload", args=[upload.uuid]))
    assert response.status_code == 200
    page = text_of(response)
    assert "Leicester 4 2 120 97 19.17%" in page
    assert "All areas 6 2 125 100 20.00%" in page
    assert "Withheld Too few to judge" in page
    assert "5 rows below are marked as withheld outside the team" in page
    assert not any(p in page for p in PSEUDONYMS)
    assert 'class="app-table-wrapper" tabindex="0" role="region"' in response.content.decode()


def test_the_records_page_lists_pseudonyms_a_cohort_at_a_time(client, officer, make_upload):
    upload = make_upload()
    client.force_login(officer)
    ppo = upload.cohorts.get(name="PPO")
    every = text_of(client.get(reverse("cohort-records", args=[upload.uuid])))
    assert "10 records" in every and "P-008" in every
    only = text_of(
        client.get(reverse("cohort-records", args=[upload.uuid]) + f"?cohort={ppo.uuid.hex}")
    )
    assert "The PPO cohort: 2 records" in only
    assert "P-001" in only and "P-008" not in only


def test_the_download_is_the_suppressed_measures_without_pseudonyms(
    client, officer, make_upload, settings
):
    settings.COHORT_SUPPRESS_UNDER = 3
    upload = make_upload()
    client.force_login(officer)
    response = client.get(reverse("cohort-download", args=[upload.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith(
        'attachment; filename="cohort-measures-2013-14-'
    )
    body = response.content.decode()
    assert not any(p in body for p in PSEUDONYMS)
    rows = {(r["cohort"], r["area_code"]): r for r in csv.DictReader(io.StringIO(body))}
    assert rows[("IOM", "all")]["reduction_pct"] == "20.00"
    assert rows[("IOM", "all")]["suppressed"] == "false"
    rutland = rows[("IOM", "E06000017")]
    assert rutland["suppressed"] == "true" and rutland["reason"] == TOO_FEW
    assert rutland["offenders"] == rutland["reduction_pct"] == ""


def test_the_upload_form_stores_a_good_file(client, officer):
    client.force_login(officer)
    form = client.get(reverse("cohort-upload-new"))
    assert form.status_code == 200
    page = form.content.decode()
    for label in ("Name", "Period measured", "Reduction target", "Keep the data until"):
        assert f">{label}</label>" in page
    assert 'enctype="multipart/form-data"' in page and "govuk-file-upload" in page
    response = client.post(
        reverse("cohort-upload-new"),
        {
            "name": "IOM cohort",
            "period_label": "2013/14",
            "target": "17",
            "retain_until": "",
            "file": SimpleUploadedFile("iom.csv", csv_file(HAND_CHECKED), "text/csv"),
        },
    )
    made = CohortUpload.objects.get(name="IOM cohort")
    assert response.status_code == 302
    assert response["Location"] == reverse("cohort-upload", args=[made.uuid])
    assert made.rows == 10


def test_the_upload_form_names_every_problem_and_stores_nothing(client, officer):
    client.force_login(officer)
    before = CohortUpload.objects.count()
    response = client.post(
        reverse("cohort-upload-new"),
        {
            "name": "",
            "period_label": "2013/14",
            "target": "17",
            "file": SimpleUploadedFile(
                "iom.csv",
                csv_file(["P-1,IOM,E06000016,no,-2,0", "P-2,IOM,NOWHERE,no,2,0"]),
                "text/csv",
            ),
        },
    )
    assert response.status_code == 400
    page = text_of(response)
    assert "Give the upload a name" in page
    assert "Nothing was stored: put right the 2 problems in the file" in page
    assert "Row 2, baseline_offences: -2 is negative" in page
    assert "Row 3, area_code: “NOWHERE” is not an area the product knows" in page
    assert CohortUpload.objects.count() == before


def test_the_upload_form_asks_for_a_file(client, officer):
    client.force_login(officer)
    response = client.post(
        reverse("cohort-upload-new"), {"name": "X", "period_label": "2013/14", "target": "17"}
    )
    assert response.status_code == 400
    assert "Choose the cohort file to upload" in text_of(response)


def test_writes_need_csrf(officer, make_upload):
    upload = make_upload()
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    before = (CohortUpload.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("cohort-upload-new"),
        {
            "name": "X",
            "period_label": "2013/14",
            "file": SimpleUploadedFile("c.csv", csv_file(HAND_CHECKED), "text/csv"),
        },
    )
    assert response.status_code == 403
    link = reverse("cohort-link", args=[upload.uuid, upload.cohorts.get(name="IOM").uuid])
    assert client.post(link, {"outcome": ""}).status_code == 403
    assert (CohortUpload.objects.count(), AuditEvent.objects.count()) == before


@pytest.fixture
def outcome(make_allocation, officer):
    allocation = make_allocation("20000", status=Status.COMMITTED)
    agreement = agreement_services.agreement_draft(actor=officer, allocation=allocation)
    return agreement_services.outcome_add(
        actor=officer,
        agreement=agreement,
        title="Fewer offences by the IOM cohort",
        measures=[
            {
                "name": "Cohort reduction",
                "unit": "percent",
                "baseline": "0",
                "targets": {1: "17", 2: "17", 3: "17", 4: "17"},
            }
        ],
    )


def test_an_officer_links_a_cohort_to_an_agreement_outcome_and_unlinks_it(
    client, officer, make_upload, outcome
):
    upload = make_upload()
    iom = upload.cohorts.get(name="IOM")
    link = reverse("cohort-link", args=[upload.uuid, iom.uuid])
    client.force_login(officer)
    assert client.get(link).status_code == 405  # POST only
    response = client.post(link, {"outcome": str(outcome.pk)})
    assert response.status_code == 302
    iom.refresh_from_db()
    assert iom.outcome == outcome
    event = AuditEvent.objects.filter(action="cohort.link", object_uuid=upload.uuid).get()
    assert event.after == {
        "cohort": "IOM",
        "outcome": f"{outcome.agreement.reference}: Fewer offences by the IOM cohort",
    }
    page = text_of(client.get(reverse("cohort-upload", args=[upload.uuid])))
    assert (
        f"Reports on the outcome “Fewer offences by the IOM cohort” of agreement {outcome.agreement.reference}"
        in page
    )
    assert client.post(link, {"outcome": ""}).status_code == 302
    iom.refresh_from_db()
    assert iom.outcome is None


def test_an_outcome_that_is_not_offered_is_refused_on_the_page(client, officer, make_upload):
    upload = make_upload()
    iom = upload.cohorts.get(name="IOM")
    client.force_login(officer)
    response = client.post(
        reverse("cohort-link", args=[upload.uuid, iom.uuid]), {"outcome": "999999"}
    )
    assert response.status_code == 400
    assert "IOM: Select a valid choice" in text_of(response)
    iom.refresh_from_db()
    assert iom.outcome is None
