"""Configuring a round without code: its details, assessment criteria, eligibility questions
and application form questions, changed freely while the round is a draft, then published once
it is complete. Once a round is published (or any application exists) its form is fixed.

Each write is one transaction that locks the round's row first (so an edit and a publication
cannot interleave), checks the round is still a draft, writes, and records its audit event.
Who may apply (`Round.eligible`) is the exception: it can change at any time
(`round_eligible_set`), but never so as to shut out an organisation that has an application
to the round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from commissioning.budgets.models import Mechanism
from commissioning.core import uploads as attachments
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record, snapshot
from commissioning.core.locks import locked
from commissioning.core.money import ZERO, money_text
from commissioning.core.permissions import require
from commissioning.formula.models import FormulaAdoption
from commissioning.organisations.models import Organisation, OrganisationKind

from .models import Criterion, EligibilityQuestion, Question, QuestionKind, Round
from .permissions import MANAGE
from .status import Status

# Words the URL map uses under /funding/ that a round's reference must not take.
RESERVED_REFERENCES = frozenset({"new", "register", "applications"})
ROUND_FIELDS = frozenset(
    {
        "reference",
        "title",
        "mechanism",
        "year",
        "budget_line",
        "opens_at",
        "closes_at",
        "guidance",
        "minimum_award",
        "maximum_award",
        "cap_to_allocation",
        "allocation_run",
        "scale_max",
    }
)
SCALE_LIMIT = 100
WORD_LIMIT_MAX = 10_000
MAX_FILE_MB = attachments.MAX_BYTES // attachments.MB

Item = Criterion | EligibilityQuestion | Question


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


# --- checks ---


def round_field_problems(fields: Mapping[str, Any]) -> dict[str, list[str]]:
    """What is wrong with a round's details, by field, each message naming the field. The
    model's constraints hold the same rules; these say them in words."""
    errors: dict[str, list[str]] = {}
    reference = fields.get("reference")
    if reference is not None and str(reference).lower() in RESERVED_REFERENCES:
        _add(
            errors, "reference", f"Reference: “{reference}” is a word the site uses; choose another"
        )
    mechanism = fields.get("mechanism")
    year = fields.get("year")
    line = fields.get("budget_line")
    if line is not None:
        if line.is_reserve:
            _add(errors, "budget_line", "Pot: a reserve cannot be a round's pot")
        elif mechanism and line.mechanism != mechanism:
            _add(
                errors,
                "budget_line",
                f"Pot: “{line.name}” is the {Mechanism(line.mechanism).label} line; choose the "
                f"budget line of the round's mechanism ({Mechanism(mechanism).label})",
            )
        if year is not None and line.year_id != year.pk:
            _add(
                errors,
                "budget_line",
                f"Pot: the budget line must be one of the round's year ({year})",
            )
    opens, closes = fields.get("opens_at"), fields.get("closes_at")
    for name, value, label in (("opens_at", opens, "Opening"), ("closes_at", closes, "Closing")):
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            _add(errors, name, f"{label} date and time: give the time zone (UK time)")
    if (
        isinstance(opens, dt.datetime)
        and isinstance(closes, dt.datetime)
        and "opens_at" not in errors
        and "closes_at" not in errors
        and closes <= opens
    ):
        _add(errors, "closes_at", "Closing date and time: the round must close after it opens")
    minimum, maximum = fields.get("minimum_award"), fields.get("maximum_award")
    if minimum is not None and minimum < 0:
        _add(errors, "minimum_award", "Minimum award: cannot be negative")
    if maximum is not None and maximum <= 0:
        _add(errors, "maximum_award", "Maximum award: must be more than £0")
    elif maximum is not None and minimum is not None and maximum < minimum:
        _add(
            errors,
            "maximum_award",
            f"Maximum award: must be at least the minimum award ({money_text(minimum)})",
        )
    scale = fields.get("scale_max")
    if scale is not None and not (isinstance(scale, int) and 1 <= scale <= SCALE_LIMIT):
        _add(errors, "scale_max", f"Scoring scale: a whole number from 1 to {SCALE_LIMIT}")
    run = fields.get("allocation_run")
    if fields.get("cap_to_allocation"):
        if run is None:
            _add(
                errors,
                "allocation_run",
                "Formula run: choose the adopted formula run whose allocations cap each applicant",
            )
        else:
            adoption = FormulaAdoption.objects.filter(run=run).select_related("year").first()
            if adoption is None:
                _add(
                    errors,
                    "allocation_run",
                    f"Formula run: {run.reference} has not been adopted; only an adopted run's allocations can cap applicants",
                )
            elif year is not None and adoption.year_id != year.pk:
                _add(
                    errors,
                    "allocation_run",
                    f"Formula run: {run.reference} was adopted for {adoption.year}, not for the round's year ({year})",
                )
    return errors


