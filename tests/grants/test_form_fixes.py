"""The application form and the pages around it, as GOV.UK asks: every problem at once in the
error summary, each linked to its field; no draft without a title; only the chosen theme's
priorities, and a priority of another theme refused where it is entered, with a way to mend
one an earlier stage let through at every later stage; the reviewer's queue with titles; the
panel's reduced amount revealed only for "Fund at a reduced amount"; buttons only for those
they serve; an empty state on the dashboard; GOV.UK date inputs, £ prefixes, no seconds."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from commissioning.budgets.selectors import current_version
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.grants import review, services
from commissioning.grants.models import Application
from commissioning.grants.status import Status
from commissioning.plans.models import StrategicPriority, Theme
from tests.factories import RoundFactory

from .helpers import PDF, complete, score, screened_in

pytestmark = pytest.mark.django_db


def error_summary(page: str) -> list[tuple[str, str]]:
    """The error summary's items as (link target, words)."""
    block = re.search(r'govuk-error-summary__list"[^>]*>(.*?)</ul>', page, re.S)
    assert block, "an error summary is shown"
    return [
        (href, htmllib.unescape(re.sub(r"<[^>]+>", "", words)).strip())
        for href, words in re.findall(r'<li>\s*<a href="#([^"]*)">(.*?)</a>', block.group(1), re.S)
    ]


