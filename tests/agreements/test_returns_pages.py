"""The monitoring return pages, through the test client as real users: the partner writes,
saves and submits a period's return with evidence; the officer sees it with its variances
and a suggested RAG, returns it for changes or accepts it with a rating and a reason; late
returns say so on both sides; another organisation's partner sees nothing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commissioning.agreements import returns
from commissioning.agreements.models import (
    MonitoringReturn,
    ReturnAttachment,
    ReturnEvent,
    ReturnStatus,
    SpendLine,
)
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation, OrganisationKind

from .conftest import accept_return

pytestmark = pytest.mark.django_db


def url(agreement, number=1, name="return", *extra):
    return reverse(name, args=[agreement.uuid, number, *extra])


def first(agreement):
    return agreement.periods.get(number=1)


def fields(agreement, spend="2500", actual="10", rag="green", **more):
    """A complete return's POST data: every category's spend and every measure's actual."""
    data = {f"spend-{c.pk}": spend for c in agreement.budget_categories.all()}
    data.update(
        {f"actual-{m.pk}": actual for o in agreement.outcomes.all() for m in o.measures.all()}
    )
    data.update({"achievements": "Ten young people supported", "partner_rag": rag, **more})
    return data


@pytest.fixture
def stranger(user_with):
    other = Organisation.objects.create(
        key="other-charity", name="Other Charity", kind=OrganisationKind.CHARITY
    )
    return user_with(Role.PARTNER, organisation=other)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def past(active):
    """An accepted agreement for 2025/26: every return was due before today."""
    return active(starts_on=dt.date(2025, 4, 1), ends_on=dt.date(2026, 3, 31))


def test_the_partner_gets_a_form_with_each_profile_and_target_and_a_get_writes_nothing(
    active, partner
):
    agreement = active()
    response = signed_in(partner).get(url(agreement))
    assert response.status_code == 200
    page = response.content.decode()
    category = agreement.budget_categories.get()
    measure = agreement.outcomes.get().measures.get()
    assert f'name="spend-{category.pk}"' in page and "Profile for the period: £2,500" in page
    assert f'name="actual-{measure.pk}"' in page and "Target: 10." in page
    assert "Young people supported (number)" in page
    assert "Submit the return" in page and "Attach the file" in page
    assert not MonitoringReturn.objects.filter(period__agreement=agreement).exists()


def test_another_organisations_partner_gets_404_everywhere(active, partner, officer, stranger):
    agreement = active()
    period = first(agreement)
    returns.return_attach(actor=partner, period=period, name="notes.txt", data=b"Evidence")
    attachment = ReturnAttachment.objects.get()
    client = signed_in(stranger)
    assert client.get(url(agreement)).status_code == 404
    assert client.post(url(agreement), fields(agreement)).status_code == 404
    assert client.get(url(agreement, 1, "return-file", attachment.uuid)).status_code == 404
    data = {"file": SimpleUploadedFile("x.txt", b"x", "text/plain")}
    assert client.post(url(agreement, 1, "return-attach"), data).status_code == 404
    assert not SpendLine.objects.exists() and ReturnAttachment.objects.count() == 1


def test_a_period_the_agreement_does_not_have_is_404(active, partner):
    agreement = active()
    client = signed_in(partner)
    assert client.get(url(agreement, 9)).status_code == 404
    assert client.post(url(agreement, 9), fields(agreement)).status_code == 404
    assert not MonitoringReturn.objects.exists()


