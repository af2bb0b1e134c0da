"""The import graph of the `commissioning` package, read from the source (no imports run).

Every import counts, including those inside functions. Apps are layered: an app may import
only the apps beneath it in `LAYERS`, and inside an app no file may import another round a
circle. `tests/test_layering.py` holds the code to this; run this file to print the graph:

    .venv/bin/python tests/layering.py
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "commissioning"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

# Bottom first. An app imports only the apps before it in this list.
LAYERS: list[str] = [
    "core",  # base models, audit, money, rule registry, roles, actors, guard, files, workflow
    "organisations",  # areas (ONS codes) and partner organisations
    "accounts",  # users (a partner belongs to an organisation)
    "notifications",  # work assigned to a person: in the product, and emailed if they choose
    "plans",  # the Police and Crime Plan
    "crime",  # the DuckDB crime store (no models)
    "opendata",  # 360Giving (pure, no models)
    "budgets",  # years, streams, lines, the ledger, tables, reconciliation
    "formula",  # needs-based allocation, adopted into the ledger
    "grants",  # rounds, applications, review, panel, the PCC's approval
    "decisions",  # decision records, sign-off, the public register
    "agreements",  # agreements, payments (into the ledger), monitoring returns
    "cohorts",  # reoffending cohorts (criminal-offence data) and their measures
    "yearend",  # outturn, underspend collected to a central pot, late returns' consequences
    "mtfs",  # money in: the medium-term financial strategy, precept options, printed figures
    "scrutiny",  # the Police and Crime Panel: outcomes by priority, the Panel pack
    "examples",  # the LLR example, loaded through the services
    "api",  # the read-only JSON API
    "web",  # the URL map, navigation, pages that bring apps together, commands
    "config",  # settings, the root URL map, WSGI
    "cli",  # the `commissioning` command (and __main__)
]
RANK = {app: i for i, app in enumerate(LAYERS)}
RANK["__init__"] = -1  # the package's own __init__ imports nothing of ours


@dataclass(frozen=True)
class Import:
    source: str  # module doing the import, e.g. commissioning.grants.views.setup
    target: str  # module imported
    path: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT.parent)}:{self.line}"


def app_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return "cli" if parts[1] == "__main__" else parts[1]


def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        if "migrations" in rel.parts:
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of `name` that is one of our modules."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports() -> Iterator[Import]:
    modules = _modules()
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        package = module if is_package else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    if node.level > 1:
                        base = base[: -(node.level - 1)]
                    stem = ".".join(base + ([node.module] if node.module else []))
                else:
                    stem = node.module or ""
                # `from x import y` may name a submodule y: count it as importing x.y
                names = [f"{stem}.{alias.name}" for alias in node.names]
            for name in names:
                if not name.startswith(PACKAGE + ".") and name != PACKAGE:
                    continue
                target = _resolve(name, modules)
                if target and target != module:
                    yield Import(module, target, path, node.lineno)


def upward_imports() -> list[Import]:
    """Imports from an app into an app above it (or beside it, not beneath)."""
    wrong = []
    for imp in imports():
        source, target = app_of(imp.source), app_of(imp.target)
        if source != target and RANK.get(target, 99) >= RANK.get(source, 99):
            wrong.append(imp)
    return wrong


def unknown_apps() -> set[str]:
    return {app_of(m) for m in _modules()} - set(RANK)


def cycles_within_apps() -> list[list[str]]:
    """Groups of modules of one app that import each other round a circle (strongly
    connected components of more than one module, or a module importing itself)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in imports():
        if app_of(imp.source) == app_of(imp.target):
            graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:  # Tarjan's algorithm
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def app_graph() -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for imp in imports():
        source, target = app_of(imp.source), app_of(imp.target)
        if source != target:
            counts[(source, target)] += 1
    return dict(counts)


def main() -> int:
    graph = app_graph()
    print("app            imports (number of import statements)")
    for app in LAYERS:
        targets = sorted(
            ((t, n) for (s, t), n in graph.items() if s == app), key=lambda tn: RANK.get(tn[0], 99)
        )
        print(f"{app:14} " + ", ".join(f"{t} ({n})" for t, n in targets))
    wrong = upward_imports()
    circles = cycles_within_apps()
    for imp in wrong:
        print(f"UPWARD: {imp.where} {app_of(imp.source)} imports {imp.target}")
    for group in circles:
        print("CIRCLE: " + " -> ".join(group))
    if not wrong and not circles:
        print("no upward imports between apps, no circles inside an app")
    return 1 if (wrong or circles) else 0


if __name__ == "__main__":
    sys.exit(main())
