"""Grant pages over HTTP: registering, applying, and who can open what, also by guessing URLs."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commissioning.accounts.models import Role
from commissioning.grants import review, services
from commissioning.grants.workflow import Status
from commissioning.plans.models import Theme

from .helpers import PDF, complete

pytestmark = pytest.mark.django_db


def test_register_then_apply_through_the_pages(client, grant_round):
    page = client.get(reverse("grant-round", args=[grant_round.reference]))
    assert page.status_code == 200 and "Need" in page.content.decode()
    bad = client.post(reverse("register"), {"name": "", "kind": "charity"})
    assert bad.status_code == 400 and "Enter your organisation" in bad.content.decode()
    ok = client.post(
        reverse("register"),
        {
            "name": "Youth Link",
            "kind": "charity",
            "address": "1 High St",
            "full_name": "Jo Link",
            "email": "jo@example.org",
            "username": "jolink",
            "password": "a-long-passphrase-9",
        },
    )
    assert ok.status_code == 302
    start = client.post(
        reverse("application-start", args=[grant_round.reference]), {"title": "Detached youth work"}
    )
    edit_url = start["Location"]
    assert client.get(edit_url).status_code == 200
    app_uuid = edit_url.split("/")[2]
    upload = client.post(
        reverse("attachment-upload", args=[app_uuid]),
        {"question": "budget", "file": SimpleUploadedFile("budget.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 302
    elig = grant_round.eligibility.get()
    incomplete = client.post(edit_url, {"title": "Detached youth work", "submit": "1"})
    assert (
        incomplete.status_code == 400 and "cannot be submitted yet" in incomplete.content.decode()
    )
    done = client.post(
        edit_url,
        {
            "title": "Detached youth work",
            "amount_requested": "£8,000",
            "q_summary": "Evening outreach",
            "q_start": "2031-09-01",
            "q_area": "County",
            f"eligibility_{elig.pk}": "yes",
            "submit": "1",
        },
    )
    assert done.status_code == 302
    detail = client.get(done["Location"]).content.decode()
    assert "Submitted" in detail and "£8,000" in detail
    assert "received" in client.get(reverse("my-applications")).content.decode()


def test_guessing_urls_finds_nothing(client, grant_round, applicant, rival, user_with):
    app = services.application_start(actor=applicant, round=grant_round, title="Private")
    complete(app, applicant)
    attachment = app.attachments.get()
    urls = [
        reverse("application-detail", args=[app.uuid]),
        reverse("application-edit", args=[app.uuid]),
        reverse("attachment-download", args=[app.uuid, attachment.uuid]),
    ]
    client.force_login(applicant)
    response = client.get(urls[2])
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    client.force_login(rival)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("application-withdraw", args=[app.uuid])).status_code == 404
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302, (
            url
        )  # the public is sent to sign in and sees nothing


def test_conflicted_reviewer_gets_404(client, grant_round, applicant, user_with, officer):
    app = services.application_start(actor=applicant, round=grant_round, title="Review me")
    complete(app, applicant)
    services.application_save(actor=applicant, application=app, theme=Theme.objects.get(number=1))
    services.application_submit(actor=applicant, application=app)
    services.application_screen(actor=officer, application=app, eligible=True, reason="ok")
    clean, conflicted = user_with(Role.REVIEWER), user_with(Role.REVIEWER)
    review.reviewers_assign(
        actor=officer, round=grant_round, reviewers_by_theme={None: [clean, conflicted]}
    )
    for reviewer, conflict in ((clean, False), (conflicted, True)):
        assignment = app.assignments.get(reviewer=reviewer)
        review.conflict_declare(
            actor=reviewer,
            assignment=assignment,
            has_conflict=conflict,
            details="Trustee" if conflict else "",
        )
    url = reverse("application-detail", args=[app.uuid])
    client.force_login(clean)
    assert client.get(url).status_code == 200
    client.force_login(conflicted)
    assert client.get(url).status_code == 404


def test_late_submission_through_the_page_keeps_the_draft(client, grant_round, applicant):
    app = services.application_start(actor=applicant, round=grant_round, title="Late")
    complete(app, applicant)
    grant_round.closes_at = grant_round.opens_at + dt.timedelta(seconds=1)
    grant_round.save()
    client.force_login(applicant)
    response = client.post(
        reverse("application-edit", args=[app.uuid]),
        {
            "title": "Late",
            "amount_requested": "9500",
            "q_summary": "x",
            "q_start": "2031-05-01",
            "q_area": "City",
            f"eligibility_{grant_round.eligibility.get().pk}": "yes",
            "submit": "1",
        },
    )
    assert response.status_code == 400 and "UK time" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.DRAFT


def test_officer_screens_and_sees_the_dashboard(client, grant_round, applicant, officer):
    app = services.application_start(actor=applicant, round=grant_round, title="Screen")
    complete(app, applicant)
    services.application_submit(actor=applicant, application=app)
    client.force_login(officer)
    client.post(
        reverse("application-screen", args=[app.uuid]), {"eligible": "no", "reason": "Outside LLR"}
    )
    app.refresh_from_db()
    assert app.status == Status.INELIGIBLE
    page = client.get(reverse("round-dashboard", args=[grant_round.reference])).content.decode()
    assert "Not eligible" in page and "£100,000" in page
