"""`core.workflow.Workflow`: a table of moves, each checked against its rule with the object;
`apply` saves the status with its audit event inside the caller's transaction and runs
effects only once that commits."""

from importlib import import_module
from importlib.util import find_spec

import pytest
from django.core.exceptions import ValidationError
from django.db import models, transaction

from commissioning.core.actors import COMMAND_LINE, SYSTEM
from commissioning.core.models import AuditEvent
from commissioning.core.permissions import RULES
from commissioning.core.roles import Role
from commissioning.core.workflow import Move, Workflow
from commissioning.organisations.models import Organisation

pytestmark = pytest.mark.django_db


class Kind(models.TextChoices):
    CHARITY = "charity", "Charity"
    CIC = "cic", "Community interest company"
    COMPANY = "company", "Company"
    OTHER = "other", "Other"


# An organisation's kind stands in for a status: a model with `updated_by`, in any test DB.
FLOW = Workflow(
    "partner_kind",
    Kind,
    [
        Move(Kind.CHARITY, Kind.CIC, "tests.own_only", "converted", "Convert"),
        Move(Kind.CHARITY, Kind.OTHER, "tests.officers", "reclassified", "Reclassify"),
        Move(Kind.CIC, Kind.COMPANY, "tests.officers", "incorporated", "Incorporate"),
        Move(Kind.COMPANY, Kind.CIC, "tests.officers", "converted back", "Convert back"),
    ],
    field="kind",
)


@pytest.fixture
def asked(monkeypatch):
    """Two rules for the table: one decided by the object (a partner's own organisation), one
    by role; `asked` records every (user, object) the first was asked about."""
    calls = []

    def own_only(user, obj=None):
        calls.append((user, obj))
        if obj is not None and getattr(user, "organisation_id", None) == obj.pk:
            return True, "partners convert their own organisation"
        return False, "only the organisation itself converts"

    def officers(user, obj=None):
        if getattr(user, "is_authenticated", False) and user.has_role(Role.COMMISSIONING_OFFICER):
            return True, "officers reclassify"
        return False, "only officers reclassify"

    monkeypatch.setitem(RULES, "tests.own_only", own_only)
    monkeypatch.setitem(RULES, "tests.officers", officers)
    return calls


@pytest.fixture
def charity(db):
    return Organisation.objects.create(key="wf-charity", name="Workflow Charity", kind="charity")


@pytest.fixture
def member(user_with, charity):
    return user_with(Role.PARTNER, organisation=charity)


def stranger_org():
    return Organisation.objects.create(key="wf-stranger", name="Stranger Trust", kind="charity")


def test_a_move_not_in_the_table_is_refused_in_words():
    with pytest.raises(ValidationError) as caught:
        FLOW.move(Kind.CHARITY, Kind.COMPANY)
    assert caught.value.messages == ["A partner kind cannot go from charity to company"]
    assert FLOW.move("charity", "cic").meaning == "converted"


def test_the_same_move_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        Workflow(
            "thing",
            Kind,
            [Move(Kind.CHARITY, Kind.CIC, "public", "a"), Move("charity", "cic", "public", "b")],
        )


def test_moves_from_and_reachable_read_the_table():
    assert [m.target for m in FLOW.moves_from(Kind.CHARITY)] == [Kind.CIC, Kind.OTHER]
    assert FLOW.moves_from(Kind.OTHER) == []
    assert FLOW.reachable(Kind.CHARITY) == {"cic", "other", "company"}
    assert FLOW.reachable(Kind.COMPANY) == {"cic", "company"}
    assert FLOW.reachable(Kind.OTHER) == set()


def test_moves_for_lists_only_the_moves_the_user_may_make(asked, charity, member, user_with):
    officer = user_with(Role.COMMISSIONING_OFFICER)
    stranger = user_with(Role.PARTNER, organisation=stranger_org())
    assert [m.target for m in FLOW.moves_for(member, charity)] == [Kind.CIC]
    assert [m.target for m in FLOW.moves_for(officer, charity)] == [Kind.OTHER]
    assert FLOW.moves_for(stranger, charity) == []
    assert [m.target for m in FLOW.moves_for(COMMAND_LINE, charity)] == [Kind.CIC, Kind.OTHER]
    assert FLOW.moves_for(SYSTEM, charity) == []
    # the object rule was asked about this organisation, for each user
    assert {(u, o) for u, o in asked} >= {(member, charity), (officer, charity)}


def test_can_asks_the_rule_with_the_object(asked, charity, member, user_with):
    other = Organisation.objects.create(key="wf-other", name="Other Charity", kind="charity")
    assert FLOW.can(member, charity, Kind.CIC)
    assert not FLOW.can(member, other, Kind.CIC)
    assert asked[-1] == (member, other)
    assert not FLOW.can(member, charity, Kind.COMPANY)  # not in the table from charity


def test_permit_checks_the_table_and_the_rule_without_writing(asked, charity, member):
    before = AuditEvent.objects.count()
    assert FLOW.permit(member, charity, "charity", "cic").target == "cic"
    with pytest.raises(ValidationError, match="only officers reclassify"):
        FLOW.permit(member, charity, "charity", "other")
    with pytest.raises(ValidationError, match="cannot go from charity to company"):
        FLOW.permit(COMMAND_LINE, charity, "charity", "company")
    charity.refresh_from_db()
    assert charity.kind == "charity" and AuditEvent.objects.count() == before


