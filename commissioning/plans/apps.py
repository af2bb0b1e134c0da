from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "commissioning.plans"
    label = "plans"
    verbose_name = "Police and Crime Plan"
