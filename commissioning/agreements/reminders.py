"""Reminders of monitoring returns, and which returns are due or late on a day.

Two reminders per reporting period of an accepted agreement whose return is not in (none
yet, a draft, or sent back for changes):

- **before**: from `BEFORE_DAYS` (7) days before the due date until the due date;
- **after**: from `AFTER_DAYS` (3) days after the due date, for as long as it stays late.

Each is sent once per period and kind, as a notification in the product and, unless the
person chose reminders in the product only, as an email. What was sent is the product's record of sent email,
`core.models.Message`: each reminder's messages carry `about_type` `REMINDER` and, as
`about_uuid`, a key made from the agreement, the period and the kind (`reminder_key`), so
a second run on the same day, or the next day, finds them and sends nothing again. The
check and the write happen under the agreement's row lock, so two runs at once send once.

`commissioning returns remind` runs it (a daily timer runs it through `commissioning jobs
daily`); `commissioning returns due --on DATE` lists what is due or late.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.models import Message
from commissioning.core.permissions import SYSTEM_ONLY, require
from commissioning.core.roles import Role
from commissioning.notifications.models import Kind
from commissioning.notifications.services import emails_wanted, notify

from .models import AgreementStatus, ReportingPeriod
from .monitoring import OUT
from .rules import days_late
from .services import locked_agreement

BEFORE_DAYS = 7
AFTER_DAYS = 3
BEFORE, AFTER = "before", "after"
REMINDER = "agreements.return_reminder"  # Message.about_type of every reminder
_KEYS = uuid.UUID("6f1d2a4e-61f0-4c3c-9d55-0b7a8e0c2f10")  # the namespace of reminder keys
NO_ADDRESS = "no-address@invalid"  # as grants records a message to someone with no email


def reminder_key(period: ReportingPeriod, kind: str) -> uuid.UUID:
    """The one key of a period's reminder of a kind: the same on every run."""
    return uuid.uuid5(_KEYS, f"{period.agreement.uuid}/{period.number}/{kind}")


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass
class Reminder:
    period: ReportingPeriod
    kind: str
    on: dt.date
    recipients: list = field(default_factory=list)

    @property
    def key(self) -> uuid.UUID:
        return reminder_key(self.period, self.kind)

    @property
    def days_late(self) -> int:
        return days_late(self.period, self.on)

    @property
    def subject(self) -> str:
        period, agreement = self.period, self.period.agreement
        if self.kind == BEFORE:
            return (
                f"Monitoring return for {period.label} due on {_date(period.due_on)} "
                f"({agreement.reference})"
            )
        return f"Monitoring return for {period.label} is late ({agreement.reference})"

    @property
    def body(self) -> str:
        period, agreement = self.period, self.period.agreement
        if self.kind == BEFORE:
            when = f"is due on {_date(period.due_on)}"
        else:
            n = self.days_late
            when = f"was due on {_date(period.due_on)} and is {n} day{'s' if n != 1 else ''} late"
        return "\n".join(
            [
                f"Dear {agreement.organisation.name},",
                "",
                f"Your monitoring return for {period.label} under the agreement "
                f"{agreement.reference}, “{agreement.title}”, {when}.",
                "",
                "Sign in to Commissioning and open Our monitoring returns to write and submit "
                "it: the spend in the period against the budget, each measure against its "
                "target, what you achieved, and your own rating.",
                "",
                "An instalment paid in arrears is paid once the period's return is accepted.",
                "",
                "Office of the Police and Crime Commissioner",
            ]
        )


def _outstanding(on: dt.date, *, upto: dt.date):
    """Periods of accepted agreements whose return was not in on `on` (not submitted, or
    submitted only after that day) and is due by `upto`."""
    next_day = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    return (
        ReportingPeriod.objects.filter(
            OUT | Q(report__submitted_at__gte=next_day), agreement__status=AgreementStatus.ACTIVE
        )
        .filter(due_on__lte=upto)
        .select_related("agreement__organisation", "report")
        .order_by("due_on", "agreement__reference", "number")
    )


