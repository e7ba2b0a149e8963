from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.meetings"
    label = "meetings"
