from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "commissioning.decisions"
    label = "decisions"
    verbose_name = "Decision records"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the permission rules)
