from django.apps import AppConfig


class FormulaConfig(AppConfig):
    name = "commissioning.formula"
    label = "formula"
    verbose_name = "Needs-based allocation"

    def ready(self) -> None:
        # An allocation held by a run's late-returns rule is not committed until its
        # returns are in.
        from commissioning.budgets.holds import register_commit_check

        from .late import hold_problems

        register_commit_check(hold_problems)
