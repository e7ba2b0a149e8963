from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "veille.web.cite.actions"
    label = "actions"
    verbose_name = "Programme d'actions"
