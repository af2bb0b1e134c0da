"""The public register of spending over £500: the product's paid instalments (their totals
are the ledger's paid entries), the finance system's imported items shown apart (all rows
or none, each bad line named), individuals never named, downloads, and who may import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.test import Client, override_settings
from django.urls import reverse

from commissioning.agreements import payments, spending
from commissioning.agreements.models import Agreement, SpendingImport, SpendingItem
from commissioning.budgets.models import Account, LedgerEntry
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.decisions import services as decision_services
from commissioning.decisions.models import DecisionRecord

from .conftest import accept_return

pytestmark = pytest.mark.django_db

NOVEMBER = dt.date(2026, 11, 1)
HEADER = "date,supplier,amount,category,purpose,individual\n"


def pay(payment, *, partner, officer, cfo, on: dt.date):
    """Take an instalment from its accepted return to paid on `on`."""
    accept_return(payment.period, partner, officer)
    payments.payment_request(actor=officer, payment=payment)
    payments.payment_approve(actor=cfo, payment=payment)
    return payments.payment_record_paid(
        actor=officer, payment=payment, paid_on=on, finance_reference=f"FIN-{payment.pk}"
    )


def upload(client, text: str, name: str = "finance.csv"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(reverse("spending-import"), {"file": SimpleUploadedFile(name, data)})


def ledger_paid(month: dt.date, over=D("500")) -> D:
    """The ledger's paid entries of instalments paid in the month, over the threshold,
    asked of the ledger itself."""
    return LedgerEntry.objects.filter(
        account=Account.PAID,
        amount__gt=over,
        payment__paid_on__year=month.year,
        payment__paid_on__month=month.month,
    ).aggregate(total=Sum("amount"))["total"] or D("0")


@pytest.fixture
def paid(active, partner, officer, cfo):
    """Two instalments of £2,500 paid in November 2026, one of £400 (under the threshold)
    paid then too, and one of £2,500 requested but not paid."""
    big = active("10000")
    small = active("1600")
    first, second, third = (big.payments.get(number=n) for n in (1, 2, 3))
    pay(first, partner=partner, officer=officer, cfo=cfo, on=dt.date(2026, 11, 10))
    pay(second, partner=partner, officer=officer, cfo=cfo, on=dt.date(2026, 11, 20))
    pay(
        small.payments.get(number=1),
        partner=partner,
        officer=officer,
        cfo=cfo,
        on=dt.date(2026, 11, 12),
    )
    accept_return(third.period, partner, officer)
    payments.payment_request(actor=officer, payment=third)
    return big, small


def test_the_register_lists_paid_instalments_over_500_and_its_totals_are_the_ledgers(client, paid):
    """Anyone, signed in or not, sees the month's paid instalments over £500: date, recipient,
    purpose, amount and agreement. A £400 instalment and one not yet paid are left out, and
    the month's total is exactly the ledger's paid entries for those instalments."""
    big, _small = paid
    response = client.get(reverse("spending"), {"month": "2026-11"})
    assert response.status_code == 200
    month = response.context["month"]
    mine = [line for line in month.payments if line.agreement == big.reference]
    assert [(line.paid_on, line.amount) for line in mine] == [
        (dt.date(2026, 11, 10), D("2500.00")),
        (dt.date(2026, 11, 20), D("2500.00")),
    ]
    assert all(line.amount > D("500") for line in month.payments)
    assert mine[0].recipient == "Test Charity" and mine[0].purpose == big.title
    assert month.payments_total == ledger_paid(NOVEMBER)
    assert LedgerEntry.objects.filter(account=Account.PAID, amount=D("400.00")).exists()
    page = response.content.decode()
    assert big.reference in page and "£2,500.00" in page and "Test Charity" in page
    assert "£400.00" not in page
    [listed] = [m for m in response.context["months"] if m.key == "2026-11"]
    assert listed.payments == ledger_paid(NOVEMBER) == month.payments_total


def test_a_published_decision_is_linked_and_an_unpublished_one_is_not_named(client, paid, officer):
    big, _small = paid
    published = DecisionRecord.objects.filter(status="published").first()
    assert published is not None  # the papers' decisions are published in the example
    Agreement.objects.filter(pk=big.pk).update(decision=published)
    page = client.get(reverse("spending"), {"month": "2026-11"}).content.decode()
    assert reverse("register-decision", args=[published.slug]) in page
    draft = decision_services.record_create(
        actor=officer, title="Not yet decided", summary="s", recommendations="r"
    )
    Agreement.objects.filter(pk=big.pk).update(decision=draft)
    response = client.get(reverse("spending"), {"month": "2026-11"})
    assert draft.reference not in response.content.decode()
    assert all(line.decision == "" for line in response.context["month"].payments)


def test_the_finance_import_is_shown_apart_and_individuals_are_never_named(client, cfo):
    client.force_login(cfo)
    response = upload(
        client,
        HEADER + "2016-07-04,Acme Venues Ltd,1200.00,Premises,Hall hire,no\n"
        "14/07/2016,Jane Smith,750,Consultancy,Victims' panel facilitation,yes\n"
        "2016-07-20,Cheap Supplies,499.99,Stationery,Paper,\n"
        "2016-07-21,Exactly Five Hundred,500,Stationery,Toner,\n",
    )
    assert response.status_code == 302
    made = SpendingImport.objects.get()
    assert made.rows == 4 and made.items.count() == 4
    assert made.items.get(row=3).individual and made.items.get(row=3).paid_on == dt.date(
        2016, 7, 14
    )
    assert AuditEvent.objects.filter(action="spending.import", object_uuid=made.uuid).exists()

    client.logout()
    response = client.get(reverse("spending"), {"month": "2016-07"})
    month = response.context["month"]
    assert [(i.recipient, i.amount) for i in month.items] == [
        ("Acme Venues Ltd", D("1200.00")),
        ("Individual", D("750.00")),
    ]  # over £500 only: £499.99 and £500 exactly are not published
    assert month.items_total == D("1950.00")
    page = response.content.decode()
    assert "Other spending, from the finance system" in page and "Jane Smith" not in page
    for fmt in ("csv", "json"):
        download = client.get(reverse("spending-download", args=[fmt]), {"month": "2016-07"})
        assert download.status_code == 200
        assert b"Jane Smith" not in download.content and b"Individual" in download.content
    with override_settings(SPENDING_INDIVIDUAL_LABEL="Private individual (name withheld)"):
        page = client.get(reverse("spending"), {"month": "2016-07"}).content.decode()
    assert "Private individual (name withheld)" in page and "Jane Smith" not in page
    with override_settings(SPENDING_THRESHOLD=1000):
        response = client.get(reverse("spending"), {"month": "2016-07"})
    assert [i.recipient for i in response.context["month"].items] == ["Acme Venues Ltd"]
    assert "Spending over £1,000" in response.content.decode()


def test_downloads_are_the_register_as_csv_and_json(client, paid):
    big, _small = paid
    response = client.get(reverse("spending-download", args=["csv"]), {"month": "2026-11"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == spending.COLUMNS
    mine = [r for r in rows if r["agreement"] == big.reference]
    assert [(r["date_paid"], r["amount"], r["source"]) for r in mine] == [
        ("2026-11-10", "2500.00", "agreement payment"),
        ("2026-11-20", "2500.00", "agreement payment"),
    ]
    data = json.loads(
        client.get(reverse("spending-download", args=["json"]), {"month": "2026-11"}).content
    )
    assert data["threshold"] == "500.00" and data["month"] == "2026-11"
    assert sum(D(r["amount"]) for r in data["rows"] if r["source"] == "agreement payment") == (
        ledger_paid(NOVEMBER)
    )
    everything = json.loads(client.get(reverse("spending-download", args=["json"])).content)
    assert everything["month"] is None and len(everything["rows"]) >= len(data["rows"])
    assert client.get(reverse("spending-download", args=["xml"])).status_code == 404
    assert client.get(reverse("spending"), {"month": "2016-13"}).status_code == 404
    assert (
        client.get(reverse("spending-download", args=["csv"]), {"month": "July"}).status_code == 404
    )


def test_a_bad_file_is_refused_whole_with_every_line_and_column_named(client, cfo):
    client.force_login(cfo)
    before = (SpendingImport.objects.count(), SpendingItem.objects.count())
    audits = AuditEvent.objects.filter(action="spending.import").count()
    response = upload(
        client,
        HEADER + "2016-07-04,Acme Venues Ltd,1200.00,Premises,Hall hire,no\n"
        "31/02/2016,Bad Date Ltd,600,Premises,,no\n"
        "2016-07-05,Fractions Ltd,12.345,Premises,,\n"
        "2016-07-06,,800,Premises,,\n"
        "2016-07-07,Refund Ltd,-5,Premises,,\n"
        "2016-07-08,Maybe Ltd,700,,,maybe\n"
        "2016-07-09,Words Ltd,a lot,Premises,,\n",
    )
    assert response.status_code == 400
    problems = [str(p) for p in response.context["problems"]]
    assert [p.split(":")[0] for p in problems] == [
        "Line 3, date",
        "Line 4, amount",
        "Line 5, supplier",
        "Line 6, amount",
        "Line 7, category",
        "Line 7, individual",
        "Line 8, amount",
    ]
    assert "is not a date" in problems[0] and "under £0" in problems[3]
    assert "fractions of a penny" in problems[1]
    page = response.content.decode()
    assert "Nothing was imported: 7 problems in the file" in page
    assert "Line 5, supplier: is blank" in page
    assert (SpendingImport.objects.count(), SpendingItem.objects.count()) == before
    assert AuditEvent.objects.filter(action="spending.import").count() == audits


def test_columns_the_import_does_not_know_or_misses_are_refused(client, cfo):
    """A misspelt column is refused rather than ignored: an `individul` column ignored would
    publish a person's name."""
    client.force_login(cfo)
    response = upload(client, "date,supplier,amount,individul\n2016-07-04,Jane Smith,900,yes\n")
    assert response.status_code == 400
    problems = [str(p) for p in response.context["problems"]]
    assert problems == [
        "Line 1, category: this column is missing",
        "Line 1, individul: is not a column this import knows (date, supplier, amount, "
        "category, purpose, individual)",
    ]
    assert not SpendingImport.objects.exists()


