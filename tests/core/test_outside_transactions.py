"""Writes refuse to run outside the service's transaction. These tests use no database: the
refusal comes before any query, and pytest-django's own transaction is not there to hide it."""

import pytest

from commissioning.core.actors import COMMAND_LINE
from commissioning.core.audit import audit_record
from commissioning.core.models import AuditEvent
from commissioning.core.workflow import Move, Workflow
from commissioning.organisations.models import Organisation, OrganisationKind


def test_audit_record_is_refused_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the service's transaction"):
        audit_record(actor=COMMAND_LINE, action="x.y", obj=AuditEvent(object_repr="x"))


def test_a_workflow_move_is_refused_outside_a_transaction():
    flow = Workflow(
        "partner_kind",
        OrganisationKind,
        [Move(OrganisationKind.CHARITY, OrganisationKind.CIC, "public", "converted")],
        field="kind",
    )
    charity = Organisation(key="x", name="X", kind=OrganisationKind.CHARITY)
    with pytest.raises(RuntimeError, match="must run inside the service's transaction"):
        flow.apply(actor=COMMAND_LINE, obj=charity, target=OrganisationKind.CIC)
    assert charity.kind == OrganisationKind.CHARITY
