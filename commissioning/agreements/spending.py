"""Spending over £500 on the public register, and the finance system's import of the rest.

A PCC publishes each item of spending over £500 (the Elected Local Policing Bodies
(Specified Information) Order 2011, art. 3(g)). Two kinds of item make the register:

- **the product's own payments**: agreement instalments with status paid. Each is shown with
  the amount of its entry on the ledger's paid account (`budgets.LedgerEntry`, account
  "paid"), so a month's total is the ledger's paid entries for those payments, by
  construction; the agreement it rests on, and its decision record where that decision is
  published on the register;
- **the finance system's items**: the PCC's other spending (not grant payments), imported
  by the CFO from the finance system's CSV export (`spending_import`: all rows or none, each
  bad row named by its line and column) and shown apart, under its own heading. A wrong
  import is withdrawn with a reason (`spending_withdraw`), never edited; a withdrawn
  import's items leave the register.

The threshold is the setting `SPENDING_THRESHOLD` (default £500; an item is published when
it is *over* it). An item paid to a private individual shows the label the OPCC chooses
(`SPENDING_INDIVIDUAL_LABEL`, default "Individual"), never the person's name: the finance
file says so in its `individual` column. Organisations (the product's own payments go to
organisations) are never treated as individuals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from commissioning.budgets.importing import MAX_CELL, ImportFileError, read_table
from commissioning.budgets.selectors import current_versions
from commissioning.core.actors import user_of
from commissioning.core.audit import audit_record
from commissioning.core.files import accept_upload
from commissioning.core.locks import locked
from commissioning.core.money import ZERO, to_money
from commissioning.core.permissions import require
from commissioning.decisions.status import Status as DecisionStatus

from .models import Payment, PaymentStatus, SpendingImport, SpendingItem, SpendingWithdrawal
from .permissions import SPENDING_IMPORT

DEFAULT_THRESHOLD = Decimal(500)
DEFAULT_INDIVIDUAL_LABEL = "Individual"
UPLOAD_FOLDER = "uploads/spending"
UPLOAD_MAX_BYTES = 5 * 1024 * 1024
MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")

PAYMENTS = "payment"  # a row's source: the product's own payment
FINANCE = "finance"  # a row's source: an item of the finance system's export

COLUMNS = (
    "month",
    "date_paid",
    "source",
    "recipient",
    "purpose",
    "category",
    "amount",
    "agreement",
    "decision",
    "transaction_reference",
)


def threshold() -> Decimal:
    """The amount an item must be over to be published (setting `SPENDING_THRESHOLD`)."""
    return to_money(str(getattr(settings, "SPENDING_THRESHOLD", DEFAULT_THRESHOLD)))


def individual_label() -> str:
    """What the register shows instead of a private individual's name."""
    return str(getattr(settings, "SPENDING_INDIVIDUAL_LABEL", "") or DEFAULT_INDIVIDUAL_LABEL)


def month_parse(text: str) -> dt.date:
    """The first day of the month `text` names ("2016-07"); ValueError for anything else."""
    found = MONTH.match(text.strip())
    if found is None:
        raise ValueError(f"“{text[:20]}” is not a month: write it like 2016-07")
    return dt.date(int(found["year"]), int(found["month"]), 1)


def _month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------
# Reading the register


@dataclass(frozen=True)
class Line:
    """One published item, with the recipient already as the public may see it."""

    source: str  # PAYMENTS or FINANCE
    paid_on: dt.date
    recipient: str
    purpose: str
    category: str
    amount: Decimal
    agreement: str = ""  # the agreement's reference (the product's payments)
    decision: str = ""  # the published decision's reference, where there is one
    decision_slug: str = ""  # for its page on the register
    transaction_reference: str = ""

    @property
    def month(self) -> str:
        return f"{self.paid_on:%Y-%m}"

    def record(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "date_paid": self.paid_on,
            "source": "agreement payment" if self.source == PAYMENTS else "finance system",
            "recipient": self.recipient,
            "purpose": self.purpose,
            "category": self.category,
            "amount": self.amount,
            "agreement": self.agreement,
            "decision": self.decision,
            "transaction_reference": self.transaction_reference,
        }


@dataclass
class Month:
    """A month of the register: the product's payments and, apart, the finance items."""

    first: dt.date
    payments: list[Line] = field(default_factory=list)
    items: list[Line] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y}"

    @property
    def payments_total(self) -> Decimal:
        return sum((line.amount for line in self.payments), ZERO)

    @property
    def items_total(self) -> Decimal:
        return sum((line.amount for line in self.items), ZERO)

    @property
    def total(self) -> Decimal:
        return self.payments_total + self.items_total


def paid_payments(
    *, over: Decimal | None = None, month: dt.date | None = None
) -> QuerySet[Payment]:
    """The product's paid instalments over the threshold (by their ledger entry's amount),
    with what the register shows of each already selected."""
    qs = Payment.objects.filter(
        status=PaymentStatus.PAID,
        entry__isnull=False,
        entry__amount__gt=threshold() if over is None else over,
    ).select_related("entry", "agreement__organisation", "agreement__decision")
    if month is not None:
        qs = qs.filter(paid_on__gte=month, paid_on__lte=_month_end(month))
    return qs.order_by("paid_on", "agreement__reference", "number")


