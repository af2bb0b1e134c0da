"""Strong sign-in in the browser, typed as a person would, against its own
`commissioning demo` (so lockouts here touch no other journey): the TOTP set-up page with
its QR code, the code prompt, a staff sign-in with the code, the lockout after five wrong
passwords, and a password reset by email to the console backend. Screenshots go to
$SIGNIN_SHOTS (default var/screenshots/)."""

from __future__ import annotations

import base64
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.journey import Demo, running_demo

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SIGNIN_SHOTS", ROOT / "var" / "screenshots"))


@pytest.fixture(scope="module")
def signin_demo(tmp_path_factory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("signin-demo")) as running:
        yield running


@pytest.fixture
def tab(browser: Any, watched_context) -> Iterator[Any]:
    """A page of its own (no code entered for anyone), watched as `page` is."""
    with watched_context(browser) as context:
        yield context.new_page()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def code_for(secret_b32: str, step_offset: int = 0) -> str:
    from django_otp.oath import TOTP

    secret = secret_b32.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.drift = step_offset
    return f"{totp.token():06d}"


def sign_in(page, demo: Demo, username: str, password: str) -> None:
    page.goto(demo.url + "sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()


def test_a_new_officer_sets_up_totp_then_signs_in_with_a_code(tab, signin_demo, assert_accessible):
    page, demo = tab, signin_demo
    demo.command(
        "shell",
        "-c",
        "from commissioning.accounts.services import user_create;"
        "from commissioning.core.actors import COMMAND_LINE;"
        "user_create(actor=COMMAND_LINE, username='new.officer', password='new-officer-pass',"
        " full_name='Nia Newofficer', roles=['commissioning_officer'])",
    )
    page.goto(demo.url + "sign-in/")
    shot(page, "signin-01-sign-in")
    assert_accessible(page)
    sign_in(page, demo, "new.officer", "new-officer-pass")
    assert "/sign-in/set-up/" in page.url
    page.goto(demo.url + "years/")  # no staff page until it is set up
    assert "/sign-in/set-up/" in page.url
    qr = page.locator("#qr-code")
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.naturalWidth") > 0  # the QR code rendered under the CSP
    secret = page.locator("#totp-secret").inner_text().strip()
    shot(page, "signin-02-totp-setup")
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(code_for(secret))
    page.get_by_role("button", name="Turn on").click()
    assert "Your authenticator app is set up" in page.inner_text("main")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    shot(page, "signin-03-recovery-codes")
    assert_accessible(page)
    page.goto(demo.url + "years/")
    assert page.get_by_role("heading", name="Financial years").count() or "/years/" in page.url

    sign_out(page)
    sign_in(page, demo, "new.officer", "new-officer-pass")
    page.goto(demo.url + "years/")
    assert "/sign-in/code/" in page.url
    shot(page, "signin-04-code-prompt")
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(code_for(secret, 1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert page.url.endswith("/years/")

    # Recovery code instead of the phone.
    sign_out(page)
    sign_in(page, demo, "new.officer", "new-officer-pass")
    page.get_by_label("Code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    assert "recovery code" in page.inner_text("main")


def test_demo_staff_sign_in_with_the_printed_secret(tab, signin_demo):
    from commissioning.accounts.mfa import DEMO_TOTP_SECRET

    page, demo = tab, signin_demo
    sign_in(page, demo, "cfo", "demo-cfo-pass")
    assert "/sign-in/code/" in page.url
    page.get_by_label("Code from your authenticator app").fill(code_for(DEMO_TOTP_SECRET))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    page.goto(demo.url + "years/2013-14/")
    assert page.get_by_role("heading", name="2013/14 commissioning budget").is_visible()


def test_five_wrong_passwords_lock_signing_in(tab, signin_demo, assert_accessible):
    page, demo = tab, signin_demo
    for _ in range(5):
        sign_in(page, demo, "panel", "not-the-password")
    message = page.locator("#locked").inner_text()
    assert "locked for 15 minutes" in message
    shot(page, "signin-05-lockout")
    assert_accessible(page)
    sign_in(page, demo, "panel", "demo-panel-pass")  # the right password, still locked
    assert page.locator("#locked").count() == 1


def test_password_reset_by_email_to_the_console(tab, signin_demo, assert_accessible):
    page, demo = tab, signin_demo
    page.goto(demo.url + "sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email address").fill("partner@demo.opcc.invalid")
    page.get_by_role("button", name="Send the link").click()
    assert "If there is an account with the address you gave" in page.inner_text("main")
    shot(page, "signin-06-password-reset-sent")
    assert_accessible(page)
    deadline = time.monotonic() + 10
    link = None
    while link is None and time.monotonic() < deadline:
        found = re.search(r"(http://\S+/password-reset/\S+/\S+/)", demo.printed())
        link = found.group(1) if found else None
        time.sleep(0.2)
    assert link, demo.printed()[-2000:]
    page.goto(link)
    page.get_by_label("New password", exact=True).fill("a brand new passphrase")
    page.get_by_label("New password confirmation").fill("a brand new passphrase")
    shot(page, "signin-07-password-reset-new")
    page.get_by_role("button", name="Save the new password").click()
    assert "Your password has been changed" in page.inner_text("main")
    shot(page, "signin-08-password-reset-done")
    sign_in(page, demo, "partner", "a brand new passphrase")
    assert "Parveen Partner" in page.content()
    # The same page for an address no account has, and no email for it.
    before = demo.printed().count("Subject: Reset your password")
    page.goto(demo.url + "password-reset/")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_role("button", name="Send the link").click()
    assert "If there is an account with the address you gave" in page.inner_text("main")
    time.sleep(1)
    assert demo.printed().count("Subject: Reset your password") == before
