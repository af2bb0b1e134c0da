"""Two checks on every signed-in request: the second factor, and inactivity."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from commissioning.core.roles import STAFF_ROLES

from . import mfa

LAST_SEEN = "commissioning.last_seen"

# While a person has given their password but not yet their code, these are all they reach.
SECOND_FACTOR_PAGES = {"two-factor-code", "two-factor-setup", "logout"}


class SecondFactorMiddleware:
    """Someone who must use a second factor and has not given a code this session is sent
    to set one up (staff without one) or to enter a code, and reaches nothing else: no staff
    page, no public page, no API. The check is django-otp's own (the session names a
    device of this user, put there by `django_otp.login` after a correct code)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if (
            user.is_authenticated
            and not mfa.is_verified(request)
            and mfa.second_factor_required(user)
            and getattr(request.resolver_match, "url_name", None) not in SECOND_FACTOR_PAGES
        ):
            return self._detour(request)
        return None

    @staticmethod
    def _detour(request):
        page = "two-factor-code" if mfa.has_second_factor(request.user) else "two-factor-setup"
        target = request.get_full_path()
        query = ""
        if request.method == "GET" and url_has_allowed_host_and_scheme(target, None):
            query = "?" + urlencode({"next": target})
        return redirect(reverse(page) + query)


def idle_seconds(user) -> int:
    minutes = (
        settings.SESSION_IDLE_MINUTES_STAFF
        if user.has_role(*STAFF_ROLES)
        else settings.SESSION_IDLE_MINUTES
    )
    return 60 * minutes


def session_started(sender, request, user, **kwargs) -> None:
    """At sign-in (connected in apps.py): the idle clock starts, in the session that
    sign-in writes anyway, so the next request writes nothing."""
    if hasattr(request, "session"):
        request.session[LAST_SEEN] = time.time()
        request.session.set_expiry(idle_seconds(user))


class IdleTimeoutMiddleware:
    """Signed out after a while with no request: SESSION_IDLE_MINUTES_STAFF for staff,
    SESSION_IDLE_MINUTES for everyone else.

    The time of the last request is kept in the session but written only when it is more
    than SESSION_TOUCH_SECONDS old, so a person clicking through pages writes their session
    about once a minute rather than on every request (SESSION_SAVE_EVERY_REQUEST would). The
    session's own expiry is set to the same idle time at each write, so an abandoned session
    also lapses in the session store and the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            idle = idle_seconds(user)
            now = time.time()
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > idle:
                logout(request)
                messages.info(
                    request,
                    f"You were signed out after {idle // 60} minutes without activity. "
                    "Sign in again to carry on.",
                )
                return redirect(
                    reverse("login") + "?" + urlencode({"next": request.get_full_path()})
                )
            if last is None or now - last > settings.SESSION_TOUCH_SECONDS:
                request.session[LAST_SEEN] = now
                request.session.set_expiry(idle)
        return self.get_response(request)
