"""Background tasks (Django's tasks framework; worker: ``manage.py db_worker``)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_crossing(run_id: int) -> str:
    """Run a queued crossing; its progress and outcome are kept on the ``CrossingRun`` row."""
    from .services import execute_run

    return execute_run(run_id).status


@task()
def run_encrypted_crossing(run_id: int) -> str:
    """Run a queued encrypted crossing (``encrypted.execute_encrypted``)."""
    from .encrypted import execute_encrypted

    return execute_encrypted(run_id).status