def test_a_draft_saves_part_written_and_submitting_makes_it_read_only(active, partner):
    agreement = active()
    client = signed_in(partner)
    category = agreement.budget_categories.get()
    response = client.post(url(agreement), {f"spend-{category.pk}": "1,200.50", "save": "1"})
    assert response.status_code == 302
    report = MonitoringReturn.objects.get(period__agreement=agreement)
    assert report.status == ReturnStatus.DRAFT
    assert report.spend.get().amount == D("1200.50") and not report.actuals.exists()
    page = client.get(url(agreement)).content.decode()
    assert 'value="1200.50"' in page
    response = client.post(url(agreement), fields(agreement, submit="1"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReturnStatus.SUBMITTED and report.submitted_at is not None
    page = client.get(url(agreement)).content.decode()
    assert 'name="submit"' not in page and "Submitted" in page
    assert "Spend against the budget profile" in page and "Suggested rating" not in page


@pytest.mark.parametrize(
    ("spend", "actual", "field", "words"),
    [
        ("-5", "10", "spend", "enter an amount of £0 or more"),
        ("lots", "10", "spend", "is not an amount of money"),
        ("100", "2.5", "actual", "a number of things is a whole number"),
        ("100", "ten", "actual", "Enter a number"),
    ],
)
def test_bad_figures_are_refused_by_field_and_nothing_is_saved(
    active, partner, spend, actual, field, words
):
    agreement = active()
    category = agreement.budget_categories.get()
    measure = agreement.outcomes.get().measures.get()
    name = f"spend-{category.pk}" if field == "spend" else f"actual-{measure.pk}"
    for button in ("save", "submit"):
        response = signed_in(partner).post(
            url(agreement), fields(agreement, spend=spend, actual=actual, **{button: "1"})
        )
        assert response.status_code == 400
        page = response.content.decode()
        assert "There is a problem" in page and words in page
        assert f'id="id_{name}-error"' in page  # the message sits on its own field
        assert f'href="#id_{name}"' in page  # and the summary links to it
    assert not MonitoringReturn.objects.exists() and not SpendLine.objects.exists()


def test_every_problem_is_named_at_once(active, partner):
    agreement = active()
    category = agreement.budget_categories.get()
    measure = agreement.outcomes.get().measures.get()
    response = signed_in(partner).post(
        url(agreement), fields(agreement, spend="-1", actual="1.5", rag="purple", save="1")
    )
    page = response.content.decode()
    for name in (f"spend-{category.pk}", f"actual-{measure.pk}", "partner_rag"):
        assert f'href="#id_{name}' in page, name
    assert not MonitoringReturn.objects.exists()


def test_submitting_an_incomplete_return_saves_nothing_and_says_what_is_missing(active, partner):
    agreement = active()
    measure = agreement.outcomes.get().measures.get()
    data = fields(agreement, submit="1", rag="")
    del data[f"actual-{measure.pk}"]
    response = signed_in(partner).post(url(agreement), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "enter what was achieved (0 if nothing)" in page
    assert "Give your own rating" in page
    assert not MonitoringReturn.objects.exists() and not SpendLine.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(active, partner):
    agreement = active()
    client = Client(enforce_csrf_checks=True)
    client.force_login(partner)
    before = AuditEvent.objects.count()
    response = client.post(url(agreement), fields(agreement, save="1"))
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before and not MonitoringReturn.objects.exists()


def test_staff_cannot_write_a_partners_return(active, officer):
    agreement = active()
    response = signed_in(officer).post(url(agreement), fields(agreement, save="1"))
    assert response.status_code == 400
    assert "only the funded organisation writes its returns" in response.content.decode()
    assert not MonitoringReturn.objects.exists()
    data = {"file": SimpleUploadedFile("x.txt", b"x", "text/plain")}
    assert signed_in(officer).post(url(agreement, 1, "return-attach"), data).status_code == 403


def test_the_officer_sees_variances_a_suggested_rating_and_its_rule(active, partner, officer):
    agreement = active()
    # £1,000 against a £2,500 profile (60% under: red); 8 of 10 (80%: on target)
    signed_in(partner).post(url(agreement), fields(agreement, spend="1000", actual="8", submit="1"))
    page = signed_in(officer).get(url(agreement)).content.decode()
    assert "−£1,500 (60% under)" in page
    assert ">80%<" in page
    assert 'id="suggestion"' in page and "govuk-tag--red" in page.split('id="suggestion"')[1]
    assert "Spend of £1,000 is 60% under the profile of £2,500" in page
    assert "The rule: Amber when the period" in page
    # the officer's rating is prefilled with the suggestion
    assert re.search(r'name="officer_rag" type="radio" value="red" checked', page)
    assert "Return for changes" in page and ">Accept<" in page


def test_send_back_needs_a_comment_and_the_partner_then_sees_it(active, partner, officer):
    agreement = active()
    signed_in(partner).post(url(agreement), fields(agreement, submit="1"))
    officer_client = signed_in(officer)
    response = officer_client.post(url(agreement, 1, "return-send-back"), {"comment": "  "})
    assert response.status_code == 400 and "Say what the partner needs to change" in (
        response.content.decode()
    )
    assert MonitoringReturn.objects.get().status == ReturnStatus.SUBMITTED
    response = officer_client.post(
        url(agreement, 1, "return-send-back"), {"comment": "Add the case study"}
    )
    assert response.status_code == 302
    assert MonitoringReturn.objects.get().status == ReturnStatus.RETURNED
    page = signed_in(partner).get(url(agreement)).content.decode()
    assert "Returned for changes:</strong> Add the case study" in page
    assert 'name="submit"' in page  # theirs to correct again
    assert "Returned for changes by" in page  # on the timeline


def test_accept_needs_a_reason_and_records_the_officers_rating(active, partner, officer):
    agreement = active()
    signed_in(partner).post(url(agreement), fields(agreement, submit="1"))
    client = signed_in(officer)
    response = client.post(url(agreement, 1, "return-accept"), {"officer_rag": "amber"})
    assert response.status_code == 400
    assert "Give the reason for the rating" in response.content.decode()
    assert MonitoringReturn.objects.get().status == ReturnStatus.SUBMITTED
    response = client.post(
        url(agreement, 1, "return-accept"), {"officer_rag": "amber", "reason": "Slow start"}
    )
    assert response.status_code == 302
    report = MonitoringReturn.objects.get()
    assert (report.status, report.officer_rag, report.officer_rag_reason) == (
        ReturnStatus.ACCEPTED,
        "amber",
        "Slow start",
    )
    assert [e.action for e in ReturnEvent.objects.filter(report=report)] == [
        "submitted",
        "accepted",
    ]
    page = signed_in(partner).get(url(agreement)).content.decode()
    assert "The OPCC's rating" in page and "Slow start" in page
    # nothing more to do on an accepted return
    assert (
        signed_in(officer).post(url(agreement, 1, "return-send-back"), {"comment": "x"}).status_code
        == 400
    )


def test_a_partner_cannot_review_their_own_return(active, partner):
    agreement = active()
    signed_in(partner).post(url(agreement), fields(agreement, submit="1"))
    response = signed_in(partner).post(
        url(agreement, 1, "return-accept"), {"officer_rag": "green", "reason": "Fine"}
    )
    assert response.status_code == 403
    assert MonitoringReturn.objects.get().status == ReturnStatus.SUBMITTED


def test_evidence_is_checked_kept_and_downloaded_only_by_those_who_may(
    active, partner, officer, stranger
):
    agreement = active()
    client = signed_in(partner)
    bad = {"file": SimpleUploadedFile("run.exe", b"MZ...", "application/octet-stream")}
    response = client.post(url(agreement, 1, "return-attach"), bad)
    assert response.status_code == 400
    assert 'id="id_file-error"' in response.content.decode()
    assert not ReturnAttachment.objects.exists()
    good = {"file": SimpleUploadedFile("evidence.txt", b"Attendance list", "text/plain")}
    assert client.post(url(agreement, 1, "return-attach"), good).status_code == 302
    attachment = ReturnAttachment.objects.get()
    assert attachment.original_name == "evidence.txt" and attachment.size == 15
    page = client.get(url(agreement)).content.decode()
    download = url(agreement, 1, "return-file", attachment.uuid)
    assert download in page
    for user in (partner, officer):
        response = signed_in(user).get(download)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"Attendance list"
    assert signed_in(stranger).get(download).status_code == 404
    # another period's address for the same file is not it
    assert (
        signed_in(partner).get(url(agreement, 2, "return-file", attachment.uuid)).status_code == 404
    )


def test_late_returns_say_so_to_the_partner_and_the_officer(active, partner, officer):
    agreement = past(active)
    period = first(agreement)
    late = (timezone.localdate() - period.due_on).days
    words = f"Late by {late} days"
    assert words in signed_in(partner).get(url(agreement)).content.decode()
    assert words in signed_in(officer).get(url(agreement)).content.decode()
    assert words in signed_in(partner).get(reverse("our-returns")).content.decode()
    # once submitted it is no longer late
    signed_in(partner).post(url(agreement), fields(agreement, submit="1"))
    assert "Late by" not in signed_in(officer).get(url(agreement)).content.decode()


def test_our_returns_lists_every_period_of_accepted_agreements_only(
    active, draft, partner, officer, stranger
):
    from commissioning.agreements import services

    from .conftest import ready

    agreement = active()
    issued = ready(draft("5000"), officer)
    services.agreement_issue(actor=officer, agreement=issued)
    accept_return(first(agreement), partner, officer)
    page = signed_in(partner).get(reverse("our-returns")).content.decode()
    for period in agreement.periods.all():
        assert url(agreement, period.number) in page
    assert issued.reference not in page
    assert "Accepted" in page and "Not started" in page
    assert (
        agreement.reference not in signed_in(stranger).get(reverse("our-returns")).content.decode()
    )
    assert signed_in(officer).get(reverse("our-returns")).status_code == 403


def test_a_partner_sees_an_issued_agreements_returns_only_to_read(draft, officer, partner):
    from commissioning.agreements import services

    from .conftest import ready

    issued = ready(draft(), officer)
    services.agreement_issue(actor=officer, agreement=issued)
    response = signed_in(partner).get(url(issued))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="submit"' not in page and "once the partner has accepted" in page


def test_a_return_submitted_after_its_due_date_says_so(client, draft, officer, partner):
    import datetime as dt

    from commissioning.agreements import returns as return_services
    from commissioning.agreements import services as agreement_services

    from .conftest import ready

    agreement = ready(draft(starts_on=dt.date(2031, 4, 1), ends_on=dt.date(2032, 3, 31)), officer)
    agreement_services.agreement_issue(actor=officer, agreement=agreement)
    agreement_services.agreement_accept(
        actor=partner, agreement=agreement, name="Pat Partner", position="Director"
    )
    period = agreement.periods.get(number=1)
    client.force_login(officer)
    url = f"/agreements/{agreement.uuid}/returns/1/"
    category = agreement.budget_categories.get()
    measure = agreement.outcomes.get().measures.get()
    return_services.return_save(
        actor=partner,
        period=period,
        spend={category.pk: "10"},
        actuals={measure.pk: "1"},
        partner_rag="green",
    )
    return_services.return_submit(actor=partner, period=period)
    assert "(after the due date)" not in client.get(url).content.decode()  # due in 2031
    type(period).objects.filter(pk=period.pk).update(
        starts_on=dt.date(2020, 4, 1), ends_on=dt.date(2020, 6, 30), due_on=dt.date(2020, 7, 14)
    )
    assert "(after the due date)" in client.get(url).content.decode()
