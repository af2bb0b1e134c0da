"""The whole rule table, as a table: every role (and anonymous, an inactive user, the system
and the command line) × every registered rule × (for rules about an object) our own object
or another organisation's. The answers below are written out by hand from each rule's reason
and the README's roles, not computed from the rules; a rule registered without a row here
fails `test_the_table_covers_every_registered_rule`.

Every signed-in subject belongs to the same organisation ("own"), whatever their role, so a
rule that looks only at the organisation and not at the role shows up here.
"""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.utils import timezone

from commissioning.accounts.models import User
from commissioning.accounts.services import roles_ensure
from commissioning.budgets.models import Allocation, AllocationVersion, BudgetLine, FinancialYear
from commissioning.core.actors import COMMAND_LINE, SYSTEM
from commissioning.core.models import Job
from commissioning.core.permissions import RULES, check
from commissioning.formula.models import FormulaAdoption, FormulaRun
from commissioning.grants.models import Application, PanelDeclaration, ReviewAssignment, Round
from commissioning.organisations.models import Organisation

pytestmark = pytest.mark.django_db

PCC, CEO, CFO = "pcc", "chief_executive", "cfo"
OFFICER, REVIEWER, PANEL, PARTNER = "commissioning_officer", "reviewer", "panel_member", "partner"
PCP = "police_crime_panel"  # a Police and Crime Panel member (not the grant review panel)
ANON, INACTIVE, SYS, CLI = "anonymous", "inactive", "system", "command_line"

STAFF = {PCC, CEO, CFO, OFFICER}
SIGNED_IN = STAFF | {REVIEWER, PANEL, PARTNER, PCP}
SUBJECTS = [*sorted(SIGNED_IN), ANON, INACTIVE, SYS, CLI]
EVERYONE = set(SUBJECTS)

