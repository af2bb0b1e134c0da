"""Writes of monitoring returns: the partner saves and submits a period's return, the
officer returns it for changes or accepts it with a RAG and its reason."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.permissions import require
from commissioning.core.roles import Role
from commissioning.notifications.models import Kind
from commissioning.notifications.services import notify, people_with

from .models import (
    Agreement,
    BudgetCategory,
    Measure,
    MeasureActual,
    MonitoringReturn,
    Rag,
    ReportingPeriod,
    ReturnEvent,
    ReturnStatus,
    SpendLine,
    Unit,
)
from .permissions import RETURN_SUBMIT
from .services import clean_money, clean_number, locked_agreement
from .workflow import RETURN


def _locked_report(period: ReportingPeriod) -> tuple[Agreement, MonitoringReturn]:
    agreement = locked_agreement(period.agreement)
    report, _ = MonitoringReturn.objects.get_or_create(period=period)
    report = MonitoringReturn.objects.select_related("period__agreement").get(pk=report.pk)
    return agreement, report


def _return_link(period: ReportingPeriod) -> str:
    return reverse("return", args=[period.agreement.uuid, period.number])


def return_save(
    *,
    actor,
    period: ReportingPeriod,
    spend: Mapping[int, Any],
    actuals: Mapping[int, Any],
    achievements: str = "",
    risks: str = "",
    case_study: str = "",
    partner_rag: str = "",
) -> MonitoringReturn:
    """Write the partner's return for a period (a draft, or one returned for changes):
    spend per budget category (category id -> amount), each measure's actual (measure id ->
    value). Every problem is reported at once, by field; nothing is saved unless all is
    well."""
    with transaction.atomic():
        agreement, report = _locked_report(period)
        require(actor, RETURN_SUBMIT, report)
        if report.status not in (ReturnStatus.DRAFT, ReturnStatus.RETURNED):
            raise ValidationError(
                f"The return for {period.label} is {report.get_status_display().lower()}: "
                "it can be changed only if the officer returns it for changes"
            )
        errors: dict[str, list[str]] = {}
        categories = {c.pk: c for c in agreement.budget_categories.all()}
        measures = {m.pk: m for o in agreement.outcomes.all() for m in o.measures.all()}
        spent: dict[BudgetCategory, Decimal] = {}
        for key, value in spend.items():
            category = categories.get(int(key))
            if category is None:
                errors.setdefault("spend", []).append("A spend line is not in this agreement")
                continue
            amount = clean_money(value, f"spend-{category.pk}", errors, category.name)
            if amount is not None:
                spent[category] = amount
        values: dict[Measure, Decimal] = {}
        for key, value in actuals.items():
            measure = measures.get(int(key))
            if measure is None:
                errors.setdefault("actuals", []).append("A measure is not in this agreement")
                continue
            number = clean_number(value, f"actual-{measure.pk}", errors)
            if number is None:
                if value in (None, ""):
                    errors.setdefault(f"actual-{measure.pk}", []).append(
                        f"{measure.name}: enter what was achieved (0 if nothing)"
                    )
                continue
            if number < 0:
                errors.setdefault(f"actual-{measure.pk}", []).append(
                    f"{measure.name}: cannot be negative"
                )
            elif measure.unit == Unit.PERCENT and number > 100:
                errors.setdefault(f"actual-{measure.pk}", []).append(
                    f"{measure.name}: a percentage is from 0 to 100"
                )
            elif measure.unit == Unit.COUNT and number != number.to_integral_value():
                errors.setdefault(f"actual-{measure.pk}", []).append(
                    f"{measure.name}: a number of things is a whole number"
                )
            else:
                values[measure] = number
        if partner_rag and partner_rag not in Rag.values:
            errors["partner_rag"] = ["Choose green, amber or red"]
        if errors:
            raise ValidationError(errors)
        report.spend.all().delete()
        SpendLine.objects.bulk_create(
            [SpendLine(report=report, category=c, amount=a) for c, a in spent.items()]
        )
        report.actuals.all().delete()
        MeasureActual.objects.bulk_create(
            [MeasureActual(report=report, measure=m, value=v) for m, v in values.items()]
        )
        report.achievements, report.risks = achievements.strip(), risks.strip()
        report.case_study, report.partner_rag = case_study.strip(), partner_rag
        report.updated_by = user_of(actor)
        report.save()
        audit_record(
            actor=actor,
            action="return.save",
            obj=report,
            after={
                "period": period.label,
                "spend": {c.name: str(a) for c, a in spent.items()},
                "actuals": {m.name: str(v) for m, v in values.items()},
            },
        )
        return report


def return_problems(report: MonitoringReturn) -> dict[str, list[str]]:
    """What a return needs before it can be submitted: a figure for every budget category
    and every measure, and the partner's RAG."""
    agreement = report.period.agreement
    problems: dict[str, list[str]] = {}
    have = {s.category_id for s in report.spend.all()}
    for category in agreement.budget_categories.all():
        if category.pk not in have:
            problems.setdefault(f"spend-{category.pk}", []).append(
                f"{category.name}: enter what was spent (0 if nothing)"
            )
    done = {a.measure_id for a in report.actuals.all()}
    for outcome in agreement.outcomes.all():
        for measure in outcome.measures.all():
            if measure.pk not in done:
                problems.setdefault(f"actual-{measure.pk}", []).append(
                    f"{measure.name}: enter what was achieved (0 if nothing)"
                )
    if not report.partner_rag:
        problems["partner_rag"] = ["Give your own rating: green, amber or red"]
    return problems


