from django.apps import AppConfig


class MtfsConfig(AppConfig):
    name = "commissioning.mtfs"
    label = "mtfs"
    verbose_name = "Money in: the medium-term financial strategy and precept options"
