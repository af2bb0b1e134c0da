"""The demo's synthetic cohort: labelled as synthetic, realistic, one cohort small enough to
be withheld, the same every time, made once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commissioning.cohorts.demo import DEMO_NAME, cohorts_ensure, synthetic_file
from commissioning.cohorts.models import CohortUpload
from commissioning.cohorts.selectors import cohort_summary

pytestmark = pytest.mark.django_db


def test_the_synthetic_cohort_is_made_once_and_the_same_each_time():
    assert synthetic_file() == synthetic_file()
    first = cohorts_ensure()
    assert cohorts_ensure().pk == first.pk
    assert CohortUpload.objects.filter(name=DEMO_NAME).count() == 1
    assert first.synthetic and first.uploaded_by is not None


def test_it_has_realistic_cohorts_and_one_too_small_to_judge():
    upload = cohorts_ensure()
    rows = {(m.cohort, m.area_code): m for m in cohort_summary(upload)}
    assert {c for c, _ in rows} == {"16-24", "DYO", "IOM", "PPO", "Troubled Families"}
    families = [m for (c, _), m in rows.items() if c == "Troubled Families"]
    assert families and all(m.suppressed and m.offenders is None for m in families)
    iom = rows[("IOM", "all")]
    assert not iom.suppressed and iom.offenders is not None and iom.offenders > 300
    assert iom.reduction_pct is not None and iom.reduction_pct > 17
    assert not any(m.suppressed for m in (rows[("PPO", "all")], rows[("DYO", "all")]))
    full = {(m.cohort, m.area_code): m for m in cohort_summary(upload, suppress=False)}
    assert 0 < (full[("Troubled Families", "all")].offenders or 0) < 10


def test_the_pages_say_it_is_synthetic(client, officer):
    upload = cohorts_ensure()
    client.force_login(officer)
    for url in (reverse("cohort-list"), reverse("cohort-upload", args=[upload.uuid])):
        assert "Synthetic example data, not real offenders" in client.get(url).content.decode()
