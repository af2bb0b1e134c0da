"""The record's workflow table: the order of the steps, the moves each person is offered on
the page, the audit event of every move, and the reads other apps' pages make."""

from __future__ import annotations

import pytest

from commissioning.core.models import AuditEvent
from commissioning.core.roles import Role
from commissioning.decisions import selectors, services
from commissioning.decisions.status import Status
from commissioning.decisions.workflow import (
    RECORD,
    SIGNED_OR_LATER,
    awaits,
    needed_before,
    next_step,
)

pytestmark = pytest.mark.django_db

APPROVE_BUTTON = "Approve and send to the PCC"
SIGN_BUTTON = "Sign the decision"
DETERMINE_BUTTON = "Determine publication"
SUPERSEDE_BUTTON = "Correct this record with a new one that supersedes it"


def test_the_table_holds_the_order_of_the_steps():
    assert [m.target for m in RECORD.moves_from(Status.DRAFT)] == [Status.APPROVED]
    assert [m.target for m in RECORD.moves_from(Status.APPROVED)] == [Status.SIGNED]
    assert {m.target for m in RECORD.moves_from(Status.SIGNED)} == {
        Status.PUBLISHED,
        Status.NOT_PUBLISHED,
    }
    assert RECORD.moves_from(Status.PUBLISHED) == RECORD.moves_from(Status.NOT_PUBLISHED) == []
    assert SIGNED_OR_LATER == {Status.SIGNED, Status.PUBLISHED, Status.NOT_PUBLISHED}
    assert needed_before(Status.SIGNED) == "approved for the pcc"
    assert awaits(Status.SIGNED, "determine") and not awaits(Status.APPROVED, "determine")
    assert next_step(Status.DRAFT) == "Approval by the Chief Executive or the Chief Finance Officer"
    assert next_step(Status.PUBLISHED) == ""


def _page(client, user, record) -> str:
    client.force_login(user)
    response = client.get(f"/decisions/{record.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_offers_each_person_only_the_moves_they_may_make(
    client, draft, officer, cfo, pcc, ceo, user_with
):
    assert APPROVE_BUTTON in _page(client, cfo, draft)
    page = _page(client, ceo, draft)
    assert APPROVE_BUTTON in page and DETERMINE_BUTTON not in page
    assert "Next: Approval by the Chief Executive or the Chief Finance Officer." in page
    for user in (officer, pcc):
        page = _page(client, user, draft)
        assert APPROVE_BUTTON not in page and SIGN_BUTTON not in page

    services.record_approve(actor=cfo, record=draft)
    draft.refresh_from_db()
    assert SIGN_BUTTON in _page(client, pcc, draft)
    for user in (cfo, ceo, officer):
        assert SIGN_BUTTON not in _page(client, user, draft)

    services.record_sign(actor=pcc, record=draft)
    draft.refresh_from_db()
    page = _page(client, ceo, draft)
    assert DETERMINE_BUTTON in page and SUPERSEDE_BUTTON not in page
    assert DETERMINE_BUTTON not in _page(client, pcc, draft)
    assert SUPERSEDE_BUTTON in _page(client, officer, draft)


def test_nobody_is_offered_a_step_on_a_record_they_drafted(client, user_with):
    drafter = user_with(Role.CFO, Role.COMMISSIONING_OFFICER)
    record = services.record_create(actor=drafter, title="Own", summary="s", recommendations="r")
    page = _page(client, drafter, record)
    assert APPROVE_BUTTON not in page
    assert "You drafted this record" in page
    assert "Edit the text" in page


def test_every_move_writes_its_statuses_in_the_audit_event(signed, ceo):
    approved = AuditEvent.objects.get(object_uuid=signed.uuid, action="decision.approved")
    assert approved.before == {"status": "draft"}
    assert approved.after["status"] == "approved"
    assert approved.after["sha256"] == signed.snapshot.sha256
    services.record_determine(
        actor=ceo,
        record=signed,
        publish_record="no",
        publish_assessment="no",
        publish_details="no",
        exemption="foi_s31",
        reasons="Prejudice to the prevention of crime.",
    )
    event = AuditEvent.objects.get(object_uuid=signed.uuid, action="decision.not_published")
    assert event.before == {"status": "signed"}
    assert event.after["record"] == "no"
    assert event.actor == ceo


def test_a_draft_cannot_be_determined_from_the_page(client, draft, ceo):
    client.force_login(ceo)
    response = client.get(f"/decisions/{draft.slug}/determine/", follow=True)
    assert "is not waiting for a determination" in response.content.decode()


def test_decisions_citing_an_allocation_are_only_the_published_ones_for_the_public(
    make_allocation, officer, ceo, sign_off
):
    allocation = make_allocation("4000")
    record = services.record_create(
        actor=officer, title="Cites it", summary="s", recommendations="r"
    )
    services.link_add(actor=officer, record=record, targets=[allocation])
    sign_off(record, until="signed")
    assert list(selectors.decisions_citing_allocation(allocation, staff=True)) == [record]
    assert list(selectors.decisions_citing_allocation(allocation, staff=False)) == []
    services.record_determine(
        actor=ceo,
        record=record,
        publish_record="yes",
        publish_assessment="yes",
        publish_details="yes",
    )
    assert list(selectors.decisions_citing_allocation(allocation, staff=False)) == [record]
    assert list(selectors.decisions_citing_allocation(make_allocation("5"), staff=True)) == []
