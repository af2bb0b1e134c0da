"""The menu: one row for staff (the plan, the register and the glossary in the footer, the
audit log beside their name), and one tab lit at a time."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from commissioning.core.roles import Role
from commissioning.web.glossary import TERMS

pytestmark = pytest.mark.django_db


def _items(html: str) -> list[str]:
    block = html.split('id="navigation"', 1)[1].split("</ul>", 1)[0]
    return block.split("<li")[1:]


def _label(item: str) -> str:
    return re.sub(r"<[^>]+>", "", item.split(">", 1)[1]).strip()


def nav(html: str) -> list[str]:
    return [_label(i) for i in _items(html)]


def lit(html: str) -> list[str]:
    return [_label(i) for i in _items(html) if "item--active" in i.split(">", 1)[0]]


def test_staff_have_at_most_eight_tabs_and_find_the_rest_elsewhere(client, user_with):
    cfo = user_with(Role.CFO)
    client.force_login(cfo)
    html = client.get(reverse("home")).content.decode()
    tabs = nav(html)
    assert tabs[0] == "Years" and "Plan" not in tabs and "Audit log" not in tabs
    assert len(tabs) <= 8, tabs
    for name in ("plan", "register-home", "glossary", "audit-log"):
        assert f'href="{reverse(name)}"' in html, name


def test_the_public_keep_the_plan_and_the_register_in_the_menu(client):
    tabs = nav(client.get(reverse("home")).content.decode())
    assert tabs == ["Plan", "Funding", "Public register"]


def test_a_partner_has_their_own_places_and_the_plan_and_register_in_the_footer(
    client, user_with, organisation
):
    client.force_login(user_with(Role.PARTNER, organisation=organisation))
    html = client.get(reverse("home")).content.decode()
    tabs = nav(html)
    assert tabs[0] == "Funding" and "Plan" not in tabs and "Public register" not in tabs
    assert "Our allocations" in tabs and "Our applications" in tabs and len(tabs) <= 6, tabs
    for name in ("plan", "register-home", "glossary"):
        assert f'href="{reverse(name)}"' in html, name


def test_one_tab_is_lit_the_longest_match(client, user_with, organisation):
    partner = user_with(Role.PARTNER, organisation=organisation)
    client.force_login(partner)
    html = client.get(reverse("my-applications")).content.decode()
    assert lit(html) == ["Our applications"]
    html = client.get(reverse("grant-rounds")).content.decode()
    assert lit(html) == ["Funding"]


def test_the_glossary_explains_each_term_once_with_its_anchor(client):
    html = client.get(reverse("glossary")).content.decode()
    anchors = [a for a, _, _ in TERMS]
    assert len(anchors) == len(set(anchors))
    for anchor, term, _ in TERMS:
        assert f'id="{anchor}"' in html and term in html
    for needed in (
        "indicative",
        "capped-line",
        "reserve",
        "mechanism",
        "transition-rule",
        "plf",
        "csp",
    ):
        assert needed in anchors