# rule -> {object: the subjects it allows}. "-" is asking with no object; the other
# objects are described in `objects` below.
EXPECTED: dict[str, dict[str, set[str]]] = {
    "public": {"-": EVERYONE},
    "core.system": {"-": {SYS}},
    "audit.view": {"-": STAFF | {CLI}},
    "accounts.create_user": {"-": {CLI}},
    "accounts.own_sign_in": {"-": SIGNED_IN | {CLI}},
    "notifications.own": {"-": SIGNED_IN | {CLI}},
    "plans.view": {"-": EVERYONE},
    # the year positions, their tables and reconciliation: staff and the Police and Crime Panel
    "budgets.view": {"-": STAFF | {PCP, CLI}},
    "budgets.manage": {"-": {CFO, CLI}},
    "tables.view": {"-": STAFF | {PCP, CLI}},
    "reconciliation.view": {"-": STAFF | {PCP, CLI}},
    # "commissioning officers and the CFO mark reconciliation findings explained"
    "reconciliation.explain": {"-": {OFFICER, CFO, CLI}},
    # "commissioning officers and the CFO record pooled budgets and their contributions"
    "pools.manage": {"-": {OFFICER, CFO, CLI}},
    # the outcomes pack and the year end: staff and the Police and Crime Panel
    "scrutiny.read": {"-": STAFF | {PCP, CLI}},
    "yearend.view": {"-": STAFF | {PCP, CLI}},
    # "the Chief Finance Officer collects underspend and what is owed back"
    "yearend.collect": {"-": {CFO, CLI}},
    # the medium-term financial strategy: read by staff and the Panel, set by the CFO
    "mtfs.view": {"-": STAFF | {PCP, CLI}},
    "mtfs.edit": {"-": {CFO, CLI}},
    "allocations.list": {"-": STAFF | {PARTNER, CLI}},
    "allocations.change": {"-": {OFFICER, CFO, CLI}},
    "allocations.view": {
        "own": STAFF | {PARTNER, CLI},
        "other": STAFF | {CLI},
    },
    "organisations.view": {
        "-": STAFF | {CLI},
        "own": STAFF | {PARTNER, CLI},
        "other": STAFF | {CLI},
    },
    "formula.view": {"-": STAFF | {CLI}},
    "formula.run": {"-": {OFFICER, CFO, CLI}},
    "formula.read": {
        "-": STAFF | {PARTNER, CLI},
        "adopted": STAFF | {PARTNER, CLI},
        "not adopted": STAFF | {CLI},
    },
    "grants.manage": {"-": {OFFICER, CFO, CLI}},
    "grants.screen": {"-": {OFFICER, CFO, CLI}},
    "grants.apply": {
        "-": {PARTNER, CLI},
        "own": {PARTNER, CLI},
        "other": {CLI},
    },
    "grants.view_application": {
        # "the applicant organisation's partners see its own application"; its reviewers and
        # panel members only as reviewers and panel members (neither assigned nor declared)
        "own": STAFF | {PARTNER, CLI},
        "other": STAFF | {CLI},
        # in review; the reviewer assigned, no conflict; the panel member declared, none
        "assigned": STAFF | {REVIEWER, PANEL, CLI},
        # in review; the reviewer and the panel member both declared a conflict on it
        "conflicted": STAFF | {CLI},
        # only submitted; the reviewer withdrawn from it; the panel member declared, none
        "withdrawn or early": STAFF | {CLI},
    },
    "grants.review": {"-": {REVIEWER, CLI}},
    "grants.panel": {"-": {PANEL, OFFICER, CLI}},
    "grants.decide": {"-": {PCC, CLI}},
    "grants.download": {"-": SIGNED_IN | {CLI}},
    "decisions.view": {"-": STAFF | {CLI}},
    "decisions.draft": {"-": {OFFICER, CFO, CLI}},
    "decisions.approve": {"-": {CEO, CFO, CLI}},
    "decisions.sign": {"-": {PCC, CLI}},
    "decisions.determine": {"-": {CEO, CLI}},
    "ledger.post_payment": {"-": {OFFICER, CFO, CLI}},
    "agreements.manage": {"-": {OFFICER, CFO, CLI}},
    "payments.request": {"-": {OFFICER, CFO, CLI}},
    "payments.record": {"-": {OFFICER, CFO, CLI}},
    "returns.review": {"-": {OFFICER, CFO, CLI}},
    "agreements.monitor": {"-": STAFF | {CLI}},
    # officers and the CFO, never the person who proposed the variation
    "agreements.decide_variation": {
        "-": {OFFICER, CFO, CLI},
        "proposed by someone else": {OFFICER, CFO, CLI},
        "proposed by the officer": {CFO, CLI},
    },
    # the funded organisation signs (or declines) a variation the OPCC has approved
    "agreements.sign_variation": {
        "-": {PARTNER, CLI},
        "own approved": {PARTNER, CLI},
        "own proposed": {CLI},
        "other approved": {CLI},
    },
    # partners see their organisation's agreements once issued, never a draft
    "agreements.view": {
        "-": STAFF | {PARTNER, CLI},
        "own issued": STAFF | {PARTNER, CLI},
        "own draft": STAFF | {CLI},
        "other issued": STAFF | {CLI},
    },
    "agreements.accept": {
        "-": {PARTNER, CLI},
        "own issued": {PARTNER, CLI},
        "own accepted": {CLI},
        "other issued": {CLI},
    },
    # asked of a monitoring return
    "returns.submit": {
        "-": {PARTNER, CLI},
        "own accepted": {PARTNER, CLI},
        "own issued": {CLI},
        "other accepted": {CLI},
    },
    # the CFO (or a delegate), never the person who requested it
    "payments.approve": {
        "-": {CFO, CLI},
        "requested by someone else": {CFO, CLI},
        "requested by the CFO": {CLI},
    },
    # the finance system's spending, for the register of spending over £500
    "spending.import": {"-": {CFO, CLI}},
    # reoffending cohorts (criminal-offence data): officers and the Chief Executive see
    # them; only officers upload and link them
    "cohorts.view": {"-": {OFFICER, CEO, CLI}},
    "cohorts.manage": {"-": {OFFICER, CLI}},
    # "everyone signed in can follow the jobs they started"
    "jobs.list": {"-": SIGNED_IN | {CLI}},
    # the person who started a job, and OPCC staff
    "jobs.view": {
        "the partner's": STAFF | {PARTNER, CLI},
        "someone else's": STAFF | {CLI},
    },
}


