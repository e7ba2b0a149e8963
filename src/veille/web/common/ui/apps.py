from __future__ import annotations

from django.apps import AppConfig


class UiConfig(AppConfig):
    """What every page shares: French formatting, labels of codes, folded search, the legal pages."""

    name = "veille.web.common.ui"
    label = "ui"
    verbose_name = "interface"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_fold

        connection_created.connect(register_sqlite_fold, dispatch_uid="veille-ui-fold")
