"""Reads of notifications: a person's latest (newest first), their unread count, the kinds
they receive and the ones they are emailed about. Each is one query."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import FOR_ROLES, EmailChoice, Kind, Notification

LATEST = 50


def notification_list(user, limit: int = LATEST) -> QuerySet[Notification]:
    """The person's own latest notifications, newest first (never anyone else's)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit]


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def kinds_for(user) -> list[Kind]:
    """The kinds of notification the person's roles receive, in the order of `Kind`."""
    roles: frozenset[str] = getattr(user, "roles", frozenset())
    return [kind for kind in Kind if FOR_ROLES[kind] & roles]


def emailed_kinds(user) -> set[str]:
    """Every kind the person is emailed about: all but those they turned off."""
    off = EmailChoice.objects.filter(user=user, email=False).values_list("kind", flat=True)
    return set(Kind.values) - set(off)