def return_submit(*, actor, period: ReportingPeriod) -> MonitoringReturn:
    with transaction.atomic():
        agreement, report = _locked_report(period)
        RETURN.permit(actor, report, report.status, ReturnStatus.SUBMITTED)
        problems = return_problems(report)
        if problems:
            raise ValidationError(problems)
        report.submitted_at = timezone.now()
        RETURN.apply(
            actor=actor, obj=report, target=ReturnStatus.SUBMITTED, also_save=["submitted_at"]
        )
        ReturnEvent.objects.create(report=report, actor=user_of(actor), action="submitted")
        notify(
            users=people_with(Role.COMMISSIONING_OFFICER),
            message=f"{agreement.organisation} has submitted its monitoring return for {period.label} of agreement {agreement.reference}: it is ready for you to review.",
            link=_return_link(period),
            kind=Kind.RETURN_SUBMITTED,
        )
        return report


def return_send_back(*, actor, period: ReportingPeriod, comment: str) -> MonitoringReturn:
    if not comment.strip():
        raise ValidationError({"comment": "Say what the partner needs to change"})
    with transaction.atomic():
        agreement, report = _locked_report(period)
        RETURN.apply(actor=actor, obj=report, target=ReturnStatus.RETURNED, reason=comment)
        ReturnEvent.objects.create(
            report=report, actor=user_of(actor), action="returned", comment=comment.strip()
        )
        notify(
            users=people_with(Role.PARTNER, organisation=agreement.organisation),
            message=f"The OPCC has sent back your monitoring return for {period.label} of agreement {agreement.reference} for changes: {comment.strip()}",
            link=_return_link(period),
            kind=Kind.RETURN_DECIDED,
        )
        return report


def return_accept(
    *, actor, period: ReportingPeriod, officer_rag: str, reason: str
) -> MonitoringReturn:
    """Accept a submitted return with the officer's RAG and the reason for it."""
    errors: dict[str, list[str]] = {}
    if officer_rag not in Rag.values:
        errors["officer_rag"] = ["Choose green, amber or red"]
    if not reason.strip():
        errors["reason"] = ["Give the reason for the rating"]
    with transaction.atomic():
        agreement, report = _locked_report(period)
        RETURN.permit(actor, report, report.status, ReturnStatus.ACCEPTED)
        if errors:
            raise ValidationError(errors)
        report.officer_rag, report.officer_rag_reason = officer_rag, reason.strip()
        report.accepted_at = timezone.now()
        RETURN.apply(
            actor=actor,
            obj=report,
            target=ReturnStatus.ACCEPTED,
            also_save=["officer_rag", "officer_rag_reason", "accepted_at"],
            after={"officer_rag": officer_rag},
        )
        ReturnEvent.objects.create(
            report=report, actor=user_of(actor), action="accepted", comment=reason.strip()
        )
        notify(
            users=people_with(Role.PARTNER, organisation=agreement.organisation),
            message=f"The OPCC has accepted your monitoring return for {period.label} of agreement {agreement.reference}.",
            link=_return_link(period),
            kind=Kind.RETURN_DECIDED,
        )
        return report


# --- added for the pages ---

RETURN_FILES = "attachments"  # the data directory's folder core.files keeps them in


def return_save_and_submit(*, actor, period: ReportingPeriod, **fields: Any) -> MonitoringReturn:
    """Save the return and submit it in one transaction: if the figures are refused, or the
    return is not complete enough to submit, nothing at all is saved."""
    with transaction.atomic():
        return_save(actor=actor, period=period, **fields)
        return return_submit(actor=actor, period=period)


def return_attach(*, actor, period: ReportingPeriod, name: str, data: bytes):
    """Attach a file of evidence to the period's return (a draft, or one returned for
    changes), checked like an application's attachments and kept outside any public path."""
    from commissioning.core import files, uploads

    from .models import ReturnAttachment

    with transaction.atomic():
        _agreement, report = _locked_report(period)
        require(actor, RETURN_SUBMIT, report)
        if report.status not in (ReturnStatus.DRAFT, ReturnStatus.RETURNED):
            raise ValidationError(
                {"file": "Files can be added only while the return is being written"}
            )
        checked = files.accept_upload(name, data, field="file", folder=RETURN_FILES)
        attachment = ReturnAttachment.objects.create(
            report=report,
            original_name=uploads.display_name(checked.original_name),
            **checked.columns(),
            created_by=user_of(actor),
            updated_by=user_of(actor),
        )
        audit_record(
            actor=actor,
            action="return.attach",
            obj=report,
            after={"file": attachment.original_name, "sha256": checked.sha256},
        )
        return attachment
