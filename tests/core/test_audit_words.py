"""Every audit action the product records has plain English words in `core.audit_words`, the
one mapping every page uses; a code without words reads as the code made readable and never
raises.

The codes are collected from the source, so a new `audit_record(action=...)` or a new status
in a workflow fails here until it has words: every literal `action=` of an `audit_record`
call; every string a variable passed as `action=` is set to; each workflow's
"<name>.<status>" for every status its moves lead to; and the f-strings below, whose codes
are worked out from the values the code itself uses.
"""

from __future__ import annotations

import ast
import importlib
import re
import typing
from pathlib import Path

import pytest

import commissioning
from commissioning.core.audit_words import (
    ACTIONS,
    FROM_STATUS,
    GROUPS,
    action_choices,
    action_words,
    readable,
)
from commissioning.core.workflow import Workflow

PACKAGE = Path(commissioning.__file__).parent
CODE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


def _round_item_codes(verb: str) -> set[str]:
    from commissioning.grants.rounds import Item

    return {f"round.{verb}_{m._meta.model_name}" for m in typing.get_args(Item)}


def _round_save_codes() -> set[str]:
    """round.add_<label> and round.change_<label>, for each label the callers of the function
    that records them pass (criterion, eligibility, question)."""
    tree = ast.parse((PACKAGE / "grants" / "rounds.py").read_text())
    saver = next(
        f.name
        for f in ast.walk(tree)
        if isinstance(f, ast.FunctionDef)
        and any(
            isinstance(n, ast.JoinedStr) and "'add' if before is None" in ast.unparse(n)
            for n in ast.walk(f)
        )
    )
    labels = {
        kw.value.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == saver
        for kw in node.keywords
        if kw.arg == "label" and isinstance(kw.value, ast.Constant)
    }
    assert labels, f"no callers of {saver} found: update this test"
    return {f"round.{verb}_{label}" for label in labels for verb in ("add", "change")}


def _cohort_view_codes() -> set[str]:
    from commissioning.cohorts.services import VIEWS

    return {f"cohort.{what}" for what in VIEWS}


def _reminder_codes() -> set[str]:
    from commissioning.agreements import reminders

    return {f"return.reminder_{kind}" for kind in (reminders.BEFORE, reminders.AFTER)}


def _workflow_codes() -> set[str]:
    """Every "<workflow>.<status>" a `Workflow.apply` can record: the workflows of every
    module that builds one, each move's target, for the workflows whose `apply` is called."""
    applied: set[str] = set()
    modules: set[str] = set()
    for path in _sources():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id == "Workflow":
                modules.add(_module_of(path))
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "apply"
                and isinstance(func.value, ast.Name)
            ):
                applied.add(func.value.id)
    workflows = {
        name: value
        for module in modules
        for name, value in vars(importlib.import_module(module)).items()
        if isinstance(value, Workflow)
    }
    assert workflows, "no workflows found: update this test"
    return {
        f"{wf.name}.{move.target}"
        for name, wf in workflows.items()
        if name in applied
        for move in wf.moves.values()
    }


#: The `action=` expressions that are not a literal nor a variable: each one's codes.
DYNAMIC = {
    ("grants/rounds.py", "f\"round.{('add' if before is None else 'change')}_{label}\""): (
        _round_save_codes
    ),
    ("grants/rounds.py", "f'round.remove_{model._meta.model_name}'"): lambda: _round_item_codes(
        "remove"
    ),
    ("grants/rounds.py", "f'round.move_{model._meta.model_name}'"): lambda: _round_item_codes(
        "move"
    ),
    ("cohorts/services.py", "f'cohort.{what}'"): _cohort_view_codes,
    ("agreements/reminders.py", "f'return.reminder_{reminder.kind}'"): _reminder_codes,
    ("core/workflow.py", "f'{self.name}.{target}'"): _workflow_codes,
}


def _sources() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]


def _module_of(path: Path) -> str:
    return ".".join(("commissioning", *path.relative_to(PACKAGE).with_suffix("").parts))


def _strings_in(node: ast.AST) -> set[str]:
    return {
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and CODE.match(n.value)
    }


def _assigned(tree: ast.AST, scope: ast.AST, name: str) -> set[str]:
    """The codes a variable is set to: in the function it is used in, else in the module."""
    found: set[str] = set()
    for where in (scope, tree):
        for node in ast.walk(where):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                found |= _strings_in(node.value)
        if found:
            return found
    return found