def test_a_cell_too_long_a_future_date_and_an_empty_file_are_refused(client, cfo):
    client.force_login(cfo)
    future = dt.date.today() + dt.timedelta(days=40)
    response = upload(
        client,
        HEADER + f"2016-07-04,{'A' * 301},900,Premises,,\n"
        f"{future.isoformat()},Tomorrow Ltd,900,Premises,,\n"
        f"2016-07-04,Long Purpose Ltd,900,Premises,{'p' * 2001},\n",
    )
    problems = [str(p) for p in response.context["problems"]]
    assert problems[0] == "Line 2, supplier: is 301 characters long; at most 300"
    assert problems[1].startswith("Line 3, date:") and "is in the future" in problems[1]
    assert problems[2] == "Line 4, purpose: is 2,001 characters long; at most 2,000"
    response = upload(client, HEADER)
    assert [str(p) for p in response.context["problems"]] == [
        "The file: there are no rows under the header"
    ]
    assert not SpendingImport.objects.exists()


def test_a_file_that_is_not_csv_text_is_refused_by_the_upload_checks(client, cfo):
    client.force_login(cfo)
    response = upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, name="finance.csv")
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    response = upload(client, HEADER + "2016-07-04,A,900,B,,\n", name="finance.xlsx")
    assert "not accepted here" in " ".join(response.context["form"].errors["file"])
    assert not SpendingImport.objects.exists()


