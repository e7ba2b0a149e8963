from django.apps import AppConfig


class CitesConfig(AppConfig):
    name = "veille.web.cite.cites"
    label = "cites"
    verbose_name = "Cités éducatives"
