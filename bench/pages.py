"""Server cost of the six pages of ``bench/load.py``, measured in-process (no HTTP, no concurrency).

Fills a demo database (``veille demo-web``) in a temporary directory, or works on a copy of a given
one (so that two branches can be measured on the same data), logs in as the demo referent, requests
each page N times through the WSGI application as gunicorn calls it (request signals included, so the
database connection is opened or kept as in production) and prints, per page: the median and 95th
percentile of the wall time and of the CPU time of this process (``time.process_time``: the machine is
shared, the CPU time is what the load target depends on), the number of SQL queries and the page's size.

    .venv/bin/python bench/pages.py                        # a fresh demo of 5 000 children
    .venv/bin/python bench/pages.py --base var/ --fois 30  # a copy of var/veille.sqlite3, migrated

The settings are the production ones (``DEBUG`` off), on SQLite unless DATABASE_URL says otherwise.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The same pages as the load test, so that the two benches speak of the same thing.
from load import PAGES


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _prepare(args: argparse.Namespace, work: Path) -> None:
    """The data directory of this run: a copy of ``--base`` migrated, or a fresh demo."""
    env = {**os.environ, "VEILLE_DATA_DIR": str(work), "VEILLE_DEBUG": "1"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "veille.web.settings")
    if args.base:
        source = Path(args.base) / "veille.sqlite3"
        shutil.copy(source, work / "veille.sqlite3")
        command = [sys.executable, "-m", "django", "migrate", "--noinput", "--verbosity", "0"]
    else:
        veille = Path(sys.executable).with_name("veille")
        command = [str(veille), "demo-web", "--enfants", str(args.enfants), "--graine", "2026"]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)


def _login(args: argparse.Namespace) -> str:
    """The session cookie of the demo referent (the charter accepted if the database is fresh)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    landed = client.post(
        "/compte/connexion/", {"username": args.compte, "password": args.mot_de_passe}, follow=True
    )
    if landed.redirect_chain and "/charte/" in landed.redirect_chain[-1][0]:
        client.post(landed.redirect_chain[-1][0], {"accept": "oui"})
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _get(application, url: str, cookie: str) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    """One GET through the WSGI application, as gunicorn calls it (request signals included: the
    database connection is closed or kept as in production)."""
    path, _, query = url.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    status: list[str] = []
    body = application(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        content = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    return status[0], content


def _measure(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    cookie = _login(args)
    application = get_wsgi_application()
    print(f"{args.fois} fois chaque page, commune {args.commune}, base {connection.vendor}")
    print(
        "| page | p50 (ms) | p95 (ms) | CPU p50 (ms) | CPU p95 (ms) | requêtes SQL | taille (ko) |\n"
        "|---|---:|---:|---:|---:|---:|---:|"
    )
    total_cpu = 0.0
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    for name, path in PAGES:
        url = path.format(c=args.commune)
        # One request to warm the caches and count the queries.
        queries.clear()
        with connection.execute_wrapper(count):
            status, content = _get(application, url, cookie)
        if not status.startswith("200"):
            raise SystemExit(f"{url} : statut {status}")
        walls, cpus = [], []
        for _ in range(args.fois):
            wall, cpu = time.perf_counter(), time.process_time()
            _get(application, url, cookie)
            cpus.append((time.process_time() - cpu) * 1000)
            walls.append((time.perf_counter() - wall) * 1000)
        cpu_p50 = statistics.median(cpus)
        total_cpu += cpu_p50
        print(
            f"| {name} | {statistics.median(walls):.0f} | {_percentile(walls, 95):.0f} "
            f"| {cpu_p50:.0f} | {_percentile(cpus, 95):.0f} | {len(queries)} "
            f"| {len(content) / 1000:.0f} |"
        )
    print(f"| **moyenne des six** | | | {total_cpu / len(PAGES):.0f} | | | |")


def main() -> None:
    parser = argparse.ArgumentParser(description="Coût serveur des pages principales, en processus.")
    parser.add_argument("--base", metavar="DOSSIER", help="dossier de données à copier (veille.sqlite3)")
    parser.add_argument("--enfants", type=int, default=5000, help="sans --base : enfants de la démo (5000)")
    parser.add_argument("--fois", type=int, default=20, help="requêtes par page (20)")
    parser.add_argument("--commune", default="villeneuve-sur-fictif")
    parser.add_argument("--compte", default="referent")
    parser.add_argument("--mot-de-passe", default="demo-referent-2026")
    parser.add_argument("--garder", metavar="DOSSIER", help="garder ici la base préparée (pour --base)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="veille-pages-") as tmp:
        work = Path(args.garder or tmp)
        (work / "static").mkdir(parents=True, exist_ok=True)
        _prepare(args, work)
        os.environ.update(
            DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "veille.web.settings"),
            VEILLE_DATA_DIR=str(work),
            VEILLE_DEBUG="0",
            VEILLE_HTTPS="0",
            VEILLE_SECRET_KEY=os.environ.get("VEILLE_SECRET_KEY", "banc-de-mesure-seulement"),
            VEILLE_ALLOWED_HOSTS="testserver",
        )
        _measure(args)


if __name__ == "__main__":
    main()
