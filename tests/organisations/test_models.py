"""Areas by their ONS codes with the districts they cover; organisations with the other
spellings the papers use for them."""

import pytest
from django.db import IntegrityError, transaction

from commissioning.organisations.models import (
    LOCAL_AUTHORITY_KINDS,
    Area,
    AreaKind,
    Organisation,
    OrganisationAlias,
    OrganisationKind,
)

pytestmark = pytest.mark.django_db

LLR_DISTRICTS = {
    "E06000016",  # Leicester
    "E06000017",  # Rutland
    "E07000129",  # Blaby
    "E07000130",  # Charnwood
    "E07000131",  # Harborough
    "E07000132",  # Hinckley and Bosworth
    "E07000133",  # Melton
    "E07000134",  # North West Leicestershire
    "E07000135",  # Oadby and Wigston
}


def codes(area):
    return {d.code for d in area.districts.all()}


def test_the_force_area_covers_the_nine_llr_local_authorities():
    force = Area.objects.get(code="E23000021")
    assert force.kind == AreaKind.FORCE_AREA and force.is_ons_code
    assert codes(force) == LLR_DISTRICTS
    assert {d.kind for d in force.districts.all()} <= set(LOCAL_AUTHORITY_KINDS)


def test_the_county_is_its_seven_districts_without_the_city_or_rutland():
    county = Area.objects.get(code="E10000018")
    assert codes(county) == LLR_DISTRICTS - {"E06000016", "E06000017"}


def test_each_csp_covers_its_one_district_by_ons_code():
    csps = Area.objects.filter(kind=AreaKind.CSP)
    assert csps.count() == 9
    assert all(c.code.startswith("E22") for c in csps)
    covered = [d.code for c in csps for d in c.districts.all()]
    assert sorted(covered) == sorted(LLR_DISTRICTS)
    blaby = Area.objects.get(code="E22000164")
    assert codes(blaby) == {"E07000129"} and blaby.name == "Blaby"


def test_local_codes_are_not_ons_codes_and_a_joint_partnership_covers_both():
    joint = Area.objects.get(code="LLR-JOINT-BHB")
    assert not joint.is_ons_code and joint.kind == AreaKind.JOINT_PARTNERSHIP
    assert codes(joint) == {"E07000129", "E07000132"}


def test_districts_are_not_symmetric_a_district_knows_its_groups():
    blaby = Area.objects.get(code="E07000129")
    assert blaby.districts.count() == 0
    groups = {g.code for g in blaby.groups.all()}
    assert {"E23000021", "E10000018", "E22000164", "LLR-JOINT-BHB"} <= groups


def test_areas_are_in_code_order_and_codes_are_unique():
    listed = list(Area.objects.values_list("code", flat=True))
    assert listed == sorted(listed)
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(code="E07000129", name="Blaby again", kind=AreaKind.DISTRICT)


def test_an_area_adds_districts():
    group = Area.objects.create(code="LLR-TEST", name="Test group", kind=AreaKind.REACH_GROUP)
    group.districts.set(Area.objects.filter(code__in=["E07000133", "E07000135"]))
    assert codes(group) == {"E07000133", "E07000135"}
    assert str(group) == "Test group"


def test_organisations_carry_their_area_and_org_id():
    city = Organisation.objects.get(key="leicester-city-council")
    assert city.name == "Leicester City Council" and str(city) == "Leicester City Council"
    assert city.kind == OrganisationKind.COUNCIL
    assert city.area.code == "E06000016" and city.org_id == "GB-LAE-LCE"
    assert {a.name for a in city.aliases.all()} == {"Leicester City", "City council"}


def test_organisation_names_are_unique_whatever_the_case():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(key="dupe", name="LEICESTER CITY COUNCIL", kind="council")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(key="leicester-city-council", name="Other", kind="council")


def test_an_alias_is_unique_per_organisation_whatever_the_case():
    city = Organisation.objects.get(key="leicester-city-council")
    county = Organisation.objects.get(key="leicestershire-county-council")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationAlias.objects.create(organisation=city, name="LEICESTER CITY")
    # another organisation may be written the same way
    alias = OrganisationAlias.objects.create(organisation=county, name="Leicester City")
    assert str(alias) == "Leicester City"


def test_organisations_are_in_name_order():
    names = list(Organisation.objects.values_list("name", flat=True)[:20])
    assert names == sorted(names, key=str)
