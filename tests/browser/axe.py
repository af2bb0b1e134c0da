"""Run axe-core accessibility checks in a Playwright (sync API) page.

axe-core comes from the project's npm dev dependencies (``npm ci`` or
``scripts/build-assets`` installs it into ``node_modules/``).

    violations = run_axe(page)
    assert not violations, format_violations(violations)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

# The run's page loads checked by axe ("checked") and left by a test before their check
# finished ("left"), added up over pytest-xdist's workers: kept in the controller's stash and
# printed at the end of the run (tests/conftest.py).
AXE_TOTALS = pytest.StashKey[dict[str, int]]()


def add_axe_tally(config: Any, tally: dict[str, int]) -> None:
    """Add one process's tally to the run's totals."""
    totals = config.stash.setdefault(AXE_TOTALS, {"checked": 0, "left": 0})
    for key in totals:
        totals[key] += tally.get(key, 0)


REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """
async (options) => {
  if (window.__axeWatch) { await window.__axeWatch; }  // axe runs one check at a time
  const results = await window.axe.run(document, options);
  return results.violations;
}
"""

# Run in every document of a watched context as it loads (see AxeWatch): once the page has
# loaded, axe checks it and hands the violations to Python.
_WATCH = """
(() => {
  if (window.top !== window) return;
  window.addEventListener("load", () => {
    if (document.contentType !== "text/html" || !window.axe) return;
    const url = location.href;
    window.__axeWatchStarted(url);
    window.__axeWatch = window.axe
      .run(document, {runOnly: {type: "tag", values: %s}})
      .then((results) => window.__axeWatchReport(url, results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({target: n.target, html: n.html, failureSummary: n.failureSummary})),
      }))))
      .catch(() => {});
  });
})();
"""


class AxeWatch:
    """axe on every page a browser context loads, not only where a test asks: each HTML
    document is checked once it has loaded, while the test goes on. `finish()` waits for
    the checks of the pages still open and returns the violations found, by page.

    A page the test leaves before its check has finished (a click that navigates at once)
    is counted in `left_unchecked`, not failed: the count is reported at the end of the run
    (see conftest.py) so that the coverage is seen, not assumed."""

    def __init__(self, context: Any) -> None:
        if not AXE_JS.is_file():
            raise FileNotFoundError(f"{AXE_JS} not found: run `npm ci` (or scripts/build-assets)")
        self.context = context
        self.started: list[str] = []
        self.reports: list[tuple[str, list[dict]]] = []
        context.expose_binding("__axeWatchStarted", lambda source, url: self.started.append(url))
        context.expose_binding(
            "__axeWatchReport", lambda source, url, found: self.reports.append((url, found))
        )
        context.add_init_script(path=str(AXE_JS))
        context.add_init_script(script=_WATCH % json.dumps(WCAG_TAGS))

    def finish(self) -> list[tuple[str, list[dict]]]:
        for page in self.context.pages:
            try:
                page.evaluate("async () => { if (window.__axeWatch) await window.__axeWatch; }")
            except Exception:  # noqa: S110  # a page closed or navigating: nothing to wait for
                pass
        reports = [(url, without_known_exceptions(found)) for url, found in self.reports]
        return [(url, found) for url, found in reports if found]

    @property
    def checked(self) -> int:
        return len(self.reports)

    @property
    def left_unchecked(self) -> int:
        return max(0, len(self.started) - len(self.reports))


def run_axe(page: Any, tags: list[str] | None = None) -> list[dict]:
    """Inject axe-core into ``page`` (if not already there) and return its violations.

    Checks the whole document against WCAG 2.0 and 2.1 levels A and AA (or ``tags``).
    Each violation is axe's dict: id, impact, description, help, helpUrl, nodes[...].
    """
    if not AXE_JS.is_file():
        raise FileNotFoundError(
            f"{AXE_JS} not found: run `npm ci` (or scripts/build-assets) in {REPO_ROOT}"
        )
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the browser's debugging protocol rather than added as a <script>:
        # the pages' Content-Security-Policy refuses inline script, as it should.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    options = {"runOnly": {"type": "tag", "values": list(tags or WCAG_TAGS)}}
    return without_known_exceptions(list(page.evaluate(_RUN_AXE, options)))


def _is_govuk_conditional_reveal(violation: dict, node: dict) -> bool:
    """GOV.UK Frontend's conditionally revealing radios and checkboxes: its JavaScript sets
    ``aria-expanded`` on the input that reveals, which ARIA 1.2 does not list for the radio
    and checkbox roles, so axe calls it not allowed. The Design System keeps it on purpose
    (screen readers announce it; alphagov/govuk-frontend issue 979 records it as a known
    axe finding and w3c/aria issue 1404 asks for the role to allow it). Only that: any other
    attribute, or aria-expanded anywhere else, is still a violation."""
    html = str(node.get("html", ""))
    summary = " ".join(str(node.get("failureSummary") or "").split())
    return (
        violation.get("id") == "aria-allowed-attr"
        and ("govuk-radios__input" in html or "govuk-checkboxes__input" in html)
        and "aria-controls=" in html
        and summary.count("ARIA attribute is not allowed:") == 1
        and "not allowed: aria-expanded=" in summary
    )


def without_known_exceptions(violations: list[dict]) -> list[dict]:
    """axe's violations less the one the product accepts knowingly
    (`_is_govuk_conditional_reveal`)."""
    kept = []
    for violation in violations:
        nodes = [
            n for n in violation.get("nodes", []) if not _is_govuk_conditional_reveal(violation, n)
        ]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def format_violations(violations: list[dict]) -> str:
    """A readable summary of axe violations, for assertion messages."""
    if not violations:
        return "no accessibility violations"
    lines = [f"{len(violations)} accessibility violation(s):"]
    for violation in violations:
        lines.append(
            f"- {violation.get('id')} [{violation.get('impact')}]: {violation.get('help')}"
            f" ({violation.get('helpUrl')})"
        )
        for node in violation.get("nodes", []):
            target = ", ".join(str(t) for t in node.get("target", []))
            lines.append(f"    at {target}")
            html = " ".join(str(node.get("html", "")).split())
            if html:
                lines.append(f"      {html[:200]}")
            summary = str(node.get("failureSummary") or "").strip()
            for summary_line in summary.splitlines():
                lines.append(f"      {summary_line.strip()}")
    return "\n".join(lines)
