from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.accounts"
    label = "accounts"
