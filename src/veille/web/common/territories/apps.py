from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.common.territories"
    label = "territories"
