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
from commissioning.core.money import ZERO, pounds, to_money
from commissioning.core.permissions import check, require
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation, OrganisationKind

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


def application_start(*, actor, round: Round, title: str) -> Application:
    """Start a draft for the actor's organisation. Refused unless the round is open to it
    (`permissions.round_open_to`, asked under the round's row lock, which changing who may
    apply takes too)."""
    require(actor, APPLY)
    now = timezone.now()
    if not round.published or now > round.closes_at:
        raise ValidationError(
            f"This round is not open for applications (it closed {round.closes_at:%d %B %Y %H:%M})"
        )
    if not title.strip():
        raise ValidationError({"title": "Give the application a title"})
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
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = {k: str(getattr(application, k)) for k in fields}
        for name, value in fields.items():
            setattr(application, name, value)
        if eligibility is not None:
            application.eligibility_answers = {str(k): bool(v) for k, v in eligibility.items()}
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
            f"£{amount:,} is more than this round's maximum award of £{rnd.maximum_award:,}"
        )
    if amount < rnd.minimum_award:
        problems.append(
            f"£{amount:,} is less than this round's minimum award of £{rnd.minimum_award:,}"
        )
    cap = allocation_cap(app)
    if cap is not None and cap.allocation is None:
        problems.append(
            f"The amount requested cannot be awarded: this round is capped at each applicant's "
            f"adopted allocation, and {app.organisation} has none in formula run {cap.run_reference}"
        )
    elif cap is not None and amount > cap.remaining and cap.asked_elsewhere:
        problems.append(
            f"The amount requested, £{amount:,}, is more than is left of {app.organisation}'s "
            f"adopted allocation of £{cap.allocation:,}: its other applications to this round ask "
            f"for £{cap.asked_elsewhere:,}, so £{cap.remaining:,} is left"
        )
    elif cap is not None and amount > cap.remaining:
        problems.append(
            f"The amount requested, £{amount:,}, is more than {app.organisation}'s adopted "
            f"allocation of £{cap.allocation:,} (formula run {cap.run_reference})"
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


def submission_problems(app: Application) -> list[str]:
    problems: list[str] = []
    if not app.title.strip():
        problems.append("Give the application a title")
    if app.amount_requested is None:
        problems.append("Say how much you are asking for")
    else:
        problems += _amount_problems(app, app.amount_requested).get("amount_requested", [])
    answers = {a.question_id: a for a in app.answers.all()}
    attached = {a.question_id for a in app.attachments.all()}
    for q in app.round.questions.all():
        if not q.required:
            continue
        if q.kind == QuestionKind.FILE:
            if q.pk not in attached:
                problems.append(f"{q.label}: attach a file")
            continue
        a = answers.get(q.pk)
        empty = (
            a is None
            or (q.kind in {QuestionKind.TEXT, QuestionKind.CHOICE} and not a.text.strip())
            or (q.kind == QuestionKind.AMOUNT and a.amount is None)
            or (q.kind == QuestionKind.DATE and a.date is None)
        )
        if empty or a is None:
            problems.append(f"{q.label}: answer this question")
        elif q.kind == QuestionKind.TEXT and q.word_limit and _words(a.text) > q.word_limit:
            problems.append(f"{q.label}: {_words(a.text)} words; the limit is {q.word_limit}")
    for e in app.round.eligibility.all():
        given = app.eligibility_answers.get(str(e.pk))
        if given is None:
            problems.append(f"Eligibility: answer “{e.text}”")
        elif given != e.required_answer:
            problems.append(
                f"Eligibility: this round is only for applicants who answer “{'yes' if e.required_answer else 'no'}” to “{e.text}”"
            )
    return problems


def application_submit(
    *, actor, application: Application, now: dt.datetime | None = None
) -> Application:
    """Submit before the deadline by server time. Late: refused with the deadline shown, the
    draft kept. Incomplete: refused with each problem listed."""
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
            f"The round closed at {local:%H:%M:%S} on {local:%d %B %Y} (UK time); your draft is kept but it cannot be submitted"
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
                f"to {rnd.title}, asking for £{application.amount_requested:,}. Reference {application.reference}."
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
