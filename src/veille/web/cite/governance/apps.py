from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "veille.web.cite.governance"
    label = "governance"
    verbose_name = "Gouvernance de la cité éducative"
