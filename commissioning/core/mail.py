"""Email that never holds a request: every message is queued as a background task.

`QueuedEmailBackend` is the product's EMAIL_BACKEND. Sending (Django's `send_mail`, a password
reset, `EmailMessage.send()`) turns each message into plain data (subject, body, from, to, cc,
bcc, reply-to, headers, alternatives such as an HTML part, attachments as base64) and enqueues
`deliver_email` once the current transaction commits (at once outside one). The worker then
delivers it through the backend named by EMAIL_DELIVERY_BACKEND: the console in the demo and on
a laptop, SMTP in production (COMMISSIONING_EMAIL_* in the environment; see docs/deploy.md).
A message that cannot be delivered leaves a failed task, logged with its error.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from email.mime.base import MIMEBase
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django_tasks import task


def message_data(message: EmailMessage) -> dict[str, Any]:
    """A message as JSON-ready data, everything needed to send it again elsewhere."""
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            raise ValueError("MIME attachments cannot be queued: attach (filename, content, type)")
        filename, content, mimetype = attachment
        raw = content.encode() if isinstance(content, str) else bytes(content)
        attachments.append([filename, base64.b64encode(raw).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email or settings.DEFAULT_FROM_EMAIL),
        "to": [str(a) for a in message.to],
        "cc": [str(a) for a in message.cc],
        "bcc": [str(a) for a in message.bcc],
        "reply_to": [str(a) for a in message.reply_to],
        "headers": {str(k): str(v) for k, v in (message.extra_headers or {}).items()},
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), str(mimetype)]
            for content, mimetype in getattr(message, "alternatives", []) or []
        ],
        "attachments": attachments,
    }


def message_from_data(data: dict[str, Any], connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
        connection=connection,
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, encoded, mimetype in data["attachments"]:
        message.attach(filename, base64.b64decode(encoded), mimetype)
    return message


@task()
def deliver_email(message: dict[str, Any]) -> int:
    """Send one queued message through the delivery backend; an error fails the task."""
    connection = get_connection(settings.EMAIL_DELIVERY_BACKEND, fail_silently=False)
    return message_from_data(message, connection).send()


class QueuedEmailBackend(BaseEmailBackend):
    """EMAIL_BACKEND: queue each message for the worker instead of talking to a mail server."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        queued = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                data = message_data(message)
                transaction.on_commit(
                    partial(deliver_email.enqueue, data), robust=self.fail_silently
                )
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            queued += 1
        return queued
