"""Writing audit events. Call `audit_record` inside the service's transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from .models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(getattr(value, "uuid", value.pk))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audit view of a model instance: concrete fields, foreign keys by their uuid or pk."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"created_at", "updated_at", "created_by", "updated_by"}:
            continue
        if isinstance(field, models.ForeignKey):
            related = getattr(obj, field.name)
            data[field.name] = None if related is None else str(related)
        else:
            data[field.name] = _jsonable(getattr(obj, field.attname))
    return data


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit events must be written inside the service's transaction")
    label = "system"
    if actor is not None and (
        getattr(actor, "is_authenticated", False) or hasattr(actor, "is_system")
    ):
        label = actor.get_full_name() or actor.get_username()
    return AuditEvent.objects.create(
        actor=actor if (actor is not None and getattr(actor, "pk", None)) else None,
        actor_label=label,
        action=action,
        object_type=obj._meta.label,
        object_uuid=getattr(obj, "uuid", None),
        object_repr=str(obj)[:300],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason,
    )
