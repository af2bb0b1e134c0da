"""Configuring a round without code: details, criteria, eligibility and form questions while it
is a draft; publication refused with every problem named by its field; a published round (or
one with applications) fixed; every step audited; dates entered in UK time."""

import datetime as dt
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commissioning.budgets import services as budget_services
from commissioning.budgets.models import BudgetLine
from commissioning.budgets.selectors import year_get
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.formula import services as formula_services
from commissioning.grants import rounds, services
from commissioning.grants.forms import parse_date, parse_time, uk_datetime
from commissioning.grants.models import Application, QuestionKind, Round
from commissioning.plans.models import Theme

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def pot(officer, year):
    return budget_services.budget_line_create(
        actor=COMMAND_LINE,
        year=year,
        name="PCC Grant",
        mechanism="pcc_grant",
        amount="50000",
        capped=True,
    )


def details(year, line, **overrides):
    now = timezone.now()
    base = dict(
        reference="community-safety-2031",
        title="Community safety grants 2031/32",
        mechanism="pcc_grant",
        year=year,
        budget_line=line,
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=40),
        minimum_award=D("500"),
        maximum_award=D("5000"),
        guidance="For local groups.",
        scale_max=4,
        cap_to_allocation=False,
        allocation_run=None,
    )
    base.update(overrides)
    return base


@pytest.fixture
def draft(officer, year, pot):
    return rounds.round_draft_create(
        actor=officer, themes=[Theme.objects.get(number=1)], **details(year, pot)
    )


def problems_of(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_a_round_built_step_by_step_then_published(officer, draft, applicant):
    """Criteria, eligibility and every kind of question added to a draft; publication refused
    while the weights make 90, then accepted; the applicant's form is the configured one."""
    before = AuditEvent.objects.count()
    rounds.criterion_save(actor=officer, round=draft, title="Need", weight="60")
    vfm = rounds.criterion_save(actor=officer, round=draft, title="Value", weight="30")
    rounds.eligibility_save(
        actor=officer, round=draft, text="Are you based in LLR?", required_answer=True
    )
    rounds.question_save(
        actor=officer, round=draft, label="Summary", kind=QuestionKind.TEXT, word_limit=200
    )
    rounds.question_save(actor=officer, round=draft, label="Match funding", kind="amount")
    rounds.question_save(
        actor=officer, round=draft, label="Area", kind="choice", choices=["City", "County", " "]
    )
    rounds.question_save(
        actor=officer, round=draft, label="Start date", kind="date", required=False
    )
    rounds.question_save(
        actor=officer,
        round=draft,
        label="Budget",
        kind="file",
        file_types=[".PDF", "xlsx"],
        max_file_mb=5,
    )
    with pytest.raises(ValidationError) as exc:
        rounds.round_publish(actor=officer, round=draft)
    assert list(problems_of(exc)) == ["criteria"]
    assert "Assessment criteria: the weights add up to 90%" in problems_of(exc)["criteria"][0]
    draft.refresh_from_db()
    assert not draft.published

    rounds.criterion_save(
        actor=officer, round=draft, criterion=vfm, title="Value for money", weight="40"
    )
    rounds.round_publish(actor=officer, round=draft)
    draft.refresh_from_db()
    assert draft.published
    questions = list(draft.questions.all())
    assert [(q.order, q.key, q.kind) for q in questions] == [
        (1, "summary", "text"),
        (2, "match-funding", "amount"),
        (3, "area", "choice"),
        (4, "start-date", "date"),
        (5, "budget", "file"),
    ]
    assert questions[2].choices == ["City", "County"]
    assert questions[3].required is False
    assert questions[4].file_types == ["pdf", "xlsx"] and questions[4].max_file_mb == 5
    assert [c.title for c in draft.criteria.all()] == ["Need", "Value for money"]
    actions = list(AuditEvent.objects.order_by("id")[before:].values_list("action", flat=True))
    assert actions.count("round.add_question") == 5
    assert "round.change_criterion" in actions and actions[-1] == "round.publish"

    # the applicant's form is built from what was configured
    from commissioning.grants.forms import ApplicationForm

    form = ApplicationForm(round=draft)
    assert {"q_summary", "q_match-funding", "q_area", "q_start-date"} <= set(form.fields)


def test_publication_names_each_missing_part(officer, year, pot):
    rnd = rounds.round_draft_create(
        actor=officer, **details(year, pot, reference="empty", maximum_award=D("60000"))
    )
    with pytest.raises(ValidationError) as exc:
        rounds.round_publish(actor=officer, round=rnd)
    problems = problems_of(exc)
    assert problems["criteria"] == ["Assessment criteria: add at least one criterion"]
    assert problems["questions"] == ["Application form: add at least one question"]
    assert problems["maximum_award"] == ["Maximum award: £60,000 is more than the pot (£50,000)"]
    assert not Round.objects.get(pk=rnd.pk).published


def test_a_round_whose_close_has_passed_cannot_be_published(officer, year, pot):
    past = timezone.now() - dt.timedelta(hours=1)
    rnd = rounds.round_draft_create(
        actor=officer,
        **details(
            year, pot, reference="late", opens_at=past - dt.timedelta(days=2), closes_at=past
        ),
    )
    rounds.criterion_save(actor=officer, round=rnd, title="Need", weight="100")
    rounds.question_save(actor=officer, round=rnd, label="Summary", kind="text")
    with pytest.raises(ValidationError) as exc:
        rounds.round_publish(actor=officer, round=rnd)
    assert list(problems_of(exc)) == ["closes_at"]
    assert "Closing date and time: it has already passed" in problems_of(exc)["closes_at"]


def _other_year_line(officer):
    return BudgetLine.objects.filter(year__label="2016/17", is_reserve=False).first()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda o, y, p: {"reference": "new"}, "reference", "a word the site uses"),
        (lambda o, y, p: {"budget_line": _other_year_line(o)}, "budget_line", "round's year"),
        (lambda o, y, p: {"mechanism": "innovation_fund"}, "budget_line", "mechanism"),
        (
            lambda o, y, p: {"closes_at": timezone.now() - dt.timedelta(days=3)},
            "closes_at",
            "must close after it opens",
        ),
        (
            lambda o, y, p: {"opens_at": dt.datetime(2031, 5, 1, 9, 0)},
            "opens_at",
            "time zone",
        ),
        (
            lambda o, y, p: {"minimum_award": D("6000")},
            "maximum_award",
            "at least the minimum",
        ),
        (lambda o, y, p: {"scale_max": 0}, "scale_max", "from 1 to 100"),
        (
            lambda o, y, p: {"cap_to_allocation": True},
            "allocation_run",
            "choose the adopted formula run",
        ),
    ],
    ids=[
        "reserved reference",
        "line of another year",
        "line of another mechanism",
        "closes before it opens",
        "naive time",
        "maximum below minimum",
        "scale",
        "cap without a run",
    ],
)
def test_bad_details_are_refused_naming_the_field(officer, year, pot, change, field, words):
    fields = details(year, pot, **change(officer, year, pot))
    with pytest.raises(ValidationError) as exc:
        rounds.round_draft_create(actor=officer, **fields)
    assert field in problems_of(exc), problems_of(exc)
    assert any(words in m for m in problems_of(exc)[field]), problems_of(exc)
    assert not Round.objects.filter(reference=fields["reference"]).exists()


