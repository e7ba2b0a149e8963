from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "veille.web.cellule.indicators"
    verbose_name = "Indicateurs et bilan"

    def ready(self) -> None:
        from veille.web.common import cell_figures

        from .queries import masked_school_year

        cell_figures.register(masked_school_year)
