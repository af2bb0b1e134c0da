"""The organisation pages: the list is for OPCC staff; a partner sees their own organisation
and gets a 404 for another's, so a guessed address says nothing."""

import pytest
from django.urls import reverse

from commissioning.core.roles import STAFF_ROLES, Role
from commissioning.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return Organisation.objects.get(key="leicester-city-council")


@pytest.fixture
def county():
    return Organisation.objects.get(key="leicestershire-county-council")


def detail(org):
    return reverse("organisation-detail", args=[org.key])


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_staff_see_the_list_and_every_organisation(client, user_with, role, city, county):
    client.force_login(user_with(role))
    listing = client.get(reverse("organisation-list"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Leicester City Council" in html and "Leicestershire County Council" in html
    for org in (city, county):
        page = client.get(detail(org))
        assert page.status_code == 200
        assert org.name in page.content.decode()


def test_the_list_shows_areas_by_ons_code(client, officer):
    client.force_login(officer)
    html = client.get(reverse("organisation-list")).content.decode()
    assert "E23000021" in html and "E22000164" in html


def test_a_partner_sees_their_own_organisation_and_its_allocations(client, user_with, city):
    client.force_login(user_with(Role.PARTNER, organisation=city))
    page = client.get(detail(city))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Leicester City Council" in html and "“City council”" in html
    versions = list(page.context["versions"])
    assert versions and {v.organisation_id for v in versions} == {city.pk}


def test_a_partner_gets_a_404_for_another_organisation(client, user_with, city, county):
    client.force_login(user_with(Role.PARTNER, organisation=city))
    response = client.get(detail(county))
    assert response.status_code == 404
    assert "Leicestershire County Council" not in response.content.decode()


def test_a_partner_cannot_list_organisations(client, user_with, city):
    client.force_login(user_with(Role.PARTNER, organisation=city))
    assert client.get(reverse("organisation-list")).status_code == 403


def test_an_unknown_organisation_is_a_404(client, officer):
    client.force_login(officer)
    assert client.get(reverse("organisation-detail", args=["no-such-org"])).status_code == 404


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.PANEL_MEMBER])
def test_reviewers_and_panel_members_see_no_organisation_pages(client, user_with, role, city):
    client.force_login(user_with(role, organisation=city))
    assert client.get(reverse("organisation-list")).status_code == 403
    assert client.get(detail(city)).status_code == 403


def test_an_inactive_partner_is_treated_as_signed_out(client, user_with, city):
    partner = user_with(Role.PARTNER, organisation=city)
    partner.is_active = False
    partner.save()
    client.force_login(partner)
    response = client.get(detail(city))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_anonymous_is_sent_to_sign_in(client, city):
    for url in (reverse("organisation-list"), detail(city)):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url


def test_the_audit_link_is_for_staff_only(client, user_with, officer, city):
    history = reverse("history", args=["organisations.Organisation", city.uuid])
    client.force_login(officer)
    assert history in client.get(detail(city)).content.decode()
    client.force_login(user_with(Role.PARTNER, organisation=city))
    assert history not in client.get(detail(city)).content.decode()
