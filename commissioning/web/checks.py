"""Checks a deployment must pass: `check --deploy` reports them, and the server refuses to
start on the public demo key."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

DEMO_KEY_MESSAGE = (
    "COMMISSIONING_SECRET_KEY is not set, so the product would sign sessions and password "
    "reset links with the demo key, which is public. Set COMMISSIONING_SECRET_KEY to a long "
    "random value (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
)


def using_demo_key() -> bool:
    return settings.SECRET_KEY == settings.DEMO_SECRET_KEY


def refuse_demo_key() -> None:
    """Refuse to serve on the demo key, unless this is the demo (or Django's debug mode)."""
    if using_demo_key() and not (settings.DEMO or settings.DEBUG):
        raise ImproperlyConfigured(DEMO_KEY_MESSAGE)


@register(Tags.security, deploy=True)
def secret_key_check(app_configs, **kwargs) -> list[Error]:
    if using_demo_key():
        return [Error(DEMO_KEY_MESSAGE, id="commissioning.E001")]
    return []