def test_the_same_file_twice_is_refused_until_the_first_is_withdrawn(cfo):
    text = (HEADER + "2016-08-01,Acme Venues Ltd,900,Premises,Hall hire,\n").encode()
    first = spending.spending_import(actor=cfo, filename="august.csv", content=text)
    with pytest.raises(ValidationError, match="already imported"):
        spending.spending_import(actor=cfo, filename="august-again.csv", content=text)
    spending.spending_withdraw(actor=cfo, spending_import=first, reason="Wrong month's export")
    again = spending.spending_import(actor=cfo, filename="august.csv", content=text)
    assert again.pk != first.pk
    assert [i.supplier for i in spending.finance_items(month=dt.date(2016, 8, 1))] == [
        "Acme Venues Ltd"
    ]


def test_only_the_cfo_imports_and_withdraws(client, user_with, officer, organisation):
    text = HEADER + "2016-07-04,Acme Venues Ltd,900,Premises,,\n"
    assert client.get(reverse("spending-import")).status_code == 302  # to sign in
    for user in (officer, user_with(Role.PARTNER, organisation=organisation)):
        client.force_login(user)
        assert client.get(reverse("spending-import")).status_code == 403
        assert upload(client, text).status_code == 403
        with pytest.raises(ValidationError, match="only the Chief Finance Officer"):
            spending.spending_import(actor=user, filename="f.csv", content=text.encode())
    assert not SpendingImport.objects.exists()


