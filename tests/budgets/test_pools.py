"""Pooled budgets (issue 12 item 5): a co-commissioning pool with contributions from several
partners, awards paid from it through the same ledger and agreements, each contributor's
share of what is spent and unspent to the penny, and the PCC's contribution counted once, in
the PCC's own tables."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commissioning.agreements import services as agreement_services
from commissioning.budgets import services
from commissioning.budgets.models import Funding, Pool, Status
from commissioning.budgets.selectors import (
    allocation_list,
    pool_get,
    pool_report,
    position,
    year_get,
)
from commissioning.core.money import shares_of
from commissioning.organisations.models import Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        ("540000", ["199960", "250000", "120000"]),
        ("0.02", ["1", "1", "1"]),
        ("100", ["3", "3", "3"]),
        ("0", ["5", "7"]),
        ("1234.57", ["0.01", "999999", "17"]),
    ],
)
def test_shares_add_up_to_the_penny_and_follow_the_weights(total, weights):
    total, weights = D(total), [D(w) for w in weights]
    shares = shares_of(total, weights)
    assert sum(shares) == total
    whole = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        # Each share is its exact proportion, rounded down or up by less than a penny.
        assert abs(share - total * weight / whole) < D("0.01")
        assert share == share.quantize(D("0.01"))


def test_equal_weights_give_the_spare_pennies_to_the_earliest():
    assert shares_of(D("100"), [D(1)] * 3) == [D("33.34"), D("33.33"), D("33.33")]


def test_shares_of_nothing_cannot_share_money():
    assert shares_of(D("0"), [D(0), D(0)]) == [D("0.00"), D("0.00")]
    with pytest.raises(ValueError):
        shares_of(D("1"), [D(0)])


@pytest.fixture
def partners(db):
    def org(key, kind=OrganisationKind.COUNCIL):
        return Organisation.objects.get_or_create(
            key=key, defaults={"name": key.replace("-", " ").title(), "kind": kind}
        )[0]

    return {
        "opcc": Organisation.objects.filter(kind=OrganisationKind.OPCC).first()
        or org("test-opcc", OrganisationKind.OPCC),
        "host": org("test-pool-host", OrganisationKind.BOARD),
        "city": org("test-city-council"),
        "county": org("test-county-council"),
        "provider": org("test-provider", OrganisationKind.CHARITY),
    }


@pytest.fixture
def pool(cfo, year, partners):
    return services.pool_create(
        actor=cfo,
        year=year,
        name="Substance misuse pool",
        host=partners["host"],
        purpose="Treatment for people arrested who misuse drugs or alcohol",
        agreed_total="500000",
    )


@pytest.fixture
def pcc_allocation(make_allocation, partners):
    return make_allocation(
        "200000",
        status=Status.COMMITTED,
        mechanism="co_commissioning",
        organisation=partners["host"],
        initiative="The PCC's contribution to the substance misuse pool",
    )


@pytest.fixture
def funded_pool(cfo, pool, partners, pcc_allocation):
    services.pool_contribute(
        actor=cfo,
        pool=pool,
        contributor=partners["opcc"],
        amount="200000",
        status="committed",
        allocation=pcc_allocation,
    )
    services.pool_contribute(
        actor=cfo, pool=pool, contributor=partners["city"], amount="150000", status="committed"
    )
    services.pool_contribute(
        actor=cfo,
        pool=pool,
        contributor=partners["county"],
        amount="100000",
        status="committed",
        conditions="Spent on county residents in proportion",
    )
    return pool


def award(officer, year, pool, partners, amount, status=Status.COMMITTED):
    return services.allocation_create(
        actor=officer,
        year=year,
        amounts={"FY": amount},
        funding=Funding.POOLED,
        pool=pool,
        organisation=partners["provider"],
        initiative="Arrest referral and treatment",
        mechanism="co_commissioning",
        status=status,
    )


def test_three_partners_one_award_and_the_shares_add_up(funded_pool, officer, cfo, year, partners):
    grant = award(officer, year, funded_pool, partners, "360000")
    services.payment_post(
        actor=cfo, allocation=grant, amount=D("90000.01"), period="FY", reason="First quarter"
    )
    report = pool_report(funded_pool)
    assert report.committed == D("450000")
    assert report.awarded == D("360000") and report.paid == D("90000.01")
    assert report.unspent == D("359999.99") and report.not_awarded == D("90000")
    by = {c.contributor: c for c in report.contributions}
    assert [c.awarded for c in report.contributions] == [D("160000"), D("120000"), D("80000")]
    assert sum(c.awarded for c in report.contributions) == report.awarded
    assert sum(c.paid for c in report.contributions) == report.paid
    assert sum(c.unspent for c in report.contributions) == report.unspent
    for c in report.contributions:
        # Each partner's paid and unspent shares make up its contribution exactly.
        assert c.paid + c.unspent == c.amount
    # 90,000.01 in the proportions 4:3:2: the spare penny goes to the largest remainder.
    assert [c.paid for c in report.contributions] == [D("40000.01"), D("30000.00"), D("20000.00")]
    assert by["Test County Council"].conditions == "Spent on county residents in proportion"
    assert report.problems == []


def test_the_pcc_contribution_counts_once_in_the_pcc_tables(
    funded_pool, officer, year, partners, pcc_allocation
):
    before = position(year)
    award(officer, year, funded_pool, partners, "360000")
    after = position(year)
    # The award is the pool's money: the PCC's committed cash is only its own allocation.
    assert after.committed == before.committed == D("200000")
    listed = allocation_list(year, organisation_id=None, chosen={})
    assert listed.grand_total == D("200000") and listed.pooled == D("360000")
    assert {line.reference: line.pooled for line in listed.lines} == {
        pcc_allocation.reference: False,
        listed.lines[1].reference: True,
    }


def test_an_award_cannot_commit_more_than_the_partners_committed(
    funded_pool, officer, cfo, year, partners
):
    services.pool_contribute(
        actor=cfo,
        pool=funded_pool,
        contributor=Organisation.objects.create(
            key="test-rutland", name="Test Rutland", kind=OrganisationKind.COUNCIL
        ),
        amount="50000",
        status="indicative",
    )
    award(officer, year, funded_pool, partners, "400000")
    with pytest.raises(ValidationError) as refused:
        award(officer, year, funded_pool, partners, "50000.01")
    # The indicative £50,000 is not there to spend.
    assert "£450,000 to Substance misuse pool and £400,000 of it is already awarded" in str(
        refused.value.message_dict["amounts"]
    )
    indicative = award(officer, year, funded_pool, partners, "60000", status=Status.INDICATIVE)
    with pytest.raises(ValidationError, match="£50,000 is left"):
        services.allocation_commit(actor=officer, allocation=indicative)
    report = pool_report(funded_pool)
    assert report.indicative == D("50000") and report.awarded == D("400000")
    assert [c.share is None for c in report.contributions] == [False, False, False, True]


def test_a_contribution_over_the_agreed_total_is_refused_naming_the_field(
    funded_pool, cfo, partners
):
    extra = Organisation.objects.create(key="t-x", name="Extra", kind=OrganisationKind.COUNCIL)
    with pytest.raises(ValidationError) as refused:
        services.pool_contribute(
            actor=cfo, pool=funded_pool, contributor=extra, amount="50000.01", status="committed"
        )
    assert refused.value.message_dict["amount"] == [
        "Substance misuse pool's agreed total is £500,000 and £450,000 is already contributed, "
        "so at most £50,000 more can be"
    ]
    assert funded_pool.contributions.count() == 3


def test_every_problem_with_a_contribution_is_reported_at_once(pool, cfo, partners):
    with pytest.raises(ValidationError) as refused:
        services.pool_contribute(
            actor=cfo,
            pool=pool,
            contributor=partners["opcc"],
            amount="lots",
            status="maybe",
            period="Q9",
        )
    errors = refused.value.message_dict
    assert set(errors) == {"amount", "status", "period", "allocation"}
    assert "paid by an allocation of the pot" in errors["allocation"][0]
    assert not pool.contributions.exists()


def test_the_pcc_contribution_must_be_what_its_allocation_pays(
    pool, cfo, partners, pcc_allocation, make_allocation
):
    def refusal(contributor, amount, allocation) -> str:
        with pytest.raises(ValidationError) as refused:
            services.pool_contribute(
                actor=cfo,
                pool=pool,
                contributor=partners[contributor],
                amount=amount,
                status="committed",
                allocation=allocation,
            )
        return refused.value.message_dict["allocation"][0]

    assert "is £200,000, not £150,000" in refusal("opcc", "150000", pcc_allocation)
    elsewhere = make_allocation("150000", status=Status.COMMITTED, mechanism="co_commissioning")
    assert "not the pool's host" in refusal("opcc", "150000", elsewhere)
    assert "Only the PCC's contribution" in refusal("city", "200000", pcc_allocation)
    assert not pool.contributions.exists()


def test_a_pool_is_refused_naming_each_bad_field(cfo, year):
    with pytest.raises(ValidationError) as refused:
        services.pool_create(
            actor=cfo, year=year, name="", host=None, purpose="", agreed_total="-5"
        )
    assert set(refused.value.message_dict) == {"name", "host", "purpose", "agreed_total"}
    assert not Pool.objects.filter(year=year).exists()


def test_a_pooled_award_names_its_pool_and_is_paid_through_an_agreement(
    funded_pool, officer, cfo, year, partners
):
    with pytest.raises(ValidationError) as refused:
        services.allocation_create(
            actor=officer,
            year=year,
            amounts={"FY": "10"},
            funding=Funding.POOLED,
            organisation=partners["provider"],
            initiative="No pool named",
            mechanism="co_commissioning",
            status=Status.COMMITTED,
        )
    assert "pool" in refused.value.message_dict
    grant = award(officer, year, funded_pool, partners, "100000")
    agreement = agreement_services.agreement_draft(actor=officer, allocation=grant)
    assert agreement.maximum_sum == D("100000")
    later = services.financial_year_get_or_create(actor=cfo, label="2032/33")
    stream = services.funding_stream_create(
        actor=cfo, year=later, name="Underspend", amount=D("0"), kind="underspend"
    )
    line = services.budget_line_create(
        actor=cfo, year=later, name="Central pot", mechanism="underspend", amount=D("0")
    )
    with pytest.raises(ValidationError, match="belongs to the pool's contributors"):
        services.underspend_carry(
            actor=cfo, allocation=grant, amount=D("1"), stream=stream, line=line, reason="x"
        )


def test_the_example_pool_has_three_contributors_and_one_award():
    year = year_get("2013/14")
    pool = pool_get(year, "sub-regional-drug-and-alcohol-pool")
    report = pool_report(pool)
    committed = [c for c in report.contributions if c.status == "committed"]
    assert len(committed) == 3 and len(report.awards) == 1
    pcc = next(c for c in report.contributions if c.allocation_reference)
    assert pcc.amount == D("199960") and not pcc.illustrative
    assert all(c.illustrative for c in report.contributions if c is not pcc)
    assert sum(c.awarded for c in committed) == report.awarded == report.awards[0].total
    assert sum(c.unspent for c in committed) == report.unspent
    assert report.problems == []


def test_the_pool_page_shows_the_shares_and_what_is_illustrative(client, officer):
    client.force_login(officer)
    page = client.get(reverse("pool", args=["2013-14", "sub-regional-drug-and-alcohol-pool"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Each partner's share" in text and "Illustrative" in text
    assert "£199,960" in text
    # Each share reads the same on the page and in the download, to two places.
    rows = client.get(
        reverse("pool-download", args=["2013-14", "sub-regional-drug-and-alcohol-pool", "json"])
    ).json()["rows"]
    shares = [r["Share of committed contributions"] for r in rows if r.get("Status") == "Committed"]
    assert len(shares) == 3 and all(re.fullmatch(r"\d+\.\d\d%", s) for s in shares), shares
    for share in shares:
        assert f"{share} of what is committed" in text


def test_the_year_page_lists_its_pools_apart_from_the_pot(client, officer):
    client.force_login(officer)
    text = client.get(reverse("year", args=["2013-14"])).content.decode()
    assert "£569,960 committed by 3 partners, £540,000 awarded" in text


def test_a_contribution_typed_on_the_pool_page_reports_every_error_at_once(
    client, officer, cfo, year, partners, pool
):
    client.force_login(officer)
    url = reverse("pool-contribute", args=[year.slug, pool.slug])
    bad = client.post(url, {"contributor": partners["opcc"].pk, "amount": "ten", "period": "FY"})
    assert bad.status_code == 400
    form = bad.context["form"]
    assert set(form.errors) == {"amount", "status"}
    assert not pool.contributions.exists()
    over = client.post(
        url,
        {
            "contributor": partners["city"].pk,
            "amount": "600,000",
            "period": "H2",
            "status": "committed",
        },
    )
    assert over.status_code == 400
    assert "at most £500,000 more can be" in over.context["form"].errors["amount"][0]
    good = client.post(
        url,
        {
            "contributor": partners["city"].pk,
            "amount": "150,000",
            "period": "H2",
            "status": "committed",
        },
    )
    assert good.status_code == 302
    assert pool.contributions.get().amount == D("150000")


def test_the_panel_sees_a_pool_but_cannot_change_it(client, user_with, year, partners, pool):
    from commissioning.core.roles import Role

    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    page = client.get(reverse("pool", args=[year.slug, pool.slug]))
    assert page.status_code == 200 and page.context["form"] is None
    refused = client.post(
        reverse("pool-contribute", args=[year.slug, pool.slug]),
        {"contributor": partners["city"].pk, "amount": "1", "period": "FY", "status": "committed"},
    )
    assert refused.status_code == 403
    assert not pool.contributions.exists()
    download = client.get(reverse("pool-download", args=[year.slug, pool.slug, "csv"]))
    assert download.status_code == 200
    assert download.content.decode().splitlines()[0].startswith("Partner,Status")


def test_the_allocation_form_records_an_award_from_the_pool(
    client, officer, year, partners, funded_pool
):
    from commissioning.budgets.models import Allocation

    client.force_login(officer)
    url = reverse("allocation-create", args=[year.slug])
    form = client.get(url).content.decode()
    assert "From a pooled budget" in form and "Substance misuse pool" in form
    base = {
        "organisation": partners["provider"].pk,
        "initiative": "Arrest referral",
        "mechanism": "co_commissioning",
        "status": Status.COMMITTED,
        "funding": Funding.POOLED,
    }
    # No pool chosen, and more than the partners committed: both said at once.
    missing = client.post(url, {**base, "amount_FY": "10"})
    assert missing.status_code == 400
    assert "Choose the pooled budget" in missing.content.decode()
    over = client.post(url, {**base, "pool": funded_pool.pk, "amount_FY": "450,000.01"})
    assert over.status_code == 400 and "cannot be awarded from it" in over.content.decode()
    made = client.post(url, {**base, "pool": funded_pool.pk, "amount_FY": "450,000"})
    assert made.status_code == 302
    award = Allocation.objects.get(year=year, funding=Funding.POOLED)
    assert award.pool == funded_pool and pool_report(funded_pool).not_awarded == 0
    detail = client.get(reverse("allocation-detail", args=[award.uuid])).content.decode()
    assert 'id="allocation-pool"' in detail and "not the PCC's budget" in detail


def test_the_allocation_paying_the_pccs_share_is_offered_by_who_what_and_how_much(client, officer):
    client.force_login(officer)
    html = client.get(
        reverse("pool", args=["2013-14", "sub-regional-drug-and-alcohol-pool"])
    ).content.decode()
    select = html[html.index('name="allocation"') :]
    select = select[: select.index("</select>")]
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select)
    assert options, select[:500]
    # Each one names its reference, whom it pays, for what, and its total in the money format.
    for text in options:
        assert re.fullmatch(r"2013/14-\d{4}: .+, .+ \(£\d{1,3}(,\d{3})*(\.\d\d)?\)", text), text
