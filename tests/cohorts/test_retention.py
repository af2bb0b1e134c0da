"""The retention deletion: uploads past the date they are kept until are deleted with their
cohorts and records, each deletion audited (what was deleted, never a pseudonym); a dry run
deletes nothing; only the product itself (the daily job) deletes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from commissioning.cohorts import services
from commissioning.cohorts.models import Cohort, CohortRecord, CohortUpload
from commissioning.core.actors import SYSTEM
from commissioning.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(make_upload):
    today = timezone.localdate()
    soon = make_upload(name="Soon", retain_until=today + dt.timedelta(days=1))
    later = make_upload(name="Later", retain_until=today + dt.timedelta(days=30))
    return soon, later


def test_uploads_are_kept_through_their_retention_date_and_deleted_after(two):
    soon, later = two
    on_the_day = soon.retain_until
    assert services.cohort_prune(actor=SYSTEM, on=on_the_day) == []
    assert CohortUpload.objects.filter(pk=soon.pk).exists()
    [pruned] = services.cohort_prune(actor=SYSTEM, on=on_the_day + dt.timedelta(days=1))
    assert (pruned.name, pruned.records, pruned.cohorts) == ("Soon", 10, 2)
    assert not CohortUpload.objects.filter(pk=soon.pk).exists()
    assert not Cohort.objects.filter(upload_id=soon.pk).exists()
    assert not CohortRecord.objects.filter(cohort__upload_id=soon.pk).exists()
    assert CohortRecord.objects.filter(cohort__upload=later).count() == 10


def test_each_deletion_is_audited_without_a_pseudonym(two):
    soon, _ = two
    services.cohort_prune(actor=SYSTEM, on=soon.retain_until + dt.timedelta(days=1))
    event = AuditEvent.objects.get(action="cohort.delete", object_uuid=soon.uuid)
    assert event.actor_label == "system"
    assert event.before["records"] == 10 and event.before["name"] == "Soon"
    assert "retention date" in event.reason
    assert "P-00" not in str(event.before)
    # The audit trail of the upload outlives it.
    assert AuditEvent.objects.filter(action="cohort.upload", object_uuid=soon.uuid).exists()


def test_a_dry_run_lists_and_deletes_nothing(two):
    soon, later = two
    before = AuditEvent.objects.count()
    found = services.cohort_prune(
        actor=SYSTEM, on=later.retain_until + dt.timedelta(days=1), dry_run=True
    )
    assert [p.name for p in found] == ["Soon", "Later"]
    assert CohortUpload.objects.filter(pk__in=[soon.pk, later.pk]).count() == 2
    assert AuditEvent.objects.count() == before


def test_only_the_product_itself_deletes(two, officer, ceo):
    soon, _ = two
    for person in (officer, ceo):
        with pytest.raises(ValidationError):
            services.cohort_prune(actor=person, on=soon.retain_until + dt.timedelta(days=5))
    assert CohortUpload.objects.filter(pk=soon.pk).exists()


def test_the_prune_command(two):
    soon, later = two
    day = (soon.retain_until + dt.timedelta(days=1)).isoformat()
    out = io.StringIO()
    call_command("cohort", "prune", "--dry-run", "--on", day, stdout=out)
    assert "Would delete Soon (2013/14)" in out.getvalue()
    assert "1 cohort upload(s) past their retention date would be deleted" in out.getvalue()
    assert CohortUpload.objects.filter(pk=soon.pk).exists()
    out = io.StringIO()
    call_command("cohort", "prune", "--on", day, stdout=out)
    assert "Deleted Soon (2013/14): kept until" in out.getvalue()
    assert not CohortUpload.objects.filter(pk=soon.pk).exists()
    assert CohortUpload.objects.filter(pk=later.pk).exists()
