"""The development server and the task worker, started together and stopped together (``veille serveur``).

No Django import here: the two processes load the settings themselves.
"""

from __future__ import annotations

import os
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

    The worker would not follow the server's reloads; and with ``DEBUG`` on, ``db_worker`` reloads by
    default through a child process that outlives a SIGTERM to its parent for a moment.
    """
    return [_django("runserver", address, "--noreload"), _django("db_worker", "--no-reload")]


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
        processes = [subprocess.Popen(command, env=env) for command in commands(address)]
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
