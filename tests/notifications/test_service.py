"""`notify`: one notification in the product per person, and an email queued for each
person whose choice allows it, both inside the caller's transaction."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from commissioning.core.actors import SYSTEM
from commissioning.core.models import AuditEvent, Message
from commissioning.core.roles import Role
from commissioning.notifications.models import EmailChoice, Kind, Notification
from commissioning.notifications.services import email_choices_set, notify, people_with

pytestmark = pytest.mark.django_db

LINK = "/reviews/"


def _notify(users, kind=Kind.REVIEW_ASSIGNED, message="Applications to review"):
    with transaction.atomic():
        return notify(users=users, message=message, link=LINK, kind=kind)


def test_notify_writes_the_notification_and_queues_the_email(
    person, django_capture_on_commit_callbacks
):
    """Each person gets one unread notification and one email (kept as a Message), sent only
    once the transaction commits."""
    a, b = person(Role.REVIEWER), person(Role.REVIEWER)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        made = _notify([a, b, a])
        assert mail.outbox == [], "nothing is sent before the commit"
    assert len(made) == 2 and len(callbacks) == 2
    for user in (a, b):
        (note,) = Notification.objects.filter(recipient=user)
        assert note.message == "Applications to review" and note.link == LINK
        assert note.read_at is None and note.emailed and note.kind == Kind.REVIEW_ASSIGNED
        (message,) = Message.objects.filter(recipient=user)
        assert message.about_uuid == note.uuid and message.to_address == user.email
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert all("Applications to review" in m.body for m in mail.outbox)


def test_no_email_for_someone_who_chose_the_product_only(
    person, django_capture_on_commit_callbacks
):
    """Turning a kind off stops its email, not the notification, and not other kinds."""
    keen, quiet = person(Role.PCC), person(Role.PCC)
    email_choices_set(actor=quiet, emailed=[Kind.DECISION_TO_SIGN])  # awards turned off
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _notify([keen, quiet], kind=Kind.AWARDS_TO_APPROVE)
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert Notification.objects.get(recipient=quiet).emailed is False
    assert not Message.objects.filter(recipient=quiet).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _notify([quiet], kind=Kind.DECISION_TO_SIGN)
    assert [m.to for m in mail.outbox] == [[quiet.email]]


def test_no_email_without_an_address_but_the_notification_is_kept(
    person, django_capture_on_commit_callbacks
):
    nobody = person(Role.REVIEWER, email=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _notify([nobody])
    assert mail.outbox == []
    assert Notification.objects.get(recipient=nobody).emailed is False


def test_a_rolled_back_change_leaves_no_notification_and_sends_nothing(
    person, django_capture_on_commit_callbacks
):
    reviewer = person(Role.REVIEWER)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            notify(users=[reviewer], message="Work", link=LINK, kind=Kind.REVIEW_ASSIGNED)
            assert Notification.objects.filter(recipient=reviewer).exists()
            raise RuntimeError("the change failed")
    assert not Notification.objects.filter(recipient=reviewer).exists() and mail.outbox == []


def test_notify_skips_the_system_and_people_no_longer_active(person):
    reviewer = person(Role.REVIEWER)
    reviewer.is_active = False
    reviewer.save()
    assert _notify([SYSTEM, reviewer]) == []


def test_people_with_finds_active_holders_of_a_role_in_an_organisation(person, organisation):
    ours = person(Role.PARTNER, organisation=organisation)
    person(Role.PARTNER)  # of no organisation
    person(Role.REVIEWER, organisation=organisation)  # a reviewer, not a partner
    gone = person(Role.PARTNER, organisation=organisation)
    gone.is_active = False
    gone.save()
    assert list(people_with(Role.PARTNER, organisation=organisation)) == [ours]


def test_email_choices_are_saved_and_audited(person):
    """The choice is one row per kind offered, and one audit event with before and after."""
    pcc = person(Role.PCC)
    email_choices_set(actor=pcc, emailed=[Kind.DECISION_TO_SIGN])
    rows = dict(EmailChoice.objects.filter(user=pcc).values_list("kind", "email"))
    assert rows == {Kind.AWARDS_TO_APPROVE: False, Kind.DECISION_TO_SIGN: True}
    event = AuditEvent.objects.get(action="notification.email_choices")
    assert event.object_uuid == pcc.uuid
    assert event.before == {"emailed": sorted([Kind.AWARDS_TO_APPROVE, Kind.DECISION_TO_SIGN])}
    assert event.after == {"emailed": [Kind.DECISION_TO_SIGN]}


def test_a_kind_the_roles_do_not_receive_cannot_be_chosen(person):
    from django.core.exceptions import ValidationError

    partner = person(Role.PARTNER)
    with pytest.raises(ValidationError):
        email_choices_set(actor=partner, emailed=[Kind.DECISION_TO_SIGN])
    assert not EmailChoice.objects.exists()


def test_nobody_is_told_of_work_loaded_quietly(person, django_capture_on_commit_callbacks):
    """The demo loads the example's past activity inside `quiet()`: no notification and no
    email; outside it, notifying works again."""
    from commissioning.notifications.services import quiet

    reviewer = person(Role.REVIEWER)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), quiet():
        assert _notify([reviewer]) == []
    assert not Notification.objects.filter(recipient=reviewer).exists()
    assert mail.outbox == []
    assert len(_notify([reviewer])) == 1


def test_pruning_removes_only_notifications_read_long_ago(person):
    """What `jobs daily` runs with NOTIFICATIONS_KEEP_DAYS."""
    import datetime as dt

    from django.utils import timezone

    from commissioning.notifications.services import notifications_prune

    someone = person(Role.REVIEWER)
    old_read, recent_read, old_unread = _notify([someone]), _notify([someone]), _notify([someone])
    now = timezone.now()
    Notification.objects.filter(pk=old_read[0].pk).update(read_at=now - dt.timedelta(days=91))
    Notification.objects.filter(pk=recent_read[0].pk).update(read_at=now - dt.timedelta(days=89))
    Notification.objects.filter(pk=old_unread[0].pk).update(created_at=now - dt.timedelta(days=400))
    assert notifications_prune(actor=SYSTEM, keep_days=90) == 1
    assert set(Notification.objects.filter(recipient=someone).values_list("pk", flat=True)) == {
        recent_read[0].pk,
        old_unread[0].pk,
    }
    (event,) = AuditEvent.objects.filter(action="notification.prune")
    assert event.after["deleted"] == 1
    # Run again: nothing more to remove, and nothing audited.
    assert notifications_prune(actor=SYSTEM, keep_days=90) == 0
    assert AuditEvent.objects.filter(action="notification.prune").count() == 1
