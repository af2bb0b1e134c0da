"""The plan page is public: anyone, signed in or not, reads the themes, priorities and
commissioning intentions with their estimates."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role

pytestmark = pytest.mark.django_db


def test_anyone_reads_the_plan(client):
    response = client.get(reverse("plan"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Police and Crime Plan 2013-17" in html
    assert "1 April 2013 to 31 March 2017" in html
    assert "Theme 1: Reducing offending and re-offending" in html
    for code in ("<strong>SP1</strong>", "<strong>SP17</strong>", "CI001", "CI011"):
        assert code in html, code
    assert "Estimated amounts" in html and "£" in html


@pytest.mark.parametrize("role", Role.values)
def test_every_role_reads_the_plan(client, user_with, role):
    client.force_login(user_with(role))
    assert client.get(reverse("plan")).status_code == 200


def test_an_inactive_user_reads_it_too(client, user_with):
    user = user_with(Role.CFO)
    user.is_active = False
    user.save()
    client.force_login(user)
    assert client.get(reverse("plan")).status_code == 200


def test_reading_the_plan_writes_nothing_and_asks_a_fixed_number_of_queries(client):
    before = AuditEvent.objects.count()
    client.get(reverse("plan"))  # warm up: sessions, content types
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("plan"))
    assert len(queries) <= 12, [q["sql"][:80] for q in queries]
    assert AuditEvent.objects.count() == before


def test_an_estimate_that_does_not_add_up_is_flagged(client):
    from commissioning.plans.models import EstimateKind, IntentionEstimate

    total = IntentionEstimate.objects.filter(kind=EstimateKind.TOTAL).first()
    assert total is not None
    splits = IntentionEstimate.objects.filter(
        intention=total.intention, year=total.year, kind=EstimateKind.SPLIT
    )
    if not splits.exists():
        IntentionEstimate.objects.create(
            intention=total.intention, year=total.year, kind=EstimateKind.SPLIT, amount=total.amount
        )
    IntentionEstimate.objects.create(
        intention=total.intention, year=total.year, kind=EstimateKind.SPLIT, amount="1.00"
    )
    html = client.get(reverse("plan")).content.decode()
    assert "Lines add up to" in html
