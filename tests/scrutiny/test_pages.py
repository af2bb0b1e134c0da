"""The outcomes pack's pages: OPCC staff and the Police and Crime Panel read them; nobody else;
GET only; what they show is the hand-made set's figures."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role

pytestmark = pytest.mark.django_db


def urls(slug: str) -> list[str]:
    return [
        reverse("scrutiny"),
        reverse("outcomes-pack", args=[slug]),
        *[reverse("outcomes-pack-download", args=[slug, fmt]) for fmt in ("pdf", "xlsx", "json")],
    ]


@pytest.mark.parametrize("role", [Role.COMMISSIONING_OFFICER, Role.CFO, Role.POLICE_CRIME_PANEL])
def test_staff_and_the_police_and_crime_panel_read_the_pack(client, user_with, role, handmade):
    client.force_login(user_with(role))
    before = AuditEvent.objects.count()
    for url in urls(handmade.year.slug):
        response = client.get(url)
        assert response.status_code == 200, url
    assert AuditEvent.objects.count() == before  # reading writes nothing


@pytest.mark.parametrize("role", [Role.PARTNER, Role.PANEL_MEMBER, Role.REVIEWER])
def test_partners_and_the_grant_panel_are_refused(client, user_with, organisation, role, handmade):
    client.force_login(user_with(role, organisation=organisation))
    for url in urls(handmade.year.slug):
        assert client.get(url).status_code == 403, url


def test_signed_out_people_are_sent_to_sign_in(client, handmade):
    for url in urls(handmade.year.slug):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url


def test_unknown_years_and_formats_are_not_found(client, user_with, handmade):
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    assert client.get(reverse("outcomes-pack", args=["1999-00"])).status_code == 404
    assert client.get(reverse("outcomes-pack-download", args=["2031-32", "csv"])).status_code == 404


def test_the_pack_page_shows_the_figures_by_theme_and_priority(client, user_with, handmade):
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    html = client.get(reverse("outcomes-pack", args=[handmade.year.slug])).content.decode()
    assert "Outcomes by priority, 2031/32" in html
    assert "Theme 1: Reducing offending and re-offending" in html
    assert "Not linked to a priority" in html
    total_spent = re.search(r'id="total-spent">(.*?)<br>', html).group(1)
    assert total_spent == "£4,900"
    committed = re.search(r'id="total-committed">(.*?)</td>', html).group(1)
    assert committed == "£17,000"
    # the SP1 row: 2 measures, target 40, 20 for the returns accepted, actual 20; the
    # percentage measure's means beside them
    row = re.search(r"SP1 Preventing.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'numeric">(.*?)</td>', row, re.S)
    assert cells[0] == "2"
    assert cells[1].startswith("40<br>80.0%") and "mean" in cells[1]
    assert cells[3].startswith("20<br>80.0%")
    # every table is in a labelled, focusable region
    regions = re.findall(
        r'<div class="app-table-wrapper" tabindex="0" role="region" aria-labelledby="([^"]+)"', html
    )
    assert len(regions) == html.count("<table") and all(f'id="{r}"' in html for r in regions)


def test_a_year_without_agreements_says_so(client, user_with):
    client.force_login(user_with(Role.CFO))
    html = client.get(reverse("outcomes-pack", args=["2014-15"])).content.decode()
    assert "There are no agreements for 2014/15 yet" in html
    assert "CI006" in html  # the intentions' estimates are still there


def test_the_index_lists_the_years(client, user_with, handmade):
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    html = client.get(reverse("scrutiny")).content.decode()
    assert reverse("outcomes-pack", args=["2031-32"]) in html and "2 agreements" in html


def test_writing_to_the_pack_is_not_a_thing(client, user_with, handmade):
    client.force_login(user_with(Role.CFO))
    for url in urls(handmade.year.slug):
        assert client.post(url).status_code == 405, url
