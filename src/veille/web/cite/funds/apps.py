from django.apps import AppConfig


class FundsConfig(AppConfig):
    name = "veille.web.cite.funds"
    label = "funds"
    verbose_name = "Fonds de la cité éducative"
