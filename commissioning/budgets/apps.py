from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "commissioning.budgets"
    label = "budgets"
    verbose_name = "Budget and allocation ledger"