def test_the_cfo_withdraws_an_import_with_a_reason_and_it_leaves_the_register(client, cfo, officer):
    made = spending.spending_import(
        actor=cfo,
        filename="july.csv",
        content=(HEADER + "2016-07-04,Acme Venues Ltd,1200,Premises,Hall hire,\n").encode(),
    )
    url = reverse("spending-withdraw", args=[made.uuid])
    client.force_login(officer)
    assert client.post(url, {"reason": "x"}).status_code == 403
    client.force_login(cfo)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Say why the import is being withdrawn"]
    assert not hasattr(SpendingImport.objects.get(pk=made.pk), "withdrawal")
    response = client.post(url, {"reason": "The export held June's payments twice"})
    assert response.status_code == 302
    made = SpendingImport.objects.get(pk=made.pk)
    assert made.withdrawal.reason == "The export held June's payments twice"
    assert AuditEvent.objects.filter(action="spending.withdraw", object_uuid=made.uuid).exists()
    register = client.get(reverse("spending"), {"month": "2016-07"})
    assert "Acme Venues Ltd" not in register.content.decode()
    listing = client.get(reverse("spending-import")).content.decode()
    assert "Withdrawn" in listing and "June&#x27;s payments twice" in listing
    response = client.post(url, {"reason": "Again"})
    assert response.status_code == 400 and "already been withdrawn" in response.content.decode()
    assert client.get(reverse("spending-withdraw", args=[uuid.uuid4()])).status_code == 404


def test_writes_need_csrf(cfo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cfo)
    before = AuditEvent.objects.count()
    response = upload(client, HEADER + "2016-07-04,Acme Venues Ltd,900,Premises,,\n")
    assert response.status_code == 403
    assert not SpendingImport.objects.exists() and AuditEvent.objects.count() == before


def test_the_register_reads_in_a_fixed_number_of_queries(
    client, paid, cfo, django_assert_max_num_queries
):
    """A month's page costs the same however many items it lists."""
    spending.spending_import(
        actor=cfo,
        filename="nov.csv",
        content=(
            HEADER
            + "".join(f"2026-11-0{n},Supplier {n},{600 + n},Premises,,\n" for n in range(1, 8))
        ).encode(),
    )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("spending"), {"month": "2026-11"})
    assert len(response.context["month"].items) >= 7
