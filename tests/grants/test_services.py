"""Grant rounds, applications, the deadline, screening and the workflow table."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from commissioning.budgets import services as budget_services
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.models import Message
from commissioning.core.permissions import allowed
from commissioning.core.roles import Role
from commissioning.grants import services
from commissioning.grants.models import QuestionKind, Round
from commissioning.grants.status import Status
from commissioning.grants.workflow import APPLICATION
from tests.factories import RoundFactory

from .helpers import PDF, complete

pytestmark = pytest.mark.django_db


def test_apply_save_resume_and_submit(grant_round, applicant, django_capture_on_commit_callbacks):
    app = services.application_start(actor=applicant, round=grant_round, title="Street mentors")
    services.application_save(actor=applicant, application=app, answers={"summary": "Half done"})
    with pytest.raises(ValidationError) as exc:
        services.application_submit(actor=applicant, application=app)
    problems = " ".join(exc.value.messages)
    assert (
        "Say how much" in problems
        and "Start date: answer" in problems
        and "attach a file" in problems
    )
    complete(app, applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=applicant, application=app)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.submitted_at is not None
    assert app.amount_requested == D("9500.00")
    assert [e.to_status for e in app.events.all()] == ["draft", "submitted"]
    assert mail.outbox and app.reference in mail.outbox[-1].subject
    assert Message.objects.filter(recipient=applicant, about_uuid=app.uuid).exists()


def test_a_second_after_the_close_is_refused_and_the_draft_kept(grant_round, applicant):
    app = services.application_start(actor=applicant, round=grant_round, title="Late")
    complete(app, applicant)
    with pytest.raises(ValidationError, match=r"closed at .*\(UK time\)"):
        services.application_submit(
            actor=applicant, application=app, now=grant_round.closes_at + dt.timedelta(seconds=1)
        )
    app.refresh_from_db()
    assert app.status == Status.DRAFT
    services.application_submit(actor=applicant, application=app, now=grant_round.closes_at)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED


@pytest.mark.parametrize(
    ("fields", "answers", "message"),
    [
        ({"amount_requested": "10,001"}, {}, "more than this round's maximum"),
        ({"amount_requested": "999"}, {}, "less than this round's minimum"),
        ({"amount_requested": "abc"}, {}, "not an amount"),
        (
            {},
            {"summary": "one two three four five six seven eight nine ten eleven"},
            "11 words; the limit is 10",
        ),
        ({}, {"area": "Moon"}, "choose one of the options"),
        ({}, {"start-date": "2031-02-30"}, "enter a real date"),
    ],
)
def test_bad_answers_are_refused_and_nothing_saved(
    grant_round, applicant, fields, answers, message
):
    app = services.application_start(actor=applicant, round=grant_round, title="Bad")
    with pytest.raises(ValidationError, match=message):
        services.application_save(actor=applicant, application=app, answers=answers, **fields)
    app.refresh_from_db()
    assert app.amount_requested is None and not app.answers.exists()


def test_another_organisation_cannot_read_or_change_it(grant_round, applicant, rival):
    app = services.application_start(actor=applicant, round=grant_round, title="Ours")
    assert allowed(applicant, "grants.view_application", app)
    assert not allowed(rival, "grants.view_application", app)
    with pytest.raises(ValidationError, match="another organisation"):
        services.application_save(actor=rival, application=app, title="Theirs now")
    with pytest.raises(ValidationError, match="another organisation"):
        services.application_submit(actor=rival, application=app)
    with pytest.raises(ValidationError):
        services.application_withdraw(actor=rival, application=app)
    app.refresh_from_db()
    assert app.title == "Ours" and app.status == Status.DRAFT


def test_screening_and_the_workflow_table(grant_round, applicant, officer):
    app = services.application_start(actor=applicant, round=grant_round, title="Screen me")
    complete(app, applicant)
    services.application_submit(actor=applicant, application=app)
    with pytest.raises(ValidationError, match="only commissioning officers"):
        services.application_screen(
            actor=applicant, application=app, eligible=True, reason="self-approved"
        )
    services.application_screen(
        actor=officer, application=app, eligible=False, reason="Outside the force area"
    )
    app.refresh_from_db()
    assert app.status == Status.INELIGIBLE and app.screening_reason == "Outside the force area"
    assert Message.objects.filter(recipient=applicant, subject__contains="not eligible").exists()
    with pytest.raises(ValidationError, match="cannot go from not eligible to approved"):
        services.application_transition(actor=officer, application=app, to=Status.APPROVED)


def test_withdraw_and_no_changes_after_submission(grant_round, applicant):
    app = services.application_start(actor=applicant, round=grant_round, title="Withdraw me")
    complete(app, applicant)
    services.application_submit(actor=applicant, application=app)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.application_save(actor=applicant, application=app, title="Changed")
    services.application_withdraw(actor=applicant, application=app, reason="Funded elsewhere")
    app.refresh_from_db()
    assert app.status == Status.WITHDRAWN


def test_criteria_weights_must_make_100(officer, year):
    line = budget_services.budget_line_create(
        actor=COMMAND_LINE, year=year, name="Grant", mechanism="pcc_grant", amount="10"
    )
    now = timezone.now()
    with pytest.raises(ValidationError, match="add up to 90"):
        RoundFactory(
            actor=officer,
            year=year,
            reference="r",
            title="R",
            budget_line=line,
            opens_at=now,
            closes_at=now + dt.timedelta(days=1),
            minimum_award=D(0),
            maximum_award=D("5"),
            criteria=[{"title": "Need", "weight": "90"}],
            questions=[{"label": "Summary", "kind": QuestionKind.TEXT}],
            eligibility=[],
        )
    assert not Round.objects.filter(reference="r", published=True).exists()


def test_every_move_names_a_known_rule():
    from commissioning.core.permissions import RULES

    assert APPLICATION.moves
    assert all(move.rule in RULES for move in APPLICATION.moves.values())


def test_organisation_registers_itself(db):
    org = services.organisation_register(
        name="Street Pastors Loughborough",
        kind="charity",
        username="sp-admin",
        password="a-long-passphrase-7",
        full_name="Sam Pastor",
        email="sam@example.org",
        charity_number="1234567",
    )
    assert org.users.get().has_role(Role.PARTNER)
    with pytest.raises(ValidationError) as exc:
        services.organisation_register(
            name="street pastors loughborough",
            kind="charity",
            username="sp-admin",
            password="short",
            full_name="X",
            email="x@example.org",
        )
    assert {"name", "username", "password"} <= set(exc.value.message_dict)


def test_attachments_are_checked_and_stored_outside_any_public_path(grant_round, applicant):
    from django.conf import settings

    app = services.application_start(actor=applicant, round=grant_round, title="Files")
    with pytest.raises(ValidationError, match="folder path"):
        services.application_attach(
            actor=applicant, application=app, question_key="budget", name="../x.pdf", data=PDF
        )
    with pytest.raises(ValidationError, match="must start with %PDF"):
        services.application_attach(
            actor=applicant,
            application=app,
            question_key="budget",
            name="x.pdf",
            data=b"\x89PNG\r\n\x1a\n" + b"0" * 40,
        )
    attachment = services.application_attach(
        actor=applicant, application=app, question_key="budget", name="Budget 2031.pdf", data=PDF
    )
    stored = attachment.path
    assert stored.read_bytes() == PDF
    assert not str(stored).startswith(str(settings.STATICFILES_DIRS[0]))
    assert attachment.stored_name != attachment.original_name


def test_saving_a_draft_as_it_stands_writes_nothing(grant_round, applicant):
    """Submit sends the form again before it submits: an unchanged draft is not written and
    no "saved" event is recorded; a real change still is, with only what changed."""
    from commissioning.core.models import AuditEvent

    app = services.application_start(actor=applicant, round=grant_round, title="Street mentors")
    services.application_save(
        actor=applicant, application=app, amount_requested="9,500", answers={"summary": "Hi"}
    )
    saves = AuditEvent.objects.filter(action="application.save", object_uuid=app.uuid)
    assert saves.count() == 1
    app.refresh_from_db()
    stamp = app.updated_at
    services.application_save(
        actor=applicant,
        application=app,
        title="Street mentors",
        amount_requested="9500.00",
        answers={"summary": "Hi"},
    )
    app.refresh_from_db()
    assert saves.count() == 1 and app.updated_at == stamp
    services.application_save(
        actor=applicant, application=app, title="Street mentors", answers={"summary": "Hello"}
    )
    assert saves.count() == 2
    latest = saves.order_by("-id").first()
    assert latest.after == {"answers": ["summary"]} and latest.before == {}