def eligible_problems(rnd: Round | None, eligible: Iterable[Organisation]) -> dict[str, list[str]]:
    """What is wrong with opening `rnd` (None: a round not yet made) to `eligible` only (none:
    to every organisation), each message naming the field: the OPCC cannot apply to its own
    round, and an organisation with an application to the round (any not withdrawn) cannot
    be left out of it."""
    errors: dict[str, list[str]] = {}
    chosen = {o.pk: o for o in eligible}
    for org in sorted(chosen.values(), key=lambda o: o.name):
        if org.kind == OrganisationKind.OPCC:
            _add(errors, "eligible", f"Open to: {org} cannot apply to the OPCC's own round")
    if rnd is None or rnd.pk is None or not chosen:
        return errors
    held: dict[Organisation, list[str]] = {}
    for app in (
        rnd.applications.exclude(status=Status.WITHDRAWN)
        .exclude(organisation__in=list(chosen))
        .select_related("organisation")
        .order_by("organisation__name", "reference")
    ):
        held.setdefault(app.organisation, []).append(
            f"{app.reference}, {app.get_status_display().lower()}"
        )
    for org, apps in held.items():
        _add(
            errors,
            "eligible",
            f"Open to: {org} cannot be left out, as it has an application to this round "
            f"({'; '.join(apps)})",
        )
    return errors


def _eligible_names(rnd: Round) -> list[str]:
    return sorted(o.name for o in rnd.eligible.all())


def round_locked_reason(rnd: Round) -> str:
    """Why the round's form can no longer change, or "" while it is a draft."""
    if rnd.published:
        return "This round is published: its form can no longer change"
    if rnd.applications.exists():
        return "Applications have been made to this round: its form can no longer change"
    return ""


def round_publish_problems(rnd: Round) -> dict[str, list[str]]:
    """Everything that stops the round being published, by field; empty when it is ready."""
    fields = {name: getattr(rnd, name) for name in ROUND_FIELDS}
    errors = round_field_problems(fields)
    criteria = list(rnd.criteria.all())
    if not criteria:
        _add(errors, "criteria", "Assessment criteria: add at least one criterion")
    else:
        total = sum((c.weight for c in criteria), ZERO)
        if total != 100:
            _add(
                errors,
                "criteria",
                f"Assessment criteria: the weights add up to {total.normalize():f}%; they must add up to 100%",
            )
    questions = list(rnd.questions.all())
    if not questions:
        _add(errors, "questions", "Application form: add at least one question")
    for q in questions:
        if q.kind == QuestionKind.CHOICE and len(q.choices) < 2:
            _add(errors, "questions", f"Application form: “{q.label}” needs at least two options")
    if rnd.closes_at <= timezone.now():
        _add(errors, "closes_at", "Closing date and time: it has already passed")
    if rnd.budget_line_id and rnd.maximum_award > rnd.budget_line.amount:
        _add(
            errors,
            "maximum_award",
            f"Maximum award: {money_text(rnd.maximum_award)} is more than the pot ({money_text(rnd.budget_line.amount)})",
        )
    return errors


# --- the round ---


def _lock_draft(rnd: Round) -> Round:
    """Inside a transaction: the round's row, locked and fresh, if it is still a draft."""
    row = locked(Round.objects.filter(pk=rnd.pk))
    assert isinstance(row, Round)
    reason = round_locked_reason(row)
    if reason:
        raise ValidationError(reason)
    return row


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - ROUND_FIELDS
    if unknown:
        raise ValueError(f"not a round's field: {sorted(unknown)}")


