"""For tests only: sessions made by the test client's `force_login` count as having given
their second factor.

`trust_forced_logins()` (called by the tests' `user_with` fixture) connects a receiver to
`user_logged_in` that acts only when the request is a bare `HttpRequest`, which is what
`Client.force_login` builds in the test's own process. Every request that comes over HTTP,
and every request the test client sends, is a `WSGIRequest`, so a real sign-in still has to
give its code: the check itself (`middleware.SecondFactorMiddleware`, django-otp's
`is_verified`) is unchanged, and this module is connected by nothing in the product.
"""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest

DISPATCH_UID = "commissioning.accounts.testing.forced_login_verified"


def _verify_forced_login(sender, request, user, **kwargs) -> None:
    if type(request) is not HttpRequest or not hasattr(request, "session"):
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .mfa import TOTP_NAME, new_key

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, key=new_key(), name=TOTP_NAME)
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def trust_forced_logins() -> None:
    user_logged_in.connect(_verify_forced_login, dispatch_uid=DISPATCH_UID)


def totp_code(key_hex: str, step_offset: int = 0) -> str:
    """The code an authenticator app shows now for `key_hex` (django-otp's own TOTP)."""
    import binascii

    from django_otp.oath import TOTP

    totp = TOTP(binascii.unhexlify(key_hex))
    totp.drift = step_offset
    return f"{totp.token():06d}"
