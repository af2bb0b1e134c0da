"""Every list's search-and-filter form ends with the one set of buttons
(templates/includes/filter_actions.html): the button, a link back to the whole list only
while it is narrowed, and the page's own action where the person may take it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from commissioning.core.roles import Role

pytestmark = pytest.mark.django_db


def links(html: str) -> dict[str, str]:
    """Each link's words -> its href, in the search form."""
    form = html[html.index('class="app-filter"') :]
    form = form[: form.index("</form>")]
    return {text.strip(): href for href, text in re.findall(r'href="([^"]*)">([^<]+)</a>', form)}


def test_the_allocations_list_links_back_to_every_allocation_only_when_narrowed(
    client, officer, year
):
    client.force_login(officer)
    url = reverse("allocation-list", args=[year.slug])
    html = client.get(url).content.decode()
    assert ">Search and filter</button>" in html
    assert links(html) == {"Record an allocation": reverse("allocation-create", args=[year.slug])}
    html = client.get(url, {"q": "nothing like it", "sort": "-total"}).content.decode()
    assert links(html)["Show every allocation"] == "?sort=-total"


def test_who_may_not_record_an_allocation_is_not_offered_it(client, user_with, year):
    client.force_login(user_with(Role.PCC))
    html = client.get(reverse("allocation-list", args=[year.slug])).content.decode()
    assert ">Search and filter</button>" in html and "Record an allocation" not in html


def test_the_audit_log_clears_its_filters_once_searched(client, officer):
    client.force_login(officer)
    url = reverse("audit-log")
    assert links(client.get(url).content.decode()) == {}
    html = client.get(url, {"text": "allocation"}).content.decode()
    assert ">Search</button>" in html
    assert links(html) == {"Clear the filters": url}
