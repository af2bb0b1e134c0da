from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """`amounts|get:"H1"` — a dict's value, or None."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.filter
def period_name(code: str) -> str:
    from commissioning.budgets.periods import PERIODS

    spec = PERIODS.get(code)
    return f"{spec.label}" if spec else code
