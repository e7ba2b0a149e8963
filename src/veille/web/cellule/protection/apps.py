from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.cellule.protection"
    label = "protection"
    verbose_name = "Protection des données"

    def ready(self) -> None:
        from .logfilters import install

        install()
