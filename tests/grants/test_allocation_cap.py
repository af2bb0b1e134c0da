"""A Community Safety Partnership round caps each applicant at its adopted formula allocation:
asking a penny more is refused with the field and the cap named; exactly the cap is accepted.
The cap is found through the applicant organisation's own area, and what its other live
applications to the round ask for counts against it."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commissioning.budgets import services as budget_services
from commissioning.budgets.selectors import allocation_lines, year_get
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.money import money_text
from commissioning.core.roles import Role
from commissioning.formula import services as formula_services
from commissioning.grants import services
from commissioning.grants.models import QuestionKind
from commissioning.grants.status import Status
from commissioning.organisations.models import Organisation
from tests.factories import RoundFactory

pytestmark = pytest.mark.django_db

WEIGHTS = {"harm": D(65), "rate": D(20), "population": D(15)}


@pytest.fixture
def adopted_run(officer, year):
    """The 2022 scheme on 2023/24 crime data, adopted as the test year's allocations."""
    run = formula_services.formula_run_create(
        actor=officer,
        req=formula_services.RunRequest(
            year=year_get("2023/24"), pot=D("639675"), weights=WEIGHTS, title="Cap test run"
        ),
    )
    formula_services.formula_run_adopt(actor=officer, run=run, year=year)
    return run


@pytest.fixture
def csp_round(officer, year, adopted_run):
    line = budget_services.budget_line_create(
        actor=COMMAND_LINE,
        year=year,
        name="CSP projects",
        mechanism="csp_co_commissioning",
        amount="700000",
        capped=True,
    )
    return RoundFactory(
        actor=officer,
        year=year,
        reference="csp-2031",
        title="CSP projects 2031/32",
        mechanism="csp_co_commissioning",
        budget_line=line,
        minimum_award=D(0),
        maximum_award=D("700000"),
        cap_to_allocation=True,
        allocation_run=adopted_run,
        criteria=[{"title": "Link to the plan", "weight": "100"}],
        questions=[{"label": "Summary", "kind": QuestionKind.TEXT}],
        eligibility=[],
    )


def csp_user(user_with, key):
    return user_with(Role.PARTNER, organisation=Organisation.objects.get(key=key))


def adopted_allocation(year, organisation) -> D:
    """What adoption put in the ledger for the organisation: found by the formula app's own
    mapping of areas to partnerships, not by the grants code under test."""
    lines = [
        l for l in allocation_lines(year, organisation_id=organisation.pk) if l.mechanism == "plf"
    ]
    assert len(lines) == 1, "adoption gives each partnership one allocation"
    return lines[0].total


@pytest.mark.parametrize(
    "key", ["safer-leicester-partnership", "blaby-hinckley-csp"], ids=["district", "joint"]
)
def test_a_penny_over_the_adopted_allocation_is_refused_and_the_cap_accepted(
    csp_round, user_with, year, key
):
    user = csp_user(user_with, key)
    cap = adopted_allocation(year, user.organisation)
    assert D(0) < cap < csp_round.maximum_award, "the allocation, not the maximum, binds"
    app = services.application_start(actor=user, round=csp_round, title="Night-time economy")
    with pytest.raises(ValidationError) as exc:
        services.application_save(actor=user, application=app, amount_requested=cap + D("0.01"))
    assert list(exc.value.message_dict) == ["amount_requested"]
    (message,) = exc.value.message_dict["amount_requested"]
    assert "amount requested" in message and money_text(cap) in message
    assert user.organisation.name in message
    app.refresh_from_db()
    assert app.amount_requested is None, "nothing half-saved"
    services.application_save(
        actor=user, application=app, amount_requested=cap, answers={"summary": "Patrols"}
    )
    services.application_submit(actor=user, application=app)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED and app.amount_requested == cap


def test_the_cap_follows_the_organisation_not_the_area_it_says_it_reaches(
    csp_round, user_with, year
):
    """Rutland's partnership cannot borrow Leicester's larger allocation by naming Leicester
    as the area its project reaches."""
    rutland = csp_user(user_with, "safer-rutland-partnership")
    leicester = Organisation.objects.get(key="safer-leicester-partnership")
    own, larger = (
        adopted_allocation(year, rutland.organisation),
        adopted_allocation(year, leicester),
    )
    assert own < larger
    app = services.application_start(actor=rutland, round=csp_round, title="Rural crime")
    with pytest.raises(ValidationError, match=money_text(own)):
        services.application_save(
            actor=rutland, application=app, area=leicester.area, amount_requested=larger
        )


def test_other_live_applications_count_against_the_cap(csp_round, user_with, year):
    user = csp_user(user_with, "safer-leicester-partnership")
    cap = adopted_allocation(year, user.organisation)
    first = services.application_start(actor=user, round=csp_round, title="First")
    services.application_save(
        actor=user,
        application=first,
        amount_requested=cap - D("1000"),
        answers={"summary": "One"},
    )
    services.application_submit(actor=user, application=first)
    second = services.application_start(actor=user, round=csp_round, title="Second")
    with pytest.raises(ValidationError) as exc:
        services.application_save(actor=user, application=second, amount_requested="1000.01")
    message = exc.value.message_dict["amount_requested"][0]
    assert money_text(cap - D("1000")) in message and "£1,000 is left" in message
    services.application_save(actor=user, application=second, amount_requested="1000")
    # withdrawing the first frees its share again
    services.application_withdraw(actor=user, application=first)
    services.application_save(actor=user, application=second, amount_requested=cap)


def test_an_applicant_without_an_allocation_cannot_ask_for_anything(csp_round, applicant):
    app = services.application_start(actor=applicant, round=csp_round, title="Not a CSP")
    with pytest.raises(ValidationError, match="has none in formula run"):
        services.application_save(actor=applicant, application=app, amount_requested="1")


def test_the_application_page_shows_the_cap_next_to_the_amount(client, csp_round, user_with, year):
    user = csp_user(user_with, "safer-leicester-partnership")
    cap = adopted_allocation(year, user.organisation)
    app = services.application_start(actor=user, round=csp_round, title="Town centre")
    client.force_login(user)
    page = client.post(
        reverse("application-edit", args=[app.uuid]),
        {"title": "Town centre", "amount_requested": f"{cap + 1:,}"},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'href="#id_amount_requested"' in html and money_text(cap) in html
    ok = client.post(
        reverse("application-edit", args=[app.uuid]),
        {"title": "Town centre", "amount_requested": f"{cap}"},
    )
    assert ok.status_code == 302
    app.refresh_from_db()
    assert app.amount_requested == cap
