"""Every append-only table refuses UPDATE and DELETE in the database itself, whoever asks:
raw SQL, a queryset, the model. Found from the models (every `AppendOnlyModel`), so a new
append-only table is tried as soon as it exists; the suite runs this on SQLite and
PostgreSQL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from commissioning.core.models import AppendOnlyError, AppendOnlyModel

pytestmark = pytest.mark.django_db

APPEND_ONLY = sorted(
    (m for m in apps.get_models() if issubclass(m, AppendOnlyModel)), key=lambda m: m._meta.label
)


def _model(label):
    return apps.get_model(label)


def _year():
    return _model("budgets.FinancialYear").objects.order_by("starts").first()


def _run():
    run = _model("formula.FormulaRun").objects.first()
    if run is None:
        run = _model("formula.FormulaRun").objects.create(
            reference="T-TRIGGER",
            year=_year(),
            title="A run to try the triggers on",
            formula_version="1",
            inputs={},
            outputs={},
            output_hash="0" * 64,
            pot=Decimal("1.00"),
        )
    return run


def _round():
    line = _model("budgets.BudgetLine").objects.filter(is_reserve=False).first()
    now = timezone.now()
    return _model("grants.Round").objects.create(
        reference="trigger-round",
        title="A round to try the triggers on",
        mechanism=line.mechanism,
        year=line.year,
        budget_line=line,
        opens_at=now,
        closes_at=now + dt.timedelta(days=1),
        maximum_award=Decimal("10.00"),
    )


def _application():
    return _model("grants.Application").objects.create(
        round=_round(),
        organisation=_model("organisations.Organisation").objects.first(),
        reference="T-TRIGGER-1",
        title="An application to try the triggers on",
    )


def _agreement():
    agreement = _model("agreements.Agreement").objects.first()
    if agreement is None:
        allocation = _model("budgets.Allocation").objects.order_by("pk").first()
        agreement = _model("agreements.Agreement").objects.create(
            reference="AG-TRIGGER",
            allocation=allocation,
            organisation=allocation.versions.first().organisation,
            title="An agreement to try the triggers on",
            purpose="Triggers",
            starts_on=allocation.year.starts,
            ends_on=allocation.year.ends,
            maximum_sum=Decimal("10.00"),
        )
    return agreement


def _terms():
    return _model("agreements.AgreementTerms").objects.create(
        agreement=_agreement(), number=1, content={}, sha256="0" * 64
    )


def _report():
    agreement = _agreement()
    period = _model("agreements.ReportingPeriod").objects.create(
        agreement=agreement,
        number=1,
        label="Q1",
        starts_on=agreement.starts_on,
        ends_on=agreement.starts_on,
        due_on=agreement.starts_on,
    )
    return _model("agreements.MonitoringReturn").objects.create(period=period)


def _spending_import():
    return _model("agreements.SpendingImport").objects.create(
        original_name="spend.csv", sha256="0" * 64, rows=1
    )


def _pot():
    pot = _model("yearend.Pot").objects.first()
    if pot is None:
        source, year = _model("budgets.FinancialYear").objects.order_by("starts")[:2]
        pot = _model("yearend.Pot").objects.create(
            source_year=source,
            year=year,
            name="A pot to try the triggers on",
            stream=_model("budgets.FundingStream").objects.create(
                year=year, name="Underspend", amount=Decimal("0.00"), kind="underspend"
            ),
            line=_model("budgets.BudgetLine").objects.create(
                year=year, name="Underspend", amount=Decimal("0.00"), mechanism="underspend"
            ),
        )
    return pot


def _receivable():
    return _model("yearend.Receivable").objects.create(
        allocation=_model("budgets.Allocation").objects.order_by("pk").first(),
        amount=Decimal("1.00"),
        reason="To try the triggers",
    )


# How to make a row of each table the test database may have none of (the example data
# fills the others). A new append-only table with no rows needs a line here.
MAKE = {
    "agreements.AgreementTerms": _terms,
    "agreements.Acceptance": lambda: _model("agreements.Acceptance").objects.create(
        terms=_terms(),
        user=_model("accounts.User").objects.first(),
        name="A Partner",
        position="Director",
    ),
    "agreements.SpendingImport": lambda: _spending_import(),
    "agreements.SpendingWithdrawal": lambda: _model("agreements.SpendingWithdrawal").objects.create(
        spending_import=_spending_import(), reason="To try the triggers"
    ),
    "agreements.SpendingItem": lambda: _model("agreements.SpendingItem").objects.create(
        spending_import=_spending_import(),
        row=1,
        paid_on=dt.date(2031, 4, 1),
        supplier="A supplier",
        amount=Decimal("600.00"),
        category="Premises",
    ),
    "agreements.ReturnEvent": lambda: _model("agreements.ReturnEvent").objects.create(
        report=_report(), action="submitted"
    ),
    "yearend.Collection": lambda: _model("yearend.Collection").objects.create(
        pot=_pot(),
        allocation=_model("budgets.Allocation").objects.order_by("pk").first(),
        version=_model("budgets.AllocationVersion")
        .objects.exclude(pk__in=_model("yearend.Collection").objects.values("version"))
        .first(),
        amount=Decimal("1.00"),
        source="To try the triggers",
    ),
    "yearend.Receivable": _receivable,
    "yearend.Repayment": lambda: _model("yearend.Repayment").objects.create(
        receivable=_receivable(),
        received_on=dt.date(2031, 4, 1),
        reference="R1",
        entry=_model("budgets.LedgerEntry").objects.order_by("-pk").first(),
    ),
    "core.Message": lambda: _model("core.Message").objects.create(
        to_address="someone@example.org", subject="Subject", body="Body"
    ),
    "budgets.FindingExplanation": lambda: _model("budgets.FindingExplanation").objects.create(
        year=_year(),
        key="row_arithmetic:trigger-table:1",
        kind="row_arithmetic",
        where="To try the triggers",
        note="Explained",
        explained_by_name="Someone",
    ),
    "formula.FormulaRun": _run,
    "formula.FormulaRunArea": lambda: _model("formula.FormulaRunArea").objects.create(
        run=_run(), area_code="E07000000", area_name="Somewhere", allocation=Decimal("1.00")
    ),
    "formula.FormulaAdoption": lambda: _model("formula.FormulaAdoption").objects.create(
        run=_run(), year=_year()
    ),
    "formula.CrimeDataLoad": lambda: _model("formula.CrimeDataLoad").objects.create(
        months=[], files=0, rows=0, report="Nothing loaded"
    ),
    "grants.ApplicationEvent": lambda: _model("grants.ApplicationEvent").objects.create(
        application=_application(), to_status="draft"
    ),
    "grants.RoundDecision": lambda: _model("grants.RoundDecision").objects.create(
        round=_round(),
        approved_by=_model("accounts.User").objects.first(),
        approved_on=dt.date(2031, 4, 1),
        summary="Approved",
    ),
    "decisions.Redaction": lambda: _model("decisions.Redaction").objects.create(
        record=_model("decisions.DecisionRecord").objects.first(),
        part="trigger-test",
        exemption="foi_s21",
        reason="To try the triggers",
    ),
}


def a_row(model):
    row = model.objects.order_by("pk").first()
    if row is None:
        assert model._meta.label in MAKE, f"no {model._meta.label} row to try: add it to MAKE"
        row = MAKE[model._meta.label]()
    return row


def _stored(model, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {model._meta.db_table} WHERE id = %s", [pk])
        return cursor.fetchone()


def test_the_append_only_tables_are_the_ones_we_expect():
    """A table leaving the list (a model no longer append-only) must be a decision."""
    assert {m._meta.label for m in APPEND_ONLY} >= {
        "core.AuditEvent",
        "core.Message",
        "budgets.Allocation",
        "budgets.AllocationVersion",
        "budgets.LedgerEntry",
        "budgets.FindingExplanation",
        "agreements.AgreementTerms",
        "agreements.Acceptance",
        "agreements.ReturnEvent",
        "agreements.SpendingImport",
        "agreements.SpendingWithdrawal",
        "agreements.SpendingItem",
        "formula.FormulaRun",
        "formula.FormulaRunArea",
        "formula.FormulaAdoption",
        "formula.CrimeDataLoad",
        "grants.ApplicationEvent",
        "grants.RoundDecision",
        "decisions.DecisionSnapshot",
        "decisions.Signature",
        "decisions.Redaction",
        "decisions.Determination",
        "decisions.PublishedVersion",
        "decisions.PublishedGrant",
        "yearend.Collection",
        "yearend.Receivable",
        "yearend.Repayment",
    }


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m._meta.db_table)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET created_at = created_at WHERE id = %s",
        "UPDATE {table} SET uuid = uuid WHERE id = %s",
        "DELETE FROM {table} WHERE id = %s",
    ],
    ids=["update-created_at", "update-uuid", "delete"],
)
def test_raw_sql_cannot_change_or_remove_a_row(model, sql):
    row = a_row(model)
    before = _stored(model, row.pk)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql.format(table=model._meta.db_table), [row.pk])
    assert _stored(model, row.pk) == before


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m._meta.db_table)
def test_a_row_cannot_be_replaced_by_inserting_over_it(model):
    """SQLite's REPLACE deletes the old row without firing DELETE triggers; PostgreSQL's
    upsert updates it. Both are refused."""
    row = a_row(model)
    before = _stored(model, row.pk)
    table = model._meta.db_table
    if connection.vendor == "sqlite":
        sql = f"INSERT OR REPLACE INTO {table} SELECT * FROM {table} WHERE id = %s"
    else:
        sql = (
            f"INSERT INTO {table} SELECT * FROM {table} WHERE id = %s "
            "ON CONFLICT (id) DO UPDATE SET created_at = EXCLUDED.created_at"
        )
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert _stored(model, row.pk) == before


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m._meta.db_table)
def test_a_queryset_update_is_refused_by_the_database(model):
    """`QuerySet.update` skips the model's `save`; the trigger still refuses it."""
    row = a_row(model)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        model.objects.filter(pk=row.pk).update(created_at=F("created_at"))


@pytest.mark.parametrize("model", APPEND_ONLY, ids=lambda m: m._meta.db_table)
def test_the_model_refuses_save_and_delete_of_a_stored_row(model):
    row = a_row(model)
    with pytest.raises(AppendOnlyError, match="append-only"):
        row.save()
    with pytest.raises(AppendOnlyError, match="append-only"):
        row.delete()
    assert model.objects.filter(pk=row.pk).exists()


def test_rows_can_still_be_added():
    model = _model("core.Message")
    count = model.objects.count()
    MAKE["core.Message"]()
    MAKE["core.Message"]()
    assert model.objects.count() == count + 2


def test_many_allocations_of_a_year_without_an_example_key(make_allocation):
    """The example key is unique only when given: refusing replaced rows must not refuse a
    second allocation of the year that has none."""
    first, second = make_allocation("10"), make_allocation("20")
    assert first.year_id == second.year_id and first.example_key == second.example_key == ""
