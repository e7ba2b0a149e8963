from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.cellule.children"
    label = "children"
