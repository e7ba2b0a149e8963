"""``manage.py task_worker``: the task worker (``db_worker``), after settling what a crash left behind.

A worker killed while it crossed (kill -9, power cut) leaves its run « en cours »; a web process killed
while it confirmed an import leaves the import half-written. Before taking new tasks, the worker marks
such runs failed and undoes such confirmations (``services.recover_interrupted``): the pages say it
within seconds of the restart, with a « Relancer » button.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from veille.web.cellule.imports.models import CrossingRun
from veille.web.cellule.imports.services import recover_interrupted


class Command(BaseCommand):
    help = "Exécuteur des tâches de fond (croisements), après reprise de ce qu'une panne a interrompu."

    def handle(self, *args: Any, **options: Any) -> None:
        # At the start no run can still be alive in this worker: every running one is stale by now,
        # whatever its heartbeat says (one worker per instance, as docs/exploitation.md sets it up).
        CrossingRun.objects.interrupted_at_start()
        found = recover_interrupted()
        if found:
            self.stderr.write(f"{found} traitement(s) interrompu(s) par une panne : marqué(s) comme tel(s).")
        call_command("db_worker", "--no-reload")
