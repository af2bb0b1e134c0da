"""Applicants' pages: the public rounds, registering an organisation, drafting, submitting and
withdrawing an application, and its attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone

from commissioning.core import files
from commissioning.core.forms import attach_errors
from commissioning.core.guard import Guarded
from commissioning.core.permissions import PUBLIC, allowed

from .. import selectors, services
from ..forms import ApplicationForm, ClassifyForm, RegisterForm, ScreenForm, StartForm, UploadForm
from ..permissions import APPLY, DECIDE, DOWNLOAD, MANAGE, PANEL, SCREEN
from ..status import Status
from ..workflow import APPLICATION


class RoundListView(Guarded):
    permission = PUBLIC

    def get(self, request):
        can_manage = allowed(request.user, MANAGE)
        return render(
            request,
            "grants/round_list.html",
            {
                "offers": selectors.rounds_offered(request.user),
                "now": timezone.now(),
                "can_manage": can_manage,
                "drafts": selectors.rounds_draft() if can_manage else [],
            },
        )


def round_page(request, rnd, start_form=None, status=200):
    """A round's public page, with the start form for those who may apply, and the links to
    the round's other pages only for those whose rules let them open them."""
    offer = selectors.round_offer(request.user, rnd)
    return render(
        request,
        "grants/round_detail.html",
        {
            "round": rnd,
            "offer": offer,
            "open": services.round_is_open(rnd),
            "can_apply": offer.may_apply,
            "start_form": start_form or StartForm(),
            "signed_in": request.user.is_authenticated,
            "can_manage": allowed(request.user, MANAGE),
            "can_panel": allowed(request.user, PANEL),
            "can_decide": allowed(request.user, DECIDE),
        },
        status=status,
    )


class RoundDetailView(Guarded):
    permission = PUBLIC

    def get(self, request, reference: str):
        return round_page(request, selectors.round_public_get(reference))


