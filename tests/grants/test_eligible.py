"""A round open only to the organisations the officer chose (`Round.eligible`), such as the
re-offered underspend for the Community Safety Partnerships: one predicate decides it
(`permissions.round_open_to`), and starting, submitting, the round list, the round's page and
the applicant's home all follow it. None chosen: open to every organisation, as before."""

import html as htmllib
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.budgets import services as budget_services
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.models import AuditEvent
from commissioning.core.permissions import allowed
from commissioning.grants import rounds, selectors, services
from commissioning.grants.models import Application
from commissioning.grants.permissions import APPLY, round_open_to
from commissioning.organisations.models import Organisation, OrganisationKind
from tests.factories import RoundFactory
from tests.grants.test_round_pages import error_summary, round_post

from .helpers import complete

pytestmark = pytest.mark.django_db

TITLE = "PCC Grant 2031/32"
NOT_INVITED = f"“{TITLE}” is open to invited organisations only, and Applicant B is not one of them"


@pytest.fixture
def city():
    return Organisation.objects.get(key="leicester-city-council")


@pytest.fixture
def limited(grant_round, officer, applicant, city):
    """The published, open round, limited to Applicant A and Leicester City Council."""
    return rounds.round_eligible_set(
        actor=officer, round=grant_round, eligible=[applicant.organisation, city]
    )


