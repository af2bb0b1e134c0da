"""Grant pages over HTTP: registering, applying, and who can open what, also by guessing URLs."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commissioning.core.roles import Role
from commissioning.grants import review, services
from commissioning.grants.status import Status
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
            "q_start-date_day": "1",
            "q_start-date_month": "9",
            "q_start-date_year": "2031",
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
            "q_start-date_day": "1",
            "q_start-date_month": "5",
            "q_start-date_year": "2031",
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


def test_review_panel_and_decision_through_the_pages(
    client, grant_round, applicant, officer, user_with
):
    from commissioning.budgets.selectors import allocation_lines

    app = services.application_start(actor=applicant, round=grant_round, title="Full journey")
    complete(app, applicant)
    services.application_submit(actor=applicant, application=app)
    services.application_screen(actor=officer, application=app, eligible=True, reason="ok")
    clean, conflicted = user_with(Role.REVIEWER), user_with(Role.REVIEWER)
    from django.contrib.auth import get_user_model

    # Only this test's two reviewers are in the pool (the demo's reviewer steps aside).
    get_user_model().objects.filter(groups__name=Role.REVIEWER).exclude(
        pk__in=[clean.pk, conflicted.pk]
    ).update(is_active=False)
    client.force_login(officer)
    client.post(reverse("round-assign", args=[grant_round.reference]), {"per_application": "2"})
    assert app.assignments.count() == 2

    client.force_login(conflicted)
    a_conf = app.assignments.get(reviewer=conflicted)
    assert client.get(reverse("review-score", args=[a_conf.uuid])).status_code == 404, (
        "declare first"
    )
    client.post(
        reverse("review-declare", args=[a_conf.uuid]), {"conflict": "yes", "details": "Trustee"}
    )
    assert client.get(reverse("application-detail", args=[app.uuid])).status_code == 404
    assert client.get(reverse("review-score", args=[a_conf.uuid])).status_code == 404

    client.force_login(clean)
    a_ok = app.assignments.get(reviewer=clean)
    client.post(reverse("review-declare", args=[a_ok.uuid]), {"conflict": "no"})
    criteria = list(grant_round.criteria.all())
    bad = client.post(reverse("review-score", args=[a_ok.uuid]), {f"score_{criteria[0].pk}": "4"})
    assert bad.status_code == 400 and "add a comment" in bad.content.decode()
    scores = {}
    for c in criteria:
        scores[f"score_{c.pk}"] = "4"
        scores[f"comment_{c.pk}"] = "Solid"
    assert client.post(reverse("review-score", args=[a_ok.uuid]), scores).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.REVIEWED

    panel = user_with(Role.PANEL_MEMBER)
    client.force_login(panel)
    client.post(reverse("panel-declare", args=[grant_round.reference]), {"interests": "None"})
    page = client.get(reverse("round-panel", args=[grant_round.reference])).content.decode()
    assert "80.00" in page and "£9,500" in page
    client.post(
        reverse("application-recommend", args=[app.uuid]),
        {"recommendation": "fund", "reasons": "Clear need"},
    )
    app.refresh_from_db()
    assert app.status == Status.RECOMMENDED

    pcc = user_with(Role.PCC)
    client.force_login(pcc)
    decision = client.get(reverse("round-decision", args=[grant_round.reference])).content.decode()
    assert 'id="decision-total">£9,500<' in decision
    assert (
        client.post(
            reverse("round-decision", args=[grant_round.reference]), {"summary": "Approved"}
        ).status_code
        == 302
    )
    app.refresh_from_db()
    assert app.status == Status.APPROVED and app.allocation is not None
    (line,) = [
        l for l in allocation_lines(grant_round.year) if l.reference == app.allocation.reference
    ]
    assert line.total == app.award_amount and line.status == "committed"


def test_round_exports(client, grant_round, applicant, officer):
    import csv
    import io

    app = services.application_start(actor=applicant, round=grant_round, title="Export me")
    complete(app, applicant)
    services.application_submit(actor=applicant, application=app)
    client.force_login(officer)
    text = client.get(reverse("round-export", args=[grant_round.reference, "csv"])).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["Reference"] == app.reference and rows[0]["Amount requested"] == "9500.00"
    xlsx = client.get(reverse("round-export", args=[grant_round.reference, "xlsx"]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    client.force_login(applicant)
    assert (
        client.get(reverse("round-export", args=[grant_round.reference, "csv"])).status_code == 403
    )
