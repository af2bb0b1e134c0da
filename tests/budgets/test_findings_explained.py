"""Reconciliation findings carry their figures, have keys that survive recomputation, and can
be marked explained by an officer or the CFO (append-only, audited), shown on the page, the
year page's count, the command's JSON and CSV and the page's download."""

import csv
import io
import json
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commissioning.budgets import services
from commissioning.budgets.models import Allocation, FindingExplanation
from commissioning.budgets.reconcile import StatedRow, YearFacts, reconcile
from commissioning.budgets.selectors import current_amounts, current_version, reconcile_year
from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from tests.conftest import year_of

pytestmark = pytest.mark.django_db

FIGURE_KINDS = {
    "row_arithmetic",
    "total_vs_ledger",
    "total_vs_rows",
    "row_vs_ledger",
    "figure_vs_position",
    "in_kind_as_cash",
}
UNALLOCATED = "total_vs_ledger:Unallocated Funding (total)"


def findings(label):
    return reconcile_year(year_of(label))


def by_where(label):
    """The year's findings by kind and the end of their `where` (as tests/examples does)."""
    return {f"{f.kind}:{f.where.rsplit(': ', 1)[-1]}": f for f in findings(label)}


def today() -> str:
    return f"{timezone.localdate():%-d %B %Y}"


def page(client, label="2013-14"):
    return client.get(reverse("reconciliation", args=[label]))


def explain_post(client, key, note, label="2013-14"):
    return client.post(reverse("reconciliation-explain", args=[label]), {"key": key, "note": note})


def written() -> tuple[int, int]:
    return FindingExplanation.objects.count(), AuditEvent.objects.count()


# --- Figures -------------------------------------------------------------------------------


def test_every_figure_finding_of_2013_14_carries_its_figures_as_decimals():
    """30 of the 34 findings compare figures: each has stated, computed and their difference."""
    found = findings("2013/14")
    with_figures = [f for f in found if f.has_figures]
    assert len(found) == 34 and len(with_figures) == 30
    assert {f.kind for f in with_figures} == {f.kind for f in found if f.kind in FIGURE_KINDS}
    for f in with_figures:
        assert isinstance(f.stated, D) and isinstance(f.computed, D)
        assert f.difference == f.stated - f.computed
    unallocated = by_where("2013/14")[UNALLOCATED]
    assert (unallocated.stated, unallocated.computed, unallocated.difference) == (
        D("8794"),
        D("8792"),
        D("2"),
    )


def test_a_rounded_figure_carries_what_the_paper_printed():
    """£2.9m is stated as 2,900,000 and carries the paper's "£2.9m"; a table's total, printed
    to the pound, carries nothing more."""
    found = findings("2013/14")
    (pot,) = [f for f in found if f.stated_as == "£2.9m"]
    assert (pot.kind, pot.stated, pot.computed) == (
        "figure_vs_position",
        D("2900000"),
        D("2954029"),
    )
    assert by_where("2013/14")[UNALLOCATED].stated_as == ""


def test_findings_about_words_leave_the_figures_blank():
    """2016/17's twelve findings are all spellings: no stated, computed or difference."""
    found = findings("2016/17")
    assert len(found) == 12
    assert all(f.stated is f.computed is f.difference is None for f in found)
    names = [f for f in findings("2013/14") if f.kind == "name_variant"]
    assert len(names) == 4 and not any(f.has_figures for f in names)
    assert [f.as_dict()["stated"] for f in names] == [None] * 4


def test_two_papers_disagreeing_on_an_amount_carry_the_differing_paper_and_the_ledger():
    """Stated is the first paper whose figure is not the ledger's; computed is the ledger."""

    def row(table, amount):
        return StatedRow(table, f"Paper {table}", 1, "", "A project", "A", {"": D(amount)})

    facts = YearFacts(
        rows=[row("a", "100"), row("b", "120")],
        figures=[],
        ledger={"A": {"FY": D("100")}},
        pot=D(0),
    )
    (disagree,) = [f for f in reconcile(facts) if f.kind == "sources_disagree"]
    assert (disagree.stated, disagree.computed, disagree.difference) == (D(120), D(100), D(20))
    assert disagree.key == "sources_disagree:A:amount"
    assert "Paper b" in disagree.note


