"""Reads of the audit log: the events that match a search, newest first, and the choices its
filters offer. Each is one query whatever the number of events."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Subquery
from django.utils import timezone

from .actors import COMMAND_LINE, SYSTEM
from .audit_words import kind_words
from .models import AuditEvent

#: The people who are not people: how the filter names them, and the label they are recorded by.
NOT_PEOPLE = {"system": str(SYSTEM), "command-line": str(COMMAND_LINE)}
NOT_PEOPLE_LABELS = {"system": "The system (automatic steps)", "command-line": "Command line"}


@dataclass(frozen=True)
class AuditSearch:
    """What to look for: each part left empty matches every event."""

    person: str = ""  # a user's uuid, or a key of NOT_PEOPLE
    kind: str = ""  # an object type, "decisions.DecisionRecord"
    text: str = ""  # in the object's reference or description, or its uuid
    action: str = ""  # an action code
    since: dt.date | None = None  # from the start of this day, UK time
    until: dt.date | None = None  # to the end of this day, UK time


def _start_of(day: dt.date) -> dt.datetime:
    """The moment a UK day starts, as an aware datetime (so the range uses the index)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_event_list(search: AuditSearch | None = None) -> QuerySet[AuditEvent]:
    """The events matching `search`, newest first. The date range is a range on `created_at`
    and every other part an equality or a search, so paging costs the same on any page."""
    s = search or AuditSearch()
    events = AuditEvent.objects.all()
    if s.person in NOT_PEOPLE:
        events = events.filter(actor__isnull=True, actor_label=NOT_PEOPLE[s.person])
    elif s.person:
        # The user's id found first (one subquery), so the search runs on the actor's index.
        person = get_user_model().objects.filter(uuid=s.person).values("pk")[:1]
        events = events.filter(actor=Subquery(person))
    if s.kind:
        events = events.filter(object_type=s.kind)
    if s.action:
        events = events.filter(action=s.action)
    text = s.text.strip()
    if text:
        try:
            events = events.filter(object_uuid=uuid.UUID(text))
        except ValueError:
            events = events.filter(object_repr__icontains=text)
    if s.since is not None:
        events = events.filter(created_at__gte=_start_of(s.since))
    if s.until is not None:
        events = events.filter(created_at__lt=_start_of(s.until + dt.timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def audit_people() -> list[tuple[str, str]]:
    """Everyone who has acted, as (uuid, name), by name, then the system and the command line.
    Two people of one name are told apart by their user names."""
    users = list(
        get_user_model()
        .objects.filter(pk__in=AuditEvent.objects.filter(actor__isnull=False).values("actor"))
        .order_by("first_name", "last_name", "username")
    )
    names = [u.get_full_name() or u.get_username() for u in users]
    choices = [
        (str(u.uuid), f"{name} ({u.get_username()})" if names.count(name) > 1 else name)
        for u, name in zip(users, names, strict=True)
    ]
    return choices + list(NOT_PEOPLE_LABELS.items())


def audit_kinds() -> list[tuple[str, str]]:
    """The kinds of thing the log has events about, as (object type, words), by words."""
    types = AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True)
    return sorted(((t, kind_words(t)) for t in types.distinct()), key=lambda c: c[1].lower())
