"""The web server and the task worker, started and supervised together (``veille serveur``).

Two separate processes: the web server (Django's development server, or gunicorn with
``--production``) and the task worker (``manage.py task_worker``). A worker that dies (a crash, a
database locked too long, kill -9) is restarted without stopping the web server; the restarted worker
first marks what the dead one left « en cours » as interrupted. The web server stopping stops all.

No Django import here: the processes load the settings themselves.
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
#: a worker dying again within this time after its start waits before the next restart
RESTART_BACKOFF_SECONDS = 2
#: gunicorn's workers: two per core is its documentation's advice, four at least for 50 sessions
GUNICORN_WORKERS = max(4, 2 * (os.cpu_count() or 1))
#: how much lower the task worker's scheduling priority is than the web server's (``nice``): a
#: crossing takes all of a core for minutes, the pages must not wait behind it
WORKER_NICENESS = 10


class _Stop(Exception):
    """Ctrl-C or SIGTERM received: stop both processes."""


def _django(*args: str) -> list[str]:
    return [sys.executable, "-m", "django", *args]


def web_command(address: str, *, production: bool = False) -> list[str]:
    """The web server. In development, Django's, without autoreload (the worker would not follow its
    reloads), ``--insecure`` serving the stylesheet and htmx with ``DEBUG`` off (see :func:`pages_env`).
    In production, gunicorn; whitenoise serves the static files (``collectstatic`` first)."""
    if not production:
        return _django("runserver", address, "--noreload", "--insecure")
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "veille.web.wsgi:application",
        "--bind",
        address,
        "--workers",
        str(GUNICORN_WORKERS),
        # A confirmation of 200 000 rows takes about a minute (it commits in batches).
        "--timeout",
        "180",
        "--access-logfile",
        "-",
        "--access-logformat",
        # No query string in the log: it may carry a search on a child's name.
        '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
    ]


def worker_command() -> list[str]:
    return _django("task_worker")


def _below_the_web() -> None:
    os.nice(WORKER_NICENESS)


def _start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The task worker, at a lower priority than the web server (POSIX: ``nice``)."""
    lower = _below_the_web if os.name == "posix" else None
    return subprocess.Popen(worker_command(), env=env, preexec_fn=lower)


def commands(address: str, *, production: bool = False) -> list[list[str]]:
    return [web_command(address, production=production), worker_command()]


def pages_env(env: dict[str, str], *, production: bool = False) -> dict[str, str]:
    """The environment of the web server and the worker: ``DEBUG`` off.

    A person trying the demo sees the pages production shows: « Page introuvable » for another
    commune's child, not Django's technical 404 (in English, listing every URL pattern), and no data
    in an error page. In development the secret key is drawn for this run unless ``VEILLE_SECRET_KEY``
    is given (sessions then end when the server stops); in production it must be given.
    """
    key = env.get("VEILLE_SECRET_KEY") or ("" if production else secrets.token_urlsafe(50))
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


def serve(address: str, *, production: bool = False, say: Callable[[str], None] = print) -> int:
    """Migrate, then run the web server and the task worker until Ctrl-C, SIGTERM or the web stops.

    Returns:
        0 after Ctrl-C or SIGTERM; otherwise the exit status of the web server.
    """
    env = {**os.environ}
    env.setdefault("DJANGO_SETTINGS_MODULE", "veille.web.settings")
    prepare = [_django("migrate", "--noinput", "--verbosity", "0")]
    if production:
        prepare.append(_django("collectstatic", "--noinput", "--verbosity", "0"))
    for command in prepare:
        done = subprocess.run(command, env=pages_env(env, production=production), check=False)
        if done.returncode:
            return done.returncode

    def on_term(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    # Handled explicitly: a shell starting us in the background makes Python ignore SIGINT otherwise.
    previous = {sig: signal.signal(sig, on_term) for sig in (signal.SIGINT, signal.SIGTERM)}
    child_env = pages_env(env, production=production)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        web = subprocess.Popen(web_command(address, production=production), env=child_env)
        worker = _start_worker(child_env)
        worker_started = time.monotonic()
        processes = [web, worker]
        kind = "de production (gunicorn)" if production else "de développement"
        say(
            f"Veille est lancée sur http://{address}/ (serveur {kind}) avec son exécuteur de tâches "
            "(croisements, courriers). Ctrl-C pour tout arrêter."
        )
        while True:
            if web.poll() is not None:
                say("Le serveur web s'est arrêté : arrêt de l'exécuteur de tâches.")
                return web.returncode or 1
            if worker.poll() is not None:
                say(
                    f"L'exécuteur de tâches s'est arrêté (code {worker.returncode}) : il est relancé ; "
                    "le serveur web continue."
                )
                if time.monotonic() - worker_started < RESTART_BACKOFF_SECONDS:
                    time.sleep(RESTART_BACKOFF_SECONDS)
                worker = _start_worker(child_env)
                worker_started = time.monotonic()
                processes = [web, worker]
            time.sleep(0.5)
    except (KeyboardInterrupt, _Stop):
        say("\nArrêt du serveur et de l'exécuteur de tâches…")
        return 0
    finally:
        _stop(processes)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