def test_the_page_shows_figures_right_aligned_in_whole_pounds_and_a_dash_for_words(client, officer):
    client.force_login(officer)
    html = page(client).content.decode()
    assert 'govuk-table__cell--numeric app-wide-only">£8,794' in html
    assert "£8,792</td>" in html and "£8,794.00" not in html
    assert "printed as £2.9m" in html
    words = page(client, "2016-17").content.decode()
    assert words.count('<span aria-hidden="true">—</span>') == 12 * 3
    assert "“Twenty-Two”" in words


# --- Keys ----------------------------------------------------------------------------------


def test_keys_are_unique_and_the_same_when_recomputed():
    for label in ("2013/14", "2016/17"):
        first, second = findings(label), findings(label)
        keys = [f.key for f in first]
        assert all(keys) and len(set(keys)) == len(keys)
        assert keys == [f.key for f in second]
    assert by_where("2013/14")[UNALLOCATED].key.startswith("total_vs_ledger:figure:")
    assert "row_arithmetic:2013-14-table-1:83" in {f.key for f in findings("2013/14")}


def test_a_key_does_not_change_when_the_figures_and_the_words_do(officer):
    """Add a pound to an allocation's first half of 2013/14: Table 1's printed H1 total no
    longer agrees with its rows, so its finding has a new computed figure and a new note,
    and keeps its key."""
    before = by_where("2013/14")["total_vs_ledger:TOTAL (H1)"]
    allocation = Allocation.objects.get(reference=_an_allocation_of_2013_14())
    services.allocation_vary(
        actor=officer,
        allocation=allocation,
        reason="A test of the keys",
        amounts=_plus_one_pound(allocation),
    )
    after = by_where("2013/14")["total_vs_ledger:TOTAL (H1)"]
    assert after.computed == before.computed + 1
    assert after.note != before.note
    assert after.key == before.key


def _an_allocation_of_2013_14() -> str:
    """One printed in Table 1 with an amount in the first half."""
    return (
        Allocation.objects.filter(
            year__label="2013/14", source_rows__isnull=False, entries__period="H1"
        )
        .order_by("reference")
        .values_list("reference", flat=True)
        .first()
    )


def _plus_one_pound(allocation) -> dict[str, D]:
    amounts = current_amounts(current_version(allocation))
    return {**amounts, "H1": amounts["H1"] + 1}


# --- Explaining ----------------------------------------------------------------------------


