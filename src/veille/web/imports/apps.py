from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.imports"
    label = "imports"
