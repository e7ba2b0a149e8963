"""``manage.py expire_imports``: drop the rows of imports left unconfirmed past their hour (cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from veille.web.cellule.imports.models import Import


class Command(BaseCommand):
    help = "Abandonne les dépôts de fichiers non confirmés à temps (à lancer régulièrement, par cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = Import.objects.expire_pending()
        self.stdout.write(f"{count} dépôt(s) non confirmé(s) abandonné(s).")
