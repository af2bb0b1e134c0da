"""Pressing Submit reads the round's form (its questions, eligibility questions, themes and
priorities) once, however many steps use it: the form, the save and the submission."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.grants import services
from commissioning.grants.models import Application
from commissioning.grants.status import Status
from commissioning.plans.models import Theme

from .helpers import complete

pytestmark = pytest.mark.django_db


def form_as_sent(page: str) -> dict[str, str]:
    """What a browser sends for the page's form: inputs (checked ones of radios), textareas
    and the chosen options, without the file inputs and buttons."""
    sent: dict[str, str] = {}
    for tag in re.findall(r"<input([^>]*)>", page):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if "name" not in attrs or attrs.get("type") in {"file", "submit", "button"}:
            continue
        if attrs.get("type") in {"radio", "checkbox"} and " checked" not in tag:
            continue
        sent[attrs["name"]] = html.unescape(attrs.get("value", ""))
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        sent[name] = html.unescape(text).strip()
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]* selected', body)
        if chosen:
            sent[name] = chosen.group(1)
    return sent


def tables_read(queries) -> Counter:
    """How many SELECTs read each of the round's form tables."""
    tables = {
        "grants_question": r'FROM "grants_question"',
        "grants_eligibilityquestion": r'FROM "grants_eligibilityquestion"',
        "round themes": r'"grants_round_themes"',
        "round priorities": r'"grants_round_priorities"',
    }
    counted: Counter = Counter()
    for query in queries:
        sql = query["sql"]
        if not sql.startswith("SELECT"):
            continue
        for name, pattern in tables.items():
            if re.search(pattern, sql):
                counted[name] += 1
    return counted


def test_submit_reads_the_rounds_form_once(client, grant_round, applicant):
    theme = Theme.objects.filter(priorities__isnull=False).first()
    grant_round.themes.add(theme)
    grant_round.priorities.add(*theme.priorities.all())
    app = services.application_start(actor=applicant, round=grant_round, title="Street mentors")
    services.application_save(
        actor=applicant, application=app, theme=theme, primary_priority=theme.priorities.first()
    )
    complete(app, applicant)
    client.force_login(applicant)
    url = reverse("application-edit", args=[app.uuid])
    sent = form_as_sent(client.get(url).content.decode()) | {"submit": "1"}
    with CaptureQueriesContext(connection) as submitted:
        response = client.post(url, sent)
    assert response.status_code == 302
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED
    assert tables_read(submitted.captured_queries) == {
        "grants_question": 1,
        "grants_eligibilityquestion": 1,
        "round themes": 1,
        "round priorities": 1,
    }
    # The person is read once, for the session: the status change records who made it from
    # the actor it is given, without reading the application's last editor.
    users_read = [
        q["sql"]
        for q in submitted.captured_queries
        if q["sql"].startswith("SELECT") and re.search(r'FROM "accounts_user"\s', q["sql"])
    ]
    assert len(users_read) == 1, users_read
    # The application is read by its id alone, not ordered by its round's opening date.
    apps_read = [
        q["sql"]
        for q in submitted.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "grants_application"' in q["sql"]
    ]
    assert apps_read and "ORDER BY" not in apps_read[0], apps_read[0]
