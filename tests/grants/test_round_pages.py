"""The officer's pages for configuring a round: create it in UK time, add its criteria and
questions, publish it (refused with an error summary naming each problem), and nothing changes
once it is published. Officers only; GET never writes; every write needs CSRF."""

import datetime as dt
import html as htmllib
import re
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from commissioning.budgets import services as budget_services
from commissioning.core.actors import COMMAND_LINE
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.grants.models import Round
from commissioning.plans.models import StrategicPriority, Theme

pytestmark = pytest.mark.django_db


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


def round_post(year, pot, **overrides):
    today = dt.date.today()
    opens, closes = today + dt.timedelta(days=1), today + dt.timedelta(days=60)
    data = {
        "reference": "safer-streets-2031",
        "title": "Safer streets 2031/32",
        "mechanism": "pcc_grant",
        "year": str(year.pk),
        "budget_line": str(pot.pk),
        "opens_date": f"{opens.day}/{opens.month}/{opens.year}",
        "opens_time": "09:00",
        "closes_date": f"{closes.day}/{closes.month}/{closes.year}",
        "closes_time": "5pm",
        "minimum_award": "1,000",
        "maximum_award": "£10,000",
        "guidance": "Local groups only.",
        "themes": [str(Theme.objects.get(number=1).pk)],
        "priorities": [str(StrategicPriority.objects.order_by("number").first().pk)],
        "scale_max": "5",
    }
    data.update(overrides)
    return data


def error_summary(html: str) -> list[str]:
    block = re.search(r'govuk-error-summary__list"[^>]*>(.*?)</ul>', html, re.S)
    assert block, "an error summary is shown"
    return [
        htmllib.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)
    ]


def test_officer_sets_up_and_publishes_a_round_through_the_pages(client, officer, year, pot):
    client.force_login(officer)
    assert client.get(reverse("grant-rounds")).content.decode().count(reverse("round-create")) == 1
    assert client.get(reverse("round-create")).status_code == 200

    bad = client.post(
        reverse("round-create"),
        round_post(year, pot, maximum_award="", closes_time="25:00", title=""),
    )
    assert bad.status_code == 400
    problems = error_summary(bad.content.decode())
    assert "Enter the round's title" in problems
    assert "Enter the maximum award" in problems
    assert "Closing time: enter a time, like 17:00 or 5pm" in problems
    assert not Round.objects.filter(reference="safer-streets-2031").exists()

    made = client.post(reverse("round-create"), round_post(year, pot))
    assert made.status_code == 302
    rnd = Round.objects.get(reference="safer-streets-2031")
    assert made["Location"] == reverse("round-setup", args=[rnd.reference])
    assert not rnd.published and rnd.minimum_award == D("1000")
    # entered in UK time, stored aware: 17:00 UK time is 16:00 or 17:00 UTC by the season
    local_close = rnd.closes_at.astimezone(dt.UTC)
    assert rnd.closes_at.astimezone(ZoneInfo("Europe/London")).strftime("%H:%M") == "17:00"
    assert local_close.hour in (16, 17)
    assert [t.number for t in rnd.themes.all()] == [1]

    setup = client.get(reverse("round-setup", args=[rnd.reference])).content.decode()
    assert "Assessment criteria: add at least one criterion" in setup
    assert "Application form: add at least one question" in setup

    def add(kind, data):
        return client.post(reverse("round-item-add", args=[rnd.reference, kind]), data)

    refused = add("criteria", {"title": "Need", "weight": "0"})
    assert refused.status_code == 400
    assert "Weight: more than 0% and at most 100%" in error_summary(refused.content.decode())
    assert add("criteria", {"title": "Need", "weight": "70"}).status_code == 302
    assert add("criteria", {"title": "Value for money", "weight": "20"}).status_code == 302
    assert (
        add("eligibility", {"text": "Are you a charity?", "required_answer": "yes"}).status_code
        == 302
    )
    no_options = add("questions", {"label": "Area", "kind": "choice", "choices": "City"})
    assert no_options.status_code == 400
    assert "Options: give at least two, one a line" in error_summary(no_options.content.decode())
    assert (
        add(
            "questions", {"label": "Area", "kind": "choice", "choices": "City\r\nCounty\r\n"}
        ).status_code
        == 302
    )
    assert (
        add(
            "questions",
            {"label": "Budget", "kind": "file", "file_types": ["pdf", "ods"], "max_file_mb": "4"},
        ).status_code
        == 302
    )

    refused = client.post(reverse("round-publish", args=[rnd.reference]))
    assert refused.status_code == 400
    problems = error_summary(refused.content.decode())
    assert problems == ["Assessment criteria: the weights add up to 90%; they must add up to 100%"]
    assert 'href="#criteria"' in refused.content.decode()
    rnd.refresh_from_db()
    assert not rnd.published

    value = rnd.criteria.get(title="Value for money")
    edit_url = reverse("round-item-edit", args=[rnd.reference, "criteria", value.pk])
    assert 'value="20' in client.get(edit_url).content.decode()
    assert client.post(edit_url, {"title": "Value for money", "weight": "30"}).status_code == 302
    budget = rnd.questions.get(key="budget")
    move = reverse("round-item-move", args=[rnd.reference, "questions", budget.pk])
    assert client.post(move, {"direction": "up"}).status_code == 302
    assert [q.key for q in rnd.questions.all()] == ["budget", "area"]

    published = client.post(reverse("round-publish", args=[rnd.reference]))
    assert published.status_code == 302
    rnd.refresh_from_db()
    assert rnd.published
    public = client.get(reverse("grant-round", args=[rnd.reference])).content.decode()
    assert "Value for money" in public and "30.00%" in public

    # published: the pages refuse and nothing changes
    locked = client.get(reverse("round-setup", args=[rnd.reference])).content.decode()
    assert "This round is published: its form can no longer change" in locked
    assert reverse("round-item-add", args=[rnd.reference, "criteria"]) not in locked
    assert client.get(reverse("round-edit", args=[rnd.reference])).status_code == 302
    before = AuditEvent.objects.count()
    assert add("criteria", {"title": "Late", "weight": "5"}).status_code == 400
    remove = reverse("round-item-remove", args=[rnd.reference, "criteria", value.pk])
    assert client.post(remove).status_code == 302
    assert rnd.criteria.count() == 2 and AuditEvent.objects.count() == before


