"""Sign-in throttling with django-axes: failures counted per username and per address.

Axes counts failed sign-ins (a wrong password, or a wrong second-factor code: see
`views.CodeView`) in its `AccessAttempt` table. It has one failure limit for every lockout
parameter; `SignInAttempts` gives the address its own, larger one
(`SIGNIN_ADDRESS_FAILURES`), so that an office behind one address is not locked by a few
people's typing while one account gets only `SIGNIN_FAILURES` guesses. The lockout page is
the sign-in page with a message that says the same whether or not the account exists.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib.auth import logout
from django.db.models import Sum
from django.shortcuts import render


def username_of(request, credentials) -> str:
    """The username a failure counts against: as typed, without case or surrounding spaces,
    so that 'Officer ' and 'officer' share a count."""
    name = ""
    if credentials:
        name = credentials.get("username") or ""
    if not name and request is not None and request.method == "POST":
        name = request.POST.get("username", "")
    return str(name).strip().lower()


def client_address(request) -> str | None:
    """REMOTE_ADDR; behind the reverse proxy (COMMISSIONING_BEHIND_PROXY=1), the address it
    appended last to X-Forwarded-For (earlier entries come from the client and are not
    trusted)."""
    if settings.SIGNIN_TRUST_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


class SignInAttempts(AxesDatabaseHandler):
    """Axes' database handler with a limit per lockout parameter: the username's is axes'
    AXES_FAILURE_LIMIT, the address's SIGNIN_ADDRESS_FAILURES. Each parameter's count is
    scaled to the username's limit, so axes' own comparison (failures >= limit) locks when
    either count reaches its own limit."""

    def get_failures(self, request, credentials=None) -> int:
        limit = settings.SIGNIN_FAILURES
        limits = {"username": limit, "ip_address": settings.SIGNIN_ADDRESS_FAILURES}
        worst = 0
        for parameter, attempts in zip(
            settings.AXES_LOCKOUT_PARAMETERS,
            self.get_user_attempts(request, credentials),
            strict=True,
        ):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            own = limits.get(parameter, limit)
            worst = max(worst, failures * limit // own)
        return worst


LOCKED_MESSAGE = (
    "There have been too many failed attempts to sign in. Signing in with these details, or "
    "from this address, is locked for {minutes} minutes. Try again after that, or reset your "
    "password."
)


def locked_message() -> str:
    return LOCKED_MESSAGE.format(minutes=settings.SIGNIN_LOCKOUT_MINUTES)


def locked_out(request, original_response=None, credentials=None):
    """What a locked-out sign-in sees: the sign-in page with the lockout message, status
    429. A session half signed in (password, waiting for its code) is ended."""
    from django.contrib.auth.forms import AuthenticationForm

    if request.user.is_authenticated:
        logout(request)
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "locked": locked_message(),
            "idle_staff": settings.SESSION_IDLE_MINUTES_STAFF,
        },
        status=429,
    )
