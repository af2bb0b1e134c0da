"""Status changes as tables: one `Workflow` per kind of thing that has a status.

An app's `workflow.py` declares its statuses and a `Workflow` of `Move`s (from, to, the
permission rule the actor must pass, what the move means, and the words on its button).
The app's one transition service calls `Workflow.apply` inside its transaction: that checks
the move is in the table and the actor passes its rule (for this object), writes the new
status and the audit event, and queues any effects to run once the transaction commits.
Pages ask `moves_for(user, obj)` which buttons to show; nothing restates the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from .actors import user_of
from .audit import audit_record
from .permissions import allowed, require


@dataclass(frozen=True)
class Move:
    source: str
    target: str
    rule: str  # the permission rule the actor must pass, with the object
    meaning: str  # what the move means, in the timeline and the audit event
    label: str = ""  # the words on the button that makes it


class Workflow:
    def __init__(
        self,
        name: str,
        statuses: type,
        moves: Iterable[Move],
        *,
        field: str = "status",
    ) -> None:
        self.name = name  # the audit action's prefix, e.g. "application"
        self.statuses = statuses  # the TextChoices of the statuses
        self.field = field
        self.moves: dict[tuple[str, str], Move] = {}
        for move in moves:
            key = (str(move.source), str(move.target))
            if key in self.moves:
                raise ValueError(f"{name}: the move {key} is in the table twice")
            self.moves[key] = move

    def _label(self, status: str) -> str:
        try:
            return str(self.statuses(status).label).lower()
        except ValueError:
            return status

    def move(self, source: str, target: str) -> Move:
        """The move from `source` to `target`, or a ValidationError saying it is not allowed."""
        try:
            return self.moves[(str(source), str(target))]
        except KeyError:
            thing = self.name.replace("_", " ")
            article = "An" if thing[:1] in "aeiou" else "A"
            raise ValidationError(
                f"{article} {thing} cannot go from {self._label(source)} to {self._label(target)}"
            ) from None

    def moves_from(self, status: str) -> list[Move]:
        return [m for (source, _), m in self.moves.items() if source == str(status)]

    def moves_for(self, user, obj: Model) -> list[Move]:
        """The moves `user` may make on `obj` now, in the table's order."""
        status = getattr(obj, self.field)
        return [m for m in self.moves_from(status) if allowed(user, m.rule, obj)]

    def can(self, user, obj: Model, target: str) -> bool:
        move = self.moves.get((str(getattr(obj, self.field)), str(target)))
        return move is not None and allowed(user, move.rule, obj)

    def reachable(self, status: str) -> set[str]:
        """Every status that can follow `status`, directly or later."""
        seen: set[str] = set()
        todo = [str(status)]
        while todo:
            for move in self.moves_from(todo.pop()):
                if move.target not in seen:
                    seen.add(move.target)
                    todo.append(move.target)
        return seen

    def permit(self, actor, obj: Model, source: str, target: str) -> Move:
        """Check, without writing, that `actor` may move `obj` from `source` to `target`: for
        things whose status is kept in append-only versions (an allocation), whose service
        writes the new version itself."""
        move = self.move(source, target)
        require(actor, move.rule, obj)
        return move

    def apply(
        self,
        *,
        actor,
        obj: Model,
        target: str,
        reason: str = "",
        also_save: Iterable[str] = (),
        after: dict[str, Any] | None = None,
        on_commit: Callable[[], None] | None = None,
    ) -> Move:
        """Move `obj` to `target`: checks the table and the rule, saves the status (and
        `also_save` fields the caller has set), writes the audit event. Must run inside the
        caller's transaction, after it has locked `obj`'s row."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("a status change must run inside the service's transaction")
        source = str(getattr(obj, self.field))
        move = self.permit(actor, obj, source, target)
        setattr(obj, self.field, target)
        fields = {self.field, *also_save}
        if hasattr(obj, "updated_by_id"):  # the column, not the user: reading it is a query
            obj.updated_by = user_of(actor)  # type: ignore[attr-defined]
            fields |= {"updated_by", "updated_at"}
        obj.save(update_fields=sorted(fields))
        audit_record(
            actor=actor,
            action=f"{self.name}.{target}",
            obj=obj,
            before={self.field: source},
            after={self.field: str(target), **(after or {})},
            reason=reason,
        )
        if on_commit is not None:
            transaction.on_commit(on_commit)
        return move