def finance_items(
    *, over: Decimal | None = None, month: dt.date | None = None
) -> QuerySet[SpendingItem]:
    """The finance system's items over the threshold, from imports not withdrawn."""
    qs = SpendingItem.objects.filter(
        spending_import__withdrawal__isnull=True,
        amount__gt=threshold() if over is None else over,
    )
    if month is not None:
        qs = qs.filter(paid_on__gte=month, paid_on__lte=_month_end(month))
    return qs.order_by("paid_on", "spending_import__created_at", "row")


def _payment_lines(payments: Iterable[Payment]) -> list[Line]:
    rows = list(payments)
    mechanisms = {
        v.allocation_id: v.get_mechanism_display()
        for v in current_versions().filter(
            allocation_id__in={p.agreement.allocation_id for p in rows}
        )
    }
    out = []
    for p in rows:
        agreement = p.agreement
        decision = agreement.decision
        published = decision is not None and decision.status == DecisionStatus.PUBLISHED
        assert p.entry is not None and p.paid_on is not None
        out.append(
            Line(
                source=PAYMENTS,
                paid_on=p.paid_on,
                recipient=agreement.organisation.name,
                purpose=agreement.title,
                category=mechanisms.get(agreement.allocation_id, ""),
                amount=p.entry.amount,
                agreement=agreement.reference,
                decision=decision.reference if published and decision else "",
                decision_slug=decision.slug if published and decision else "",
                transaction_reference=p.finance_reference,
            )
        )
    return out


def _item_lines(items: Iterable[SpendingItem]) -> list[Line]:
    label = individual_label()
    return [
        Line(
            source=FINANCE,
            paid_on=item.paid_on,
            recipient=label if item.individual else item.supplier,
            purpose=item.purpose,
            category=item.category,
            amount=item.amount,
        )
        for item in items
    ]


def spending_lines(*, over: Decimal | None = None, month: dt.date | None = None) -> list[Line]:
    """Every published item (of one month, or all), the product's payments first within a
    day, oldest first: what the downloads and `export spending` give."""
    lines = _payment_lines(paid_payments(over=over, month=month)) + _item_lines(
        finance_items(over=over, month=month)
    )
    return sorted(lines, key=lambda line: (line.paid_on, line.source != PAYMENTS))


def spending_month(month: dt.date, *, over: Decimal | None = None) -> Month:
    """One month of the register, in three queries."""
    return Month(
        first=month.replace(day=1),
        payments=_payment_lines(paid_payments(over=over, month=month)),
        items=_item_lines(finance_items(over=over, month=month)),
    )


@dataclass(frozen=True)
class MonthTotal:
    first: dt.date
    payments: Decimal
    items: Decimal

    @property
    def key(self) -> str:
        return f"{self.first:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{self.first:%B %Y}"

    @property
    def total(self) -> Decimal:
        return self.payments + self.items


def spending_months(*, over: Decimal | None = None) -> list[MonthTotal]:
    """Every month with something published, newest first, with its totals (two queries;
    summed in Python so the two databases agree to the penny)."""
    payments: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    items: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    for paid_on, amount in paid_payments(over=over).values_list("paid_on", "entry__amount"):
        if paid_on is not None:  # always, for a paid instalment
            payments[paid_on.replace(day=1)] += amount
    for paid_on, amount in finance_items(over=over).values_list("paid_on", "amount"):
        items[paid_on.replace(day=1)] += amount
    return [
        MonthTotal(first=m, payments=payments.get(m, ZERO), items=items.get(m, ZERO))
        for m in sorted({*payments, *items}, reverse=True)
    ]


def imports_list() -> QuerySet[SpendingImport]:
    """Every finance import, newest first, with who made it and any withdrawal."""
    return (
        SpendingImport.objects.select_related("imported_by", "withdrawal__withdrawn_by")
        .annotate(total=Sum("items__amount"))
        .order_by("-created_at", "-id")
    )


def import_get(uuid) -> SpendingImport:
    found = SpendingImport.objects.select_related("withdrawal").filter(uuid=uuid).first()
    if found is None:
        raise Http404("No such import")
    return found


# --------------------------------------------------------------------------------------------
# The finance system's CSV


REQUIRED = ("date", "supplier", "amount", "category")
OPTIONAL = ("purpose", "individual")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}
LONGEST = {"supplier": 300, "category": 200}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass(frozen=True)
class Problem:
    line: int  # the line of the file (the header is line 1); 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Line {self.line}" if self.line else "The file"
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


