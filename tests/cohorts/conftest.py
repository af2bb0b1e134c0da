"""Cohort files made by hand for the tests, and uploads of them."""

from __future__ import annotations

import pytest

from commissioning.cohorts import services
from commissioning.core.roles import Role

HEADER = "pseudonym,cohort,area_code,in_custody,baseline_offences,current_offences"

# The hand-checked cohort (worked out in tests/cohorts/test_measures.py): IOM in Leicester
# (E06000016) and Rutland (E06000017), and the same people standing in other cohorts.
HAND_CHECKED = [
    "P-001,IOM,E06000016,no,10,5",
    "P-002,IOM,E06000016,no,4,4",
    "P-003,IOM,E06000016,no,6,5",
    "P-004,IOM,E06000016,no,100,83",
    "P-005,IOM,E06000016,yes,3,0",
    "P-006,IOM,E06000016,no,0,2",
    "P-007,IOM,E06000017,no,3,0",
    "P-008,IOM,E06000017,no,2,3",
    "P-001,PPO,E06000016,no,10,5",
    "P-004,PPO,E06000016,no,100,83",
]


def csv_file(rows: list[str], header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def ceo(user_with):
    return user_with(Role.CHIEF_EXECUTIVE)


@pytest.fixture
def make_upload(officer):
    """Upload a cohort file through the service, as the officer."""

    def make(rows: list[str] | None = None, **kw):
        return services.cohort_upload(
            actor=kw.pop("actor", officer),
            name=kw.pop("name", "Test cohorts"),
            period_label=kw.pop("period_label", "2013/14"),
            filename=kw.pop("filename", "cohorts.csv"),
            content=csv_file(HAND_CHECKED if rows is None else rows),
            **kw,
        )

    return make
