"""Reminders of monitoring returns: one before the due date and one after, each sent once per
period and kind however often the job runs, recorded as the product's sent messages; and
the `returns due` and `returns remind` commands. The test agreement's first quarter
(2031/32) ends on 30 June 2031 and its return is due on 14 July 2031."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command

from commissioning.agreements import reminders, returns
from commissioning.core.actors import COMMAND_LINE, SYSTEM
from commissioning.core.models import AuditEvent, Message

from .conftest import accept_return

pytestmark = pytest.mark.django_db

DUE = dt.date(2031, 7, 14)


@pytest.fixture
def reachable(partner):
    partner.email = "partner@charity.example"
    partner.save()
    return partner


def days(n: int) -> dt.date:
    return DUE + dt.timedelta(days=n)


def kinds(on: dt.date) -> list[tuple[int, str]]:
    return [(r.period.number, r.kind) for r in reminders.reminders_due(on)]


def test_one_reminder_from_a_week_before_and_one_from_three_days_after(active, reachable):
    active()
    assert kinds(days(-8)) == []
    assert kinds(days(-7)) == [(1, reminders.BEFORE)]
    assert kinds(days(0)) == [(1, reminders.BEFORE)]
    assert kinds(days(2)) == []  # late, but not yet three days
    assert kinds(days(3)) == [(1, reminders.AFTER)]
    assert kinds(days(40)) == [(1, reminders.AFTER)]  # still late; not sent yet


def test_reminders_run_twice_send_once(active, reachable, django_capture_on_commit_callbacks):
    agreement = active()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders.reminders_send(actor=SYSTEM, on=days(-5))
    assert len(mail.outbox) == 1
    (email,) = mail.outbox
    assert email.to == ["partner@charity.example"]
    assert "due on 14 July 2031" in email.subject and agreement.reference in email.body
    assert Message.objects.filter(about_type=reminders.REMINDER).count() == 1
    # the next day, and the day it falls due: nothing more before it
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send(actor=SYSTEM, on=days(-4))
        reminders.reminders_send(actor=SYSTEM, on=days(0))
    assert len(mail.outbox) == 1
    # three days late: the reminder after, once
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders.reminders_send(actor=SYSTEM, on=days(3))
    assert len(mail.outbox) == 2
    assert "is 3 days late" in mail.outbox[1].body
    assert AuditEvent.objects.filter(action__startswith="return.reminder_").count() == 2


def test_a_submitted_return_is_not_reminded_and_a_returned_one_is(
    active, reachable, officer, django_capture_on_commit_callbacks
):
    agreement = active()
    period = agreement.periods.get(number=1)
    returns.return_save(
        actor=reachable,
        period=period,
        spend={c.pk: "0" for c in agreement.budget_categories.all()},
        actuals={m.pk: "1" for o in agreement.outcomes.all() for m in o.measures.all()},
        partner_rag="green",
    )
    assert kinds(days(-1)) == [(1, reminders.BEFORE)]  # a draft is not in
    returns.return_submit(actor=reachable, period=period)
    assert kinds(days(-1)) == [] and kinds(days(5)) == []
    returns.return_send_back(actor=officer, period=period, comment="Add the case study")
    assert kinds(days(5)) == [(1, reminders.AFTER)]


def test_an_accepted_return_and_an_issued_agreement_are_not_reminded(
    active, draft, reachable, officer
):
    from commissioning.agreements import services

    from .conftest import ready

    agreement = active()
    accept_return(agreement.periods.get(number=1), reachable, officer)
    issued = ready(draft("5000"), officer)
    services.agreement_issue(actor=officer, agreement=issued)
    assert kinds(days(-1)) == []


def test_a_dry_run_sends_and_records_nothing(active, reachable, django_capture_on_commit_callbacks):
    active()
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = reminders.reminders_send(actor=SYSTEM, on=days(-1), dry_run=True)
    assert [o.note for o in outcomes] == ["would be sent (dry run)"]
    assert mail.outbox == [] and not Message.objects.filter(about_type=reminders.REMINDER)


def test_a_partner_without_an_email_address_still_gets_it_in_the_product(
    active, partner, django_capture_on_commit_callbacks
):
    active()
    with django_capture_on_commit_callbacks(execute=True):
        (outcome,) = reminders.reminders_send(actor=SYSTEM, on=days(-1))
    assert outcome.sent and mail.outbox == []
    message = Message.objects.get(about_type=reminders.REMINDER)
    assert message.recipient == partner and message.to_address == reminders.NO_ADDRESS


def test_only_the_system_sends_reminders(active, reachable, officer):
    active()
    for actor in (officer, COMMAND_LINE):
        with pytest.raises(ValidationError):
            reminders.reminders_send(actor=actor, on=days(-1))
    assert not Message.objects.filter(about_type=reminders.REMINDER).exists()


def run(*args: str) -> str:
    out = StringIO()
    call_command("returns", *args, stdout=out)
    return out.getvalue()


def test_returns_due_lists_what_is_due_or_late_on_a_day(active, reachable, organisation):
    agreement = active()
    assert json.loads(run("due", "--on", "2031-07-13", "--format", "json"))["rows"] == []
    data = json.loads(run("due", "--on", "2031-10-15", "--format", "json"))
    assert data["on"] == "2031-10-15" and data["columns"] == reminders.DUE_COLUMNS
    assert data["rows"] == [
        {
            "agreement": agreement.reference,
            "organisation": organisation.name,
            "period": period.label,
            "due_on": period.due_on.isoformat(),
            "days_late": late,
            "status": "not started",
        }
        for period, late in (
            (agreement.periods.get(number=1), 93),
            (agreement.periods.get(number=2), 1),
        )
    ]
    text = run("due", "--on", "2031-10-14")
    assert "2 return(s) due or late on 2031-10-14" in text and "due\tnot started" in text
    within = json.loads(run("due", "--on", "2031-07-01", "--within", "14", "--format", "json"))
    assert [r["days_late"] for r in within["rows"]] == [0]


def test_returns_remind_runs_the_job_once(active, reachable, django_capture_on_commit_callbacks):
    active()
    assert "would be sent (dry run)" in run("remind", "--on", "2031-07-10", "--dry-run")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert "Sent 1 reminder(s)" in run("remind", "--on", "2031-07-10")
    with django_capture_on_commit_callbacks(execute=True):
        assert "Sent 0 reminder(s)" in run("remind", "--on", "2031-07-10")
    assert len(mail.outbox) == 1


def test_a_bad_date_is_refused_by_name():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--on 15/10/2016"):
        run("due", "--on", "15/10/2016")


def test_a_reminder_is_shown_in_the_product_and_emailed_as_chosen(
    active, reachable, django_capture_on_commit_callbacks
):
    from commissioning.notifications.models import EmailChoice, Kind, Notification

    agreement = active()
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_send(actor=SYSTEM, on=days(-5))
    (note,) = Notification.objects.filter(recipient=reachable, kind=Kind.RETURN_REMINDER)
    assert "due on 14 July 2031" in note.message and agreement.reference in note.message
    assert note.link == f"/agreements/{agreement.uuid}/returns/1/" and not note.emailed
    assert len(mail.outbox) == 1  # one email, the reminder's letter, not a second
    # The partner chooses reminders in the product only: the late reminder is not emailed,
    # but is shown, and is recorded as sent (with no address), so it is not sent again.
    EmailChoice.objects.create(user=reachable, kind=Kind.RETURN_REMINDER, email=False)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders.reminders_send(actor=SYSTEM, on=days(3))
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=reachable, kind=Kind.RETURN_REMINDER).count() == 2
    late = Message.objects.filter(about_type=reminders.REMINDER).order_by("id").last()
    assert late.to_address == reminders.NO_ADDRESS