def member(own, *roles, active=True):
    """A user of `own` holding `roles`, without a password (hashing one is slow)."""
    user = User.objects.create(
        username=f"rt-{'-'.join(roles)}-{active}", organisation=own, is_active=active
    )
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@pytest.fixture
def world(db):
    roles_ensure()
    own = Organisation.objects.get(key="leicester-city-council")
    other = Organisation.objects.get(key="leicestershire-county-council")
    subjects = {role: member(own, role) for role in SIGNED_IN}
    inactive = member(own, *sorted(SIGNED_IN), active=False)
    subjects.update(
        {
            ANON: AnonymousUser(),
            INACTIVE: User.objects.get(pk=inactive.pk),
            SYS: SYSTEM,
            CLI: COMMAND_LINE,
        }
    )
    return subjects, {
        **objects(own, other, subjects[REVIEWER], subjects[PANEL], subjects[PARTNER]),
        **agreement_objects(own, other, subjects[CFO], subjects[OFFICER]),
    }


def objects(own, other, reviewer, panel_member, partner):
    now = timezone.now()
    line = BudgetLine.objects.filter(is_reserve=False).first()
    rnd = Round.objects.create(
        reference="rule-table",
        title="Rule table round",
        mechanism=line.mechanism,
        year=line.year,
        budget_line=line,
        opens_at=now - dt.timedelta(days=2),
        closes_at=now - dt.timedelta(days=1),
        maximum_award=D("10000"),
        published=True,
    )

    def application(n, org, status):
        return Application.objects.create(
            round=rnd,
            organisation=org,
            reference=f"RT-{n}",
            title=f"Application {n}",
            status=status,
            submitted_at=now - dt.timedelta(days=1),
        )

    assigned = application(3, other, "in_review")
    conflicted = application(4, other, "in_review")
    early = application(5, other, "submitted")
    ReviewAssignment.objects.create(
        application=assigned, reviewer=reviewer, has_conflict=False, conflict_declared_at=now
    )
    ReviewAssignment.objects.create(
        application=conflicted, reviewer=reviewer, has_conflict=True, conflict_declared_at=now
    )
    ReviewAssignment.objects.create(
        application=early, reviewer=reviewer, has_conflict=False, withdrawn=True
    )
    declaration = PanelDeclaration.objects.create(round=rnd, member=panel_member, interests="One")
    declaration.conflicted_applications.add(conflicted)

    def run(n):
        return FormulaRun.objects.create(
            reference=f"RT-RUN-{n}",
            year=FinancialYear.objects.first(),
            title=f"Run {n}",
            formula_version="1",
            inputs={},
            outputs={},
            output_hash="0" * 64,
            pot=D("1.00"),
        )

    adopted, not_adopted = run(1), run(2)
    FormulaAdoption.objects.create(run=adopted, year=adopted.year)
    versions = AllocationVersion.objects.order_by("id")
    someone = User.objects.create(username="rt-someone-else", organisation=own)

    def job(n, started_by):
        return Job.objects.create(
            kind="rule-table", title=f"Job {n}", key=f"rt-{n}", started_by=started_by
        )

    return {
        "jobs.view": {"the partner's": job(1, partner), "someone else's": job(2, someone)},
        "allocations.view": {
            "own": versions.filter(organisation=own).first(),
            "other": versions.filter(organisation=other).first(),
        },
        "organisations.view": {"own": own, "other": other},
        "formula.read": {
            "adopted": FormulaRun.objects.get(pk=adopted.pk),
            "not adopted": FormulaRun.objects.get(pk=not_adopted.pk),
        },
        "grants.apply": {
            "own": application(1, own, "draft"),
            "other": application(2, other, "draft"),
        },
        "grants.view_application": {
            "own": Application.objects.get(reference="RT-1"),
            "other": Application.objects.get(reference="RT-2"),
            "assigned": assigned,
            "conflicted": conflicted,
            "withdrawn or early": early,
        },
    }