class SpendingImportRefused(ValidationError):
    """The file was not imported: every problem, by line and column, in `problems`."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__({"file": [str(p) for p in problems]})


def _date(text: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def check_rows(rows: list[dict[str, str]], *, today: dt.date) -> tuple[list[Problem], list[dict]]:
    """Every problem of the rows, by line and column, and the clean rows if there are none."""
    if not rows:
        return [Problem(0, "", "there are no rows under the header")], []
    header: set[str] = set().union(*(r.keys() for r in rows))
    problems = [Problem(1, c, "this column is missing") for c in REQUIRED if c not in header]
    known = ", ".join((*REQUIRED, *OPTIONAL))
    problems += [
        Problem(1, c, f"is not a column this import knows ({known})")
        for c in sorted(header - {*REQUIRED, *OPTIONAL})
    ]
    if problems:
        return problems, []
    clean: list[dict] = []
    for line, row in enumerate(rows, start=2):
        if not row:
            problems.append(Problem(line, "", "the line is empty"))
            continue
        errs: list[Problem] = []
        for column, text in row.items():
            longest = LONGEST.get(column, MAX_CELL)
            if len(text) > longest:
                errs.append(
                    Problem(line, column, f"is {len(text):,} characters long; at most {longest:,}")
                )
        if errs:
            problems += errs
            continue
        raw_date = row.get("date", "")
        paid_on = _date(raw_date)
        if not raw_date:
            errs.append(Problem(line, "date", "is blank"))
        elif paid_on is None:
            errs.append(
                Problem(line, "date", f"“{raw_date}” is not a date: write it like 2016-07-14")
            )
        elif paid_on > today:
            errs.append(Problem(line, "date", f"{paid_on:%-d %B %Y} is in the future"))
        supplier = row.get("supplier", "")
        if not supplier:
            errs.append(Problem(line, "supplier", "is blank: name who was paid"))
        amount = None
        try:
            amount = to_money(row.get("amount", ""))
        except ValueError as exc:
            errs.append(Problem(line, "amount", str(exc)))
        if amount is not None and amount < 0:
            errs.append(Problem(line, "amount", f"{row['amount']} is under £0"))
        category = row.get("category", "")
        if not category:
            errs.append(Problem(line, "category", "is blank"))
        flag = row.get("individual", "").lower()
        if flag not in YES | NO:
            errs.append(Problem(line, "individual", f"“{row['individual']}” is not yes or no"))
        if errs:
            problems += errs
            continue
        clean.append(
            {
                "row": line,
                "paid_on": paid_on,
                "supplier": supplier,
                "individual": flag in YES,
                "amount": amount,
                "category": category,
                "purpose": row.get("purpose", ""),
            }
        )
    return problems, clean


def spending_import(*, actor, filename: str, content: bytes) -> SpendingImport:
    """Import the finance system's CSV export: the file is checked (core.uploads) and kept,
    every line is checked, and the import with all its items and its audit event is written
    in one transaction, or nothing is (`SpendingImportRefused` lists every problem)."""
    require(actor, SPENDING_IMPORT)
    with transaction.atomic():
        checked = accept_upload(
            filename,
            content,
            field="file",
            folder=UPLOAD_FOLDER,
            allowed={"csv"},
            max_bytes=UPLOAD_MAX_BYTES,
        )
        try:
            rows = read_table(f"{checked.safe_name}", content)
        except ImportFileError as exc:
            raise SpendingImportRefused([Problem(0, "", str(exc))]) from exc
        problems, clean = check_rows(rows, today=timezone.localdate())
        if problems:
            raise SpendingImportRefused(problems)
        earlier = SpendingImport.objects.filter(
            sha256=checked.sha256, withdrawal__isnull=True
        ).first()
        if earlier is not None:
            raise SpendingImportRefused(
                [
                    Problem(
                        0,
                        "",
                        f"this file was already imported on "
                        f"{timezone.localtime(earlier.created_at):%-d %B %Y}; withdraw that "
                        "import first if it is to be loaded again",
                    )
                ]
            )
        made = SpendingImport.objects.create(
            original_name=checked.original_name[:200],
            sha256=checked.sha256,
            rows=len(clean),
            imported_by=user_of(actor),
        )
        SpendingItem.objects.bulk_create([SpendingItem(spending_import=made, **c) for c in clean])
        audit_record(
            actor=actor,
            action="spending.import",
            obj=made,
            after={
                "file": checked.original_name,
                "sha256": checked.sha256,
                "rows": len(clean),
                "total": str(sum((c["amount"] for c in clean), ZERO)),
            },
        )
        return made


def spending_withdraw(*, actor, spending_import: SpendingImport, reason: str) -> SpendingWithdrawal:
    """Withdraw a whole import from the register, saying why; its rows stay, as history."""
    require(actor, SPENDING_IMPORT)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the import is being withdrawn"})
    with transaction.atomic():
        locked(SpendingImport.objects.filter(pk=spending_import.pk))
        if SpendingWithdrawal.objects.filter(spending_import=spending_import).exists():
            raise ValidationError("This import has already been withdrawn")
        withdrawal = SpendingWithdrawal.objects.create(
            spending_import=spending_import, reason=reason.strip(), withdrawn_by=user_of(actor)
        )
        audit_record(
            actor=actor,
            action="spending.withdraw",
            obj=spending_import,
            after={"file": spending_import.original_name, "rows": spending_import.rows},
            reason=reason.strip(),
        )
        return withdrawal
