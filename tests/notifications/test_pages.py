"""The Notifications page and the header: your own notifications only, newest first, the
unread ones marked and counted beside your name; "Mark all as read" and the email choices
are POSTs with the CSRF token; looking changes nothing."""

from __future__ import annotations

import re

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.notifications.models import EmailChoice, Kind, Notification
from commissioning.notifications.services import notify

pytestmark = pytest.mark.django_db

PAGE = reverse("notifications")
READ = reverse("notifications-read")


def tell(user, message, kind=Kind.REVIEW_ASSIGNED, link="/reviews/"):
    with transaction.atomic():
        return notify(users=[user], message=message, link=link, kind=kind)[0]


def signed_in(user, csrf=False) -> Client:
    client = Client(enforce_csrf_checks=csrf)
    client.force_login(user)
    return client


def token(client: Client) -> str:
    page = client.get(PAGE).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def header(html: str) -> str:
    return html.split('id="header-notifications"', 1)[1].split("</a>", 1)[0]


def test_the_page_shows_only_your_own_notifications_newest_first(person):
    me, other = person(Role.REVIEWER), person(Role.REVIEWER)
    tell(me, "First for me")
    tell(other, "Only for the other reviewer")
    tell(me, "Second for me", link="/reviews/?second")
    page = signed_in(me).get(PAGE).content.decode()
    assert "Only for the other reviewer" not in page
    assert page.index("Second for me") < page.index("First for me"), "newest first"
    assert 'href="/reviews/?second"' in page
    assert page.count("govuk-tag--blue") == 2 and "You have 2 unread notifications" in page


def test_the_page_is_for_people_signed_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.post(READ).status_code == 302
    assert not AuditEvent.objects.filter(action__startswith="notification.").exists()


def test_the_header_counts_your_unread_notifications(person):
    me = person(Role.REVIEWER)
    client = signed_in(me)
    assert header(client.get(reverse("home")).content.decode()).strip().endswith("Notifications")
    tell(me, "One")
    tell(me, "Two")
    link = header(client.get(reverse("home")).content.decode())
    assert '(2<span class="govuk-visually-hidden"> unread</span>)' in link
    client.post(READ)
    assert "unread" not in header(client.get(reverse("home")).content.decode())


def test_mark_all_as_read_needs_a_post_with_the_csrf_token(person):
    me, other = person(Role.REVIEWER), person(Role.REVIEWER)
    mine, theirs = tell(me, "Mine"), tell(other, "Theirs")
    client = signed_in(me, csrf=True)
    assert client.get(READ).status_code == 405, "a GET never marks anything"
    assert client.post(READ).status_code == 403, "no token, no change"
    mine.refresh_from_db()
    assert mine.read_at is None
    response = client.post(READ, {"csrfmiddlewaretoken": token(client)})
    assert response.status_code == 302 and response["Location"] == PAGE
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None, "only your own"
    event = AuditEvent.objects.get(action="notification.read_all")
    assert event.object_uuid == me.uuid and event.after == {"marked_read": 1}
    page = client.get(PAGE).content.decode()
    assert "govuk-tag--blue" not in page and "You have read all your notifications" in page


def test_looking_writes_nothing(person):
    """GET the page and the home page: no row of ours is written or changed."""
    me = person(Role.PCC)
    tell(me, "Something to sign", kind=Kind.DECISION_TO_SIGN)
    client = signed_in(me)
    client.get(PAGE)  # the first request may start the session
    before = (AuditEvent.objects.count(), EmailChoice.objects.count())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
        assert client.get(reverse("home")).status_code == 200
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.IGNORECASE)
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert (AuditEvent.objects.count(), EmailChoice.objects.count()) == before
    assert Notification.objects.get(recipient=me).read_at is None


def test_email_choices_are_govuk_checkboxes_saved_by_a_post_with_the_token(person):
    me = person(Role.PCC)
    client = signed_in(me, csrf=True)
    page = client.get(PAGE).content.decode()
    assert 'class="govuk-checkboxes"' in page and "Email me as well about" in page
    for kind in (Kind.AWARDS_TO_APPROVE, Kind.DECISION_TO_SIGN):
        assert re.search(rf'value="{kind.value}" checked', page), "email is on by default"
    assert Kind.RETURN_SUBMITTED.label not in page, "only the kinds your roles receive"
    assert client.post(PAGE, {"emailed": [Kind.DECISION_TO_SIGN]}).status_code == 403
    assert not EmailChoice.objects.filter(user=me).exists()
    response = client.post(
        PAGE, {"emailed": [Kind.DECISION_TO_SIGN], "csrfmiddlewaretoken": token(client)}
    )
    assert response.status_code == 302
    assert dict(EmailChoice.objects.filter(user=me).values_list("kind", "email")) == {
        Kind.AWARDS_TO_APPROVE: False,
        Kind.DECISION_TO_SIGN: True,
    }
    assert AuditEvent.objects.filter(action="notification.email_choices", actor=me).count() == 1
    page = client.get(PAGE).content.decode()
    assert "Your email choices are saved" in page
    assert re.search(rf'value="{Kind.DECISION_TO_SIGN.value}" checked', page)
    assert not re.search(rf'value="{Kind.AWARDS_TO_APPROVE.value}" checked', page)


def test_a_kind_you_do_not_receive_is_refused_with_a_message(person):
    me = person(Role.PARTNER)
    response = signed_in(me).post(PAGE, {"emailed": [Kind.DECISION_TO_SIGN]})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and not EmailChoice.objects.filter(user=me).exists()
