from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.cellule.imports"
    label = "imports"
