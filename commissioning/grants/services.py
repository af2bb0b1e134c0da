"""Writes for grant rounds. Each function is one transaction with its audit event; the
application's status changes only through `application_transition`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from commissioning.core import files
from commissioning.core import uploads as attachments
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.locks import locked
from commissioning.core.models import Message
from commissioning.core.money import ZERO, money_text, pounds, to_money
from commissioning.core.permissions import check, require
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation, OrganisationKind
from commissioning.plans.models import StrategicPriority, Theme
from commissioning.plans.rules import priority_fits_theme

from .models import (
    ATTACHMENT_FOLDER,
    Answer,
    Application,
    ApplicationEvent,
    Attachment,
    QuestionKind,
    Round,
)
from .permissions import APPLY, SCREEN
from .status import Status
from .workflow import APPLICATION


def message_send(*, to_user, subject: str, body: str, about=None) -> None:
    """Send an email through Django's mail backend after the transaction commits, and keep it
    in the product so the recipient can read it there."""
    address = getattr(to_user, "email", "") or ""
    Message.objects.create(
        recipient=user_of(to_user),
        to_address=address or "no-address@invalid",
        subject=subject,
        body=body,
        about_type=about._meta.label if about is not None else "",
        about_uuid=getattr(about, "uuid", None),
    )
    if address:
        transaction.on_commit(lambda: send_mail(subject, body, None, [address], fail_silently=True))


# --- rounds ---


def round_is_open(rnd: Round, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return rnd.published and rnd.opens_at <= now <= rnd.closes_at


# --- applicants ---


REGISTER_CLASH_NAME = (
    "We cannot register these details. If your organisation already uses this service, ask "
    "someone there, or the OPCC, to add you"
)
REGISTER_CLASH_USERNAME = "Or try a different username"


def organisation_register(
    *,
    name: str,
    kind: str,
    username: str,
    password: str,
    full_name: str,
    email: str,
    charity_number: str = "",
    company_number: str = "",
    address: str = "",
    phone: str = "",
) -> Organisation:
    """An organisation registers itself, with its first user (a partner)."""
    from django.contrib.auth.password_validation import validate_password
    from django.utils.text import slugify

    User = get_user_model()
    errors: dict[str, Any] = {}
    if kind not in OrganisationKind.values or kind in {OrganisationKind.OPCC}:
        errors["kind"] = "Choose what kind of organisation it is"
    # A clash with an existing organisation or username gets one answer on both fields, so
    # a stranger learns neither which organisations are registered nor which usernames
    # exist; the page counts each clash like a failed sign-in from the address (ADR 13).
    if (
        Organisation.objects.filter(name__iexact=name.strip()).exists()
        or User.objects.filter(username__iexact=username).exists()
    ):
        errors["name"] = ValidationError(REGISTER_CLASH_NAME, code="taken")
        errors["username"] = ValidationError(REGISTER_CLASH_USERNAME, code="taken")
    try:
        validate_password(password)
    except ValidationError as exc:
        errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        base = slugify(name)[:90] or "organisation"
        key, n = base, 1
        while Organisation.objects.filter(key=key).exists():
            n += 1
            key = f"{base}-{n}"
        org = Organisation.objects.create(
            key=key,
            name=name.strip(),
            kind=kind,
            charity_number=charity_number.strip(),
            company_number=company_number.strip(),
            address=address.strip(),
            contact_name=full_name.strip(),
            contact_email=email.strip(),
            contact_phone=phone.strip(),
        )
        first, _, last = full_name.strip().partition(" ")
        user = User.objects.create_user(
            username=username,
            password=password,
            email=email,
            first_name=first,
            last_name=last,
            organisation=org,
        )
        user.groups.add(Group.objects.get_or_create(name=Role.PARTNER)[0])
        audit_record(
            actor=user,
            action="organisation.register",
            obj=org,
            after={"name": org.name, "kind": kind},
        )
        return org


# --- applications ---


def _next_reference(rnd: Round) -> str:
    locked(Round.objects.filter(pk=rnd.pk))
    return f"{rnd.reference.upper()}-{Application.objects.filter(round=rnd).count() + 1:04d}"


TITLE_MISSING = "Enter a project title"


def title_problems(title: str | None) -> dict[str, list[str]]:
    """The one rule for an application's title: there is one. No draft is started, saved or
    submitted without it (so no "Untitled application" clutters a round's dashboard)."""
    return {} if (title or "").strip() else {"title": [TITLE_MISSING]}


def classification_problems(
    rnd: Round, *, theme: Theme | None, primary_priority: StrategicPriority | None
) -> dict[str, list[str]]:
    """What is wrong with an application's plan theme and main strategic priority: a theme
    or priority outside the round's scope (when the round names some), or a priority of
    another theme than the one chosen."""
    errors: dict[str, list[str]] = {}
    themes = list(rnd.themes.all())
    if theme is not None and themes and theme.pk not in {t.pk for t in themes}:
        errors["theme"] = ["Choose one of the plan themes this round funds"]
    priorities = list(rnd.priorities.all())
    if (
        primary_priority is not None
        and priorities
        and primary_priority.pk not in {p.pk for p in priorities}
    ):
        errors["primary_priority"] = ["Choose one of the strategic priorities this round funds"]
    elif not priority_fits_theme(primary_priority, theme):
        assert primary_priority is not None and theme is not None
        errors["primary_priority"] = [
            f"{primary_priority.code} belongs to another theme than {theme} (it is a priority "
            f"of {primary_priority.theme}): choose a priority of {theme}, or another theme"
        ]
    return errors


def misclassified(applications: Iterable[Application]) -> list[tuple[Application, str]]:
    """The applications whose main strategic priority belongs to another theme than theirs
    (`priority_fits_theme`), which the ledger would refuse to record an award under, each
    with why. Reads each one's theme and priority: select them with the applications."""
    return [
        (
            app,
            f"{app.primary_priority.code} is a priority of {app.primary_priority.theme}, "
            f"not of {app.theme}",
        )
        for app in applications
        if app.primary_priority is not None
        and app.theme is not None
        and not priority_fits_theme(app.primary_priority, app.theme)
    ]


def application_start(*, actor, round: Round, title: str) -> Application:
    """Start a draft for the actor's organisation, with its title (`title_problems`).
    Refused unless the round is open to it (`permissions.round_open_to`, asked under the
    round's row lock, which changing who may apply takes too)."""
    require(actor, APPLY)
    now = timezone.now()
    if not round.published or now > round.closes_at:
        raise ValidationError(
            f"This round is not open for applications (it closed {round.closes_at:%d %B %Y %H:%M})"
        )
    if problems := title_problems(title):
        raise ValidationError(problems)
    with transaction.atomic():
        fresh = locked(Round.objects.filter(pk=round.pk))
        require(actor, APPLY, fresh)
        app = Application.objects.create(
            round=round,
            organisation=actor.organisation,
            reference=_next_reference(round),
            title=title.strip(),
            created_by=user_of(actor),
            updated_by=user_of(actor),
        )
        ApplicationEvent.objects.create(
            application=app, to_status=Status.DRAFT, actor=user_of(actor), note="started"
        )
        audit_record(
            actor=actor,
            action="application.start",
            obj=app,
            after={"round": round.reference, "title": title},
        )
        return app


@dataclass(frozen=True)
class AllocationCap:
    """What an applicant may still ask for in a round capped at its adopted allocation."""

    run_reference: str
    allocation: Decimal | None  # None: the applicant has no allocation in the run
    asked_elsewhere: Decimal  # in its other live applications to the round

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, (self.allocation or ZERO) - self.asked_elsewhere)