def words(page: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def select_groups(page: str, name: str) -> dict[str, list[str]]:
    """A select's options by optgroup label: {label: [option values]} ("" for options
    outside any group, the empty choice left out)."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"a select named {name}"
    groups: dict[str, list[str]] = {}
    for label, body in re.findall(
        r'<optgroup label="([^"]*)">(.*?)</optgroup>', select.group(1), re.S
    ):
        groups[htmllib.unescape(label)] = re.findall(r'<option value="([^"]+)"', body)
    return groups


@pytest.fixture
def themes():
    """Two themes of the plan with priorities, and one priority of each."""
    first, second = [t for t in Theme.objects.order_by("number") if t.priorities.exists()][:2]
    return first, second, first.priorities.first(), second.priorities.first()


@pytest.fixture
def draft(grant_round, applicant):
    return services.application_start(actor=applicant, round=grant_round, title="Street mentors")


def edit(client, app, data):
    return client.post(reverse("application-edit", args=[app.uuid]), data)


# --- every error at once ---


def test_submitting_reports_every_problem_at_once_each_linked_to_its_field(
    client, draft, applicant
):
    """One submit that the form refuses (an amount that is no amount, a date that is no
    date) says in the same response what else is missing: the answers and the budget file,
    which used to show only on a second submit. Each item links to its field."""
    client.force_login(applicant)
    response = edit(
        client,
        draft,
        {
            "title": "Street mentors",
            "amount_requested": "lots",
            "q_start-date_day": "31",
            "q_start-date_month": "2",
            "q_start-date_year": "2031",
            "submit": "1",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    items = dict(error_summary(page))
    assert set(items) >= {
        "id_amount_requested",
        "id_q_start-date",
        "id_q_summary",
        "id_q_area",
        "id_q_budget",
    }
    assert "pounds" in items["id_amount_requested"]
    assert items["id_q_start-date"] == "Start date must be a real date"
    assert items["id_q_budget"] == "Budget: attach a file"
    assert items["id_q_summary"] == "Summary: answer this question"
    eligibility = draft.round.eligibility.get()
    assert f"id_eligibility_{eligibility.pk}_0" in items
    assert "cannot be submitted yet" in page
    assert len(error_summary(page)) == len(items), "no field is reported twice"
    draft.refresh_from_db()
    assert draft.amount_requested is None and draft.status == Status.DRAFT


def test_a_valid_form_with_missing_answers_is_saved_and_every_gap_listed(client, draft, applicant):
    """The form checks out but is incomplete: the draft is saved, and every gap is listed."""
    client.force_login(applicant)
    response = edit(
        client, draft, {"title": "Street mentors", "q_summary": "Mentors", "submit": "1"}
    )
    assert response.status_code == 400
    items = dict(error_summary(response.content.decode()))
    assert {"id_amount_requested", "id_q_start-date", "id_q_area", "id_q_budget"} <= set(items)
    assert "id_q_summary" not in items
    assert "your draft is saved" in response.content.decode()
    assert draft.answers.get(question__key="summary").text == "Mentors"


def test_the_file_is_chosen_on_the_form_before_submit_and_submitted_with_it(
    client, draft, applicant
):
    """The upload sits among the questions, before Submit, and a file chosen there is
    attached by the same Submit that sends the application."""
    client.force_login(applicant)
    page = client.get(reverse("application-edit", args=[draft.uuid])).content.decode()
    assert page.index('name="q_budget" type="file"') < page.index('name="submit"')
    assert 'enctype="multipart/form-data"' in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    eligibility = draft.round.eligibility.get()
    response = edit(
        client,
        draft,
        {
            "title": "Street mentors",
            "amount_requested": "9,500",
            "q_summary": "Mentors",
            "q_start-date_day": "1",
            "q_start-date_month": "5",
            "q_start-date_year": "2031",
            "q_area": "City",
            f"eligibility_{eligibility.pk}": "yes",
            "q_budget": SimpleUploadedFile("budget.pdf", PDF, "application/pdf"),
            "submit": "1",
        },
    )
    assert response.status_code == 302, error_summary(response.content.decode())
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.attachments.get().original_name == "budget.pdf"


def test_a_file_refused_is_named_on_its_field(client, draft, applicant):
    client.force_login(applicant)
    response = edit(
        client,
        draft,
        {"title": "Street mentors", "q_budget": SimpleUploadedFile("budget.pdf", b"not a pdf")},
    )
    assert response.status_code == 400
    (target,) = [href for href, _ in error_summary(response.content.decode())]
    assert target == "id_q_budget"
    assert not draft.attachments.exists()


# --- no draft without a title ---


def test_the_service_starts_no_draft_without_a_title(grant_round, applicant):
    with pytest.raises(ValidationError) as refused:
        services.application_start(actor=applicant, round=grant_round, title="   ")
    assert refused.value.message_dict == {"title": [services.TITLE_MISSING]}
    assert not Application.objects.exists()


def test_a_draft_cannot_lose_its_title(draft, applicant):
    with pytest.raises(ValidationError) as refused:
        services.application_save(actor=applicant, application=draft, title="")
    assert "title" in refused.value.message_dict
    draft.refresh_from_db()
    assert draft.title == "Street mentors"


def test_the_start_form_refuses_an_empty_title_naming_the_field(client, grant_round, applicant):
    client.force_login(applicant)
    response = client.post(
        reverse("application-start", args=[grant_round.reference]), {"title": ""}
    )
    assert response.status_code == 400
    assert error_summary(response.content.decode()) == [("id_title", "Enter a project title")]
    assert 'id="id_title-error"' in response.content.decode()
    assert not Application.objects.exists()
    assert "Untitled" not in words(client.get(reverse("my-applications")).content.decode())


# --- priorities and themes ---


def test_the_priority_select_groups_priorities_under_their_theme(client, draft, applicant):
    client.force_login(applicant)
    page = client.get(reverse("application-edit", args=[draft.uuid])).content.decode()
    groups = select_groups(page, "primary_priority")
    assert groups, "the priorities are grouped by theme"
    for theme in Theme.objects.filter(priorities__isnull=False).distinct():
        assert sorted(groups[str(theme)]) == sorted(str(p.pk) for p in theme.priorities.all())
    assert sum(len(v) for v in groups.values()) == StrategicPriority.objects.count()


def test_a_round_of_one_theme_offers_only_that_themes_priorities(
    client, officer, year, applicant, themes
):
    first, second, _, _ = themes
    rnd = RoundFactory(actor=officer, year=year, themes=[first])
    app = services.application_start(actor=applicant, round=rnd, title="Themed")
    client.force_login(applicant)
    page = client.get(reverse("application-edit", args=[app.uuid])).content.decode()
    groups = select_groups(page, "primary_priority")
    assert list(groups) == [str(first)]
    assert sorted(groups[str(first)]) == sorted(str(p.pk) for p in first.priorities.all())
    assert not set(groups[str(first)]) & {str(p.pk) for p in second.priorities.all()}
    assert re.findall(r'<select name="theme".*?</select>', page, re.S)[0].count("<option") == 2


def test_a_priority_of_another_theme_is_refused_on_save_naming_the_field(
    client, draft, applicant, themes
):
    first, _, _, of_second = themes
    with pytest.raises(ValidationError) as refused:
        services.application_save(
            actor=applicant, application=draft, theme=first, primary_priority=of_second
        )
    assert f"{of_second.code} belongs to another theme than {first}" in " ".join(
        refused.value.message_dict["primary_priority"]
    )
    client.force_login(applicant)
    response = edit(
        client,
        draft,
        {
            "title": "Street mentors",
            "theme": str(first.pk),
            "primary_priority": str(of_second.pk),
            "save": "1",
        },
    )
    assert response.status_code == 400
    ((target, message),) = error_summary(response.content.decode())
    assert target == "id_primary_priority" and of_second.code in message
    draft.refresh_from_db()
    assert draft.theme is None and draft.primary_priority is None
    fits = first.priorities.first()
    assert (
        edit(
            client,
            draft,
            {"title": "Street mentors", "theme": str(first.pk), "primary_priority": str(fits.pk)},
        ).status_code
        == 302
    )
    draft.refresh_from_db()
    assert draft.primary_priority == fits


def test_a_priority_of_another_theme_is_refused_on_submit_naming_the_field(
    client, draft, applicant, themes
):
    """A draft saved before the rule (put straight in the database here) is refused on
    submission, the problem on the priority's field."""
    first, _, _, of_second = themes
    complete(draft, applicant)
    Application.objects.filter(pk=draft.pk).update(theme=first, primary_priority=of_second)
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.application_submit(actor=applicant, application=draft)
    assert set(refused.value.message_dict) == {"primary_priority"}
    client.force_login(applicant)
    eligibility = draft.round.eligibility.get()
    response = edit(
        client,
        draft,
        {
            "title": "Street mentors",
            "amount_requested": "9,500",
            "q_summary": "Mentors",
            "q_start-date_day": "1",
            "q_start-date_month": "5",
            "q_start-date_year": "2031",
            "q_area": "City",
            f"eligibility_{eligibility.pk}": "yes",
            "theme": str(first.pk),
            "primary_priority": str(of_second.pk),
            "submit": "1",
        },
    )
    assert response.status_code == 400
    assert [t for t, _ in error_summary(response.content.decode())] == ["id_primary_priority"]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def _misclassified(app, themes):
    first, _, _, of_second = themes
    Application.objects.filter(pk=app.pk).update(theme=first, primary_priority=of_second)
    app.refresh_from_db()
    return app


def test_an_officer_mends_the_theme_and_priority_at_screening(
    client, grant_round, officer, applicant, draft, themes
):
    first, second, _, of_second = themes
    complete(draft, applicant)
    services.application_submit(actor=applicant, application=draft)
    app = _misclassified(draft, themes)
    url = reverse("application-detail", args=[app.uuid])
    client.force_login(applicant)
    assert client.post(url, {"classify-theme": str(second.pk)}).status_code == 403
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert 'id="misclassified"' in page and 'id="classification"' in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "the correction and the screening forms share no id"
    refused = client.post(
        url, {"classify-theme": str(first.pk), "classify-primary_priority": str(of_second.pk)}
    )
    assert refused.status_code == 400
    assert [t for t, _ in error_summary(refused.content.decode())] == [
        "id_classify-primary_priority"
    ]
    mended = client.post(
        url,
        {
            "classify-theme": str(second.pk),
            "classify-primary_priority": str(of_second.pk),
            "classify-reason": "Victims work",
        },
    )
    assert mended.status_code == 302
    app.refresh_from_db()
    assert (app.theme, app.primary_priority, app.status) == (second, of_second, Status.SUBMITTED)
    event = AuditEvent.objects.get(action="application.classify")
    assert event.before == {"theme": str(first), "primary_priority": str(of_second)}
    assert event.after == {"theme": str(second), "primary_priority": str(of_second)}
    assert event.reason == "Victims work"
    assert app.events.filter(note__startswith="Theme and priority corrected").exists()
    assert 'id="misclassified"' not in client.get(url).content.decode()


def test_the_correction_is_refused_before_submission(officer, draft, themes):
    first, *_ = themes
    with pytest.raises(ValidationError, match="once the application is submitted"):
        services.application_classify(
            actor=officer, application=draft, theme=first, primary_priority=None
        )


@pytest.fixture
def reviewed(grant_round, officer, user_with):
    """One application screened in and scored by its one reviewer."""
    ((app, _),) = screened_in(grant_round, officer, user_with, 1)
    reviewer = user_with(Role.REVIEWER)
    review.reviewers_assign(
        actor=officer, round=grant_round, reviewers_by_theme={None: [reviewer]}, per_application=1
    )
    score(app.assignments.get(), (4, 4))
    app.refresh_from_db()
    assert app.status == Status.REVIEWED
    return app


@pytest.fixture
def recommended(grant_round, reviewed, user_with):
    """The reviewed application, recommended for funding by the panel."""
    app = reviewed
    panel = user_with(Role.PANEL_MEMBER)
    review.panel_declare(actor=panel, round=grant_round, interests="None")
    review.panel_recommend(actor=panel, application=app, recommendation="fund", reasons="Need")
    app.refresh_from_db()
    assert app.status == Status.RECOMMENDED
    return app


def test_the_pccs_approval_names_the_application_in_the_way_and_links_to_mend_it(
    client, grant_round, recommended, officer, user_with, themes
):
    """Approval is still all or nothing, but instead of a dead end the page names the
    application whose priority belongs to another theme and links to where an officer
    corrects it; once corrected, the round can be approved."""
    _, second, _, of_second = themes
    app = _misclassified(recommended, themes)
    pcc = user_with(Role.PCC)
    with pytest.raises(ValidationError, match=app.reference):
        review.round_decide(actor=pcc, round=grant_round, approved_on=dt.date.today(), summary="x")
    client.force_login(pcc)
    url = reverse("round-decision", args=[grant_round.reference])
    page = client.get(url).content.decode()
    assert 'id="in-the-way"' in page
    assert f'href="{reverse("application-detail", args=[app.uuid])}#classification"' in page
    assert "Approve the recommendations" not in page
    services.application_classify(
        actor=officer, application=app, theme=second, primary_priority=of_second
    )
    page = client.get(url).content.decode()
    assert 'id="in-the-way"' not in page and "Approve the recommendations" in page
    assert client.post(url, {"summary": "Approved"}).status_code == 302
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    assert current_version(app.allocation).theme == second
    with pytest.raises(ValidationError, match="until the PCC decides"):
        services.application_classify(
            actor=officer, application=app, theme=None, primary_priority=None
        )


# --- the reviewer's queue and the panel ---


def test_the_reviewers_queue_shows_each_applications_title(client, grant_round, officer, user_with):
    made = screened_in(grant_round, officer, user_with, 2)
    reviewer = user_with(Role.REVIEWER)
    review.reviewers_assign(
        actor=officer, round=grant_round, reviewers_by_theme={None: [reviewer]}, per_application=1
    )
    client.force_login(reviewer)
    page = words(client.get(reverse("review-queue")).content.decode())
    for app, _ in made:
        assert app.title in page and app.reference in page


def test_the_reduced_amount_is_revealed_only_for_fund_at_a_reduced_amount(
    client, grant_round, reviewed, user_with
):
    """GOV.UK conditional reveal on radios: the amount sits in the reduced option's
    conditional (hidden by the radios script until that option is chosen, shown without
    scripts), with a £ prefix; no option is chosen for the member."""
    app = reviewed
    member = user_with(Role.PANEL_MEMBER)
    review.panel_declare(actor=member, round=grant_round, interests="None")
    client.force_login(member)
    page = client.get(reverse("round-panel", args=[grant_round.reference])).content.decode()
    form = re.search(r'<form method="post" action="[^"]*recommend[^"]*".*?</form>', page, re.S)
    assert form, "the member may recommend"
    form_html = form.group(0)
    assert 'data-module="govuk-radios"' in form_html
    reduced = re.search(r'<input[^>]*value="fund_reduced"[^>]*>', form_html).group(0)
    assert f'data-aria-controls="conditional-amt-{app.pk}"' in reduced
    conditional = re.search(
        rf'<div class="govuk-radios__conditional govuk-radios__conditional--hidden" id="conditional-amt-{app.pk}">(.*?)</div>\s*</div>\s*</div>',
        form_html,
        re.S,
    )
    assert conditional and 'name="amount"' in conditional.group(1)
    assert form_html.count('name="amount"') == 1, "the amount box is only in the reveal"
    assert "govuk-input__prefix" in conditional.group(1)
    assert "checked" not in form_html
    assert "<select" not in form_html


# --- buttons for those they serve, empty states ---


def test_the_dashboard_shows_the_officer_no_decision_button(client, grant_round, officer, cfo):
    url = reverse("round-dashboard", args=[grant_round.reference])
    decision = reverse("round-decision", args=[grant_round.reference])
    panel = reverse("round-panel", args=[grant_round.reference])
    client.force_login(officer)
    page = client.get(url).content.decode()
    assert decision not in page and client.get(decision).status_code == 403
    assert panel in page and client.get(panel).status_code == 200
    client.force_login(cfo)
    page = client.get(url).content.decode()
    assert panel not in page and client.get(panel).status_code == 403


def test_a_signed_in_officer_is_not_asked_to_sign_in_or_register(client, grant_round, officer):
    url = reverse("grant-round", args=[grant_round.reference])
    assert "Sign in or register your organisation" in words(client.get(url).content.decode())
    client.force_login(officer)
    page = words(client.get(url).content.decode())
    assert "Sign in" not in page and "register your organisation" not in page
    assert "Round dashboard" in page


def test_the_dashboard_says_what_will_appear_before_any_application(
    client, grant_round, officer, applicant
):
    client.force_login(officer)
    url = reverse("round-dashboard", args=[grant_round.reference])
    page = client.get(url).content.decode()
    assert 'id="no-applications"' in page and "Applications by status" not in page
    services.application_start(actor=applicant, round=grant_round, title="First")
    page = client.get(url).content.decode()
    assert 'id="no-applications"' not in page and "Applications by status" in page


# --- dates, amounts, times, optional questions ---


def test_a_date_question_is_a_govuk_date_input(client, draft, applicant):
    client.force_login(applicant)
    url = reverse("application-edit", args=[draft.uuid])
    page = client.get(url).content.decode()
    fieldset = re.search(r'<fieldset class="govuk-fieldset" role="group".*?</fieldset>', page, re.S)
    assert fieldset and "Start date</legend>" in fieldset.group(0)
    for part in ("day", "month", "year"):
        assert f'name="q_start-date_{part}"' in fieldset.group(0)
    assert "2031-05-01" not in page and "For example 2031" not in page
    saved = edit(
        client,
        draft,
        {
            "title": "Street mentors",
            "q_start-date_day": "1",
            "q_start-date_month": "5",
            "q_start-date_year": "2031",
        },
    )
    assert saved.status_code == 302
    assert draft.answers.get(question__key="start-date").date == dt.date(2031, 5, 1)
    page = client.get(url).content.decode()
    assert re.search(r'name="q_start-date_month"[^>]*value="5"', page)
    refused = edit(client, draft, {"title": "Street mentors", "q_start-date_day": "1"})
    assert error_summary(refused.content.decode()) == [
        ("id_q_start-date", "Start date must include a month and a year")
    ]


def test_amounts_have_a_pound_prefix_and_round_figures(client, draft, applicant):
    services.application_save(actor=applicant, application=draft, amount_requested="8500")
    client.force_login(applicant)
    page = client.get(reverse("application-edit", args=[draft.uuid])).content.decode()
    assert re.search(r'name="amount_requested"[^>]*value="8,500"', page), "typed as people type"
    assert re.search(
        r'<div class="govuk-input__prefix" aria-hidden="true">£</div>\s*<input[^>]*name="amount_requested"',
        page,
    ), "a £ prefix before the amount box"
    assert "Between £1,000 and £10,000" in page


def test_optional_questions_say_so_and_required_ones_do_not(client, officer, year, applicant):
    rnd = RoundFactory(
        actor=officer,
        year=year,
        questions=[
            {"label": "Summary", "kind": "text"},
            {"label": "Partners", "kind": "text", "required": False},
        ],
    )
    app = services.application_start(actor=applicant, round=rnd, title="Optional")
    client.force_login(applicant)
    page = words(client.get(reverse("application-edit", args=[app.uuid])).content.decode())
    assert "Partners (optional)" in page
    assert "Summary (optional)" not in page and "Project title (optional)" not in page
    assert "Plan theme (optional)" in page


def test_the_closing_time_has_no_seconds(client, officer, year):
    closes = timezone.localtime(timezone.now() + dt.timedelta(days=10)).replace(
        hour=17, minute=0, second=30
    )
    rnd = RoundFactory(actor=officer, year=year, closes_at=closes)
    page = words(client.get(reverse("grant-round", args=[rnd.reference])).content.decode())
    assert "17:00 (UK time)" in page and "17:00:30" not in page