def test_a_reserve_is_never_the_pot(officer, year):
    reserve = BudgetLine.objects.filter(is_reserve=True).select_related("year").first()
    assert reserve is not None, "the example has a reserve line"
    with pytest.raises(ValidationError) as exc:
        rounds.round_draft_create(
            actor=officer, **details(reserve.year, reserve, reference="reserve-pot")
        )
    assert "Pot: a reserve cannot be a round's pot" in problems_of(exc)["budget_line"]


def test_the_cap_needs_a_run_adopted_for_the_round_year(officer, year, pot):
    run = formula_services.formula_run_create(
        actor=officer,
        req=formula_services.RunRequest(
            year=year_get("2023/24"),
            pot=D("639675"),
            weights={"harm": D(65), "rate": D(20), "population": D(15)},
            title="Not adopted yet",
        ),
    )
    fields = details(year, pot, cap_to_allocation=True, allocation_run=run)
    with pytest.raises(ValidationError, match="has not been adopted"):
        rounds.round_draft_create(actor=officer, **fields)
    other_year = budget_services.financial_year_get_or_create(actor=COMMAND_LINE, label="2032/33")
    formula_services.formula_run_adopt(actor=officer, run=run, year=other_year)
    with pytest.raises(ValidationError, match="adopted for 2032/33, not for the round's year"):
        rounds.round_draft_create(actor=officer, **fields)
    rnd_year_run = formula_services.formula_run_create(
        actor=officer,
        req=formula_services.RunRequest(
            year=year_get("2023/24"),
            pot=D("639675"),
            weights={"harm": D(65), "rate": D(20), "population": D(15)},
            title="Adopted for the round's year",
        ),
    )
    formula_services.formula_run_adopt(actor=officer, run=rnd_year_run, year=year)
    rnd = rounds.round_draft_create(
        actor=officer, **details(year, pot, cap_to_allocation=True, allocation_run=rnd_year_run)
    )
    assert rnd.cap_to_allocation and rnd.allocation_run == rnd_year_run


