from django.apps import AppConfig


class FrameworkConfig(AppConfig):
    name = "veille.web.cite.framework"
    label = "framework"
    verbose_name = "Référentiel des cités éducatives"