def _round_audit(rnd: Round) -> dict[str, Any]:
    data = snapshot(rnd)
    data["themes"] = sorted(str(t) for t in rnd.themes.all())
    data["priorities"] = sorted(str(p) for p in rnd.priorities.all())
    data["eligible"] = _eligible_names(rnd)
    return data


def round_draft_create(
    *,
    actor,
    themes: Iterable = (),
    priorities: Iterable = (),
    eligible: Iterable[Organisation] = (),
    **fields,
) -> Round:
    """A new round, not yet published: its details only, open to the organisations in
    `eligible` (none: to every organisation). Criteria and questions are added afterwards,
    and `round_publish` checks the whole."""
    require(actor, MANAGE)
    _check_fields(fields)
    if not fields.get("cap_to_allocation"):
        fields["allocation_run"] = None
    eligible = list(eligible)
    errors = round_field_problems(fields)
    for field, messages in eligible_problems(None, eligible).items():
        errors.setdefault(field, []).extend(messages)
    reference = fields.get("reference")
    if reference and Round.objects.filter(reference__iexact=reference).exists():
        _add(errors, "reference", f"Reference: a round called “{reference}” already exists")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rnd = Round(created_by=user_of(actor), updated_by=user_of(actor), published=False, **fields)
        rnd.full_clean()
        rnd.save()
        rnd.themes.set(list(themes))
        rnd.priorities.set(list(priorities))
        rnd.eligible.set(eligible)
        audit_record(actor=actor, action="round.create", obj=rnd, after=_round_audit(rnd))
        return rnd


def round_update(
    *,
    actor,
    round: Round,
    themes: Iterable | None = None,
    priorities: Iterable | None = None,
    **fields,
) -> Round:
    """Change a draft round's details. The reference, used in its web address, stays; who
    may apply changes through `round_eligible_set`."""
    require(actor, MANAGE)
    _check_fields(fields)
    if "reference" in fields:
        raise ValueError("a round's reference does not change")
    if "cap_to_allocation" in fields and not fields["cap_to_allocation"]:
        fields["allocation_run"] = None
    merged = {name: getattr(round, name) for name in ROUND_FIELDS - {"reference"}}
    merged.update(fields)
    errors = round_field_problems(merged)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rnd = _lock_draft(round)
        before = _round_audit(rnd)
        for name, value in fields.items():
            setattr(rnd, name, value)
        rnd.updated_by = user_of(actor)
        rnd.full_clean()
        rnd.save()
        if themes is not None:
            rnd.themes.set(list(themes))
        if priorities is not None:
            rnd.priorities.set(list(priorities))
        audit_record(
            actor=actor, action="round.update", obj=rnd, before=before, after=_round_audit(rnd)
        )
        return rnd


def round_eligible_set(*, actor, round: Round, eligible: Iterable[Organisation]) -> Round:
    """Open the round to the organisations in `eligible` only, or (none) to every
    organisation: at any time, published or not, with applications or not. Refused, naming
    each, if that would leave out an organisation with an application to the round (a draft,
    or one submitted and not withdrawn). Under the round's row lock, which starting an
    application takes too, so an application cannot be started meanwhile by an
    organisation being left out."""
    require(actor, MANAGE)
    eligible = list(eligible)
    with transaction.atomic():
        rnd = locked(Round.objects.filter(pk=round.pk))
        assert isinstance(rnd, Round)
        problems = eligible_problems(rnd, eligible)
        if problems:
            raise ValidationError(problems)
        before = _eligible_names(rnd)
        rnd.eligible.set(eligible)
        rnd.updated_by = user_of(actor)
        rnd.save(update_fields=["updated_by", "updated_at"])
        after = _eligible_names(rnd)
        audit_record(
            actor=actor,
            action="round.eligible",
            obj=rnd,
            before={"eligible": before},
            after={"eligible": after},
        )
        return rnd


