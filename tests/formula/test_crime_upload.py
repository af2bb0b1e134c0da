"""Loading police.uk files from the crime data page: an officer uploads street-level CSVs or a
zip and follows the load as a background job; a file that cannot be police.uk data is refused
at once, naming the problem; a load that fails says why in the uploaded files' own names. The
page keeps answering while a load runs in another process."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commissioning.core.models import Job, JobStatus
from commissioning.core.roles import Role
from commissioning.formula import selectors
from commissioning.formula.models import CrimeDataLoad
from tests.crime.test_readers import HeldIngest
from tests.policeuk import street_csv, street_name, zipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path) -> Path:
    """A data directory of the test's own, with April 2023 loaded (3 crimes in Blaby)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    first = tmp_path / street_name("2023-04")
    first.write_bytes(street_csv("2023-04", 3))
    selectors.crime_store().ingest([first], selectors.lsoa_lookup())
    return settings.DATA_DIR


def upload(client, *files: tuple[str, bytes], capture):
    with capture(execute=True):
        return client.post(
            reverse("crime-upload"),
            {"upload": [SimpleUploadedFile(name, data) for name, data in files]},
        )


def test_an_officer_loads_csvs_as_a_job_and_follows_it(
    data_dir, client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    page = client.get(reverse("crime-data")).content.decode()
    assert "Load police.uk files" in page and 'enctype="multipart/form-data"' in page

    response = upload(
        client,
        (street_name("2023-05"), street_csv("2023-05", 4)),
        (street_name("2023-06"), street_csv("2023-06", 5)),
        capture=django_capture_on_commit_callbacks,
    )
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.uuid])
    assert job.status == JobStatus.SUCCEEDED, job.outcome
    assert (job.done, job.total) == (2, 2)
    assert job.started_by == officer and job.kind == "crime.ingest"
    assert "Loaded 9 rows from 2 file(s)." in job.outcome
    assert selectors.crime_store().coverage(["2023-04", "2023-05", "2023-06"]) == {
        "2023-04": 3,
        "2023-05": 4,
        "2023-06": 5,
    }
    load = CrimeDataLoad.objects.latest("created_at")
    assert load.loaded_by == officer and load.rows == 9

    job_page = client.get(response["Location"]).content.decode()
    assert "Loaded 9 rows" in job_page and reverse("crime-data") in job_page
    crime_page = client.get(reverse("crime-data")).content.decode()
    assert "3 of 12" in crime_page  # 2023/24 now has April, May and June
    assert str(job.uuid) in crime_page  # "your recent loads"


def test_a_zip_from_police_uk_loads(data_dir, client, officer, django_capture_on_commit_callbacks):
    client.force_login(officer)
    archive = zipped(
        {
            f"2023-07/{street_name('2023-07')}": street_csv("2023-07", 2),
            "2023-07/2023-07-testshire-outcomes.csv": b"Crime ID,Month\n",
        }
    )
    upload(client, ("police-uk.zip", archive), capture=django_capture_on_commit_callbacks)
    job = Job.objects.get()
    assert job.status == JobStatus.SUCCEEDED, job.outcome
    assert selectors.crime_store().coverage(["2023-07"]) == {"2023-07": 2}


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("crimes.exe", b"MZ\x90\x00", "Files of type .exe are not accepted here"),
        ("crimes.csv", street_csv("2023-05"), "“crimes.csv” is not named as a police.uk"),
        (
            street_name("2023-05"),
            b"Crime,When,Where\n1,2,3\n",
            "does not start with the police.uk street-level columns",
        ),
        ("police.zip", zipped({"readme.txt": b"hello"}), "holds no police.uk street-level files"),
        ("police.zip", b"PK\x03\x04 not really", "This is not a valid zip archive"),
        (street_name("2023-05"), b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_a_file_that_cannot_be_police_uk_data_is_refused_naming_the_problem(
    data_dir, client, officer, django_capture_on_commit_callbacks, name, data, problem
):
    client.force_login(officer)
    response = upload(client, (name, data), capture=django_capture_on_commit_callbacks)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and problem in page
    assert not Job.objects.exists()


def test_a_load_that_fails_says_why_in_the_uploaded_files_names(
    data_dir, client, officer, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    name = street_name("2023-05")
    upload(
        client,
        (name, street_csv("2023-05", row_month="2023-06")),
        capture=django_capture_on_commit_callbacks,
    )
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.outcome.startswith(f"Nothing was loaded: {name}: line 2, column 2 (Month)")
    assert "uploads" not in job.outcome and str(data_dir) not in job.outcome
    assert selectors.crime_store().months() == ["2023-04"]


def test_only_those_who_run_the_formula_load_data(data_dir, client, user_with):
    ceo = user_with(Role.CHIEF_EXECUTIVE)
    client.force_login(ceo)
    page = client.get(reverse("crime-data")).content.decode()
    assert "Load police.uk files" not in page
    files = {"upload": [SimpleUploadedFile(street_name("2023-05"), street_csv("2023-05"))]}
    assert client.post(reverse("crime-upload"), files).status_code == 403
    assert not Job.objects.exists()


def test_the_page_answers_while_a_load_runs_in_another_process(data_dir, client, officer, tmp_path):
    """Before, a page read during an ingest failed on DuckDB's lock; now it shows the data as
    it was, then the new data once the load has finished."""
    client.force_login(officer)
    may = tmp_path / street_name("2023-05")
    may.write_bytes(street_csv("2023-05", 4))
    held = HeldIngest(selectors.crime_store_path(), tmp_path, may)
    try:
        during = client.get(reverse("crime-data"))
        assert during.status_code == 200
        assert "1 of 12" in during.content.decode()
        assert selectors.crime_coverage()[0]["rows"] == 3
    finally:
        held.finish()
    after = client.get(reverse("crime-data")).content.decode()
    assert "2 of 12" in after
