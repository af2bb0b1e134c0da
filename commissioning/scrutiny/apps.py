from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    name = "commissioning.scrutiny"
    label = "scrutiny"
    verbose_name = "The Police and Crime Panel's scrutiny: outcomes by priority and the Panel pack"
