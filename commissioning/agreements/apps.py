from django.apps import AppConfig


class AgreementsConfig(AppConfig):
    name = "commissioning.agreements"
    label = "agreements"
    verbose_name = "Agreements, payments and monitoring returns"

    def ready(self) -> None:
        from commissioning.formula.late import register_source

        from .late import late_returns

        # The needs-based formula's late-returns rule asks here for partners' late returns.
        register_source(late_returns)