LIVE_STATUSES = (
    Status.SUBMITTED,
    Status.IN_REVIEW,
    Status.REVIEWED,
    Status.RECOMMENDED,
    Status.APPROVED,
)


def allocation_cap(app: Application) -> AllocationCap | None:
    """For a round that caps each applicant at its adopted allocation (CSP rounds): the
    applicant organisation's allocation in the round's adopted formula run, and what it asks
    for in its other live applications to the round. The run's rows are those of the
    organisation's own area or of the districts that area covers (a joint partnership's row,
    or each of its districts' rows); what the application says it reaches does not count,
    so an applicant cannot pick a larger area's allocation."""
    rnd = app.round
    if not rnd.cap_to_allocation or rnd.allocation_run is None:
        return None
    area = app.organisation.area
    allocation = None
    if area is not None:
        codes = {area.code} | {d.code for d in area.districts.all()}
        rows = list(rnd.allocation_run.areas.filter(area_code__in=codes))
        if rows:
            allocation = sum((r.allocation for r in rows), ZERO)
    others = (
        Application.objects.filter(
            round=rnd, organisation=app.organisation, status__in=LIVE_STATUSES
        )
        .exclude(pk=app.pk)
        .aggregate(t=Sum(Coalesce("award_amount", "amount_requested")))["t"]
    )
    return AllocationCap(rnd.allocation_run.reference, allocation, pounds(others))


