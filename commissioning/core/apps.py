from django.apps import AppConfig, apps


class CoreConfig(AppConfig):
    name = "commissioning.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from .permissions import load_rules

        load_rules([c.name for c in apps.get_app_configs() if c.name.startswith("commissioning.")])
