"""Permissions: every view names a rule; each role sees what it should and no more; GET
never writes; every write needs CSRF."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from commissioning.budgets.models import Allocation
from commissioning.core.models import AuditEvent
from commissioning.core.permissions import RULES, allowed
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def test_every_view_names_a_known_permission_rule():
    missing = []
    for route, callback in walk(get_resolver().url_patterns):
        view_class = getattr(callback, "view_class", None)
        rule = getattr(view_class, "permission", None) or getattr(callback, "permission", None)
        if route.startswith("api/") and rule is None:
            # ninja wraps endpoints; each operation's function carries its rule
            continue
        if rule not in RULES:
            missing.append(route)
    assert missing == []


def test_every_api_operation_names_a_rule():
    from commissioning.api.views import api

    operations = [
        op for path in api._routers[0][1].path_operations.values() for op in path.operations
    ]
    assert operations
    assert all(getattr(op.view_func, "permission", None) in RULES for op in operations)


ROLE_TABLE = [
    # rule, roles allowed
    (
        "budgets.view",
        {
            Role.PCC,
            Role.CHIEF_EXECUTIVE,
            Role.CFO,
            Role.COMMISSIONING_OFFICER,
            Role.POLICE_CRIME_PANEL,
        },
    ),
    ("budgets.manage", {Role.CFO}),
    ("allocations.change", {Role.CFO, Role.COMMISSIONING_OFFICER}),
    (
        "allocations.list",
        {Role.PCC, Role.CHIEF_EXECUTIVE, Role.CFO, Role.COMMISSIONING_OFFICER, Role.PARTNER},
    ),
    ("audit.view", {Role.PCC, Role.CHIEF_EXECUTIVE, Role.CFO, Role.COMMISSIONING_OFFICER}),
    ("plans.view", set(Role.values) | {"anonymous"}),
]


@pytest.mark.parametrize(("rule", "roles"), ROLE_TABLE)
def test_rules_as_a_table(rule, roles, user_with):
    from django.contrib.auth.models import AnonymousUser

    org = Organisation.objects.get(key="leicester-city-council")
    for role in [*Role.values, "anonymous"]:
        user = AnonymousUser() if role == "anonymous" else user_with(role, organisation=org)
        assert allowed(user, rule) == (role in roles), (rule, role)


def pages():
    alloc = Allocation.objects.filter(year__label="2013/14").first()
    return [
        reverse("home"),
        reverse("plan"),
        reverse("year-list"),
        reverse("year", args=["2013-14"]),
        reverse("allocation-list", args=["2013-14"]),
        reverse("table", args=["2013-14", "organisation"]),
        reverse("table", args=["2016-17", "theme"]),
        reverse("table-download", args=["2013-14", "mechanism", "csv"]),
        reverse("table-download", args=["2013-14", "area", "xlsx"]),
        reverse("reconciliation", args=["2013-14"]),
        reverse("import", args=["2013-14"]),
        reverse("transition", args=["2014-15"])
        + "?source_year=1&percentage=50&period=H1&status=indicative",
        reverse("allocation-detail", args=[alloc.uuid]),
        reverse("allocation-vary", args=[alloc.uuid]),
        reverse("allocation-create", args=["2013-14"]),
        reverse("organisation-list"),
        reverse("audit-log"),
        reverse("history", args=["budgets.Allocation", alloc.uuid]),
        "/api/years/2013-14/position",
        "/api/years/2013-14/tables/theme",
    ]


def test_anonymous_sees_only_public_pages(client):
    public = {reverse("home"), reverse("plan")}
    for url in pages():
        response = client.get(url)
        if url in public:
            assert response.status_code == 200, url
        elif url.startswith("/api/"):
            assert response.status_code == 401, url
        else:
            assert response.status_code == 302 and "/sign-in/" in response["Location"], url


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.PANEL_MEMBER])
def test_reviewers_and_panel_members_are_refused_budget_pages(client, user_with, role):
    client.force_login(user_with(role))
    assert client.get(reverse("year", args=["2013-14"])).status_code == 403
    assert client.get("/api/years/2013-14/position").status_code == 403
    assert client.get(reverse("plan")).status_code == 200


def test_officer_sees_every_page_and_no_get_writes(client, officer):
    client.force_login(officer)
    before = AuditEvent.objects.count()
    for url in pages():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    assert AuditEvent.objects.count() == before


def test_partner_sees_only_their_own_allocations(client, user_with):
    city = Organisation.objects.get(key="leicester-city-council")
    partner = user_with(Role.PARTNER, organisation=city)
    client.force_login(partner)
    response = client.get(reverse("allocation-list", args=["2013-14"]))
    assert response.status_code == 200
    organisations = {l.organisation for l in response.context["lines"]}
    assert organisations == {"Leicester City Council"}
    mine = Allocation.objects.filter(versions__organisation=city).first()
    theirs = Allocation.objects.exclude(versions__organisation=city).first()
    assert client.get(reverse("allocation-detail", args=[mine.uuid])).status_code == 200
    assert client.get(reverse("allocation-detail", args=[theirs.uuid])).status_code == 404
    assert client.get(reverse("year", args=["2013-14"])).status_code == 403
    assert client.get(reverse("allocation-vary", args=[mine.uuid])).status_code == 403
    api = client.get("/api/years/2013-14/allocations").json()
    assert {r["organisation"] for r in api["rows"]} == {"Leicester City Council"}


def test_writes_need_csrf(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    alloc = Allocation.objects.filter(year__label="2016/17").first()
    before = AuditEvent.objects.count()
    response = client.post(reverse("allocation-cancel", args=[alloc.uuid]), {"reason": "x"})
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_partner_cannot_post_changes(client, user_with):
    city = Organisation.objects.get(key="leicester-city-council")
    client.force_login(user_with(Role.PARTNER, organisation=city))
    mine = Allocation.objects.filter(versions__organisation=city).first()
    assert (
        client.post(reverse("allocation-cancel", args=[mine.uuid]), {"reason": "x"}).status_code
        == 403
    )
    assert client.post(reverse("allocation-commit", args=[mine.uuid])).status_code == 403


def test_sign_out_is_post_only(client, officer):
    client.force_login(officer)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
