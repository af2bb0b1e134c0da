"""Where agreements meet the rest of the product, in the pages web composes: the allocation
page, the navigation and the 360Giving download."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from commissioning.agreements import services
from commissioning.budgets.models import Status
from commissioning.core.roles import Role
from commissioning.web.pages import GivingWithAgreementsView

pytestmark = pytest.mark.django_db


def test_the_360giving_download_is_the_one_with_the_agreements_facts():
    assert resolve("/register/360giving.json").func.view_class is GivingWithAgreementsView


def test_a_committed_allocation_offers_its_agreement_then_links_to_it(
    client, officer, make_allocation
):
    allocation = make_allocation("5000", status=Status.COMMITTED)
    client.force_login(officer)
    page = client.get(f"/allocations/{allocation.uuid}/").content.decode()
    assert "Draw up the agreement" in page and "No payment can be made without one" in page
    agreement = services.agreement_draft(actor=officer, allocation=allocation)
    page = client.get(f"/allocations/{allocation.uuid}/").content.decode()
    assert "Draw up the agreement" not in page
    assert f"/agreements/{agreement.uuid}/" in page and "Paid so far: £0" in page


def test_an_indicative_allocation_offers_no_agreement(client, officer, make_allocation):
    allocation = make_allocation("5000")
    client.force_login(officer)
    assert (
        "Draw up the agreement"
        not in client.get(f"/allocations/{allocation.uuid}/").content.decode()
    )


def test_each_role_finds_agreements_in_the_navigation(client, user_with, organisation):
    def nav(*roles, **kw):
        client.force_login(user_with(*roles, **kw))
        return [item["label"] for item in client.get("/plan/").context["nav_items"]]

    assert "Agreements" in nav(Role.COMMISSIONING_OFFICER)
    assert "Agreements" in nav(Role.PCC)
    assert {"Our agreements", "Our returns"} <= set(nav(Role.PARTNER, organisation=organisation))
    # The finance system's spending is beside the CFO's name, so the menu keeps to one row.
    spending = f'href="{reverse("spending-import")}">Spending</a>'
    for role, shown in ((Role.CFO, True), (Role.COMMISSIONING_OFFICER, False)):
        client.force_login(user_with(role))
        assert (spending in client.get("/plan/").content.decode()) is shown, role
