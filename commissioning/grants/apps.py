from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "commissioning.grants"
    label = "grants"
    verbose_name = "Grant rounds"
