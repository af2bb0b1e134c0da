"""Fixtures for decision records: people in each role and a record at each step."""

from __future__ import annotations

import datetime as dt

import pytest

from commissioning.core.roles import Role
from commissioning.decisions import services


@pytest.fixture
def ceo(user_with):
    """The Chief Executive, who is also the Monitoring Officer."""
    return user_with(Role.CHIEF_EXECUTIVE)


@pytest.fixture
def pcc(user_with):
    return user_with(Role.PCC)


@pytest.fixture
def draft(officer):
    return services.record_create(
        actor=officer,
        title="Community safety grants for the winter",
        on=dt.date(2026, 11, 2),
        officers_present="A Officer (Commissioning Manager)",
        summary="Three partnerships asked for help over the winter.",
        recommendations="1. Approve the grants in the table.",
        discussion="The panel discussed the partnerships' plans.",
        resolution="The recommendations be accepted.",
    )


@pytest.fixture
def approved(draft, cfo):
    services.record_approve(actor=cfo, record=draft, note="Affordable within the PLF line.")
    draft.refresh_from_db()
    return draft


@pytest.fixture
def signed(approved, pcc):
    services.record_sign(actor=pcc, record=approved)
    approved.refresh_from_db()
    return approved


@pytest.fixture
def sign_off(cfo, pcc, ceo):
    """Approve, sign and publish a record whole: `sign_off(record)`; `until="signed"` stops
    before the determination."""

    def run(record, *, until: str = "published"):
        services.record_approve(actor=cfo, record=record)
        services.record_sign(actor=pcc, record=record)
        if until == "published":
            services.record_determine(
                actor=ceo,
                record=record,
                publish_record="yes",
                publish_assessment="yes",
                publish_details="yes",
            )
        record.refresh_from_db()
        return record

    return run