class RegisterView(Guarded):
    permission = PUBLIC

    def get(self, request):
        return render(request, "grants/register.html", {"form": RegisterForm()})

    def post(self, request):
        from axes.handlers.proxy import AxesProxyHandler

        from commissioning.accounts.lockout import client_address

        # Refused registrations are counted per address, as if a username of their own.
        probe = {"username": f"register:{client_address(request)}"}
        if not AxesProxyHandler.is_allowed(request, probe):
            from commissioning.accounts.lockout import locked_out

            return locked_out(request)
        form = RegisterForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                org = services.organisation_register(
                    name=d["name"],
                    kind=d["kind"],
                    username=d["username"],
                    password=d["password"],
                    full_name=d["full_name"],
                    email=d["email"],
                    charity_number=d["charity_number"],
                    company_number=d["company_number"],
                    address=d["address"],
                    phone=d["phone"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
                if any(
                    e.code == "taken" for e in getattr(exc, "error_dict", {}).get("username", [])
                ):
                    # Probing for names is throttled like guessing passwords, by address.
                    from django.contrib.auth.signals import user_login_failed

                    user_login_failed.send(sender=__name__, credentials=probe, request=request)
            else:
                login(request, org.users.get(), backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request, f"{org.name} is registered. You can now apply to open rounds."
                )
                return redirect("grant-rounds")
        return render(request, "grants/register.html", {"form": form}, status=400)


class ApplicationStartView(Guarded):
    permission = APPLY

    def post(self, request, reference: str):
        rnd = selectors.round_get(reference)
        form = StartForm(request.POST)
        if form.is_valid():
            try:
                app = services.application_start(
                    actor=request.user, round=rnd, title=form.cleaned_data["title"]
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                return redirect("application-edit", uuid=app.uuid)
        rnd = selectors.round_public_get(reference)
        return round_page(request, rnd, start_form=form, status=400)


def _answer_field(form):
    """Where a service's error about an answer shows: its own field, or the question's."""
    return lambda key: key if key in form.fields else f"q_{key}"


class ApplicationEditView(Guarded):
    """The whole application on one page. Saving or submitting reports every problem at once
    in the error summary, each linked to its field: what the form refuses, what the service
    refuses, and (on submit) everything still missing. Files chosen are attached first,
    whatever else is wrong, so they need not be chosen again."""

    permission = APPLY

    def _render(
        self, request, app, form, attachments, *, submitting=False, saved=False, status=200
    ):
        return render(
            request,
            "grants/application_edit.html",
            {
                "app": app,
                "form": form,
                "attachments": attachments,
                "submitting": submitting,
                "saved": saved,
                "closes": app.round.closes_at,
            },
            status=status,
        )

    def get(self, request, uuid):
        app = selectors.application_get(request.user, uuid)
        if not APPLICATION.can(request.user, app, Status.SUBMITTED):
            return redirect("application-detail", uuid=app.uuid)
        page = selectors.draft_page(app)
        form = ApplicationForm(initial=page.initial, round=app.round)
        return self._render(request, app, form, page.attachments)

    def post(self, request, uuid):
        app = selectors.application_get(request.user, uuid)
        form = ApplicationForm(
            request.POST, request.FILES, round=selectors.application_form_round(app)
        )
        where = _answer_field(form)
        submitting = "submit" in request.POST
        form.is_valid()
        attached = []
        for key, upload in form.uploads().items():
            try:
                services.application_attach(
                    actor=request.user,
                    application=app,
                    question_key=key,
                    name=upload.name,
                    data=upload.read(),
                )
            except ValidationError as exc:
                attach_errors(form, exc, where)
            else:
                attached.append(upload.name)
        saved = False
        if not form.errors:
            try:
                services.application_save(
                    actor=request.user,
                    application=app,
                    answers=form.answers(),
                    eligibility=form.eligibility(),
                    **form.pending(),
                )
            except ValidationError as exc:
                attach_errors(form, exc, where)
            else:
                saved = True
        if submitting and saved:
            try:
                services.application_submit(actor=request.user, application=app)
            except ValidationError as exc:
                attach_errors(form, exc, where)
            else:
                messages.success(
                    request,
                    f"Application {app.reference} submitted. We have sent you an acknowledgement.",
                )
                return redirect("application-detail", uuid=app.uuid)
        elif submitting and app.status == Status.DRAFT:
            # Nothing could be saved: say too what submitting would find missing, from what
            # was entered, leaving out the fields already in error.
            wrong = set(form.errors)
            missing = services.submission_problems(
                app,
                fields=form.pending(),
                answers=form.answers(),
                eligibility=form.eligibility(),
            )
            attach_errors(
                form,
                ValidationError(
                    {key: msgs for key, msgs in missing.items() if where(key) not in wrong}
                ),
                where,
            )
        if form.errors:
            return self._render(
                request,
                app,
                form,
                selectors.draft_attachments(app),
                submitting=submitting,
                saved=saved,
                status=400,
            )
        done = [f"{name} attached." for name in attached]
        messages.success(
            request,
            " ".join([*done, "Draft saved. You can come back to it until the round closes."]),
        )
        return redirect("application-edit", uuid=app.uuid)


class AttachmentUploadView(Guarded):
    permission = APPLY

    def post(self, request, uuid):
        app = selectors.application_get(request.user, uuid)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.application_attach(
                    actor=request.user,
                    application=app,
                    question_key=form.cleaned_data["question"],
                    name=upload.name,
                    data=upload.read(),
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"{upload.name} attached.")
        else:
            messages.error(request, "Choose a file to upload")
        return redirect("application-edit", uuid=app.uuid)


class AttachmentDownloadView(Guarded):
    permission = DOWNLOAD

    def get(self, request, uuid, attachment_uuid):
        app = selectors.application_get(request.user, uuid)
        attachment = selectors.attachment_get(app, attachment_uuid)
        return files.download(
            attachment.path,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


class ApplicationDetailView(Guarded):
    """An application as whoever may see it reads it. Officers screen it here, and correct
    its plan theme and main strategic priority (POST) from submission until the PCC
    decides: the way to mend what an earlier stage let through."""

    permission = DOWNLOAD

    def _render(self, request, app, classify_form=None, status=200):
        page = selectors.application_page(app)
        moves = {m.target for m in APPLICATION.moves_for(request.user, app)}
        can_classify = allowed(request.user, SCREEN, app) and app.status in services.CLASSIFIABLE
        return render(
            request,
            "grants/application_detail.html",
            {
                "app": app,
                "answers": page.answers,
                "attachments": page.attachments,
                "events": page.events,
                "can_continue": Status.SUBMITTED in moves,
                "can_withdraw": Status.WITHDRAWN in moves,
                "can_screen": Status.IN_REVIEW in moves,
                "screen_form": ScreenForm(),
                "can_classify": can_classify,
                "misclassified": dict(services.misclassified([app])).get(app),
                "classify_form": classify_form
                or ClassifyForm(
                    round=app.round,
                    initial={"theme": app.theme_id, "primary_priority": app.primary_priority_id},
                ),
            },
            status=status,
        )

    def get(self, request, uuid):
        return self._render(request, selectors.application_get(request.user, uuid))

    def post(self, request, uuid):
        app = selectors.application_get(request.user, uuid)
        if not allowed(request.user, SCREEN, app):
            raise PermissionDenied("only commissioning officers correct an application")
        form = ClassifyForm(request.POST, round=app.round)
        if form.is_valid():
            try:
                services.application_classify(
                    actor=request.user,
                    application=app,
                    theme=form.cleaned_data["theme"],
                    primary_priority=form.cleaned_data["primary_priority"],
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"Theme and priority of {app.reference} saved.")
                return redirect("application-detail", uuid=app.uuid)
        return self._render(request, app, classify_form=form, status=400)


class ApplicationWithdrawView(Guarded):
    permission = APPLY

    def post(self, request, uuid):
        app = selectors.application_get(request.user, uuid)
        try:
            services.application_withdraw(
                actor=request.user, application=app, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Application {app.reference} withdrawn.")
        return redirect("application-detail", uuid=app.uuid)


class MyApplicationsView(Guarded):
    permission = APPLY

    def get(self, request):
        mine = selectors.my_applications(request.user)
        return render(
            request,
            "grants/my_applications.html",
            {"apps": mine.applications, "inbox": mine.inbox, "invited": mine.invited},
        )
