"""The one axe finding the browser tests accept (GOV.UK Frontend's aria-expanded on a
conditionally revealing radio) is accepted only there."""

from __future__ import annotations

try:
    from .axe import without_known_exceptions
except ImportError:
    from axe import without_known_exceptions  # type: ignore[no-redef]

REVEAL = (
    '<input class="govuk-radios__input" id="rec-1-reduced" type="radio" '
    'aria-controls="conditional-amt-1" aria-expanded="false">'
)


def _violation(rule: str, *nodes: tuple[str, str]) -> dict:
    return {
        "id": rule,
        "nodes": [{"html": html, "failureSummary": summary} for html, summary in nodes],
    }


def test_the_govuk_conditional_reveal_is_accepted_and_nothing_else() -> None:
    allowed = 'Fix all of the following:\n  ARIA attribute is not allowed: aria-expanded="false"'
    other_attr = 'Fix all of the following:\n  ARIA attribute is not allowed: aria-checked="true"'
    plain_radio = '<input class="govuk-radios__input" type="radio" aria-expanded="false">'
    button = '<button aria-controls="x" aria-expanded="false" role="radio">'
    found = without_known_exceptions(
        [
            _violation("aria-allowed-attr", (REVEAL, allowed)),
            _violation("aria-allowed-attr", (REVEAL, other_attr), (plain_radio, allowed)),
            _violation("aria-allowed-attr", (button, allowed)),
            _violation("color-contrast", (REVEAL, allowed)),
        ]
    )
    assert [v["id"] for v in found] == ["aria-allowed-attr", "aria-allowed-attr", "color-contrast"]
    assert [n["html"] for n in found[0]["nodes"]] == [REVEAL, plain_radio]
    assert [n["html"] for n in found[1]["nodes"]] == [button]
