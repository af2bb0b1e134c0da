from django.apps import AppConfig


class YearendConfig(AppConfig):
    name = "commissioning.yearend"
    label = "yearend"
    verbose_name = "The year end: outturn, underspend to a central pot, late returns' consequences"