def test_apply_saves_the_status_and_writes_the_audit_event(asked, charity, member):
    with transaction.atomic():
        move = FLOW.apply(actor=member, obj=charity, target=Kind.CIC, reason="Became a CIC")
    assert move.meaning == "converted"
    charity.refresh_from_db()
    assert charity.kind == "cic" and charity.updated_by == member
    event = AuditEvent.objects.filter(object_uuid=charity.uuid).latest("id")
    assert event.action == "partner_kind.cic"
    assert event.actor == member and event.reason == "Became a CIC"
    assert event.before == {"kind": "charity"} and event.after == {"kind": "cic"}
    assert event.object_type == "organisations.Organisation"


def test_apply_saves_also_save_fields_and_extra_audit(asked, charity, user_with):
    officer = user_with(Role.COMMISSIONING_OFFICER)
    charity.notes = "Reclassified after review"
    charity.name = "Not saved"
    with transaction.atomic():
        FLOW.apply(
            actor=officer, obj=charity, target=Kind.OTHER, also_save=["notes"], after={"n": 1}
        )
    charity.refresh_from_db()
    assert charity.kind == "other" and charity.notes == "Reclassified after review"
    assert charity.name == "Workflow Charity"
    event = AuditEvent.objects.filter(object_uuid=charity.uuid).latest("id")
    assert event.after == {"kind": "other", "n": 1}


def test_apply_refuses_a_user_the_rule_refuses_and_writes_nothing(asked, charity, user_with):
    stranger = user_with(Role.PARTNER, organisation=stranger_org())
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="only the organisation itself converts"):
        with transaction.atomic():
            FLOW.apply(actor=stranger, obj=charity, target=Kind.CIC)
    assert asked[-1] == (stranger, charity)
    charity.refresh_from_db()
    assert charity.kind == "charity" and AuditEvent.objects.count() == before


def test_apply_refuses_a_move_not_in_the_table(asked, charity):
    with pytest.raises(ValidationError, match="cannot go from charity to company"):
        with transaction.atomic():
            FLOW.apply(actor=COMMAND_LINE, obj=charity, target=Kind.COMPANY)
    charity.refresh_from_db()
    assert charity.kind == "charity"


def test_system_moves_leave_an_audit_event_by_the_system(charity):
    auto = Workflow(
        "auto", Kind, [Move(Kind.CHARITY, Kind.CIC, "core.system", "closed")], field="kind"
    )
    with transaction.atomic():
        auto.apply(actor=SYSTEM, obj=charity, target=Kind.CIC)
    event = AuditEvent.objects.filter(object_uuid=charity.uuid).latest("id")
    assert event.action == "auto.cic" and event.actor is None and event.actor_label == "system"
    charity.refresh_from_db()
    assert charity.updated_by is None


def test_nobody_but_the_system_makes_a_system_move(user_with, charity):
    auto = Workflow(
        "auto", Kind, [Move(Kind.CHARITY, Kind.CIC, "core.system", "closed")], field="kind"
    )
    for actor in (COMMAND_LINE, user_with(*Role.values)):
        with pytest.raises(ValidationError, match="happens by itself"):
            with transaction.atomic():
                auto.apply(actor=actor, obj=charity, target=Kind.CIC)


def test_effects_run_only_once_the_transaction_commits(
    asked, charity, member, django_capture_on_commit_callbacks
):
    ran = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            FLOW.apply(actor=member, obj=charity, target=Kind.CIC, on_commit=lambda: ran.append(1))
            assert ran == []
        assert ran == []
    assert len(callbacks) == 1 and ran == [1]


def test_effects_of_a_refused_or_rolled_back_move_never_run(
    asked, charity, member, user_with, django_capture_on_commit_callbacks
):
    ran = []
    stranger = user_with(Role.PARTNER)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValidationError):
            with transaction.atomic():
                FLOW.apply(
                    actor=stranger, obj=charity, target=Kind.CIC, on_commit=lambda: ran.append(1)
                )
        with pytest.raises(RuntimeError, match="changed my mind"):
            with transaction.atomic():
                FLOW.apply(
                    actor=member, obj=charity, target=Kind.CIC, on_commit=lambda: ran.append(2)
                )
                raise RuntimeError("changed my mind")
    assert callbacks == [] and ran == []


def _workflows():
    from django.apps import apps

    for config in apps.get_app_configs():
        module = f"{config.name}.workflow"
        if config.name.startswith("commissioning.") and find_spec(module) is not None:
            for value in vars(import_module(module)).values():
                if isinstance(value, Workflow):
                    yield module, value


def test_every_workflow_table_names_registered_rules_and_known_statuses():
    found = list(_workflows())
    assert found, "no app has a workflow table"
    for module, flow in found:
        known = set(flow.statuses.values)
        for (source, target), move in flow.moves.items():
            assert move.rule in RULES, (module, flow.name, source, target, move.rule)
            assert {source, target} <= known, (module, flow.name, source, target)
            assert move.meaning, (module, flow.name, source, target)
