"""Strong sign-in (issue 13): lockout, the second factor, password reset, idle expiry,
password rules and registration that names nothing that exists. Every sign-in here goes
through the pages (no `force_login`), so the second-factor check is the real one."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from commissioning.accounts import mfa
from commissioning.accounts.middleware import LAST_SEEN
from commissioning.accounts.testing import totp_code
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role

pytestmark = pytest.mark.django_db

PASSWORD = "x-test-password"
STAFF_PAGE = "/years/"


def sign_in(client, user, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": password}, **extra)


def set_up(client) -> tuple[str, list[str]]:
    """Through the set-up page as a person would: read the key, enter the app's code."""
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, allowed by img-src data:
    secret = re.search(r'id="totp-secret"><code>([A-Z2-7 ]+)</code>', html).group(1)
    signed = page.context["form"].initial["key"]
    key_hex = mfa.setup_key_read(page.context["user"], signed)
    assert mfa.secret_text(key_hex) == secret
    done = client.post(
        reverse("two-factor-setup"), {"key": signed, "otp_token": totp_code(key_hex)}
    )
    assert done.status_code == 200, done.content.decode()[:2000]
    return key_hex, list(done.context["codes"])


@pytest.mark.parametrize(
    "role", [Role.PCC, Role.CHIEF_EXECUTIVE, Role.CFO, Role.COMMISSIONING_OFFICER]
)
def test_staff_set_up_a_second_factor_before_any_staff_page(user_with, role):
    client = Client()
    user = user_with(role)
    response = sign_in(client, user)
    assert response.status_code == 302
    # Every page, staff or public, sends them to set-up until they have.
    for url in (STAFF_PAGE, "/", "/plan/", "/history/"):
        detour = client.get(url)
        assert detour.status_code == 302 and detour["Location"].startswith("/sign-in/set-up/")
    _key_hex, codes = set_up(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(STAFF_PAGE).status_code == 200
    assert TOTPDevice.objects.get(user=user).confirmed
    assert AuditEvent.objects.filter(action="user.second_factor_set_up").exists()


def test_staff_enter_a_code_every_sign_in_and_a_wrong_code_is_refused(user_with):
    user = user_with(Role.CFO)
    client = Client()
    sign_in(client, user)
    key_hex, _codes = set_up(client)
    client.post(reverse("logout"))

    client = Client()
    assert sign_in(client, user)["Location"] == "/"
    prompt = client.get(STAFF_PAGE)
    assert prompt["Location"] == "/sign-in/code/?next=%2Fyears%2F"
    assert client.get(prompt["Location"]).status_code == 200
    wrong = client.post(reverse("two-factor-code"), {"otp_token": "000000", "next": STAFF_PAGE})
    assert wrong.status_code == 400 and "not right" in wrong.content.decode()
    assert client.get(STAFF_PAGE).status_code == 302
    device = TOTPDevice.objects.get(user=user)
    device.throttle_reset()
    good = client.post(
        reverse("two-factor-code"), {"otp_token": totp_code(key_hex, 1), "next": STAFF_PAGE}
    )
    assert good.status_code == 302 and good["Location"] == STAFF_PAGE
    assert client.get(STAFF_PAGE).status_code == 200


def test_a_recovery_code_works_once(user_with):
    user = user_with(Role.PCC)
    client = Client()
    sign_in(client, user)
    _, codes = set_up(client)
    for attempt in range(2):
        client = Client()
        sign_in(client, user)
        response = client.post(reverse("two-factor-code"), {"otp_token": codes[0]})
        if attempt == 0:
            assert response.status_code == 302
            assert client.get(STAFF_PAGE).status_code == 200
        else:
            assert response.status_code == 400
    assert StaticToken.objects.filter(device__user=user).count() == 9


def test_others_are_offered_it_and_once_set_up_must_use_it(user_with, organisation):
    partner = user_with(Role.PARTNER, organisation=organisation)
    client = Client()
    sign_in(client, partner)
    assert client.get("/our-allocations/").status_code == 200  # no second factor asked
    security = client.get(reverse("account-security"))
    assert "Set up an authenticator app" in security.content.decode()
    set_up(client)
    client = Client()
    sign_in(client, partner)
    assert client.get("/our-allocations/")["Location"].startswith("/sign-in/code/")


def test_setting_up_writes_nothing_until_the_code_matches(user_with):
    user = user_with(Role.COMMISSIONING_OFFICER)
    client = Client()
    sign_in(client, user)
    before = AuditEvent.objects.count()
    page = client.get(reverse("two-factor-setup"))
    assert not TOTPDevice.objects.filter(user=user).exists()
    wrong = client.post(
        reverse("two-factor-setup"),
        {"key": page.context["form"].initial["key"], "otp_token": "123456"},
    )
    assert wrong.status_code == 400
    forged = client.post(
        reverse("two-factor-setup"),
        {"key": "not-signed", "otp_token": totp_code("00" * 20)},
    )
    assert forged.status_code == 400
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEvent.objects.count() == before


def test_the_second_factor_pages_need_csrf(user_with):
    user = user_with(Role.CFO)
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    token = page.cookies["csrftoken"].value
    client.post(
        reverse("login"),
        {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    setup = client.get(reverse("two-factor-setup"))
    key = setup.context["form"].initial["key"]
    key_hex = mfa.setup_key_read(user, key)
    refused = client.post(
        reverse("two-factor-setup"), {"key": key, "otp_token": totp_code(key_hex)}
    )
    assert refused.status_code == 403
    assert not TOTPDevice.objects.filter(user=user).exists()


# Lockout -------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_with_a_message_that_names_nobody(user_with):
    user = user_with(Role.REVIEWER)
    client = Client()
    for _ in range(4):
        assert sign_in(client, user, "wrong-password").status_code == 200
    locked = sign_in(client, user, "wrong-password")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "locked for 15 minutes" in text
    # The right password is refused while locked, from another address too.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(other, user).status_code == 429
    # A username nobody has gets the very same page.
    ghost = Client(REMOTE_ADDR="10.0.0.10")
    for _ in range(5):
        response = ghost.post(reverse("login"), {"username": "nobody-here", "password": "x"})
    assert response.status_code == 429
    strip = lambda html: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)  # noqa: E731
    assert strip(response.content.decode()) == strip(text)


def test_one_address_is_locked_after_twenty_failures_across_usernames(user_with):
    user = user_with(Role.PARTNER)
    client = Client(REMOTE_ADDR="192.0.2.7")
    for n in range(19):
        assert (
            client.post(reverse("login"), {"username": f"guess{n}", "password": "x"}).status_code
            == 200
        )
    assert (
        client.post(reverse("login"), {"username": "guess19", "password": "x"}).status_code == 429
    )
    assert sign_in(client, user).status_code == 429  # every account, from this address
    assert sign_in(Client(REMOTE_ADDR="192.0.2.8"), user).status_code == 302


def test_wrong_codes_count_towards_the_lockout(user_with):
    user = user_with(Role.CFO)
    client = Client()
    sign_in(client, user)
    set_up(client)
    client = Client()
    sign_in(client, user)
    device = TOTPDevice.objects.get(user=user)
    for _n in range(5):
        device.throttle_reset()
        response = client.post(reverse("two-factor-code"), {"otp_token": "000000"})
    assert response.status_code == 429 and "locked for 15 minutes" in response.content.decode()
    # The half-signed-in session was ended.
    assert client.get(STAFF_PAGE)["Location"].startswith("/sign-in/?next=")


# Password reset --------------------------------------------------------------------------


def test_password_reset_says_the_same_whether_or_not_the_account_exists(user_with):
    user = user_with(Role.PARTNER)
    user.email = "known@example.org"
    user.save()
    client = Client()
    known = client.post(reverse("password_reset"), {"email": "known@example.org"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert known.content == unknown.content
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["known@example.org"]
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    short = client.post(set_url, {"new_password1": "short", "new_password2": "short"})
    assert "at least 12 characters" in short.content.decode()
    common = client.post(
        set_url, {"new_password1": "password1234", "new_password2": "password1234"}
    )
    assert "too common" in common.content.decode()
    done = client.post(
        set_url,
        {"new_password1": "correct horse battery", "new_password2": "correct horse battery"},
    )
    assert done.status_code == 302
    assert sign_in(Client(), user, "correct horse battery").status_code == 302
    assert client.get(link, follow=True).context["validlink"] is False  # works once


def test_password_rules_follow_the_ncsc_length_and_deny_list_without_composition_rules():
    for refused in ("short-pass", "password1234", "qwertyuiop12"):
        with pytest.raises(ValidationError):
            validate_password(refused)
    for accepted in ("allonewordlowercase", "three random words"):
        validate_password(accepted)


# Idle expiry -----------------------------------------------------------------------------


def test_a_staff_session_idle_for_thirty_minutes_is_signed_out(user_with):
    user = user_with(Role.COMMISSIONING_OFFICER)
    client = Client()
    client.force_login(user)
    assert client.get(STAFF_PAGE).status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get(STAFF_PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert "_auth_user_id" not in client.session
    # Someone who is not staff has longer (120 minutes by default).
    partner = user_with(Role.PARTNER)
    client.force_login(partner)
    session = client.session
    session[LAST_SEEN] = time.time() - 31 * 60
    session.save()
    assert client.get(reverse("account-security")).status_code == 200


def test_activity_writes_the_session_at_most_once_a_minute(user_with):
    client = Client()
    client.force_login(user_with(Role.CFO))
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert client.get(STAFF_PAGE).status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert writes == []
    session = client.session
    session[LAST_SEEN] = time.time() - 90
    session.save()
    with CaptureQueriesContext(connection) as queries:
        client.get(STAFF_PAGE)
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert len(writes) == 1


# Registration ------------------------------------------------------------------------------


def _register(client, name, username):
    return client.post(
        reverse("register"),
        {
            "name": name,
            "kind": "charity",
            "address": "1 High St",
            "full_name": "Jo Test",
            "email": "jo@example.org",
            "username": username,
            "password": "a-long-passphrase-9",
        },
    )


def test_registration_does_not_say_which_organisation_or_username_exists(user_with):
    existing = user_with(Role.PARTNER)
    client = Client()
    taken_name = _register(client, "Leicester City Council", "fresh-username-1")
    taken_username = _register(client, "A Brand New Charity", existing.username)
    assert taken_name.status_code == taken_username.status_code == 400
    errors = lambda r: r.context["form"].errors  # noqa: E731
    assert errors(taken_name) == errors(taken_username)
    assert "already uses this service" in taken_name.content.decode()


def test_probing_registration_is_throttled_by_address(user_with):
    client = Client(REMOTE_ADDR="198.51.100.4")
    for n in range(5):
        _register(client, "Leicester City Council", f"probe-{n}")
    assert _register(client, "Leicester City Council", "probe-x").status_code == 429
    assert _register(Client(REMOTE_ADDR="198.51.100.5"), "Fresh Org", "fresh-1").status_code == 302
