from django.apps import AppConfig


class Config(AppConfig):
    name = "veille.web.cellule.cases"
    label = "cases"

    def ready(self) -> None:
        from veille.web.common.ui import labels

        from . import receivers  # noqa: F401
        from .procedure import BY_NAME, CaseStep, ClosureReason

        # The procedure's codes in French wherever a page prints one (the access log's details…).
        words = {**dict(CaseStep.choices), **dict(ClosureReason.choices)}
        words.update({name: t.label for name, t in BY_NAME.items()})
        labels.register(words.get)
