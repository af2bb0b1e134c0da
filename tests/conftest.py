"""Shared fixtures. The LLR example is loaded once per test session into the test database
(through the same services the product uses); each test then runs in a transaction that is
rolled back, so tests see the example and never each other's writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import override_settings

from commissioning.accounts.models import User
from commissioning.accounts.services import demo_users_ensure, roles_ensure
from commissioning.budgets import services
from commissioning.budgets.models import FinancialYear, Mechanism, Status
from commissioning.core.roles import Role
from commissioning.examples.loader import load_llr
from commissioning.organisations.models import Organisation, OrganisationKind
from tests.browser.axe import AXE_TOTALS, add_axe_tally

# Tests make many users: hash their passwords quickly (PBKDF2 costs about half a second each).
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Background tasks run at once, in the test's own transaction, when it commits (or when a
# test runs the on-commit callbacks). tests/core/test_worker.py runs the real database backend
# and a real worker process as well.
IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
override_settings(TASKS=IMMEDIATE_TASKS).enable()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    from commissioning.examples.formula_demo import crime_data_ensure

    # The crime store (DuckDB) lives in the data directory: give the test session its own.
    settings.DATA_DIR = tmp_path_factory.mktemp("data")
    with django_db_blocker.unblock():
        load_llr()
        demo_users_ensure()
        crime_data_ensure()
        from commissioning.examples.decisions_demo import paper_decisions_ensure

        paper_decisions_ensure()


@pytest.fixture
def user_with(db):
    """Make a user holding the given roles: `user_with(Role.CFO)`. The test client's
    `force_login` then counts as having given the second factor (accounts/testing.py)."""
    from commissioning.accounts.testing import trust_forced_logins

    trust_forced_logins()
    roles_ensure()
    counter = {"n": 0}

    def make(*roles: str, organisation: Organisation | None = None) -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            username=f"user{counter['n']}-{'-'.join(roles) or 'none'}",
            password="x-test-password",
            first_name="Test",
            last_name=" ".join(roles),
            organisation=organisation,
        )
        user.groups.set(Group.objects.filter(name__in=roles))
        return user

    return make


@pytest.fixture
def officer(user_with):
    return user_with(Role.COMMISSIONING_OFFICER)


@pytest.fixture
def cfo(user_with):
    return user_with(Role.CFO)


@pytest.fixture
def year(db, cfo):
    """An empty financial year of its own, far from the example's years (the CFO adds years)."""
    return services.financial_year_get_or_create(actor=cfo, label="2031/32")


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(
        key="test-charity", name="Test Charity", kind=OrganisationKind.CHARITY
    )


@pytest.fixture
def make_allocation(officer, year, organisation):
    def make(
        amount="1000", *, status=Status.INDICATIVE, mechanism=Mechanism.PCC_GRANT, period="FY", **kw
    ):
        target_year = kw.pop("year", year)
        fields = {
            "organisation": organisation,
            "initiative": kw.pop("initiative", f"Initiative {Decimal(amount)}"),
            "mechanism": mechanism,
            "status": status,
            **kw,
        }
        return services.allocation_create(
            actor=officer, year=target_year, amounts={period: amount}, **fields
        )

    return make


def year_of(label: str) -> FinancialYear:
    return FinancialYear.objects.get(label=label)


# The browser tests' axe checks, added up over pytest-xdist's workers (each hands its tally
# over as it finishes, tests/browser/conftest.py) and printed once at the end of the run.
@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    tally = getattr(node, "workeroutput", {}).get("axe")
    if tally:
        add_axe_tally(node.config, tally)


def pytest_terminal_summary(terminalreporter, config) -> None:
    totals = config.stash.get(AXE_TOTALS, None)
    if totals and (totals["checked"] or totals["left"]):
        terminalreporter.write_line(
            f"axe: {totals['checked']} page loads checked as they loaded, "
            f"{totals['left']} left by the test before their check finished"
        )