def agreement_objects(own, other, cfo, officer):
    """Agreements of each organisation in each state, their returns and payments, made
    straight in the tables (the rules look only at who and what)."""
    from commissioning.agreements.models import Agreement, MonitoringReturn, Payment, Variation
    from commissioning.agreements.models import ReportingPeriod as Period

    allocations = iter(Allocation.objects.order_by("id"))

    def agreement(org, status):
        allocation = next(allocations)
        made = Agreement.objects.create(
            reference=f"AG-RT-{allocation.pk}",
            allocation=allocation,
            organisation=org,
            title="Rule table agreement",
            purpose="Rules",
            starts_on=allocation.year.starts,
            ends_on=allocation.year.ends,
            maximum_sum=D("100"),
            status=status,
        )
        return Agreement.objects.get(pk=made.pk)

    def report(of):
        period = Period.objects.create(
            agreement=of,
            number=1,
            label="Q1",
            starts_on=of.starts_on,
            ends_on=of.starts_on,
            due_on=of.starts_on,
        )
        return MonitoringReturn.objects.create(period=period)

    own_issued, own_accepted = agreement(own, "issued"), agreement(own, "active")
    other_issued, other_accepted = agreement(other, "issued"), agreement(other, "active")

    def payment(n, requested_by):
        return Payment.objects.create(
            agreement=own_accepted,
            number=n,
            due_on=own_accepted.ends_on,
            amount=D("10"),
            status="requested",
            requested_by=requested_by,
        )

    return {
        "agreements.view": {
            "own issued": own_issued,
            "own draft": agreement(own, "draft"),
            "other issued": other_issued,
        },
        "agreements.accept": {
            "own issued": own_issued,
            "own accepted": own_accepted,
            "other issued": other_issued,
        },
        "returns.submit": {
            "own accepted": report(own_accepted),
            "own issued": report(own_issued),
            "other accepted": report(other_accepted),
        },
        "payments.approve": {
            "requested by someone else": payment(1, User.objects.get(username="rt-someone-else")),
            "requested by the CFO": payment(2, cfo),
        },
        "agreements.decide_variation": {
            "proposed by someone else": Variation.objects.create(
                agreement=own_accepted,
                number=1,
                reason="More",
                created_by=User.objects.get(username="rt-someone-else"),
            ),
            "proposed by the officer": Variation.objects.create(
                agreement=other_accepted, number=1, reason="More", created_by=officer
            ),
        },
        "agreements.sign_variation": {
            "own approved": Variation.objects.create(
                agreement=own_issued,
                number=2,
                reason="More",
                status="approved",
                created_by=officer,
            ),
            "own proposed": Variation.objects.get(agreement=own_accepted, number=1),
            "other approved": Variation.objects.create(
                agreement=other_issued,
                number=2,
                reason="More",
                status="approved",
                created_by=officer,
            ),
        },
    }


def answers(world, rule):
    subjects, objs = world
    table = {}
    for thing in EXPECTED[rule]:
        obj = None if thing == "-" else objs[rule][thing]
        assert thing == "-" or obj is not None, (rule, thing)
        for name in SUBJECTS:
            ok, reason = check(subjects[name], rule, obj)
            assert isinstance(ok, bool) and reason, (rule, thing, name)
            table[(thing, name)] = ok
    return table


def test_the_table_covers_every_registered_rule():
    assert set(EXPECTED) == set(RULES)


def test_the_table_names_only_known_subjects_and_its_objects_exist():
    for rule, row in EXPECTED.items():
        for thing, allowed in row.items():
            assert allowed <= EVERYONE, (rule, thing)


@pytest.mark.parametrize("rule", sorted(EXPECTED))
def test_each_rule_answers_as_the_table_says(world, rule):
    wrong = [
        f"{name} on {thing}: rule says {ok}, table says {not ok}"
        for (thing, name), ok in answers(world, rule).items()
        if ok != (name in EXPECTED[rule][thing])
    ]
    assert wrong == []


def test_rules_that_need_an_object_say_so_when_asked_without_one(world):
    """`allocations.view` and `grants.view_application` are about one object each: asking
    without it is a programming error, not a quiet yes."""
    subjects, _ = world
    for rule in ("allocations.view", "grants.view_application"):
        with pytest.raises(TypeError):
            check(subjects[PARTNER], rule)