def text(response) -> str:
    """The page's words, tags taken out and entities read."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- the predicate ---


def test_a_round_with_no_organisations_chosen_is_open_to_every_one(grant_round, rival, city):
    """None chosen: open to any organisation, and to a visitor with none."""
    assert round_open_to(grant_round, rival.organisation)[0]
    assert round_open_to(grant_round, city)[0]
    assert round_open_to(grant_round, None)[0]


def test_a_limited_round_is_open_only_to_the_organisations_chosen(limited, applicant, rival, city):
    assert round_open_to(limited, applicant.organisation) == (
        True,
        "Applicant A is one of the organisations invited to apply",
    )
    assert round_open_to(limited, city)[0]
    assert round_open_to(limited, rival.organisation) == (False, NOT_INVITED)
    assert not round_open_to(limited, None)[0]


def test_the_apply_rule_asked_of_a_round_asks_the_predicate(limited, applicant, rival, officer):
    """The partner of a chosen organisation may apply; another partner, and staff, may not."""
    assert allowed(applicant, APPLY, limited)
    assert not allowed(rival, APPLY, limited)
    assert not allowed(officer, APPLY, limited)


def test_the_predicate_reads_a_prefetched_list_without_asking_again(limited, rival):
    rnd = selectors.rounds_published().get(pk=limited.pk)
    with CaptureQueriesContext(connection) as queries:
        assert not round_open_to(rnd, rival.organisation)[0]
    assert len(queries) == 0


# --- the services ---


def test_starting_is_refused_for_an_organisation_not_chosen_naming_the_round(limited, rival):
    with pytest.raises(ValidationError) as exc:
        services.application_start(actor=rival, round=limited, title="Not invited")
    assert exc.value.messages == [NOT_INVITED]
    assert not Application.objects.filter(round=limited).exists()


def test_a_chosen_organisation_starts_and_submits(limited, applicant):
    app = services.application_start(actor=applicant, round=limited, title="Invited")
    complete(app, applicant)
    services.application_submit(actor=applicant, application=app)
    app.refresh_from_db()
    assert app.status == "submitted" and app.organisation == applicant.organisation


def test_with_none_chosen_any_organisation_starts(grant_round, rival):
    app = services.application_start(actor=rival, round=grant_round, title="Open to all")
    assert app.organisation == rival.organisation


def test_an_organisation_no_longer_on_the_list_cannot_submit_and_is_told_why(
    grant_round, applicant, city
):
    """The service that changes the list keeps an organisation with a draft on it, so this is
    a list changed some other way (the table itself): the submission still asks the list."""
    app = services.application_start(actor=applicant, round=grant_round, title="Started")
    complete(app, applicant)
    grant_round.eligible.set([city])
    with pytest.raises(ValidationError) as exc:
        services.application_submit(actor=applicant, application=app)
    [message] = exc.value.messages
    assert message.startswith(
        f"This application cannot be submitted: “{TITLE}” is open to invited organisations "
        "only, and Applicant A is not one of them."
    )
    assert "your draft is kept" in message
    app.refresh_from_db()
    assert app.status == "draft"


def test_round_draft_create_takes_the_list_and_records_it(officer, year, applicant, city):
    rnd = RoundFactory(
        actor=officer,
        year=year,
        reference="underspend-2031",
        title="Underspend 2031/32",
        mechanism="underspend",
        eligible=[city, applicant.organisation],
        publish=False,
    )
    assert sorted(o.name for o in rnd.eligible.all()) == ["Applicant A", "Leicester City Council"]
    created = AuditEvent.objects.get(action="round.create", object_uuid=rnd.uuid)
    assert created.after["eligible"] == ["Applicant A", "Leicester City Council"]


def test_the_opcc_cannot_be_invited(officer, year):
    opcc = Organisation.objects.get(kind=OrganisationKind.OPCC)
    with pytest.raises(ValidationError) as exc:
        RoundFactory(actor=officer, year=year, reference="own", eligible=[opcc], publish=False)
    assert exc.value.message_dict["eligible"] == [
        f"Open to: {opcc.name} cannot apply to the OPCC's own round"
    ]


def test_the_list_changes_on_a_published_round_and_the_audit_event_records_it(
    grant_round, officer, applicant, city
):
    services.application_start(actor=applicant, round=grant_round, title="Before the change")
    rnd = rounds.round_eligible_set(
        actor=officer, round=grant_round, eligible=[city, applicant.organisation]
    )
    assert rnd.published
    assert sorted(o.name for o in rnd.eligible.all()) == ["Applicant A", "Leicester City Council"]
    event = AuditEvent.objects.get(action="round.eligible", object_uuid=rnd.uuid)
    assert event.before == {"eligible": []}
    assert event.after == {"eligible": ["Applicant A", "Leicester City Council"]}
    assert event.actor == officer


def test_an_organisation_with_an_application_cannot_be_left_out(
    grant_round, officer, applicant, rival, city
):
    """Neither by removing it from the list nor by limiting an open round to others; every
    such organisation is named at once, with its applications."""
    draft = services.application_start(actor=applicant, round=grant_round, title="Draft")
    submitted = services.application_start(actor=rival, round=grant_round, title="Submitted")
    complete(submitted, rival)
    services.application_submit(actor=rival, application=submitted)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        rounds.round_eligible_set(actor=officer, round=grant_round, eligible=[city])
    assert exc.value.message_dict["eligible"] == [
        f"Open to: Applicant A cannot be left out, as it has an application to this round "
        f"({draft.reference}, draft)",
        f"Open to: Applicant B cannot be left out, as it has an application to this round "
        f"({submitted.reference}, submitted)",
    ]
    assert not grant_round.eligible.exists() and AuditEvent.objects.count() == before

    rounds.round_eligible_set(
        actor=officer, round=grant_round, eligible=[applicant.organisation, rival.organisation]
    )
    with pytest.raises(ValidationError, match="Applicant B cannot be left out"):
        rounds.round_eligible_set(
            actor=officer, round=grant_round, eligible=[applicant.organisation]
        )
    assert grant_round.eligible.count() == 2


def test_a_withdrawn_application_does_not_keep_its_organisation_on_the_list(
    limited, officer, applicant, city
):
    app = services.application_start(actor=applicant, round=limited, title="Changed our minds")
    services.application_withdraw(actor=applicant, application=app)
    rounds.round_eligible_set(actor=officer, round=limited, eligible=[city])
    assert list(limited.eligible.all()) == [city]


def test_only_officers_choose_who_may_apply(grant_round, applicant):
    with pytest.raises(ValidationError, match="only commissioning officers run grant rounds"):
        rounds.round_eligible_set(
            actor=applicant, round=grant_round, eligible=[applicant.organisation]
        )
    assert not grant_round.eligible.exists()


# --- the pages ---


def test_the_public_page_of_a_limited_round_says_who_it_is_open_to(client, limited):
    page = client.get(reverse("grant-round", args=[limited.reference]))
    assert page.status_code == 200, "the public may still read it"
    words = text(page)
    assert "Open to Applicant A, Leicester City Council" in words
    assert "Only the organisations invited can apply. If yours is one of them, sign in" in words
    assert "register your organisation" not in words
    assert reverse("application-start", args=[limited.reference]) not in page.content.decode()


def test_the_public_page_of_an_open_round_says_any_organisation(client, grant_round):
    words = text(client.get(reverse("grant-round", args=[grant_round.reference])))
    assert "Open to Any organisation" in words
    assert "Sign in or register your organisation to apply." in words


def test_a_chosen_partner_sees_the_start_form_and_is_told_it_is_invited(client, limited, applicant):
    client.force_login(applicant)
    page = client.get(reverse("grant-round", args=[limited.reference]))
    assert reverse("application-start", args=[limited.reference]) in page.content.decode()
    assert "You cannot apply" not in text(page)
    listing = text(client.get(reverse("grant-rounds")))
    assert "Invited organisations only" in listing
    assert "Applicant A is invited to apply" in listing
    home = text(client.get(reverse("my-applications")))
    assert (
        "Rounds you are invited to These rounds are open to invited organisations only, and "
        f"Applicant A is one of them. {TITLE} , closes"
    ) in home


def test_a_partner_not_chosen_sees_the_round_and_why_it_cannot_apply(client, limited, rival):
    client.force_login(rival)
    page = client.get(reverse("grant-round", args=[limited.reference]))
    assert page.status_code == 200
    assert reverse("application-start", args=[limited.reference]) not in page.content.decode()
    assert f"You cannot apply: {NOT_INVITED}." in text(page)
    listing = text(client.get(reverse("grant-rounds")))
    assert TITLE in listing
    assert "Open to invited organisations only: Applicant B is not one of them" in listing
    assert "Rounds you are invited to" not in text(client.get(reverse("my-applications")))

    refused = client.post(
        reverse("application-start", args=[limited.reference]), {"title": "Try anyway"}, follow=True
    )
    assert NOT_INVITED in text(refused)
    assert not Application.objects.filter(round=limited).exists()


def test_an_open_round_shows_no_invitation_wording(client, grant_round, rival):
    client.force_login(rival)
    listing = text(client.get(reverse("grant-rounds")))
    assert TITLE in listing and "Invited organisations only" not in listing
    page = client.get(reverse("grant-round", args=[grant_round.reference]))
    assert reverse("application-start", args=[grant_round.reference]) in page.content.decode()


def test_the_round_list_asks_the_same_number_of_queries_however_many_rounds_are_limited(
    client, limited, officer, year, rival, city
):
    client.force_login(rival)
    url = reverse("grant-rounds")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n, mechanism in enumerate(["innovation_fund", "bcu_fund"]):
        line = budget_services.budget_line_create(
            actor=COMMAND_LINE, year=year, name=f"Line {n}", mechanism=mechanism, amount="50000"
        )
        more = RoundFactory(
            actor=officer,
            year=year,
            reference=f"more-{n}",
            title=f"More {n}",
            mechanism=mechanism,
            budget_line=line,
        )
        rounds.round_eligible_set(actor=officer, round=more, eligible=[city])
    with CaptureQueriesContext(connection) as three:
        listing = client.get(url)
    assert text(listing).count("Invited organisations only") == 3
    assert len(three) == len(one)


@pytest.fixture
def pot(year):
    return budget_services.budget_line_create(
        actor=COMMAND_LINE,
        year=year,
        name="PCC Grant",
        mechanism="pcc_grant",
        amount="50000",
        capped=True,
    )


def test_the_officer_chooses_organisations_and_every_csp_when_creating_a_round(
    client, officer, year, pot, applicant
):
    client.force_login(officer)
    form = text(client.get(reverse("round-create")))
    assert "Quick choice Opens the round to all of them" in form
    assert "All Community Safety Partnerships (8)" in form
    assert "Applicant A (Charity)" in form
    made = client.post(
        reverse("round-create"),
        round_post(year, pot, eligible=[str(applicant.organisation.pk)], eligible_kinds=["csp"]),
    )
    assert made.status_code == 302
    rnd = selectors.round_get("safer-streets-2031", published_only=False)
    csps = set(Organisation.objects.filter(kind=OrganisationKind.CSP))
    assert set(rnd.eligible.all()) == csps | {applicant.organisation}
    assert len(csps) == 8
    created = AuditEvent.objects.get(action="round.create", object_uuid=rnd.uuid)
    assert "Applicant A" in created.after["eligible"] and len(created.after["eligible"]) == 9
    setup = text(client.get(reverse("round-setup", args=[rnd.reference])))
    assert "Who may apply Open to invited organisations only" in setup
    assert "Safer Leicester Partnership" in setup


def test_the_form_names_the_field_with_every_other_problem_at_once(client, officer, year, pot):
    client.force_login(officer)
    bad = client.post(reverse("round-create"), round_post(year, pot, title="", eligible=["999999"]))
    assert bad.status_code == 400
    problems = error_summary(bad.content.decode())
    assert "Enter the round's title" in problems
    assert "Open to: choose organisations from the list" in problems


def test_the_setup_page_changes_the_list_but_keeps_an_organisation_with_an_application(
    client, officer, grant_round, applicant, rival, city
):
    app = services.application_start(actor=applicant, round=grant_round, title="Ours")
    client.force_login(officer)
    url = reverse("round-setup", args=[grant_round.reference])
    assert "Open to every organisation." in text(client.get(url))

    refused = client.post(url, {"eligible": [str(city.pk), str(rival.organisation.pk)]})
    assert refused.status_code == 400
    assert error_summary(refused.content.decode()) == [
        "Open to: Applicant A cannot be left out, as it has an application to this round "
        f"({app.reference}, draft)"
    ]
    assert not grant_round.eligible.exists()

    saved = client.post(url, {"eligible": [str(city.pk), str(applicant.organisation.pk)]})
    assert saved.status_code == 302 and saved["Location"].endswith("#eligible")
    assert set(grant_round.eligible.all()) == {city, applicant.organisation}
    event = AuditEvent.objects.get(action="round.eligible", object_uuid=grant_round.uuid)
    assert event.after == {"eligible": ["Applicant A", "Leicester City Council"]}
    page = text(client.get(url))
    assert "Open to invited organisations only" in page and "Leicester City Council" in page

    reopened = client.post(url, {})
    assert reopened.status_code == 302 and not grant_round.eligible.exists()


def test_only_officers_post_who_may_apply(client, grant_round, applicant):
    client.force_login(applicant)
    url = reverse("round-setup", args=[grant_round.reference])
    assert client.post(url, {"eligible": [str(applicant.organisation.pk)]}).status_code == 403
    assert not grant_round.eligible.exists()