def test_a_duplicate_reference_is_refused(officer, draft, year, pot):
    with pytest.raises(ValidationError) as exc:
        rounds.round_draft_create(actor=officer, **details(year, pot, title="Again"))
    assert "already exists" in problems_of(exc)["reference"][0]


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"label": "Area", "kind": "choice", "choices": ["Only one"]}, "choices", "at least two"),
        ({"label": "Area", "kind": "choice", "choices": ["A", "A"]}, "choices", "given twice"),
        ({"label": "Budget", "kind": "file", "file_types": ["exe"]}, "file_types", "exe"),
        ({"label": "Budget", "kind": "file", "file_types": []}, "file_types", "at least one"),
        (
            {"label": "Budget", "kind": "file", "file_types": ["pdf"], "max_file_mb": 11},
            "max_file_mb",
            "from 1 to 10",
        ),
        ({"label": "Summary", "kind": "text", "word_limit": 0}, "word_limit", "from 1"),
        ({"label": " ", "kind": "text"}, "label", "write the question"),
        ({"label": "Odd", "kind": "essay"}, "kind", "choose one"),
    ],
)
def test_bad_questions_are_refused_naming_the_field(officer, draft, fields, field, words):
    with pytest.raises(ValidationError) as exc:
        rounds.question_save(actor=officer, round=draft, **fields)
    assert any(words in m for m in problems_of(exc)[field]), problems_of(exc)
    assert not draft.questions.exists()


def test_what_a_kind_does_not_use_is_cleared(officer, draft):
    q = rounds.question_save(
        actor=officer,
        round=draft,
        label="Outcomes",
        kind="text",
        word_limit=300,
        choices=["x", "y"],
        file_types=["pdf"],
    )
    assert q.choices == [] and q.file_types == [] and q.word_limit == 300
    q = rounds.question_save(
        actor=officer,
        round=draft,
        question=q,
        label="Outcomes",
        kind="choice",
        word_limit=300,
        choices=["Better", "Worse"],
    )
    q.refresh_from_db()
    assert q.kind == "choice" and q.word_limit is None and q.choices == ["Better", "Worse"]
    assert q.key == "outcomes", "a question keeps its key when changed"


@pytest.mark.parametrize(
    ("weight", "words"),
    [
        ("0", "more than 0%"),
        ("101", "at most 100%"),
        ("1.234", "two decimal"),
        ("lots", "a percentage"),
    ],
)
def test_bad_weights_are_refused(officer, draft, weight, words):
    with pytest.raises(ValidationError, match=words):
        rounds.criterion_save(actor=officer, round=draft, title="Need", weight=weight)


def test_reordering_and_removing_keep_the_order_whole(officer, draft):
    made = [
        rounds.criterion_save(actor=officer, round=draft, title=t, weight="25")
        for t in ("A", "B", "C", "D")
    ]

    def titles():
        return [(c.order, c.title) for c in draft.criteria.all()]

    rounds.round_item_move(actor=officer, item=made[2], up=True)
    assert titles() == [(1, "A"), (2, "C"), (3, "B"), (4, "D")]
    rounds.round_item_move(actor=officer, item=made[0], up=False)
    assert titles() == [(1, "C"), (2, "A"), (3, "B"), (4, "D")]
    first = draft.criteria.get(title="C")
    rounds.round_item_move(actor=officer, item=first, up=True)
    assert titles()[0] == (1, "C"), "the first cannot move up"
    rounds.round_item_remove(actor=officer, item=draft.criteria.get(title="A"))
    assert titles() == [(1, "C"), (2, "B"), (3, "D")]
    rounds.criterion_save(actor=officer, round=draft, title="E", weight="25")
    assert titles()[-1] == (4, "E")