def test_an_officer_explains_a_finding_audited_and_shown_everywhere(client, officer):
    year = year_of("2013/14")
    finding = by_where("2013/14")[UNALLOCATED]
    explanation = services.finding_explain(
        actor=officer, year=year, key=finding.key, note="  The paper rounded two rows down.  "
    )
    assert explanation.note == "The paper rounded two rows down."
    assert (explanation.stated, explanation.computed) == (D("8794"), D("8792"))
    event = AuditEvent.objects.get(action="finding.explain", object_uuid=explanation.uuid)
    assert event.actor == officer
    assert event.after["key"] == finding.key and event.after["difference"] == "2.00"

    shown = by_where("2013/14")[UNALLOCATED]
    assert shown.explained and shown.explanation.by == "Test commissioning_officer"

    client.force_login(officer)
    html = page(client).content.decode()
    assert (
        f"Explained by Test commissioning_officer on {today()}: The paper rounded two rows down."
        in html
    )
    assert "34 findings, 1 explained" in html

    out = io.StringIO()
    call_command("reconcile", "--year", "2013/14", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["explained"] == 1
    (exported,) = [f for f in data["findings"] if f["key"] == finding.key]
    assert exported["explanation"]["note"] == "The paper rounded two rows down."
    assert exported["explanation"]["by"] == "Test commissioning_officer"
    assert exported["explanation"]["on"][:10] == timezone.localdate().isoformat()
    assert (exported["stated"], exported["computed"], exported["difference"]) == (
        "8794.00",
        "8792.00",
        "2.00",
    )


def test_the_csv_export_and_the_page_download_carry_the_figures_and_the_explanation(client, cfo):
    finding = by_where("2013/14")[UNALLOCATED]
    services.finding_explain(actor=cfo, year=year_of("2013/14"), key=finding.key, note="Rounding")
    out = io.StringIO()
    call_command("reconcile", "--year", "2013/14", "--format", "csv", stdout=out)
    client.force_login(cfo)
    response = client.get(reverse("reconciliation", args=["2013-14"]) + "?download=csv")
    assert response["Content-Disposition"].endswith('"reconciliation-2013-14.csv"')
    for text in (out.getvalue(), response.content.decode()):
        rows = {r["Key"]: r for r in csv.DictReader(io.StringIO(text))}
        assert len(rows) == 34
        row = rows[finding.key]
        assert (row["Stated"], row["Computed"], row["Difference"]) == ("8794.00", "8792.00", "2.00")
        assert (row["Explained"], row["Explanation"], row["Explained by"]) == (
            "Yes",
            "Rounding",
            "Test cfo",
        )
        assert row["Explained on"] == timezone.localdate().isoformat()


def test_explaining_on_the_page_redirects_to_the_finding(client, officer):
    finding = by_where("2013/14")[UNALLOCATED]
    client.force_login(officer)
    response = explain_post(client, finding.key, "The paper's arithmetic")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/years/2013-14/reconciliation/#{finding.anchor}")
    assert FindingExplanation.objects.get(key=finding.key).explained_by == officer
    html = page(client).content.decode()
    assert "The finding is marked as explained." in html
    assert "Explained by Test commissioning_officer" in html


def test_the_form_is_offered_to_officers_and_not_to_the_police_and_crime_panel(
    client, officer, user_with
):
    client.force_login(officer)
    html = page(client).content.decode()
    assert html.count('name="note"') == 34 and "Mark as explained" in html
    client.force_login(user_with(Role.POLICE_CRIME_PANEL))
    html = page(client).content.decode()
    assert page(client).status_code == 200 and 'name="note"' not in html


def test_a_partner_cannot_explain(client, user_with, organisation):
    partner = user_with(Role.PARTNER, organisation=organisation)
    key = by_where("2013/14")[UNALLOCATED].key
    before = written()
    with pytest.raises(ValidationError, match="only commissioning officers"):
        services.finding_explain(actor=partner, year=year_of("2013/14"), key=key, note="Mine")
    client.force_login(partner)
    assert explain_post(client, key, "Mine").status_code == 403
    assert written() == before


def test_an_empty_note_is_refused_naming_the_field(client, officer):
    finding = by_where("2013/14")[UNALLOCATED]
    before = written()
    with pytest.raises(ValidationError) as refused:
        services.finding_explain(actor=officer, year=year_of("2013/14"), key=finding.key, note=" ")
    assert set(refused.value.message_dict) == {"note"}
    client.force_login(officer)
    response = explain_post(client, finding.key, "   ")
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert f'href="#{finding.anchor}-note">Enter a note saying why' in html
    assert f'id="{finding.anchor}-note-error"' in html
    assert written() == before


def test_an_unknown_key_is_refused(officer):
    with pytest.raises(ValidationError) as refused:
        services.finding_explain(
            actor=officer, year=year_of("2013/14"), key="row_arithmetic:no-such-table:1", note="X"
        )
    assert set(refused.value.message_dict) == {"key"}
    assert not FindingExplanation.objects.exists()


def test_a_newer_explanation_supersedes_and_the_history_stays(client, officer, cfo):
    year, key = year_of("2013/14"), by_where("2013/14")[UNALLOCATED].key
    first = services.finding_explain(actor=officer, year=year, key=key, note="First thoughts")
    services.finding_explain(actor=cfo, year=year, key=key, note="Checked with the paper")
    shown = by_where("2013/14")[UNALLOCATED]
    assert shown.explanation.note == "Checked with the paper" and shown.explanation.by == "Test cfo"
    assert [e.note for e in shown.earlier] == ["First thoughts"]
    assert FindingExplanation.objects.filter(key=key).count() == 2
    second_event = AuditEvent.objects.filter(action="finding.explain").latest("id")
    assert second_event.after["supersedes"] == str(first.uuid)
    client.force_login(officer)
    html = page(client).content.decode()
    assert "Earlier explanations (1)" in html and "First thoughts" in html
    assert "34 findings, 1 explained" in html


def test_an_explanation_lapses_when_the_figures_change(client, officer):
    """Explained at a £2 difference; once the ledger moves, the finding is unexplained again
    (the note still shown, marked, with the figures it was written for)."""
    key = by_where("2013/14")[UNALLOCATED].key
    services.finding_explain(actor=officer, year=year_of("2013/14"), key=key, note="Rounding")
    assert by_where("2013/14")[UNALLOCATED].explained
    allocation = Allocation.objects.get(reference=_an_allocation_of_2013_14())
    services.allocation_vary(
        actor=officer, allocation=allocation, reason="Moved", amounts=_plus_one_pound(allocation)
    )
    (moved,) = [f for f in findings("2013/14") if f.key == key]
    assert moved.explanation.note == "Rounding"
    assert moved.figures_changed and not moved.explained
    client.force_login(officer)
    html = page(client).content.decode()
    assert "Figures changed" in html and "Written when the figures were £8,794 stated" in html


def test_looking_writes_nothing(client, officer):
    """The page, its download and the command read only (the session aside)."""
    client.force_login(officer)
    page(client)  # the session settles on the first request
    with CaptureQueriesContext(connection) as queries:
        assert page(client).status_code == 200
        client.get(reverse("reconciliation", args=["2013-14"]) + "?download=json")
        client.get(reverse("year", args=["2013-14"]))
        call_command("reconcile", "--year", "2013/14", "--format", "json", stdout=io.StringIO())
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert len(queries.captured_queries) > 0


def test_a_get_to_the_explain_address_is_not_a_way_in(client, officer):
    client.force_login(officer)
    response = client.get(reverse("reconciliation-explain", args=["2013-14"]))
    assert response.status_code == 405
    assert not FindingExplanation.objects.exists()


def test_the_year_page_says_how_many_findings_are_unexplained(client, officer):
    client.force_login(officer)
    year_url = reverse("year", args=["2013-14"])
    assert "34 findings where the papers' figures and the ledger differ: 34 unexplained" in (
        client.get(year_url).content.decode()
    )
    services.finding_explain(
        actor=officer,
        year=year_of("2013/14"),
        key=by_where("2013/14")[UNALLOCATED].key,
        note="Rounding",
    )
    assert "34 findings where the papers' figures and the ledger differ: 33 unexplained" in (
        client.get(year_url).content.decode()
    )


def test_a_year_all_explained_says_so(client, cfo):
    year = year_of("2016/17")
    for finding in findings("2016/17"):
        services.finding_explain(actor=cfo, year=year, key=finding.key, note="A known spelling")
    client.force_login(cfo)
    html = client.get(reverse("year", args=["2016-17"])).content.decode()
    assert "12 findings where the papers' figures and the ledger differ: all explained" in html
    assert "12 findings, 12 explained" in page(client, "2016-17").content.decode()
