from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "commissioning.agreements"
    label = "agreements"
    verbose_name = "Agreements, payments and monitoring returns"
