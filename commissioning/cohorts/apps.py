from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "commissioning.cohorts"
    label = "cohorts"
    verbose_name = "Reoffending cohorts and their measures"
