"""Row locks for services that check a total before they write."""

from __future__ import annotations

from django.db.models import Model, QuerySet


def locked(queryset: QuerySet) -> Model | None:
    """Lock exactly the rows of `queryset` and return the first (SELECT ... FOR UPDATE OF the
    table itself, with no ordering: a model's default ordering can join another table, and
    FOR UPDATE would then lock the joined rows too). On SQLite this is a plain read: the
    IMMEDIATE transaction already holds the database's write lock. Call it inside the
    service's transaction."""
    return queryset.order_by().select_for_update(of=("self",)).first()
