"""The code the demo's staff authenticator shows, for journeys that sign in as demo staff."""

from __future__ import annotations

import time

_LAST_STEP: dict[str, int] = {}  # username -> the last TOTP step a code was given for


def demo_totp_code(username: str) -> str:
    """The code the demo's staff authenticator shows (the demo's known secret, django-otp's
    TOTP), never one already used by `username`: a code works once, so a second sign-in
    within the same 30 seconds takes the next step's code (accepted one step either side),
    and a third waits for the clock."""
    import binascii

    from django_otp.oath import TOTP

    from commissioning.accounts.mfa import DEMO_TOTP_KEY

    totp = TOTP(binascii.unhexlify(DEMO_TOTP_KEY))
    step = max(totp.t(), _LAST_STEP.get(username, -1) + 1)
    while step > totp.t() + 1:
        time.sleep(1)
        totp.time = time.time()
    _LAST_STEP[username] = step
    totp.drift = step - totp.t()
    return f"{totp.token():06d}"
