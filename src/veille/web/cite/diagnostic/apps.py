from django.apps import AppConfig


class DiagnosticConfig(AppConfig):
    name = "veille.web.cite.diagnostic"
    label = "diagnostic"
    verbose_name = "Diagnostic partagé"
