"""Writes of notifications. `notify` is called by the services that assign work, inside their
transaction and after the change, so a notification exists exactly when the work does: one
row per person in the product, and for those whose choice allows it an email, queued when
the transaction commits through Django's mail backend (`core.mail`, which the worker sends)
and kept as the product's record of sent email (`core.models.Message`), as every email is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.models import Message
from commissioning.core.permissions import SYSTEM_ONLY, require

from .models import EmailChoice, Kind, Notification
from .permissions import OWN
from .selectors import emailed_kinds, kinds_for


def people_with(*roles: str, organisation=None) -> QuerySet:
    """The active people holding any of `roles` (and, if given, of `organisation`): the
    usual recipients of a notification."""
    people = get_user_model().objects.filter(is_active=True, groups__name__in=roles)
    if organisation is not None:
        people = people.filter(organisation=organisation)
    return people.distinct().order_by("pk")


def _email_body(message: str, link: str) -> str:
    site = getattr(settings, "SITE_URL", "")
    where = (
        f"Open it in Commissioning: {site}{link}"
        if site
        else "Sign in to Commissioning and open Notifications to see it."
    )
    choices = f"{site}{reverse('notifications')}" if site else "your Notifications page"
    return (
        f"{message}\n\n{where}\n\n"
        f"We email you about this kind of notification because of your choice on "
        f"{choices}, where you can turn these emails off."
    )


_QUIET: ContextVar[bool] = ContextVar("notifications_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """Nobody is told of the work done inside: for loading an example's past activity, which
    is history by the time anyone signs in, not work that came to them."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def notify(
    *, users: Iterable, message: str, link: str, kind: str, email: bool = True
) -> list[Notification]:
    """Tell each of `users` (once each; inactive people and non-people are skipped) that work
    has come to them: a notification in the product, and an email as well unless they chose
    to have this kind in the product only (or have no email address). Call it inside the
    transaction of the change it is about: if that rolls back, nothing is kept or sent.

    `email=False` is for a caller that writes its own email (a return reminder, whose letter
    says more than one sentence) and has asked `emails_wanted` whom to send it to."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify inside the transaction of the change it is about")
    kind = Kind(kind)
    if _QUIET.get():
        return []
    message = " ".join(message.split())
    if not message or not link.startswith("/"):
        raise ValueError("a notification needs a sentence and a link to a page of the product")
    recipients: dict[int, Any] = {}
    for user in users:
        person = user_of(user)
        if person is not None and person.is_active:
            recipients.setdefault(person.pk, person)
    opted_out = set(
        EmailChoice.objects.filter(user_id__in=recipients, kind=kind, email=False).values_list(
            "user_id", flat=True
        )
    )
    made = []
    for pk, person in sorted(recipients.items()):
        emailed = email and bool(person.email) and pk not in opted_out
        note = Notification.objects.create(
            recipient=person, kind=kind, message=message, link=link, emailed=emailed
        )
        made.append(note)
        if emailed:
            subject, body = message[:300], _email_body(message, link)
            Message.objects.create(
                recipient=person,
                to_address=person.email,
                subject=subject,
                body=body,
                about_type=Notification._meta.label,
                about_uuid=note.uuid,
            )
            transaction.on_commit(
                partial(send_mail, subject, body, None, [person.email], fail_silently=True)
            )
    return made


def emails_wanted(users: Iterable, kind: str) -> set[int]:
    """Which of `users` (by primary key) are emailed about `kind`: all with an email address
    but those who chose to have it in the product only."""
    people = [p for p in (user_of(u) for u in users) if p is not None and p.email]
    off = set(
        EmailChoice.objects.filter(
            user_id__in=[p.pk for p in people], kind=Kind(kind), email=False
        ).values_list("user_id", flat=True)
    )
    return {p.pk for p in people if p.pk not in off}


def notifications_prune(*, actor, keep_days: int) -> int:
    """Delete notifications that were read more than `keep_days` days ago: the daily job's
    housekeeping (`core.system`). Unread ones are kept however old, and the emails sent stay
    in the product's record of sent email. Audited once, with the count."""
    require(actor, SYSTEM_ONLY)
    if keep_days < 1:
        raise ValueError("keep notifications at least a day after they are read")
    cutoff = timezone.now() - dt.timedelta(days=keep_days)
    with transaction.atomic():
        old = Notification.objects.filter(read_at__isnull=False, read_at__lt=cutoff)
        count = old.count()
        if count:
            old.delete()
            audit_record(
                actor=actor,
                action="notification.prune",
                # What was deleted, named in words (the rows themselves are gone).
                obj=Notification(
                    message=f"{count} notification{'s' if count != 1 else ''} read over "
                    f"{keep_days} days ago"
                ),
                after={"deleted": count, "read_before": cutoff.isoformat(), "keep_days": keep_days},
            )
        return count


def email_choices_set(*, actor, emailed: Iterable[str]) -> set[str]:
    """The person's choice: of the kinds their roles receive, those in `emailed` are emailed
    as well, the others shown in the product only. One transaction with its audit event."""
    require(actor, OWN)
    offered = kinds_for(actor)
    wanted = set(emailed)
    unknown = wanted - {k.value for k in offered}
    if unknown:
        raise ValidationError({"emailed": "Choose only from the kinds listed"})
    with transaction.atomic():
        before = sorted(emailed_kinds(actor) & {k.value for k in offered})
        for kind in offered:
            EmailChoice.objects.update_or_create(
                user=actor, kind=kind, defaults={"email": kind.value in wanted}
            )
        after = sorted(wanted)
        audit_record(
            actor=actor,
            action="notification.email_choices",
            obj=actor,
            before={"emailed": before},
            after={"emailed": after},
        )
    return set(after)


def notifications_mark_read(*, actor) -> int:
    """Mark all the person's unread notifications as read; how many there were."""
    require(actor, OWN)
    with transaction.atomic():
        count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if count:
            audit_record(
                actor=actor,
                action="notification.read_all",
                obj=actor,
                after={"marked_read": count},
            )
    return count
