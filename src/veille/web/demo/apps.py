from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.demo"
    label = "demo"
    verbose_name = "démonstration"
