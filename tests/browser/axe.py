"""Run axe-core accessibility checks in a Playwright (sync API) page.

axe-core comes from the project's npm dev dependencies (``npm ci`` or
``scripts/build-assets`` installs it into ``node_modules/``).

    violations = run_axe(page)
    assert not violations, format_violations(violations)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_RUN_AXE = """
async (options) => {
  const results = await window.axe.run(document, options);
  return results.violations;
}
"""


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
    return list(page.evaluate(_RUN_AXE, options))


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
