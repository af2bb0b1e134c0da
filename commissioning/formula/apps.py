from django.apps import AppConfig


class FormulaConfig(AppConfig):
    name = "commissioning.formula"
    label = "formula"
    verbose_name = "Needs-based allocation"
