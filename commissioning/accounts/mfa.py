"""The second factor: TOTP (an authenticator app) with recovery codes, through django-otp.

Required for OPCC staff (the PCC, Chief Executive, CFO and commissioning officers): after
their password they set it up on their first sign-in and enter a code every sign-in after
(`middleware.SecondFactorMiddleware` lets them reach nothing else until then). Offered to
everyone else; once someone has set it up, it is required for them too.

Set-up writes nothing until the person proves their app works: the set-up page carries the
new key signed (`setup_key_sign`), and only a correct code for it creates the confirmed
device, with ten single-use recovery codes shown once.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from django.core import signing
from django.db import transaction
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from commissioning.core.audit import audit_record
from commissioning.core.roles import STAFF_ROLES

RECOVERY_CODES = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
SETUP_SALT = "commissioning.accounts.totp-setup"
SETUP_MAX_AGE = 15 * 60  # seconds a set-up page's key stays usable

# The demo's staff share one known secret, so a tester can add it to an authenticator app
# once (README). Only `demo_users_ensure` uses it: never a real account.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test key, hex
DEMO_TOTP_SECRET = base64.b32encode(binascii.unhexlify(DEMO_TOTP_KEY)).decode()


def second_factor_required(user) -> bool:
    """Staff must use a second factor; anyone who has set one up must use it too."""
    if not (user and user.is_authenticated):
        return False
    return user.has_role(*STAFF_ROLES) or has_second_factor(user)


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(request) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def new_key() -> str:
    """A fresh 20-byte TOTP key, hex as django-otp stores it."""
    return secrets.token_hex(20)


def secret_text(key_hex: str) -> str:
    """The key as an authenticator app takes it typed in: base32, in groups of four."""
    b32 = base64.b32encode(binascii.unhexlify(key_hex)).decode().rstrip("=")
    return " ".join(b32[i : i + 4] for i in range(0, len(b32), 4))


def config_url(user, key_hex: str) -> str:
    device = TOTPDevice(user=user, key=key_hex, name=TOTP_NAME)
    return device.config_url  # otpauth://totp/issuer:username?secret=...&issuer=...


def qr_data_uri(url: str) -> str:
    """The QR code as an SVG data: URI, which the Content-Security-Policy allows (img-src
    'self' data:) with no inline style or script."""
    import segno  # here, not at start-up: the middleware imports this module

    return segno.make(url, error="m").svg_data_uri(scale=5, border=4, dark="#0b0c0c")


def setup_key_sign(user, key_hex: str) -> str:
    return signing.dumps({"u": user.pk, "k": key_hex}, salt=SETUP_SALT)


def setup_key_read(user, signed: str) -> str | None:
    try:
        data = signing.loads(signed, salt=SETUP_SALT, max_age=SETUP_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("u") != user.pk:
        return None
    return data.get("k")


def code_matches(key_hex: str, code: str) -> int | None:
    """For a key not yet saved (set-up): the time step whose code `code` is (the current
    one, or one either side), or None."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = TOTP(binascii.unhexlify(key_hex))
    for offset in (-1, 0, 1):
        totp.drift = offset
        if totp.token() == int(code):
            return totp.t()
    return None


def totp_confirm(*, user, key_hex: str, step: int) -> tuple[TOTPDevice, list[str]]:
    """Save `user`'s authenticator (replacing any before it) and a fresh set of recovery
    codes; return the device and the codes, to be shown once. The caller has checked the
    code of time step `step` for the key: that code may not be used again."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user, key=key_hex, name=TOTP_NAME, confirmed=True, last_t=step
        )
        codes = _recovery_codes_replace(user)
        audit_record(actor=user, action="user.second_factor_set_up", obj=user, after={})
    return device, codes


def recovery_codes_renew(*, user) -> list[str]:
    """New recovery codes for someone with an authenticator; the old ones stop working."""
    with transaction.atomic():
        codes = _recovery_codes_replace(user)
        audit_record(actor=user, action="user.recovery_codes_renewed", obj=user, after={})
    return codes


def _recovery_codes_replace(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=c) for c in codes)
    return codes


def _recovery_code() -> str:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
    return "".join(secrets.choice(alphabet) for _ in range(10))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def device_verifying(user, code: str):
    """The user's device that accepts `code` (authenticator code or recovery code), or None.
    Each device's own throttling (django-otp's growing delay after failures) applies."""
    code = "".join(code.split()).lower()
    if not code:
        return None
    for device in devices_for_user(user, confirmed=True):
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(code):
            return device
    return None


def demo_device_ensure(user) -> None:
    """The demo's staff: a confirmed authenticator with the demo's known secret."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, key=DEMO_TOTP_KEY, name=TOTP_NAME, confirmed=True)