def recorded_codes() -> tuple[set[str], list[str]]:
    """Every code the product can record, and the `action=` expressions this cannot read."""
    codes: set[str] = set()
    unread: list[str] = []
    for path in _sources():
        tree = ast.parse(path.read_text())
        rel = path.relative_to(PACKAGE).as_posix()
        scopes = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) == "audit_record"
            ):
                continue
            for kw in node.keywords:
                if kw.arg != "action":
                    continue
                value = kw.value
                if isinstance(value, ast.JoinedStr):
                    expand = DYNAMIC.get((rel, ast.unparse(value)))
                    if expand is None:
                        unread.append(f"{rel}:{node.lineno} {ast.unparse(value)}")
                    else:
                        codes |= expand()
                elif isinstance(value, ast.Name):
                    scope = next(
                        (
                            f
                            for f in scopes
                            if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)
                        ),
                        tree,
                    )
                    found = _assigned(tree, scope, value.id)
                    if not found:
                        unread.append(f"{rel}:{node.lineno} {value.id}")
                    codes |= found
                else:
                    found = _strings_in(value)
                    if not found:
                        unread.append(f"{rel}:{node.lineno} {ast.unparse(value)}")
                    codes |= found
    return codes, unread


def test_every_action_the_product_records_has_words():
    """Collected from the source: a code with no words in ACTIONS fails, naming it."""
    codes, unread = recorded_codes()
    assert not unread, (
        "These audit actions are built in a way this test cannot read; add them to DYNAMIC: "
        f"{unread}"
    )
    assert len(codes) > 100  # the collector found the product's codes, not a handful
    assert sorted(codes - set(ACTIONS)) == []


def test_the_collector_finds_each_way_of_naming_an_action():
    """A literal, a variable, a conditional, the workflows and each f-string all reach it."""
    codes, _ = recorded_codes()
    assert {
        "decision.create",  # a literal
        "allocation.vary",  # a variable set from a dictionary's default
        "allocation.commit",  # the same variable, set again
        "cohort.view_pack",  # a module constant
        "ledger.repayment",  # one side of a conditional
        "decision.published",  # a workflow's status
        "job.succeeded",  # the core's own workflow
        "round.change_eligibility",  # a criterion or question saved
        "round.move_eligibilityquestion",  # one moved, by its model's name
        "return.reminder_after",  # a reminder
        "cohort.view_records",  # a view of cohort data
    } <= codes
    # allocations change status by new versions, not `ALLOCATION.apply`: no such code
    assert "allocation.committed" not in codes


def test_every_kind_of_action_is_listed_under_a_heading():
    assert sorted({c.partition(".")[0] for c in ACTIONS} - set(GROUPS)) == []
    headings = [heading for heading, _ in action_choices()]
    assert "Other" not in headings and len(headings) == len(set(headings))
    listed = [code for _, options in action_choices() for code, _ in options]
    assert sorted(listed) == sorted(ACTIONS)


@pytest.mark.parametrize(
    ("code", "before", "words"),
    [
        ("decision.published", None, "Determined publication of a decision record: published"),
        (
            "decision.approved",
            {"status": "draft"},
            "Approved a decision record for the Commissioner",
        ),
        ("allocation.vary", None, "Varied an allocation"),
        ("review.score", {"reviewer": "x"}, "Scored an application"),
        ("agreement.draft", None, "Drafted an agreement"),
        ("agreement.draft", {"status": "issued"}, "Withdrew an issued agreement to amend it"),
        ("return.submitted", {"status": "returned"}, "Submitted a monitoring return again"),
        ("return.submitted", {"status": "draft"}, "Submitted a monitoring return"),
    ],
)
def test_actions_read_in_words(code, before, words):
    assert action_words(code, before) == words


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("funding_pot.top_up", "Funding pot: top up"),
        ("legacy.thing.done", "Legacy: thing done"),
        ("justaword", "Justaword"),
        ("x.y", "X: y"),
        ("", "Unknown action"),
    ],
)
def test_an_unknown_code_reads_as_the_code_made_readable(code, words):
    assert code not in ACTIONS
    assert action_words(code) == readable(code) == words


def test_a_status_refinement_names_a_known_code():
    assert sorted(code for code, _ in FROM_STATUS if code not in ACTIONS) == []
    labels = dict(o for _, options in action_choices() for o in options)
    assert labels["agreement.draft"] == (
        "Drafted an agreement, or withdrew an issued agreement to amend it"
    )
