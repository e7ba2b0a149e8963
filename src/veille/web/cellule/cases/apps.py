from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.cellule.cases"
    label = "cases"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
