from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    name = "commissioning.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from .jobs import load_kinds
        from .permissions import load_rules

        ours = [c.name for c in apps.get_app_configs() if c.name.startswith("commissioning.")]
        load_rules(ours)
        load_kinds(ours)
