from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.cellule.meetings"
    label = "meetings"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the purge receiver)