def reminders_due(
    on: dt.date, *, before: int = BEFORE_DAYS, after: int = AFTER_DAYS
) -> list[Reminder]:
    """The reminders to send on `on` that have not been sent: three queries however many
    agreements there are."""
    wanted: list[Reminder] = []
    for period in _outstanding(on, upto=on + dt.timedelta(days=before)):
        if on <= period.due_on:
            wanted.append(Reminder(period=period, kind=BEFORE, on=on))
        elif period.due_on + dt.timedelta(days=after) <= on:
            wanted.append(Reminder(period=period, kind=AFTER, on=on))
    sent = set(
        Message.objects.filter(
            about_type=REMINDER, about_uuid__in=[r.key for r in wanted]
        ).values_list("about_uuid", flat=True)
    )
    due = [r for r in wanted if r.key not in sent]
    people = defaultdict(list)
    for user in (
        get_user_model()
        .objects.filter(
            organisation_id__in={r.period.agreement.organisation_id for r in due},
            is_active=True,
            groups__name=Role.PARTNER,
        )
        .distinct()
        .order_by("pk")
    ):
        people[user.organisation_id].append(user)
    for reminder in due:
        reminder.recipients = people[reminder.period.agreement.organisation_id]
    return due


@dataclass(frozen=True)
class Outcome:
    reminder: Reminder
    sent: bool
    note: str


def reminders_send(
    *,
    actor,
    on: dt.date,
    dry_run: bool = False,
    before: int = BEFORE_DAYS,
    after: int = AFTER_DAYS,
) -> list[Outcome]:
    """Send the reminders due on `on`, each once: the product's own scheduled work (the
    system actor). With `dry_run`, say what would be sent and send nothing."""
    require(actor, SYSTEM_ONLY)
    outcomes = []
    for reminder in reminders_due(on, before=before, after=after):
        if not reminder.recipients:
            outcomes.append(Outcome(reminder, False, "nobody at the organisation to remind"))
            continue
        if dry_run:
            outcomes.append(Outcome(reminder, False, "would be sent (dry run)"))
            continue
        outcomes.append(_send(actor, reminder))
    return outcomes


def _mailer(subject: str, body: str, address: str) -> Callable[[], None]:
    """Send through Django's mail backend (which queues it for the worker) once committed."""

    def deliver() -> None:
        send_mail(subject, body, None, [address], fail_silently=True)

    return deliver


def _send(actor, reminder: Reminder) -> Outcome:
    agreement = reminder.period.agreement
    with transaction.atomic():
        locked_agreement(agreement)  # two runs at once: the second waits, then sees the first
        if Message.objects.filter(about_type=REMINDER, about_uuid=reminder.key).exists():
            return Outcome(reminder, False, "already sent")
        subject, body = reminder.subject, reminder.body
        addresses = []
        # Each partner sees the reminder in the product; it is emailed as well to those
        # who did not choose to have reminders in the product only. The message row is kept
        # for everyone (with no address for those not emailed): it is the record that this
        # reminder went out, which the next run finds.
        emailed = emails_wanted(reminder.recipients, Kind.RETURN_REMINDER)
        for user in reminder.recipients:
            address = user.email if user_of(user).pk in emailed else ""
            Message.objects.create(
                recipient=user_of(user),
                to_address=address or NO_ADDRESS,
                subject=subject,
                body=body,
                about_type=REMINDER,
                about_uuid=reminder.key,
            )
            if address:
                addresses.append(address)
        notify(
            users=reminder.recipients,
            message=subject,
            link=reverse("return", args=[agreement.uuid, reminder.period.number]),
            kind=Kind.RETURN_REMINDER,
            email=False,  # the reminder's own letter, above, is the email
        )
        audit_record(
            actor=actor,
            action=f"return.reminder_{reminder.kind}",
            obj=agreement,
            after={
                "period": reminder.period.label,
                "due_on": reminder.period.due_on,
                "to": [u.get_username() for u in reminder.recipients],
            },
        )
        for address in addresses:
            transaction.on_commit(_mailer(subject, body, address))
    return Outcome(reminder, True, f"sent to {len(reminder.recipients)}")


@dataclass(frozen=True)
class DueReturn:
    agreement: str
    organisation: str
    period: str
    due_on: dt.date
    days_late: int
    status: str


def returns_due(on: dt.date, *, within: int = 0) -> list[DueReturn]:
    """Returns of accepted agreements not in by `on` that were due on or before it (late,
    or due that day), and with `within` those due in the next so many days too."""
    rows = []
    for period in _outstanding(on, upto=on + dt.timedelta(days=within)):
        report = getattr(period, "report", None)
        rows.append(
            DueReturn(
                agreement=period.agreement.reference,
                organisation=period.agreement.organisation.name,
                period=period.label,
                due_on=period.due_on,
                days_late=days_late(period, on),
                status=report.status if report is not None else "not started",
            )
        )
    return rows


DUE_COLUMNS = ["agreement", "organisation", "period", "due_on", "days_late", "status"]
