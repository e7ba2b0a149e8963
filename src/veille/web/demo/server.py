"""The development server and the task worker, started together and stopped together (``veille serveur``).

No Django import here: the two processes load the settings themselves.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from types import FrameType

STOP_GRACE_SECONDS = 10


class _Stop(Exception):
    """Ctrl-C or SIGTERM received: stop both processes."""


def _django(*args: str) -> list[str]:
    return [sys.executable, "-m", "django", *args]


def commands(address: str) -> list[list[str]]:
    """The web server and the task worker, neither with autoreload.

    The worker would not follow the server's reloads, and ``db_worker`` reloads through a child process
    that outlives a SIGTERM to its parent for a moment. ``--insecure`` serves the stylesheet and htmx
    with ``DEBUG`` off (see :func:`pages_env`).
    """
    return [_django("runserver", address, "--noreload", "--insecure"), _django("db_worker", "--no-reload")]


def pages_env(env: dict[str, str]) -> dict[str, str]:
    """The environment of the web server and the worker: ``DEBUG`` off.

    A person trying the demo sees the pages production shows: « Page introuvable » for another
    commune's child, not Django's technical 404 (in English, listing every URL pattern), and no data
    in an error page. The secret key is drawn for this run unless ``VEILLE_SECRET_KEY`` is given
    (sessions then end when the server stops).
    """
    key = env.get("VEILLE_SECRET_KEY") or secrets.token_urlsafe(50)
    # The demo is served over plain HTTP on this machine: its cookies cannot be Secure.
    return {"VEILLE_HTTPS": "0", **env, "VEILLE_DEBUG": "0", "VEILLE_SECRET_KEY": key}


def _stop(processes: Sequence[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(address: str, *, say: Callable[[str], None] = print) -> int:
    """Migrate, then run the web server and the task worker until Ctrl-C, SIGTERM or one of them stops.

    Returns:
        0 after Ctrl-C or SIGTERM; otherwise the exit status of the process that stopped first.
    """
    env = {**os.environ}
    env.setdefault("DJANGO_SETTINGS_MODULE", "veille.web.settings")
    migrated = subprocess.run(_django("migrate", "--noinput", "--verbosity", "0"), env=env, check=False)
    if migrated.returncode:
        return migrated.returncode

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    # Handled explicitly: a shell starting us in the background makes Python ignore SIGINT otherwise.
    previous = {sig: signal.signal(sig, on_term) for sig in (signal.SIGINT, signal.SIGTERM)}
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes = [subprocess.Popen(command, env=pages_env(env)) for command in commands(address)]
        say(
            f"Veille est lancée sur http://{address}/ avec son exécuteur de tâches "
            "(croisements, courriers). Ctrl-C pour tout arrêter."
        )
        while True:
            for process in processes:
                if process.poll() is not None:
                    say("Un des deux processus s'est arrêté : arrêt de l'autre.")
                    return process.returncode or 1
            time.sleep(0.5)
    except (KeyboardInterrupt, _Stop):
        say("\nArrêt du serveur et de l'exécuteur de tâches…")
        return 0
    finally:
        _stop(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
