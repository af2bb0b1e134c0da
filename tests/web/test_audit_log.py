"""The audit log page: every event newest first, a page at a time, searched by who acted,
what was done, the kind of thing, its reference or description and a range of dates (UK
days), alone or together; the count of matching events; a filter form that keeps what was
asked; actions in words with their codes behind "Technical details"; the same number of
queries on any page."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.core.actors import COMMAND_LINE, SYSTEM
from commissioning.core.audit import audit_record
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.core.views import AUDIT_PAGE_SIZE
from commissioning.organisations.models import Organisation, OrganisationKind

pytestmark = pytest.mark.django_db

URL = reverse("audit-log")
UTC = dt.UTC


def at(day: int, hour: int = 12, month: int = 3, minute: int = 0) -> dt.datetime:
    """A moment in 2041, far from the example's events (recorded as the tests start)."""
    return dt.datetime(2041, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def record(monkeypatch):
    """Write one audit event as if at `when` (the clock set for the write only)."""

    def write(*, when, actor, action, obj, reason="", before=None):
        with monkeypatch.context() as m:
            m.setattr(timezone, "now", lambda: when)
            with transaction.atomic():
                return audit_record(
                    actor=actor, action=action, obj=obj, reason=reason, before=before
                )

    return write


def org(name: str) -> Organisation:
    return Organisation.objects.create(
        key=name.lower().replace(" ", "-"), name=name, kind=OrganisationKind.CHARITY
    )


@pytest.fixture
def events(record, officer, cfo):
    """Six events in March 2041 by two people, the command line and the system."""
    alpha, beta = org("Zephyrine Alpha Trust"), org("Quillon Beta Partnership")
    made = {
        "officer-alpha-register": record(
            when=at(9), actor=officer, action="organisation.register", obj=alpha
        ),
        "officer-beta-register": record(
            when=at(10), actor=officer, action="organisation.register", obj=beta
        ),
        "officer-alpha-user": record(
            when=at(10, 15), actor=officer, action="user.create", obj=alpha
        ),
        "cfo-alpha-register": record(
            when=at(11), actor=cfo, action="organisation.register", obj=alpha, reason="Checked"
        ),
        "command-beta": record(when=at(12), actor=COMMAND_LINE, action="example.load", obj=beta),
        "system-alpha": record(when=at(13), actor=SYSTEM, action="job.succeeded", obj=alpha),
    }
    return made


def staff_client(client, user):
    client.force_login(user)
    return client


def rows(html: str) -> list[str]:
    """The event rows' uuids, in the order shown (from each row's technical details)."""
    body = html.split('id="events"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"Event <code>([0-9a-f-]{36})</code>", body)


def shown(client, **params) -> tuple[list[str], str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    return rows(html), html


def uuids(events, *names) -> list[str]:
    """The named events' uuids, newest first (the page's order)."""
    chosen = sorted((events[n] for n in names), key=lambda e: (e.created_at, e.id), reverse=True)
    return [str(e.uuid) for e in chosen]


def march(**params) -> dict[str, str]:
    """The filters for the whole of March 2041, with `params`."""
    return {
        "since_day": "1",
        "since_month": "3",
        "since_year": "2041",
        "until_day": "31",
        "until_month": "3",
        "until_year": "2041",
        **params,
    }


def count_of(html: str) -> str:
    return re.search(r'id="count">([^<]*)<', html).group(1).strip()


def test_unfiltered_the_log_shows_the_newest_events_first_and_counts_them_all(
    client, officer, events
):
    ids, html = shown(staff_client(client, officer))
    assert ids[:6] == uuids(events, *events)  # nothing is newer than 2041's
    total = AuditEvent.objects.count()
    assert count_of(html) == f"{total} events"
    assert len(ids) == min(total, AUDIT_PAGE_SIZE)


def test_the_person_filter_shows_only_what_they_did(client, officer, cfo, events):
    c = staff_client(client, officer)
    ids, html = shown(c, person=str(cfo.uuid))
    assert ids == uuids(events, "cfo-alpha-register")
    assert count_of(html) == "1 event matches"
    ids, _ = shown(c, person=str(officer.uuid))
    assert ids == uuids(
        events, "officer-alpha-register", "officer-beta-register", "officer-alpha-user"
    )
    ids, _ = shown(c, person="system")
    assert ids[0] == str(events["system-alpha"].uuid)
    assert set(ids) <= {
        str(u)
        for u in AuditEvent.objects.filter(actor__isnull=True, actor_label="system").values_list(
            "uuid", flat=True
        )
    }
    ids, html = shown(c, person="command-line")
    assert ids[0] == str(events["command-beta"].uuid)
    assert count_of(html) == (
        f"{AuditEvent.objects.filter(actor_label='command line').count()} events match"
    )


def test_the_action_filter_shows_only_that_action(client, officer, events):
    ids, html = shown(staff_client(client, officer), action="organisation.register")
    expected = AuditEvent.objects.filter(action="organisation.register").count()
    assert count_of(html) == f"{expected} events match"
    assert ids[:3] == uuids(
        events, "officer-alpha-register", "officer-beta-register", "cfo-alpha-register"
    )
    assert str(events["officer-alpha-user"].uuid) not in ids


def test_the_kind_filter_shows_only_that_kind_of_thing(client, officer, events, year):
    """`year` adds an event about a financial year, which the filter on organisations leaves
    out and the filter on financial years finds."""
    c = staff_client(client, officer)
    ids, html = shown(c, kind="organisations.Organisation")
    expected = AuditEvent.objects.filter(object_type="organisations.Organisation").count()
    assert (
        count_of(html)
        == f"{expected} event{'s' if expected != 1 else ''} match{'es' if expected == 1 else ''}"
    )
    assert ids[:6] == uuids(events, *events)
    year_event = AuditEvent.objects.filter(object_type="budgets.FinancialYear").latest("id")
    assert str(year_event.uuid) not in ids
    ids, _ = shown(c, kind="budgets.FinancialYear")
    assert str(year_event.uuid) in ids and not set(ids) & set(uuids(events, *events))


def test_the_text_filter_searches_the_reference_or_description(client, officer, events):
    c = staff_client(client, officer)
    ids, html = shown(c, text="zephyrine ALPHA")  # any case, any part
    assert ids == uuids(
        events, "officer-alpha-register", "officer-alpha-user", "cfo-alpha-register", "system-alpha"
    )
    assert count_of(html) == "4 events match"
    beta = Organisation.objects.get(name="Quillon Beta Partnership")
    ids, _ = shown(c, text=str(beta.uuid))  # or the object's id, whole
    assert ids == uuids(events, "officer-beta-register", "command-beta")


def test_the_date_filter_keeps_whole_uk_days(client, officer, events, record):
    c = staff_client(client, officer)
    day = {"since_day": "10", "since_month": "3", "since_year": "2041"}
    ids, _ = shown(c, **day, until_day="10", until_month="3", until_year="2041")
    assert ids == uuids(events, "officer-beta-register", "officer-alpha-user")
    ids, _ = shown(c, since_day="12", since_month="3", since_year="2041")  # from, open-ended
    assert ids == uuids(events, "command-beta", "system-alpha")
    ids, _ = shown(c, until_day="9", until_month="3", until_year="2041")  # to, open-ended
    assert ids[0] == str(events["officer-alpha-register"].uuid)
    assert not set(ids) & set(uuids(events, "officer-beta-register", "cfo-alpha-register"))
    # In summer the UK is an hour ahead: 23:30 UTC on 10 June is 00:30 on 11 June in the UK.
    late = record(
        when=dt.datetime(2041, 6, 10, 23, 30, tzinfo=UTC),
        actor=officer,
        action="user.create",
        obj=Organisation.objects.get(name="Zephyrine Alpha Trust"),
    )
    june = {"since_month": "6", "since_year": "2041", "until_month": "6", "until_year": "2041"}
    ids, _ = shown(c, **june, since_day="11", until_day="11")
    assert ids == [str(late.uuid)]
    ids, _ = shown(c, **june, since_day="10", until_day="10")
    assert ids == []


def test_the_filters_combine(client, officer, cfo, events):
    c = staff_client(client, officer)
    ids, html = shown(
        c, **march(person=str(officer.uuid), action="organisation.register", text="alpha")
    )
    assert ids == uuids(events, "officer-alpha-register")
    assert count_of(html) == "1 event matches"
    ids, _ = shown(c, **march(person=str(officer.uuid), kind="organisations.Organisation"))
    assert ids == uuids(
        events, "officer-alpha-register", "officer-beta-register", "officer-alpha-user"
    )
    ids, html = shown(c, **march(person=str(cfo.uuid), action="user.create"))
    assert ids == [] and count_of(html) == "0 events match"
    assert "No events." in html


def test_the_form_keeps_what_was_asked(client, officer, events):
    _, html = shown(
        staff_client(client, officer),
        **march(
            person=str(officer.uuid),
            action="organisation.register",
            text="Alpha",
            kind="organisations.Organisation",
        ),
    )
    assert f'<option value="{officer.uuid}" selected>Test commissioning_officer</option>' in html
    assert (
        '<option value="organisation.register" selected>Registered an organisation</option>' in html
    )
    assert '<option value="organisations.Organisation" selected>Organisation</option>' in html
    assert re.search(r'name="text"[^>]*value="Alpha"', html)
    for name, value in march().items():
        assert re.search(rf'name="{name}" type="text" inputmode="numeric" value="{value}"', html)
    # paging keeps the filters
    assert (
        'method="get"' in html
        and "csrfmiddlewaretoken" not in html.split('id="audit-filter"')[1].split("</form>")[0]
    )


def test_a_date_that_does_not_check_out_is_reported_and_the_other_filters_still_apply(
    client, officer, events
):
    ids, html = shown(
        staff_client(client, officer),
        person=str(officer.uuid),
        since_day="31",
        since_month="2",
        since_year="2041",
        until_day="5",
        until_year="2041",
    )
    assert "There is a problem" in html
    assert "Date from must be a real date" in html
    assert "Date to must include a month" in html
    assert ids == uuids(
        events, "officer-alpha-register", "officer-beta-register", "officer-alpha-user"
    )
    assert 'name="since_day" type="text" inputmode="numeric" value="31"' in html  # kept


def test_dates_the_wrong_way_round_are_refused(client, officer, events):
    _, html = shown(
        staff_client(client, officer),
        **march(since_day="20", until_day="10"),
    )
    assert "Date to must be the same as or after date from" in html


def test_actions_read_in_words_with_the_code_behind_technical_details(client, officer, events):
    _, html = shown(staff_client(client, officer), person=str(officer.uuid))
    table = html.split('id="events"', 1)[1].split("</table>", 1)[0]
    outside = re.sub(r"<details.*?</details>", "", table, flags=re.S)
    assert "Registered an organisation" in outside and "Created a user account" in outside
    assert "organisation.register" not in outside and "user.create" not in outside
    assert "Organisation: " in outside  # the kind of thing, in words
    details = re.findall(r"<details.*?</details>", table, flags=re.S)
    assert len(details) == 3 and all("Technical details" in d for d in details)
    assert any("<code>organisation.register</code>" in d for d in details)
    assert any(f"<code>{events['officer-alpha-user'].object_uuid}</code>" in d for d in details)
    # each row links to the history of the thing it is about
    alpha = Organisation.objects.get(name="Zephyrine Alpha Trust")
    history = reverse("history", args=["organisations.Organisation", alpha.uuid])
    assert f'href="{history}"' in outside


def test_the_history_of_one_object_shows_its_events_in_words(client, officer, events):
    alpha = Organisation.objects.get(name="Zephyrine Alpha Trust")
    c = staff_client(client, officer)
    html = c.get(
        reverse("history", args=["organisations.Organisation", alpha.uuid])
    ).content.decode()
    outside = re.sub(r"<details.*?</details>", "", html, flags=re.S)
    assert "Finished a background job" in outside and "job.succeeded" not in outside
    assert "<code>job.succeeded</code>" in html


@pytest.fixture
def many(record, officer):
    """AUDIT_PAGE_SIZE * 2 + 20 events in April 2041, a minute apart: three pages."""
    thing = org("Paging Test Charity")
    start = dt.datetime(2041, 4, 2, 9, 0, tzinfo=UTC)
    return [
        record(when=start + dt.timedelta(minutes=i), actor=officer, action="user.create", obj=thing)
        for i in range(AUDIT_PAGE_SIZE * 2 + 20)
    ]


APRIL = {"since_day": "1", "since_month": "4", "since_year": "2041"}


def test_page_two_shows_the_next_events(client, officer, many):
    c = staff_client(client, officer)
    newest_first = [str(e.uuid) for e in reversed(many)]
    first, html = shown(c, **APRIL)
    assert first == newest_first[:AUDIT_PAGE_SIZE]
    assert count_of(html) == f"{len(many)} events match"
    assert "page 1 of 3" in html
    assert 'href="?since_day=1&amp;since_month=4&amp;since_year=2041&amp;page=2"' in html
    second, html = shown(c, **APRIL, page="2")
    assert second == newest_first[AUDIT_PAGE_SIZE : AUDIT_PAGE_SIZE * 2]
    third, _ = shown(c, **APRIL, page="3")
    assert third == newest_first[AUDIT_PAGE_SIZE * 2 :]
    beyond, _ = shown(c, **APRIL, page="99")  # past the end: the last page
    assert beyond == third


@pytest.mark.parametrize(
    "search",
    [
        {},
        APRIL,
        {"action": "user.create", "text": "paging", "kind": "organisations.Organisation"},
        {"person": "command-line"},
    ],
)
def test_every_page_costs_the_same_number_of_queries(client, officer, many, search):
    c = staff_client(client, officer)
    if "person" not in search and "text" not in search:
        search = {**search, "person": str(officer.uuid)}
    c.get(URL, search)  # the session and the user settle
    counts = []
    for page in ("1", "3"):
        with CaptureQueriesContext(connection) as queries:
            response = c.get(URL, {**search, "page": page})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 12


def test_people_without_the_audit_rule_are_refused(client, user_with):
    client.force_login(user_with(Role.REVIEWER))
    assert client.get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302  # to sign in


def test_searching_writes_nothing(client, officer, events):
    before = AuditEvent.objects.count()
    shown(staff_client(client, officer), **march(text="alpha"))
    assert AuditEvent.objects.count() == before
    assert client.post(URL + "?" + urlencode(march())).status_code == 405
