"""Load test: concurrent sessions, each a person waiting one second between requests, on the main pages.

Run it against a server on a loopback address, filled by ``veille demo-web`` (5 000 children):

    VEILLE_DEBUG=1 veille demo-web --enfants 5000
    VEILLE_SECRET_KEY=… veille serveur --production --adresse 127.0.0.1:8000
    VEILLE_DEBUG=1 veille serveur --adresse 127.0.0.1:8001     # the development server, beside it
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --sessions 50 --duree 120

Each session logs in as the demo referent, then requests the pages in turn. Prints a table of the
median and 95th percentile latencies and of the errors (status other than 200, or no answer), per page
and overall. Standard library only; loopback addresses only (it refuses any other host).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict

PAGES = (
    ("accueil de la commune", "/communes/{c}/"),
    ("enfants", "/communes/{c}/enfants/"),
    ("enfants non trouvés", "/communes/{c}/enfants/?statut=non_trouve"),
    ("dossiers", "/communes/{c}/dossiers/"),
    ("fichiers et croisements", "/communes/{c}/imports/"),
    ("indicateurs", "/communes/{c}/indicateurs/"),
)


def _login(base: str, username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/compte/connexion/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "pas de jeton CSRF sur la page de connexion"
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(
        f"{base}/compte/connexion/", data=body, headers={"Referer": f"{base}/compte/connexion/"}
    )
    landed = opener.open(request, timeout=60)
    if "/connexion/" in landed.geturl():
        raise SystemExit(f"connexion refusée pour {username}")
    if "/charte/" in landed.geturl():  # a fresh demo database: the charter is accepted once
        page = landed.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "pas de jeton CSRF sur la page de la charte"
        body = urllib.parse.urlencode({"accept": "oui", "csrfmiddlewaretoken": token.group(1)}).encode()
        opener.open(urllib.request.Request(landed.geturl(), data=body, headers={"Referer": landed.geturl()}))
    return opener


def _session(base, commune, opener, until, results, lock, offset) -> None:
    number = offset
    time.sleep(offset % 10 / 10)  # spread the sessions' first requests over a second
    while time.monotonic() < until:
        name, path = PAGES[number % len(PAGES)]
        number += 1
        started = time.perf_counter()
        try:
            wanted = base + path.format(c=commune)
            response = opener.open(wanted, timeout=30)
            response.read()
            # A redirect (to the charter, the login page) is an error: the page was not served.
            ok = response.status == 200 and response.geturl() == wanted
        except (urllib.error.URLError, OSError):
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            results[name].append((elapsed, ok))
        time.sleep(1)


def _percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description="Charge : sessions concurrentes sur les pages principales.")
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--duree", type=int, default=120, help="secondes (120)")
    parser.add_argument("--commune", default="villeneuve-sur-fictif")
    parser.add_argument("--compte", default="referent")
    parser.add_argument("--mot-de-passe", default="demo-referent-2026")
    args = parser.parse_args()
    host = urllib.parse.urlparse(args.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("adresse de bouclage seulement (127.0.0.1, localhost, ::1)")

    openers = [_login(args.url, args.compte, args.mot_de_passe) for _ in range(args.sessions)]
    results: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    lock = threading.Lock()
    until = time.monotonic() + args.duree
    threads = [
        threading.Thread(target=_session, args=(args.url, args.commune, o, until, results, lock, i))
        for i, o in enumerate(openers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    print(f"{args.sessions} sessions, {args.duree} s, {args.url}")
    print("| page | requêtes | p50 (ms) | p95 (ms) | erreurs |\n|---|---:|---:|---:|---:|")
    everything: list[tuple[float, bool]] = []
    for name, _ in PAGES:
        rows = results[name]
        everything += rows
        times = [t for t, _ in rows]
        errors = sum(not ok for _, ok in rows)
        p50, p95 = _percentile(times, 50), _percentile(times, 95)
        print(f"| {name} | {len(rows)} | {p50:.0f} | {p95:.0f} | {errors} |")
    times = [t for t, _ in everything]
    errors = sum(not ok for _, ok in everything)
    p50, p95 = _percentile(times, 50), _percentile(times, 95)
    print(f"| **toutes** | {len(everything)} | {p50:.0f} | {p95:.0f} | {errors} |")


if __name__ == "__main__":
    main()