def round_publish(*, actor, round: Round) -> Round:
    """Publish a complete round. Refused, with every problem named by its field, while the
    weights do not make 100, the form has no questions, the close has passed, and so on."""
    require(actor, MANAGE)
    with transaction.atomic():
        rnd = _lock_draft(round)
        problems = round_publish_problems(rnd)
        if problems:
            raise ValidationError(problems)
        rnd.published = True
        rnd.updated_by = user_of(actor)
        rnd.save(update_fields=["published", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="round.publish",
            obj=rnd,
            before={"published": False},
            after={
                "published": True,
                "criteria": [f"{c.title} ({c.weight}%)" for c in rnd.criteria.all()],
                "questions": [f"{q.key} ({q.kind})" for q in rnd.questions.all()],
                "eligibility": [e.text for e in rnd.eligibility.all()],
            },
        )
        round.published = True
        return rnd


# --- criteria, eligibility questions and form questions ---


def _item_state(item: Item) -> dict[str, Any]:
    return snapshot(item, [f.name for f in item._meta.concrete_fields if f.name != "round"])


def _save_item(
    *,
    actor,
    rnd: Round,
    model: type[models.Model],
    item: Item | None,
    values: dict[str, Any],
    label: str,
):
    if item is not None and item.round_id != rnd.pk:
        raise ValueError(f"this {label} belongs to another round")
    with transaction.atomic():
        draft = _lock_draft(rnd)
        before = None if item is None else _item_state(item)
        saved: Item
        if item is None:
            top = model.objects.filter(round=draft).aggregate(m=Max("order"))["m"] or 0  # type: ignore[attr-defined]
            saved = model(round=draft, order=top + 1, **values)  # type: ignore[assignment]
        else:
            saved = item
            for name, value in values.items():
                setattr(saved, name, value)
        saved.full_clean(exclude=["round"])
        saved.save()
        audit_record(
            actor=actor,
            action=f"round.{'add' if before is None else 'change'}_{label}",
            obj=draft,
            before=before,
            after=_item_state(saved),
        )
        return saved


def criterion_save(
    *,
    actor,
    round: Round,
    criterion: Criterion | None = None,
    title: str,
    description: str = "",
    weight: Any,
) -> Criterion:
    """Add an assessment criterion to a draft round (at the end), or change one. The weights
    need to make 100 only when the round is published."""
    require(actor, MANAGE)
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        _add(errors, "title", "Title: give the criterion a title")
    try:
        value = Decimal(str(weight).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        _add(errors, "weight", "Weight: a percentage, like 25")
    elif not ZERO < value <= 100:
        _add(errors, "weight", "Weight: more than 0% and at most 100%")
    elif value != value.quantize(Decimal("0.01")):
        _add(errors, "weight", "Weight: at most two decimal places")
    if errors:
        raise ValidationError(errors)
    return _save_item(
        actor=actor,
        rnd=round,
        model=Criterion,
        item=criterion,
        values={"title": title.strip(), "description": description.strip(), "weight": value},
        label="criterion",
    )


def eligibility_save(
    *,
    actor,
    round: Round,
    question: EligibilityQuestion | None = None,
    text: str,
    required_answer: bool = True,
) -> EligibilityQuestion:
    """Add a yes/no eligibility question to a draft round, or change one; `required_answer`
    is the answer an eligible applicant gives."""
    require(actor, MANAGE)
    if not (text or "").strip():
        raise ValidationError({"text": "Question: write the question"})
    return _save_item(
        actor=actor,
        rnd=round,
        model=EligibilityQuestion,
        item=question,
        values={"text": text.strip(), "required_answer": bool(required_answer)},
        label="eligibility",
    )


def _new_key(rnd: Round, label: str) -> str:
    base = slugify(label)[:40].strip("-") or "question"
    taken = set(rnd.questions.values_list("key", flat=True))
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}-{n}"
    return key


def question_save(
    *,
    actor,
    round: Round,
    question: Question | None = None,
    label: str,
    kind: str,
    hint: str = "",
    required: bool = True,
    word_limit: int | None = None,
    choices: Iterable[str] = (),
    file_types: Iterable[str] = (),
    max_file_mb: int | None = None,
) -> Question:
    """Add a question to a draft round's application form (at the end), or change one. What
    a kind does not use is cleared: a word limit only for text, options only for a choice,
    file types and size only for a file upload."""
    require(actor, MANAGE)
    errors: dict[str, list[str]] = {}
    if not (label or "").strip():
        _add(errors, "label", "Question: write the question")
    if kind not in QuestionKind.values:
        _add(errors, "kind", "Kind of answer: choose one")
    values: dict[str, Any] = {
        "label": (label or "").strip(),
        "kind": kind,
        "hint": (hint or "").strip(),
        "required": bool(required),
        "word_limit": None,
        "choices": [],
        "file_types": [],
        "max_file_mb": MAX_FILE_MB,
    }
    if kind == QuestionKind.TEXT and word_limit is not None:
        if not isinstance(word_limit, int) or not 1 <= word_limit <= WORD_LIMIT_MAX:
            _add(errors, "word_limit", f"Word limit: a whole number from 1 to {WORD_LIMIT_MAX:,}")
        else:
            values["word_limit"] = word_limit
    if kind == QuestionKind.CHOICE:
        options = [str(c).strip() for c in choices if str(c).strip()]
        repeated = sorted({o for o in options if options.count(o) > 1})
        if len(options) < 2:
            _add(errors, "choices", "Options: give at least two, one a line")
        elif repeated:
            _add(errors, "choices", f"Options: “{repeated[0]}” is given twice")
        elif any(len(o) > 200 for o in options):
            _add(errors, "choices", "Options: each at most 200 characters")
        values["choices"] = options
    if kind == QuestionKind.FILE:
        types = sorted({str(t).lower().strip().lstrip(".") for t in file_types if str(t).strip()})
        unknown = [t for t in types if t not in attachments.ALLOWED]
        if unknown:
            _add(
                errors,
                "file_types",
                f"File types: {', '.join(unknown)} cannot be accepted; choose from {', '.join(attachments.ALLOWED)}",
            )
        elif not types:
            _add(errors, "file_types", "File types: choose at least one")
        size = MAX_FILE_MB if max_file_mb is None else max_file_mb
        if not isinstance(size, int) or not 1 <= size <= MAX_FILE_MB:
            _add(
                errors, "max_file_mb", f"Largest file: a whole number of MB from 1 to {MAX_FILE_MB}"
            )
        values["file_types"], values["max_file_mb"] = types, size
    if errors:
        raise ValidationError(errors)
    if question is None:
        values["key"] = _new_key(round, values["label"])
    return _save_item(
        actor=actor, rnd=round, model=Question, item=question, values=values, label="question"
    )


def round_item_remove(*, actor, item: Item) -> None:
    """Remove a criterion or question from a draft round; those after it move up."""
    require(actor, MANAGE)
    model = type(item)
    with transaction.atomic():
        draft = _lock_draft(item.round)
        before = _item_state(item)
        order = item.order
        item.delete()
        for later in model.objects.filter(round=draft, order__gt=order).order_by("order"):  # type: ignore[attr-defined]
            later.order -= 1
            later.save(update_fields=["order"])
        audit_record(
            actor=actor,
            action=f"round.remove_{model._meta.model_name}",
            obj=draft,
            before=before,
        )


def round_item_move(*, actor, item: Item, up: bool) -> Item:
    """Swap a criterion or question with the one before it (up) or after it (down)."""
    require(actor, MANAGE)
    model = type(item)
    with transaction.atomic():
        draft = _lock_draft(item.round)
        siblings = model.objects.filter(round=draft)  # type: ignore[attr-defined]
        other = (
            siblings.filter(order__lt=item.order).order_by("-order").first()
            if up
            else siblings.filter(order__gt=item.order).order_by("order").first()
        )
        if other is None:
            return item
        mine, theirs = item.order, other.order
        item.order = 0  # a free place, since the order is unique within the round
        item.save(update_fields=["order"])
        other.order = mine
        other.save(update_fields=["order"])
        item.order = theirs
        item.save(update_fields=["order"])
        audit_record(
            actor=actor,
            action=f"round.move_{model._meta.model_name}",
            obj=draft,
            before={"item": str(item), "order": mine},
            after={"item": str(item), "order": theirs},
        )
        return item
