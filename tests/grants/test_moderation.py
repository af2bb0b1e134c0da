"""The moderation view: per reviewer, how many they scored, their mean weighted score and how
far they sit from the other reviewers of the same applications; per application, the range of
its reviewers' scores with wide spreads flagged. A conflicted reviewer's score never counts,
and the page costs the same number of queries whatever the number of applications."""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioning.core.roles import Role
from commissioning.grants import review, selectors

from .helpers import score, screened_in

pytestmark = pytest.mark.django_db

# (application, reviewer) -> (Need, Value for money) on 0..5, or None for a declared conflict
TABLE = {
    (0, 0): (5, 5),
    (0, 1): (1, 1),
    (0, 2): (3, 4),
    (1, 0): (4, 4),
    (1, 1): (4, 3),
    (1, 2): None,
    (2, 0): (2, 2),
    (2, 1): (2, 3),
    (2, 2): (5, 5),
}


def expected_weighted(values, weights, scale):
    total = sum(w * v for w, v in zip(weights, values, strict=True))
    return (D(total) / scale).quantize(D("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture
def scored(grant_round, officer, user_with):
    apps = [a for a, _ in screened_in(grant_round, officer, user_with, 3)]
    reviewers = [user_with(Role.REVIEWER) for _ in range(3)]
    review.reviewers_assign(
        actor=officer, round=grant_round, reviewers_by_theme={None: reviewers}, per_application=3
    )
    for (i, j), values in TABLE.items():
        assignment = apps[i].assignments.get(reviewer=reviewers[j])
        if values is None:
            review.conflict_declare(
                actor=reviewers[j], assignment=assignment, has_conflict=True, details="Trustee"
            )
        else:
            score(assignment, values)
    return apps, reviewers


def test_each_reviewers_spread_and_each_applications_range(grant_round, scored):
    apps, reviewers = scored
    weights = [c.weight for c in grant_round.criteria.all()]
    assert weights == [D(60), D(40)]
    w = {
        key: expected_weighted(values, weights, grant_round.scale_max)
        for key, values in TABLE.items()
        if values is not None
    }
    assert w[(0, 0)] == D("100.00") and w[(0, 1)] == D("20.00"), "all 5s is 100%, all 1s 20%"

    per_reviewer, per_application = selectors.moderation(grant_round, threshold=D(20))

    by_app = {s.application.pk: s for s in per_application}
    for i, app in enumerate(apps):
        values = [v for (a, _), v in w.items() if a == i]
        s = by_app[app.pk]
        assert (s.low, s.high, s.spread) == (min(values), max(values), max(values) - min(values))
        assert s.flagged == (max(values) - min(values) > 20)
        assert sorted(v for _, v in s.scores) == sorted(values)
        if i == 1:
            assert reviewers[2] not in [r for r, _ in s.scores], "a conflict never counts"
    assert [s.spread for s in per_application] == sorted(
        (s.spread for s in per_application), reverse=True
    )

    by_reviewer = {r.reviewer.pk: r for r in per_reviewer}
    for j, reviewer in enumerate(reviewers):
        mine = {a: v for (a, r), v in w.items() if r == j}
        row = by_reviewer[reviewer.pk]
        assert row.scored == len(mine)
        assert row.mean == (sum(mine.values()) / len(mine)).quantize(D("0.01"))
        diffs = []
        for a, value in mine.items():
            others = [v for (b, r), v in w.items() if b == a and r != j]
            diffs.append(value - sum(others) / len(others))
        assert row.compared == len(diffs)
        assert row.difference == (sum(diffs) / len(diffs)).quantize(
            D("0.01"), rounding=ROUND_HALF_UP
        )
    assert by_reviewer[reviewers[2].pk].scored == 2, "the conflicted application is left out"

    # the moderated score agrees with the panel's
    moderated = {s.application.pk: s.moderated for s in selectors.score_summaries(grant_round)}
    assert {pk: s.moderated for pk, s in by_app.items()} == moderated


def test_a_higher_threshold_flags_fewer(grant_round, scored):
    _, wide = selectors.moderation(grant_round, threshold=D(20))
    _, none = selectors.moderation(grant_round, threshold=D(100))
    assert any(s.flagged for s in wide) and not any(s.flagged for s in none)


def test_moderation_costs_the_same_queries_for_more_applications(
    grant_round, scored, officer, user_with
):
    with CaptureQueriesContext(connection) as few:
        selectors.moderation(grant_round)
    more = [a for a, _ in screened_in(grant_round, officer, user_with, 3, prefix="more")]
    extra = [user_with(Role.REVIEWER) for _ in range(2)]
    review.reviewers_assign(
        actor=officer, round=grant_round, reviewers_by_theme={None: extra}, per_application=2
    )
    for app in more:
        for assignment in app.assignments.all():
            score(assignment, (3, 2))
    with CaptureQueriesContext(connection) as many:
        _, rows = selectors.moderation(grant_round)
    assert len(rows) == 6
    assert len(many) == len(few) <= 3


def test_the_moderation_page(client, officer, grant_round, scored, user_with):
    apps, _ = scored
    url = reverse("round-moderation", args=[grant_round.reference])
    client.force_login(user_with(Role.REVIEWER))
    assert client.get(url).status_code == 403
    client.force_login(officer)
    dashboard = client.get(reverse("round-dashboard", args=[grant_round.reference]))
    assert url in dashboard.content.decode()
    page = client.get(url)
    html = page.content.decode()
    _, rows = selectors.moderation(grant_round)
    flagged = sum(1 for r in rows if r.flagged)
    assert flagged and html.count("wide spread") == flagged
    for app in apps:
        assert app.reference in html
    assert html.count('<th scope="row" class="govuk-table__header">Test reviewer') == 3
    calm = client.get(url, {"threshold": "100"}).content.decode()
    assert "wide spread" not in calm and "0 over 100 points" in calm
    bad = client.get(url, {"threshold": "lots"})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
