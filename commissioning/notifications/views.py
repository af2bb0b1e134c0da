"""The Notifications page: your latest notifications, newest first, with the unread ones
marked; "Mark all as read"; and which kinds are emailed to you as well. GET writes nothing;
both changes are POSTs with the CSRF token."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path

from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded

from .permissions import OWN
from .selectors import emailed_kinds, kinds_for, notification_list, unread_count
from .services import email_choices_set, notifications_mark_read


class EmailChoicesForm(forms.Form):
    emailed = forms.MultipleChoiceField(
        label="Email me as well about",
        help_text=(
            "We always show your notifications on this page. Untick any kind you do not "
            "want by email."
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["emailed"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(k.value, k.label) for k in kinds_for(user)]


class NotificationsView(Guarded):
    permission = OWN
    template = "notifications/notifications.html"

    def _page(self, request, form: EmailChoicesForm, status: int = 200):
        user = request.user
        return render(
            request,
            self.template,
            {
                "notifications": list(notification_list(user)),
                "unread": unread_count(user),
                "form": form,
                "offered": bool(kinds_for(user)),
                "has_email": bool(user.email),
            },
            status=status,
        )

    def get(self, request):
        initial = {"emailed": sorted(emailed_kinds(request.user))}
        return self._page(request, EmailChoicesForm(user=request.user, initial=initial))

    def post(self, request):
        form = EmailChoicesForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                email_choices_set(actor=request.user, emailed=form.cleaned_data["emailed"])
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "Your email choices are saved")
                return redirect("notifications")
        return self._page(request, form, status=400)


class MarkReadView(Guarded):
    """POST only: mark all your unread notifications as read."""

    permission = OWN
    http_method_names = ["post"]

    def post(self, request):
        count = notifications_mark_read(actor=request.user)
        if count:
            messages.success(
                request, f"{count} notification{'s' if count != 1 else ''} marked as read"
            )
        return redirect("notifications")


urlpatterns = [
    path("notifications/", NotificationsView.as_view(), name="notifications"),
    path("notifications/read/", MarkReadView.as_view(), name="notifications-read"),
]
