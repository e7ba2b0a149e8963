from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "veille.web.cellule.indicators"
    verbose_name = "Indicateurs et bilan"
