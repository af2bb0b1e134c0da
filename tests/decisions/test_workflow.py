"""Sign-off: numbering, no skipped step, no self-approval, a signed record never changes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.decisions import services
from commissioning.decisions.models import DecisionRecord, Signature
from commissioning.decisions.public import staff_document
from commissioning.decisions.register import published_one
from commissioning.decisions.status import Status, Step

pytestmark = pytest.mark.django_db


def publish(*, actor, record):
    """The Monitoring Officer publishes the whole record."""
    return services.record_determine(
        actor=actor,
        record=record,
        publish_record="yes",
        publish_assessment="yes",
        publish_details="yes",
    )


def test_references_are_numbered_per_financial_year(officer):
    a = services.record_create(actor=officer, title="A", on=dt.date(2030, 4, 1))
    b = services.record_create(actor=officer, title="B", on=dt.date(2031, 3, 31))
    c = services.record_create(actor=officer, title="C", on=dt.date(2031, 4, 1))
    assert (a.reference, b.reference) == ("EXE 0001/30", "EXE 0002/30")
    assert c.reference == "EXE 0001/31"
    assert a.slug == "exe-0001-30"


def test_a_given_number_is_kept_and_the_sequence_continues_after_it(officer):
    given = services.record_create(
        actor=officer, title="From paper", on=dt.date(2029, 8, 27), number=25
    )
    after = services.record_create(actor=officer, title="Next", on=dt.date(2029, 9, 1))
    assert given.reference == "EXE 0025/29"
    assert after.reference == "EXE 0026/29"
    with pytest.raises(ValidationError, match="already used"):
        services.record_create(actor=officer, title="Clash", on=dt.date(2029, 9, 2), number=25)


def test_only_officers_draft(user_with):
    for role in (Role.PCC, Role.CHIEF_EXECUTIVE, Role.PARTNER, Role.REVIEWER):
        with pytest.raises(ValidationError, match="only officers draft decision records"):
            services.record_create(actor=user_with(role), title="No")


def test_the_steps_run_in_order(draft, cfo, pcc, ceo):
    with pytest.raises(ValidationError, match="approved for the pcc first"):
        services.record_sign(actor=pcc, record=draft)
    with pytest.raises(ValidationError, match="signed by the pcc first"):
        publish(actor=ceo, record=draft)
    services.record_approve(actor=cfo, record=draft)
    with pytest.raises(ValidationError, match="can no longer change"):
        services.record_approve(actor=cfo, record=draft)
    with pytest.raises(ValidationError, match="signed by the pcc first"):
        publish(actor=ceo, record=draft)
    services.record_sign(actor=pcc, record=draft)
    with pytest.raises(ValidationError):
        services.record_sign(actor=pcc, record=draft)
    publish(actor=ceo, record=draft)
    draft.refresh_from_db()
    assert draft.status == Status.PUBLISHED
    steps = list(draft.signatures.values_list("step", flat=True))
    assert steps == [Step.APPROVE, Step.SIGN, Step.DETERMINE]


def test_each_step_needs_its_role(draft, approved, officer, user_with):
    other = services.record_create(actor=officer, title="Other", summary="s", recommendations="r")
    with pytest.raises(ValidationError, match="Chief Executive or the Chief Finance Officer"):
        services.record_approve(actor=user_with(Role.PCC), record=other)
    with pytest.raises(ValidationError, match="only the Police and Crime Commissioner"):
        services.record_sign(actor=user_with(Role.CFO), record=approved)


def test_the_monitoring_officer_determines(signed, cfo):
    with pytest.raises(ValidationError, match="only the Monitoring Officer"):
        publish(actor=cfo, record=signed)


def test_nobody_approves_their_own_draft(user_with):
    drafter = user_with(Role.CFO)  # a CFO may both draft and approve, but not the same record
    record = services.record_create(actor=drafter, title="Own", summary="s", recommendations="r")
    with pytest.raises(ValidationError, match="someone else must approve"):
        services.record_approve(actor=drafter, record=record)
    record.refresh_from_db()
    assert record.status == Status.DRAFT
    assert not Signature.objects.filter(record=record).exists()


def test_the_approver_cannot_also_sign_as_pcc(draft, user_with):
    both = user_with(Role.CFO, Role.PCC)
    services.record_approve(actor=both, record=draft)
    with pytest.raises(ValidationError, match="two people"):
        services.record_sign(actor=both, record=draft)


def test_approval_needs_a_summary_and_recommendations(officer, cfo):
    record = services.record_create(actor=officer, title="Empty")
    with pytest.raises(ValidationError, match="summary of the issue and the recommendations"):
        services.record_approve(actor=cfo, record=record)


def test_approval_freezes_the_content(approved, officer, cfo):
    with pytest.raises(ValidationError, match="can no longer change"):
        services.record_update(actor=officer, record=approved, summary="Changed")
    with pytest.raises(ValidationError, match="can no longer change"):
        services.assessment_save(actor=officer, record=approved, plan_name="x")
    with pytest.raises(ValidationError, match="can no longer change"):
        services.link_remove(actor=officer, record=approved, orders=[1])
    approved.refresh_from_db()
    assert approved.summary == "Three partnerships asked for help over the winter."


def test_signatures_name_the_hash_of_the_content_they_signed(signed):
    sha = signed.snapshot.sha256
    assert len(sha) == 64
    assert set(signed.signatures.values_list("content_sha256", flat=True)) == {sha}


def test_a_signed_record_shows_its_snapshot_even_if_the_draft_table_is_tampered_with(signed):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE decisions_decisionrecord SET summary = %s WHERE id = %s",
            ["TAMPERED", signed.pk],
        )
    signed.refresh_from_db()
    doc = staff_document(signed)
    assert "TAMPERED" not in doc.text()
    assert "Three partnerships asked for help" in doc.text()


@pytest.mark.parametrize(
    "table",
    ["decisions_decisionsnapshot", "decisions_signature", "decisions_publishedversion"],
)
def test_the_database_refuses_changes_to_signed_content(signed, ceo, table):
    publish(actor=ceo, record=signed)
    column = {"decisions_decisionsnapshot": "sha256", "decisions_signature": "name"}.get(
        table, "search_text"
    )
    for statement in (f"UPDATE {table} SET {column} = 'x'", f"DELETE FROM {table}"):
        with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)


def test_a_correction_supersedes_the_signed_record(signed, ceo, officer, cfo, pcc):
    publish(actor=ceo, record=signed)
    with pytest.raises(ValidationError, match="editing it"):
        draft2 = services.record_create(actor=officer, title="x")
        services.record_create(actor=officer, title="y", supersedes=draft2)
    correction = services.record_create(
        actor=officer,
        title=signed.title + " (corrected)",
        supersedes=signed,
        summary="Corrected summary.",
        recommendations="1. Approve the corrected table.",
    )
    with pytest.raises(ValidationError, match="already been superseded"):
        services.record_create(actor=officer, title="again", supersedes=signed)
    assert published_one(signed.slug).doc.superseded_by == ""  # the correction is not published yet
    services.record_approve(actor=cfo, record=correction)
    services.record_sign(actor=pcc, record=correction)
    publish(actor=ceo, record=correction)
    assert published_one(signed.slug).doc.superseded_by == correction.reference
    assert published_one(correction.slug).doc.supersedes == signed.reference
    # the old record itself is untouched
    assert "Three partnerships" in published_one(signed.slug).doc.text()


def test_every_step_is_audited(draft, cfo, pcc, ceo):
    def actions():
        return list(
            AuditEvent.objects.filter(object_uuid=draft.uuid).values_list("action", flat=True)
        )

    assert actions() == ["decision.create"]
    services.record_approve(actor=cfo, record=draft)
    services.record_sign(actor=pcc, record=draft)
    publish(actor=ceo, record=draft)
    assert actions() == [
        "decision.create",
        "decision.approved",
        "decision.signed",
        "decision.published",
    ]


def test_determination_answers_must_agree_with_the_parts_marked_exempt(signed, ceo):
    R = services.RedactionRequest
    cases = [
        ({"publish_record": "part"}, [], "publish_record", "needs at least one part"),
        (
            {},
            [R("discussion", "foi_s43", "Commercial")],
            "publish_record",
            "choose “Part redacted”",
        ),
        (
            {"publish_record": "part"},
            [R("discussion", "foi_s43", "")],
            "reason:discussion",
            "Give the reason",
        ),
        (
            {"publish_record": "part"},
            [R("discussion", "bogus", "why")],
            "exemption:discussion",
            "Choose the exemption",
        ),
        ({"publish_record": "part"}, [R("nonsense", "foi_s43", "why")], "part:nonsense", "no part"),
        ({"publish_details": "no"}, [], "exemption", "Cite the legislation"),
        ({"publish_record": "no"}, [], "publish_record", "neither are the assessment"),
    ]
    for answers, redactions, field, message in cases:
        kwargs = {"publish_record": "yes", "publish_assessment": "yes", "publish_details": "yes"}
        kwargs.update(answers)
        with pytest.raises(ValidationError) as caught:
            services.record_determine(actor=ceo, record=signed, redactions=redactions, **kwargs)
        assert field in caught.value.message_dict, (answers, caught.value.message_dict)
        assert message in " ".join(caught.value.message_dict[field])
    signed.refresh_from_db()
    assert signed.status == Status.SIGNED  # nothing half-written
    assert not signed.redactions.exists()


def test_not_publishing_keeps_the_record_off_the_register(signed, ceo):
    services.record_determine(
        actor=ceo,
        record=signed,
        publish_record="no",
        publish_assessment="no",
        publish_details="no",
        exemption="foi_s31",
        reasons="Publication would prejudice the prevention of crime.",
    )
    signed.refresh_from_db()
    assert signed.status == Status.NOT_PUBLISHED
    assert (
        not hasattr(signed, "published")
        or not DecisionRecord.objects.filter(pk=signed.pk, published__isnull=False).exists()
    )


def test_the_papers_records_are_entered_signed_and_published():
    old = DecisionRecord.objects.get(reference="EXE 0025/13")
    doc = staff_document(old)
    assert doc.decision_date == dt.date(2013, 8, 27)
    assert doc.approval is not None and doc.approval.name == "Peter Lewis"
    assert doc.approval.signed_on == dt.date(2013, 9, 3)
    assert doc.pcc_signature is not None and doc.pcc_signature.signed_on == dt.date(2013, 9, 5)
    assert doc.pcc_signature.on_paper and doc.approval.on_paper
    assert doc.determination is not None and doc.determination.signature.name == "Paul Stock"
    assert old.status == Status.PUBLISHED
    refresh = DecisionRecord.objects.get(
        title__startswith="Police and Crime Commissioner Commissioning"
    )
    assert staff_document(refresh).assessment is not None
    assert "Age" in staff_document(refresh).assessment.characteristics