def _words(text: str) -> int:
    return len(text.split())


def application_save(
    *,
    actor,
    application: Application,
    answers: Mapping[str, Any] | None = None,
    eligibility: Mapping[str, bool] | None = None,
    **fields,
) -> Application:
    """Save a draft. Checks what is given (word limits, amounts, choices, dates); completeness
    is checked on submission, so a draft can be saved half-done and resumed."""
    require(actor, APPLY, application)
    if application.status != Status.DRAFT:
        raise ValidationError("Only a draft can be changed")
    allowed = {
        "title",
        "amount_requested",
        "theme",
        "primary_priority",
        "secondary_priority",
        "area",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot save {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    questions = {q.key: q for q in application.round.questions.all()}
    clean_answers: dict[str, dict[str, Any]] = {}
    for key, raw in (answers or {}).items():
        q = questions.get(key)
        if q is None:
            errors.setdefault(key, []).append("is not a question of this round")
            continue
        if q.kind == QuestionKind.FILE:
            continue  # files go through application_attach
        value = "" if raw is None else raw
        if q.kind == QuestionKind.TEXT:
            text = str(value)
            if q.word_limit and _words(text) > q.word_limit:
                errors.setdefault(key, []).append(
                    f"{q.label}: {_words(text)} words; the limit is {q.word_limit}"
                )
            clean_answers[key] = {"text": text}
        elif q.kind == QuestionKind.AMOUNT:
            if value == "":
                clean_answers[key] = {"amount": None}
                continue
            try:
                amount = to_money(value)
            except ValueError as exc:
                errors.setdefault(key, []).append(f"{q.label}: {exc}")
                continue
            if amount < 0:
                errors.setdefault(key, []).append(f"{q.label}: cannot be negative")
                continue
            clean_answers[key] = {"amount": amount}
        elif q.kind == QuestionKind.CHOICE:
            if value and value not in q.choices:
                errors.setdefault(key, []).append(f"{q.label}: choose one of the options")
                continue
            clean_answers[key] = {"text": str(value)}
        elif q.kind == QuestionKind.DATE:
            if value in ("", None):
                clean_answers[key] = {"date": None}
                continue
            try:
                date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
            except ValueError:
                errors.setdefault(key, []).append(f"{q.label}: enter a real date")
                continue
            clean_answers[key] = {"date": date}
    if "amount_requested" in fields and fields["amount_requested"] not in (None, ""):
        try:
            fields["amount_requested"] = to_money(fields["amount_requested"])
        except ValueError as exc:
            errors.setdefault("amount_requested", []).append(str(exc))
        else:
            errors.update(_amount_problems(application, fields["amount_requested"]))
    elif "amount_requested" in fields:
        fields["amount_requested"] = None
    if "title" in fields:
        errors.update(title_problems(fields["title"]))
        fields["title"] = (fields["title"] or "").strip()
    if "theme" in fields or "primary_priority" in fields:
        for key, messages in classification_problems(
            application.round,
            theme=fields.get("theme", application.theme),
            primary_priority=fields.get("primary_priority", application.primary_priority),
        ).items():
            errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    # What the save would change. Nothing changed (a form sent again as it was, as Submit
    # does before it submits): nothing is written and no event recorded.
    fields = {k: v for k, v in fields.items() if getattr(application, k) != v}
    held = {
        a.question.key: a
        for a in Answer.objects.filter(
            application=application, question__key__in=clean_answers
        ).select_related("question")
    }
    clean_answers = {
        key: values
        for key, values in clean_answers.items()
        if key not in held or any(getattr(held[key], k) != v for k, v in values.items())
    }
    new_eligibility = (
        None if eligibility is None else {str(k): bool(v) for k, v in eligibility.items()}
    )
    if new_eligibility == application.eligibility_answers:
        new_eligibility = None
    if not fields and not clean_answers and new_eligibility is None:
        return application
    with transaction.atomic():
        before = {k: str(getattr(application, k)) for k in fields}
        for name, value in fields.items():
            setattr(application, name, value)
        if new_eligibility is not None:
            application.eligibility_answers = new_eligibility
        application.updated_by = user_of(actor)
        application.save()
        for key, values in clean_answers.items():
            Answer.objects.update_or_create(
                application=application, question=questions[key], defaults=values
            )
        audit_record(
            actor=actor,
            action="application.save",
            obj=application,
            before=before,
            after={**{k: str(v) for k, v in fields.items()}, "answers": sorted(clean_answers)},
        )
        return application


def _amount_problems(app: Application, amount: Decimal) -> dict[str, list[str]]:
    rnd = app.round
    problems: list[str] = []
    if amount <= 0:
        problems.append("Ask for an amount greater than £0")
    if amount > rnd.maximum_award:
        problems.append(
            f"{money_text(amount)} is more than this round's maximum award of {money_text(rnd.maximum_award)}"
        )
    if amount < rnd.minimum_award:
        problems.append(
            f"{money_text(amount)} is less than this round's minimum award of {money_text(rnd.minimum_award)}"
        )
    cap = allocation_cap(app)
    if cap is not None and cap.allocation is None:
        problems.append(
            f"The amount requested cannot be awarded: this round is capped at each applicant's "
            f"adopted allocation, and {app.organisation} has none in formula run {cap.run_reference}"
        )
    elif cap is not None and amount > cap.remaining and cap.asked_elsewhere:
        problems.append(
            f"The amount requested, {money_text(amount)}, is more than is left of {app.organisation}'s "
            f"adopted allocation of {money_text(cap.allocation or 0)}: its other applications to this round ask "
            f"for {money_text(cap.asked_elsewhere)}, so {money_text(cap.remaining)} is left"
        )
    elif cap is not None and amount > cap.remaining:
        problems.append(
            f"The amount requested, {money_text(amount)}, is more than {app.organisation}'s adopted "
            f"allocation of {money_text(cap.allocation or 0)} (formula run {cap.run_reference})"
        )
    return {"amount_requested": problems} if problems else {}


def application_attach(
    *, actor, application: Application, question_key: str, name: str, data: bytes
) -> Attachment:
    require(actor, APPLY, application)
    if application.status != Status.DRAFT:
        raise ValidationError("Files can be added only to a draft")
    question = application.round.questions.filter(key=question_key, kind=QuestionKind.FILE).first()
    if question is None:
        raise ValidationError({question_key: "is not a file question of this round"})
    with transaction.atomic():
        checked = files.accept_upload(
            name,
            data,
            field=question_key,
            folder=ATTACHMENT_FOLDER,
            allowed=question.file_types or None,
            max_bytes=question.max_file_mb * attachments.MB,
        )
        attachment = Attachment.objects.create(
            application=application,
            question=question,
            original_name=attachments.display_name(checked.original_name),
            **checked.columns(),
            created_by=user_of(actor),
            updated_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="application.attach",
            obj=application,
            after={"file": attachment.original_name, "sha256": checked.sha256},
        )
        return attachment


def application_transition(
    *,
    actor,
    application: Application,
    to: str,
    note: str = "",
    also_save: Iterable[str] = (),
) -> Application:
    """The one way an application changes status, under a lock on its row: the move must be
    in the workflow table and the actor must pass the move's rule. Writes the timeline row
    and the audit event; `also_save` names fields the caller has set to be saved with it."""
    with transaction.atomic():
        current = locked(Application.objects.filter(pk=application.pk))
        if not isinstance(current, Application) or current.status != application.status:
            raise ValidationError("The application changed meanwhile; look again")
        source = application.status
        fields = list(also_save)
        if to == Status.SUBMITTED:
            application.submitted_at = timezone.now()
            fields.append("submitted_at")
        move = APPLICATION.apply(
            actor=actor, obj=application, target=to, reason=note, also_save=fields
        )
        ApplicationEvent.objects.create(
            application=application,
            from_status=source,
            to_status=to,
            actor=user_of(actor),
            note=note or move.meaning,
        )
        return application


def _answered(q, value) -> bool:
    if q.kind in {QuestionKind.TEXT, QuestionKind.CHOICE}:
        return bool(str(value or "").strip())
    return value not in (None, "")


def submission_problems(
    app: Application,
    *,
    fields: Mapping[str, Any] | None = None,
    answers: Mapping[str, Any] | None = None,
    eligibility: Mapping[str, bool] | None = None,
) -> dict[str, list[str]]:
    """Everything that stops the application being submitted, all at once, by field: the
    title, the amount, the theme and priority, each required question (its key) and each
    eligibility question (``eligibility_<id>``). `fields`, `answers` (by question key, as a
    form cleans them: text, an amount or a date) and `eligibility` are values entered but
    not saved: they stand in for the saved ones, so a page that could not save what was
    entered can still say everything else that is missing."""
    values: dict[str, Any] = {
        "title": app.title,
        "amount_requested": app.amount_requested,
        "theme": app.theme,
        "primary_priority": app.primary_priority,
        **(fields or {}),
    }
    problems: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        problems.setdefault(key, []).append(message)

    problems.update(title_problems(values["title"]))
    amount = values["amount_requested"]
    if amount in (None, ""):
        add("amount_requested", "Say how much you are asking for")
    else:
        try:
            amount = to_money(amount)
        except ValueError as exc:
            add("amount_requested", str(exc))
        else:
            problems.update(_amount_problems(app, amount))
    problems.update(
        classification_problems(
            app.round, theme=values["theme"], primary_priority=values["primary_priority"]
        )
    )
    given = answers or {}
    saved = {a.question_id: a for a in app.answers.all()}
    attached = {a.question_id for a in app.attachments.all()}
    for q in app.round.questions.all():
        if not q.required:
            continue
        if q.kind == QuestionKind.FILE:
            if q.pk not in attached:
                add(q.key, f"{q.label}: attach a file")
            continue
        if q.key in given:
            value = given[q.key]
        else:
            a = saved.get(q.pk)
            value = (
                None
                if a is None
                else a.amount
                if q.kind == QuestionKind.AMOUNT
                else a.date
                if q.kind == QuestionKind.DATE
                else a.text
            )
        if not _answered(q, value):
            add(q.key, f"{q.label}: answer this question")
        elif q.kind == QuestionKind.TEXT and q.word_limit and _words(value) > q.word_limit:
            add(q.key, f"{q.label}: {_words(value)} words; the limit is {q.word_limit}")
    answered = app.eligibility_answers if eligibility is None else eligibility
    for e in app.round.eligibility.all():
        given_answer = answered.get(str(e.pk))
        if given_answer is None:
            add(f"eligibility_{e.pk}", f"Eligibility: answer “{e.text}”")
        elif given_answer != e.required_answer:
            add(
                f"eligibility_{e.pk}",
                f"Eligibility: this round is only for applicants who answer "
                f"“{'yes' if e.required_answer else 'no'}” to “{e.text}”",
            )
    return problems


def application_submit(
    *, actor, application: Application, now: dt.datetime | None = None
) -> Application:
    """Submit before the deadline by server time. Late: refused with the deadline shown, the
    draft kept. Incomplete: refused with every problem at once, by field
    (`submission_problems`)."""
    require(actor, APPLY, application)
    now = now or timezone.now()
    rnd = application.round
    open_to, why = check(actor, APPLY, Round.objects.get(pk=rnd.pk))
    if not open_to:
        raise ValidationError(
            f"This application cannot be submitted: {why}. The OPCC has changed who may apply "
            "since it was started; your draft is kept"
        )
    if now > rnd.closes_at:
        local = timezone.localtime(rnd.closes_at)
        raise ValidationError(
            f"The round closed at {local:%H:%M} on {local:%d %B %Y} (UK time); your draft is kept but it cannot be submitted"
        )
    if now < rnd.opens_at:
        raise ValidationError(
            f"The round opens on {timezone.localtime(rnd.opens_at):%d %B %Y at %H:%M}"
        )
    with transaction.atomic():
        if rnd.cap_to_allocation:
            # Two applications of one partnership submitted at once must not both fit a cap
            # that only one fits: lock the organisation while its other asks are counted.
            Organisation.objects.select_for_update().filter(pk=application.organisation_id).get()
        problems = submission_problems(application)
        if problems:
            raise ValidationError(problems)
        application_transition(actor=actor, application=application, to=Status.SUBMITTED)
        message_send(
            to_user=actor,
            subject=f"Application {application.reference} received",
            body=(
                f"We have received {application.organisation}'s application “{application.title}” "
                f"to {rnd.title}, asking for {money_text(application.amount_requested)}. Reference {application.reference}."
            ),
            about=application,
        )
        return application


def application_withdraw(*, actor, application: Application, reason: str = "") -> Application:
    require(actor, APPLY, application)
    return application_transition(
        actor=actor, application=application, to=Status.WITHDRAWN, note=reason or "withdrawn"
    )


def application_screen(
    *, actor, application: Application, eligible: bool, reason: str
) -> Application:
    """Officers screen a submitted application: eligible (sent to review) or not, with a
    reason the applicant sees."""
    require(actor, SCREEN, application)
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason the applicant can read"})
    with transaction.atomic():
        application.screening_reason = reason.strip()
        app = application_transition(
            actor=actor,
            application=application,
            to=Status.IN_REVIEW if eligible else Status.INELIGIBLE,
            note=reason,
            also_save=["screening_reason"],
        )
        if not eligible:
            for user in get_user_model().objects.filter(organisation=app.organisation):
                message_send(
                    to_user=user,
                    subject=f"Application {app.reference}: not eligible",
                    body=f"Your application “{app.title}” is not eligible for {app.round.title}: {reason}",
                    about=app,
                )
        return app


# Once submitted and until the PCC decides, an officer can correct how an application is
# classified against the plan: what the applicant chose, or an earlier rule let through.
CLASSIFIABLE = frozenset(
    {
        Status.SUBMITTED,
        Status.IN_REVIEW,
        Status.REVIEWED,
        Status.RECOMMENDED,
        Status.NOT_RECOMMENDED,
    }
)


def application_classify(
    *,
    actor,
    application: Application,
    theme: Theme | None,
    primary_priority: StrategicPriority | None,
    reason: str = "",
) -> Application:
    """An officer corrects a submitted application's plan theme and main strategic priority
    (at screening, or at any later stage until the PCC decides), checked by the same rules
    as the applicant's form (`classification_problems`). Audited with what it was before,
    and noted on the application's timeline."""
    require(actor, SCREEN, application)
    if application.status not in CLASSIFIABLE:
        raise ValidationError(
            "The theme and priority can be corrected once the application is submitted and "
            f"until the PCC decides; it is {application.get_status_display().lower()}"
        )
    errors = classification_problems(
        application.round, theme=theme, primary_priority=primary_priority
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = locked(Application.objects.filter(pk=application.pk))
        if not isinstance(current, Application) or current.status != application.status:
            raise ValidationError("The application changed meanwhile; look again")
        before = {
            "theme": str(current.theme or ""),
            "primary_priority": str(current.primary_priority or ""),
        }
        after = {"theme": str(theme or ""), "primary_priority": str(primary_priority or "")}
        if before == after:
            return application
        application.theme, application.primary_priority = theme, primary_priority
        application.updated_by = user_of(actor)
        application.save(update_fields=["theme", "primary_priority", "updated_by", "updated_at"])
        note = (
            f"Theme and priority corrected: {after['theme'] or 'no theme'}, "
            f"{after['primary_priority'] or 'no priority'}"
        )
        ApplicationEvent.objects.create(
            application=application,
            actor=user_of(actor),
            note=f"{note}. {reason.strip()}" if reason.strip() else note,
        )
        audit_record(
            actor=actor,
            action="application.classify",
            obj=application,
            before=before,
            after=after,
            reason=reason.strip(),
        )
        return application
