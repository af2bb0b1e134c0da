"""The rule registry: one table of named rules, each deciding with a reason; the actors
that are not people pass exactly the rules they should."""

import inspect
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError

from commissioning.core import permissions
from commissioning.core.actors import COMMAND_LINE, SYSTEM, user_of
from commissioning.core.permissions import RULES, allowed, check, require, rule
from commissioning.core.roles import Role

# Stands in for whatever object an object rule looks at (an allocation's version, an
# application, a run, an organisation): belongs to nobody, not adopted, past every status.
NOBODYS = SimpleNamespace(pk=-1, organisation_id=-1, is_adopted=False, status="")


def _takes_object(name: str) -> bool:
    params = list(inspect.signature(RULES[name]).parameters.values())
    return len(params) > 1 and params[1].default is inspect.Parameter.empty


def _check(actor, name):
    return check(actor, name, NOBODYS) if _takes_object(name) else check(actor, name)


def test_every_app_registers_its_rules():
    for name in (
        "public",
        "core.system",
        "audit.view",
        "budgets.view",
        "allocations.change",
        "formula.run",
        "grants.view_application",
        "decisions.sign",
        "organisations.view",
        "plans.view",
    ):
        assert name in RULES, name


@pytest.mark.parametrize("ask", [check, allowed, require])
def test_an_unknown_rule_is_a_key_error_naming_it(ask):
    with pytest.raises(KeyError, match="no permission rule named 'budgets.veiw'"):
        ask(AnonymousUser(), "budgets.veiw")


def test_an_unknown_rule_is_a_key_error_for_the_command_line_too():
    with pytest.raises(KeyError):
        check(COMMAND_LINE, "no.such.rule")


def test_a_rule_cannot_be_registered_twice():
    before = dict(RULES)

    def impostor(user, obj=None):
        return True, "everyone"

    with pytest.raises(ValueError, match="'budgets.view' defined twice"):
        rule("budgets.view")(impostor)
    assert RULES == before
    assert allowed(AnonymousUser(), "budgets.view") is False


def test_rule_registers_and_returns_the_predicate(monkeypatch):
    monkeypatch.setattr(permissions, "RULES", dict(RULES))

    def predicate(user, obj=None):
        return obj == "yes", "only yes"

    assert rule("tests.new")(predicate) is predicate
    assert permissions.RULES["tests.new"] is predicate
    assert check(AnonymousUser(), "tests.new", "yes") == (True, "only yes")
    assert check(AnonymousUser(), "tests.new", "no") == (False, "only yes")
    assert "tests.new" not in RULES


def test_check_gives_the_rules_reason_both_ways(user_with):
    cfo = user_with(Role.CFO)
    partner = user_with(Role.PARTNER)
    ok, reason = check(cfo, "budgets.manage")
    assert ok and "Chief Finance Officer manages" in reason
    ok, reason = check(partner, "budgets.manage")
    assert not ok and reason.startswith("only the Chief Finance Officer")


def test_require_raises_a_validation_error_with_the_reason(user_with):
    reviewer = user_with(Role.REVIEWER)
    with pytest.raises(ValidationError) as caught:
        require(reviewer, "allocations.change")
    assert caught.value.messages == [
        "only commissioning officers and the Chief Finance Officer record allocations"
    ]


def test_require_passes_silently(user_with):
    assert require(user_with(Role.COMMISSIONING_OFFICER), "allocations.change") is None


def test_require_checks_the_object(user_with, organisation):
    partner = user_with(Role.PARTNER, organisation=organisation)
    mine = SimpleNamespace(organisation_id=organisation.pk)
    require(partner, "grants.apply", mine)
    with pytest.raises(ValidationError, match="belongs to another organisation"):
        require(partner, "grants.apply", NOBODYS)


@pytest.mark.django_db
def test_system_passes_only_the_system_rule():
    passed = {name for name in RULES if _check(SYSTEM, name)[0]}
    # Public information is public to everyone, the product included.
    assert passed == {"core.system", "public", "plans.view"}


@pytest.mark.django_db
def test_command_line_passes_every_rule_but_the_system_rule():
    refused = {name for name in RULES if not _check(COMMAND_LINE, name)[0]}
    assert refused == {"core.system"}
    assert check(COMMAND_LINE, "budgets.manage") == (True, "run on the server's command line")


@pytest.mark.django_db
def test_nobody_else_passes_the_system_rule(user_with):
    for who in [AnonymousUser(), COMMAND_LINE, *(user_with(role) for role in Role.values)]:
        ok, reason = check(who, "core.system")
        assert not ok and reason == "this happens by itself; nobody makes it happen by hand"


def test_system_and_command_line_are_not_users():
    assert user_of(SYSTEM) is None and user_of(COMMAND_LINE) is None
    assert user_of(None) is None
    assert not SYSTEM.has_role(*Role.values) and not COMMAND_LINE.has_role(*Role.values)
    assert str(SYSTEM) == "system" and str(COMMAND_LINE) == "command line"


def test_user_of_keeps_a_saved_user(user_with):
    user = user_with(Role.CFO)
    assert user_of(user) is user
    assert user_of(AnonymousUser()) is None


def test_helpers_need_an_active_signed_in_user(user_with):
    officer = user_with(Role.COMMISSIONING_OFFICER)
    assert permissions.signed_in(officer) and permissions.is_staff(officer)
    assert permissions.has_role(officer, Role.CFO, Role.COMMISSIONING_OFFICER)
    assert not permissions.has_role(officer, Role.CFO)
    officer.is_active = False
    officer.save()
    for helper in (permissions.signed_in, permissions.is_staff):
        assert not helper(officer)
    assert not permissions.has_role(officer, Role.COMMISSIONING_OFFICER)
    for nobody in (None, AnonymousUser(), SYSTEM):
        assert not permissions.signed_in(nobody)
        assert not permissions.is_staff(nobody)
    reviewer = user_with(Role.REVIEWER)
    assert permissions.signed_in(reviewer) and not permissions.is_staff(reviewer)


def test_load_rules_skips_apps_without_rules():
    count = len(RULES)
    permissions.load_rules(["commissioning.accounts", "commissioning.plans", "django.contrib.auth"])
    assert len(RULES) == count