def test_changing_the_details_keeps_the_reference(client, officer, year, pot):
    client.force_login(officer)
    client.post(reverse("round-create"), round_post(year, pot))
    rnd = Round.objects.get(reference="safer-streets-2031")
    url = reverse("round-edit", args=[rnd.reference])
    page = client.get(url).content.decode()
    assert 'name="reference"' not in page and 'value="17:00"' in page
    changed = client.post(
        url, round_post(year, pot, reference="hijack", title="Safer streets, renamed")
    )
    assert changed.status_code == 302
    rnd.refresh_from_db()
    assert rnd.title == "Safer streets, renamed" and rnd.reference == "safer-streets-2031"
    wrong_line = client.post(url, round_post(year, pot, mechanism="innovation_fund"))
    assert wrong_line.status_code == 400
    assert any("Pot:" in p for p in error_summary(wrong_line.content.decode()))


def test_the_pages_are_for_officers_only_and_get_never_writes(
    client, officer, user_with, year, pot
):
    from commissioning.grants import rounds

    rnd = rounds.round_draft_create(
        actor=officer,
        **{
            "reference": "private-draft",
            "title": "Private draft",
            "mechanism": "pcc_grant",
            "year": year,
            "budget_line": pot,
            "opens_at": dt.datetime(2031, 5, 1, 9, tzinfo=dt.UTC),
            "closes_at": dt.datetime(2031, 6, 1, 17, tzinfo=dt.UTC),
            "maximum_award": D("5000"),
        },
    )
    criterion = rounds.criterion_save(actor=officer, round=rnd, title="Need", weight="100")
    gets = [
        reverse("round-create"),
        reverse("round-setup", args=[rnd.reference]),
        reverse("round-edit", args=[rnd.reference]),
        reverse("round-item-add", args=[rnd.reference, "questions"]),
        reverse("round-item-edit", args=[rnd.reference, "criteria", criterion.pk]),
        reverse("round-moderation", args=[rnd.reference]),
    ]
    posts = [
        reverse("round-publish", args=[rnd.reference]),
        reverse("round-item-remove", args=[rnd.reference, "criteria", criterion.pk]),
        reverse("round-item-move", args=[rnd.reference, "criteria", criterion.pk]),
    ]
    before = AuditEvent.objects.count()
    for role in (Role.PARTNER, Role.REVIEWER, Role.PANEL_MEMBER, Role.PCC):
        client.force_login(user_with(role))
        for url in gets + posts:
            response = client.get(url) if url in gets else client.post(url)
            assert response.status_code == 403, (role, url)
    client.logout()
    assert client.get(gets[1]).status_code == 302
    assert client.get(reverse("grant-round", args=[rnd.reference])).status_code == 404, (
        "the public never sees a draft"
    )
    client.force_login(officer)
    for url in gets:
        assert client.get(url).status_code == 200, url
    assert "Private draft" in client.get(reverse("grant-rounds")).content.decode()
    assert AuditEvent.objects.count() == before
    assert (
        client.get(reverse("round-item-add", args=[rnd.reference, "nonsense"])).status_code == 404
    )
    other = reverse("round-item-edit", args=[rnd.reference, "questions", criterion.pk])
    assert client.get(other).status_code == 404, "items are looked up within their round and kind"


def test_writes_need_csrf(officer, year, pot):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    before = AuditEvent.objects.count()
    response = client.post(reverse("round-create"), round_post(year, pot))
    assert response.status_code == 403
    assert not Round.objects.filter(reference="safer-streets-2031").exists()
    assert AuditEvent.objects.count() == before
