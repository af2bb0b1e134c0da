"""What the Police and Crime Panel member may read beyond the pack: the year positions, their
tables and reconciliation (and the API's year figures), and the published decisions on the
register, signed in; never the allocations' own pages, the staff decision pages (drafts, the
sign-off trail), monitoring, cohorts or the audit log. A grant review panel member is not a
Police and Crime Panel member."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commissioning.budgets.models import Allocation
from commissioning.core.roles import Role

pytestmark = pytest.mark.django_db

READS = [
    ("year-list", []),
    ("year", ["2016-17"]),
    ("table", ["2016-17", "theme"]),
    ("table-download", ["2016-17", "priority", "xlsx"]),
    ("reconciliation", ["2016-17"]),
    ("register-decisions", []),
    ("register-decision", ["exe-0025-13"]),
    ("register-decision-download", ["exe-0025-13", "pdf"]),
    ("plan", []),
]
REFUSED = [
    ("allocation-list", ["2016-17"]),
    ("allocation-create", ["2016-17"]),
    ("import", ["2016-17"]),
    ("decision-list", []),
    ("decision", ["exe-0025-13"]),
    ("decision-create", []),
    ("monitoring", []),
    ("audit-log", []),
    ("cohort-list", []),
    ("formula-list", []),
    ("organisation-list", []),
    ("year-create", []),
]


def test_the_panel_member_reads_the_year_positions_and_published_decisions(client, user_with):
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    for name, args in READS:
        assert client.get(reverse(name, args=args)).status_code == 200, name
    html = client.get(reverse("year", args=["2016-17"])).content.decode()
    assert "£3,919,983" in html  # the committed total of the 2016/17 framework
    for path in ("/api/years", "/api/years/2016-17/position", "/api/years/2016-17/tables/theme"):
        assert client.get(path).status_code == 200, path
    assert client.get("/api/years/2016-17/allocations").status_code == 403


def test_the_panel_member_is_refused_the_rest(client, user_with):
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    for name, args in REFUSED:
        assert client.get(reverse(name, args=args)).status_code == 403, name
    allocation = Allocation.objects.filter(year__label="2016/17").first()
    assert client.get(reverse("allocation-detail", args=[allocation.uuid])).status_code == 403


def test_the_grant_review_panel_still_gets_no_year_positions(client, user_with):
    client.force_login(user_with(Role.PANEL_MEMBER))
    for name in ("year-list", "scrutiny"):
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("year", args=["2016-17"])).status_code == 403


def test_the_home_page_lists_the_years_for_the_panel_member(client, user_with):
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    html = client.get(reverse("home")).content.decode()
    assert reverse("year", args=["2016-17"]) in html