def test_a_published_round_cannot_change(officer, grant_round, year):
    """The fixture's round is published: every change is refused and nothing is written."""
    before = AuditEvent.objects.count()
    criterion = grant_round.criteria.first()
    question = grant_round.questions.first()
    attempts = [
        lambda: rounds.round_update(actor=officer, round=grant_round, title="Renamed"),
        lambda: rounds.criterion_save(actor=officer, round=grant_round, title="New", weight="5"),
        lambda: rounds.criterion_save(
            actor=officer, round=grant_round, criterion=criterion, title="Need", weight="50"
        ),
        lambda: rounds.eligibility_save(actor=officer, round=grant_round, text="Are you?"),
        lambda: rounds.question_save(actor=officer, round=grant_round, label="More", kind="text"),
        lambda: rounds.round_item_remove(actor=officer, item=question),
        lambda: rounds.round_item_move(actor=officer, item=question, up=False),
        lambda: rounds.round_publish(actor=officer, round=grant_round),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="published: its form can no longer change"):
            attempt()
    assert AuditEvent.objects.count() == before
    grant_round.refresh_from_db()
    assert grant_round.title == "PCC Grant 2031/32" and grant_round.criteria.count() == 2


def test_once_an_application_exists_the_form_cannot_change(officer, grant_round, applicant):
    services.application_start(actor=applicant, round=grant_round, title="Early")
    # however the round came to be unpublished again, its applications fix its form
    Round.objects.filter(pk=grant_round.pk).update(published=False)
    grant_round.refresh_from_db()
    assert Application.objects.filter(round=grant_round).exists()
    with pytest.raises(ValidationError, match="Applications have been made"):
        rounds.question_save(actor=officer, round=grant_round, label="More", kind="text")


@pytest.mark.parametrize("role", [Role.PARTNER, Role.REVIEWER, Role.PANEL_MEMBER, Role.PCC])
def test_only_officers_configure_rounds(user_with, year, pot, draft, role):
    user = user_with(role)
    with pytest.raises(ValidationError, match="only commissioning officers"):
        rounds.round_draft_create(actor=user, **details(year, pot, reference="mine"))
    with pytest.raises(ValidationError, match="only commissioning officers"):
        rounds.criterion_save(actor=user, round=draft, title="Need", weight="100")
    with pytest.raises(ValidationError, match="only commissioning officers"):
        rounds.round_publish(actor=user, round=draft)


def test_round_update_changes_details_and_scope(officer, draft, year, pot):
    second = Theme.objects.get(number=2)
    rounds.round_update(
        actor=officer,
        round=draft,
        themes=[second],
        title="Renamed round",
        maximum_award=D("4000"),
    )
    draft.refresh_from_db()
    assert draft.title == "Renamed round" and draft.maximum_award == D("4000")
    assert list(draft.themes.all()) == [second]
    event = AuditEvent.objects.filter(action="round.update").latest("id")
    assert event.before["title"] == "Community safety grants 2031/32"
    assert event.after["title"] == "Renamed round"
    with pytest.raises(ValidationError) as exc:
        rounds.round_update(actor=officer, round=draft, maximum_award=D("100"))
    assert "at least the minimum award" in exc.value.message_dict["maximum_award"][0]


# --- UK time ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("31/3/2031", dt.date(2031, 3, 31)),
        ("31 3 2031", dt.date(2031, 3, 31)),
        ("2031-03-31", dt.date(2031, 3, 31)),
        ("31 March 2031", dt.date(2031, 3, 31)),
    ],
)
def test_dates_as_people_type_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/2/2031", "tomorrow", "2031-13-01"])
def test_dates_that_are_not_dates(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17:30", dt.time(17, 30)),
        ("9am", dt.time(9)),
        ("5.30pm", dt.time(17, 30)),
        ("12am", dt.time(0)),
        ("12pm", dt.time(12)),
    ],
)
def test_times_as_people_type_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "13pm", "noonish", "9:75"])
def test_times_that_are_not_times(text):
    with pytest.raises(ValueError):
        parse_time(text)


def test_uk_time_is_gmt_in_winter_and_bst_in_summer():
    winter = uk_datetime(dt.date(2031, 1, 15), dt.time(17, 0))
    summer = uk_datetime(dt.date(2031, 7, 15), dt.time(17, 0))
    assert winter.astimezone(UTC).hour == 17
    assert summer.astimezone(UTC).hour == 16
    assert summer.tzinfo == ZoneInfo("Europe/London")


def test_clock_change_times_that_name_no_single_moment_are_refused():
    # 2031: the clocks go forward on 30 March and back on 26 October, at 01:00 UTC
    with pytest.raises(ValueError, match="does not happen"):
        uk_datetime(dt.date(2031, 3, 30), dt.time(1, 30))
    with pytest.raises(ValueError, match="happens twice"):
        uk_datetime(dt.date(2031, 10, 26), dt.time(1, 30))
    assert uk_datetime(dt.date(2031, 3, 30), dt.time(2, 30)).astimezone(UTC).hour == 1
