from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "commissioning.web"
    label = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
