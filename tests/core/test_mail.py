"""`core.mail.QueuedEmailBackend`: sending an email queues it as a task once the transaction
commits (nothing if it rolls back), and the task delivers the same message (subject, body,
addresses, headers, an HTML alternative, an attachment) through EMAIL_DELIVERY_BACKEND."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction

from commissioning.core.mail import message_data, message_from_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(settings):
    settings.EMAIL_BACKEND = "commissioning.core.mail.QueuedEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()


def test_a_message_is_delivered_after_the_transaction_commits(
    queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        assert send_mail("Your grant", "Dear Test,", None, ["a@example.org"]) == 1
    assert mail.outbox == []  # queued, not sent, while the request goes on
    for callback in callbacks:
        callback()  # the immediate task backend runs the delivery here
    [sent] = mail.outbox
    assert (sent.subject, sent.body, sent.to) == ("Your grant", "Dear Test,", ["a@example.org"])
    assert sent.from_email == "commissioning@opcc.invalid"


def test_nothing_is_queued_when_the_transaction_rolls_back(
    queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                send_mail("Never", "Rolled back", None, ["a@example.org"])
                raise RuntimeError("the service failed")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []


def test_the_whole_message_survives_the_queue(queued, django_capture_on_commit_callbacks):
    message = EmailMultiAlternatives(
        "Reset your password",
        "Open the link",
        "opcc@example.org",
        ["a@example.org"],
        cc=["b@example.org"],
        bcc=["c@example.org"],
        reply_to=["help@example.org"],
        headers={"X-Commissioning": "reset"},
    )
    message.attach_alternative("<p>Open the link</p>", "text/html")
    message.attach("terms.txt", b"Terms \xe2\x80\x94 in full", "text/plain")
    data = message_data(message)
    assert json.loads(json.dumps(data)) == data  # plain JSON, as the task table keeps it
    with django_capture_on_commit_callbacks(execute=True):
        message.send()
    [sent] = mail.outbox
    again = message_from_data(data)
    for field in ("subject", "body", "from_email", "to", "cc", "bcc", "reply_to"):
        assert getattr(sent, field) == getattr(message, field) == getattr(again, field)
    assert sent.extra_headers == {"X-Commissioning": "reset"}
    assert sent.alternatives == [("<p>Open the link</p>", "text/html")]
    assert [(a[0], a[1], a[2]) for a in sent.attachments] == [
        ("terms.txt", "Terms — in full", "text/plain")
    ]
