"""Audit events say who did what to which object, with before and after as plain JSON."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from commissioning.core.actors import COMMAND_LINE, SYSTEM
from commissioning.core.audit import audit_record, snapshot
from commissioning.core.roles import Role
from commissioning.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_an_event_records_the_user_the_object_and_the_change(user_with, organisation):
    cfo = user_with(Role.CFO)
    with transaction.atomic():
        event = audit_record(
            actor=cfo,
            action="organisation.update",
            obj=organisation,
            before={"amount": D("1.50"), "on": dt.date(2031, 4, 1)},
            after={"amount": D("2.00"), "who": organisation, "ids": (organisation.uuid,)},
            reason="Because",
        )
    event.refresh_from_db()
    assert event.actor == cfo and event.actor_label == "Test cfo"
    assert event.object_type == "organisations.Organisation"
    assert event.object_uuid == organisation.uuid and event.object_repr == "Test Charity"
    assert event.before == {"amount": "1.50", "on": "2031-04-01"}
    assert event.after == {
        "amount": "2.00",
        "who": str(organisation.uuid),
        "ids": [str(organisation.uuid)],
    }
    assert event.reason == "Because"


@pytest.mark.parametrize(
    ("actor", "label"),
    [
        (SYSTEM, "system"),
        (COMMAND_LINE, "command line"),
        (None, "system"),
        (AnonymousUser(), "system"),
    ],
)
def test_actors_that_are_not_people_are_named(actor, label, organisation):
    with transaction.atomic():
        event = audit_record(actor=actor, action="x.y", obj=organisation)
    assert event.actor is None and event.actor_label == label


def test_a_long_name_is_cut_to_fit():
    org = Organisation(key="k", name="x" * 400, kind="charity")
    with transaction.atomic():
        event = audit_record(actor=None, action="x.y", obj=org)
    assert len(event.object_repr) == 300


def test_snapshot_leaves_out_bookkeeping_and_names_related_rows(user_with, organisation):
    organisation.created_by = user_with(Role.CFO)
    data = snapshot(organisation)
    assert data["name"] == "Test Charity" and data["kind"] == "charity"
    assert not {"created_at", "updated_at", "created_by", "updated_by"} & set(data)
    assert data["area"] is None
    assert snapshot(organisation, ["name"]) == {"name": "Test Charity"}
