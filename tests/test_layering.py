"""The app layering holds: no app imports one above it and no app's files import each other
round a circle, counting imports inside functions (see tests/layering.py)."""

from __future__ import annotations

import textwrap

import pytest

from tests import layering


def test_every_module_belongs_to_a_known_layer():
    assert layering.unknown_apps() == set()


def test_no_app_imports_an_app_above_it():
    wrong = [f"{i.where}: {i.source} imports {i.target}" for i in layering.upward_imports()]
    assert wrong == []


def test_no_circle_of_imports_inside_an_app():
    assert layering.cycles_within_apps() == []


@pytest.fixture
def bad_tree(tmp_path, monkeypatch):
    """A copy of the walk pointed at a tiny package with a bad import inside a function."""
    root = tmp_path / "commissioning"
    for app in ("core", "budgets", "decisions"):
        (root / app).mkdir(parents=True)
        (root / app / "__init__.py").write_text("")
    (root / "__init__.py").write_text("")
    (root / "decisions" / "models.py").write_text("from commissioning.budgets import models\n")
    (root / "budgets" / "models.py").write_text("from commissioning.core import money\n")
    (root / "core" / "money.py").write_text("")
    monkeypatch.setattr(layering, "ROOT", root)
    return root


def test_the_walk_finds_an_upward_import_inside_a_function(bad_tree):
    assert layering.upward_imports() == []
    (bad_tree / "budgets" / "views.py").write_text(
        textwrap.dedent(
            """
            def page():
                from commissioning.decisions.models import Record
                return Record
            """
        )
    )
    [wrong] = layering.upward_imports()
    assert (wrong.source, wrong.target) == (
        "commissioning.budgets.views",
        "commissioning.decisions.models",
    )
    assert wrong.line == 3


def test_the_walk_finds_a_circle_through_relative_imports(bad_tree):
    assert layering.cycles_within_apps() == []
    (bad_tree / "budgets" / "a.py").write_text("from .b import x\n")
    (bad_tree / "budgets" / "b.py").write_text("def f():\n    from . import a\n")
    assert layering.cycles_within_apps() == [["commissioning.budgets.a", "commissioning.budgets.b"]]
