"""Sign-in pages beyond the password: the second factor, its set-up, recovery codes and
password reset. Each names its permission rule, as every view does."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import signals
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from commissioning.core.guard import Guarded
from commissioning.core.permissions import PUBLIC

from . import mfa
from .lockout import locked_out
from .permissions import OWN_SIGN_IN


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(settings.LOGIN_REDIRECT_URL)


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 numbers your app shows now, or one of your recovery codes",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )


class CodeView(Guarded):
    """After the password: the code from the authenticator app (or a recovery code). Wrong
    codes count as failed sign-ins for the account and the address (axes), besides the
    device's own growing delay."""

    permission = OWN_SIGN_IN
    template = "accounts/two_factor_code.html"

    def get(self, request):
        if not mfa.has_second_factor(request.user):
            return redirect("two-factor-setup")
        return render(request, self.template, {"form": CodeForm(), "next": _next(request)})

    def post(self, request):
        user = request.user
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return locked_out(request)
        form = CodeForm(request.POST)
        if form.is_valid():
            device = mfa.device_verifying(user, form.cleaned_data["otp_token"])
            if device is not None:
                from django_otp import login as otp_login

                request.session.cycle_key()
                otp_login(request, device)
                axes_reset(username=user.get_username().lower())
                if device.name == mfa.RECOVERY_NAME:
                    left = mfa.recovery_codes_left(user)
                    from django.contrib import messages

                    messages.warning(
                        request,
                        f"You used a recovery code: {left} left. Make new ones on your sign-in page.",
                    )
                return redirect(_next(request))
            form.add_error("otp_token", "That code is not right: enter the code your app shows now")
            signals.user_login_failed.send(
                sender=__name__, credentials=credentials, request=request
            )
        return render(request, self.template, {"form": form, "next": _next(request)}, status=400)


class SetupForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput)
    otp_token = forms.CharField(
        label="Code from your authenticator app",
        help_text="After adding the account, enter the 6 numbers the app shows",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={"required": "Enter the code from your authenticator app"},
    )


class SetupView(Guarded):
    """Set up an authenticator: a QR code and the secret as text; saved only when a code
    from the app matches. GET writes nothing (the new key travels signed in the form)."""

    permission = OWN_SIGN_IN
    template = "accounts/two_factor_setup.html"

    def _context(self, request, key_hex: str, form: SetupForm) -> dict:
        url = mfa.config_url(request.user, key_hex)
        return {
            "form": form,
            "qr": mfa.qr_data_uri(url),
            "secret": mfa.secret_text(key_hex),
            "required": mfa.second_factor_required(request.user),
            "replacing": mfa.has_second_factor(request.user),
            "next": _next(request),
        }

    def get(self, request):
        if mfa.has_second_factor(request.user) and not mfa.is_verified(request):
            # Replacing an authenticator needs the old one (or a recovery code) first.
            return redirect("two-factor-code")
        key_hex = mfa.new_key()
        form = SetupForm(initial={"key": mfa.setup_key_sign(request.user, key_hex)})
        return render(request, self.template, self._context(request, key_hex, form))

    def post(self, request):
        if mfa.has_second_factor(request.user) and not mfa.is_verified(request):
            return redirect("two-factor-code")
        form = SetupForm(request.POST)
        key_hex = mfa.setup_key_read(request.user, request.POST.get("key", ""))
        if key_hex is None:
            key_hex = mfa.new_key()
            form = SetupForm(initial={"key": mfa.setup_key_sign(request.user, key_hex)})
            form.is_valid()
            context = self._context(request, key_hex, form)
            context["expired"] = True
            return render(request, self.template, context, status=400)
        if form.is_valid():
            step = mfa.code_matches(key_hex, form.cleaned_data["otp_token"])
            if step is not None:
                from django_otp import login as otp_login

                device, codes = mfa.totp_confirm(user=request.user, key_hex=key_hex, step=step)
                request.session.cycle_key()
                otp_login(request, device)
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "new_setup": True, "next": _next(request)},
                )
            form.add_error(
                "otp_token",
                "That code is not right: check the app shows this account and try again",
            )
        return render(request, self.template, self._context(request, key_hex, form), status=400)


class SecurityView(Guarded):
    """Your sign-in: whether a second factor is set up, recovery codes left, new codes."""

    permission = OWN_SIGN_IN

    def get(self, request):
        user = request.user
        return render(
            request,
            "accounts/security.html",
            {
                "has_factor": mfa.has_second_factor(user),
                "required": mfa.second_factor_required(user),
                "codes_left": mfa.recovery_codes_left(user),
            },
        )

    def post(self, request):
        if not (mfa.has_second_factor(request.user) and mfa.is_verified(request)):
            return redirect("account-security")
        codes = mfa.recovery_codes_renew(user=request.user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "new_setup": False})


# Password reset by email, Django's views: the same page whether or not an account has the
# address, and links that work once, for PASSWORD_RESET_TIMEOUT.


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": "Enter your email address"},
    )


class PasswordResetView(auth_views.PasswordResetView):
    permission = PUBLIC
    form_class = PasswordResetForm
    success_url = reverse_lazy("password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    permission = PUBLIC


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    permission = PUBLIC
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # A new password from the email ends a lockout on the account.
        axes_reset(username=form.user.get_username().lower())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    permission = PUBLIC
