"""Memory of the web process while it receives and validates a large upload (a 49.9 MB CSV).

Starts the development server (one process: what it holds is what one gunicorn worker would hold) on
a loopback port over a database filled by ``veille demo-web``, logs in as the demo CAF account, uploads
a synthetic children file of ``--mo`` MB, and samples the server's resident memory every 50 ms:

    VEILLE_DEBUG=1 VEILLE_DATA_DIR=/tmp/demo veille demo-web --enfants 5000
    VEILLE_DATA_DIR=/tmp/demo .venv/bin/python bench/upload_memory.py --mo 49.9

Prints the memory before the upload, its peak, the difference, the answer's status and duration.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid

import psutil

sys.path.insert(0, os.path.dirname(__file__))
from load import _login

HEADER = (
    "organisme;identifiant;nom;prenoms;date_naissance;sexe;nom_allocataire;prenom_allocataire;"
    "adresse;code_postal;commune"
)


def synthetic_csv(megabytes: float) -> bytes:
    """Children rows (fictional) up to ``megabytes`` MB; every identifier distinct."""
    target = int(megabytes * 1024 * 1024)
    lines, size, number = [HEADER], len(HEADER) + 2, 0
    names = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand"]
    firsts = ["Léa", "Noah", "Emma", "Louis", "Jade", "Gabriel", "Alice", "Raphaël"]
    while True:
        line = (
            f"CAF;C{number:09d};{names[number % 8]};{firsts[number % 7]};{1 + number % 28:02d}/"
            f"{1 + number % 12:02d}/{2011 + number % 10};{'MF'[number % 2]};{names[(number + 3) % 8]};"
            f"{firsts[(number + 2) % 7]};{number % 300} rue des Écoles, résidence des Tilleuls, bâtiment B;"
            "59000;Villeneuve-sur-Fictif"
        )
        if size + len(line.encode()) + 2 > target:
            break
        lines.append(line)
        size += len(line.encode()) + 2
        number += 1
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mo", type=float, default=49.9)
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--commune", default="villeneuve-sur-fictif")
    args = parser.parse_args()
    base = f"http://127.0.0.1:{args.port}"
    env = {**os.environ, "VEILLE_DEBUG": "0", "VEILLE_SECRET_KEY": "banc-memoire"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "veille.web.settings")
    # Plain HTTP on the loopback: with the production default (HTTPS) the cookies are Secure and the
    # login's CSRF check refuses the bench.
    env.setdefault("VEILLE_HTTPS", "0")
    server = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{args.port}", "--noreload", "--insecure"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"{base}/compte/connexion/", timeout=5).read()
                break
            except OSError:
                time.sleep(0.5)
        opener = _login(base, "caf", "demo-caf-2026")  # the charter accepted on a fresh database
        upload_url = f"{base}/communes/{args.commune}/imports/deposer/"
        form = opener.open(upload_url, timeout=60).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        content = synthetic_csv(args.mo)
        data, content_type = multipart(
            {"csrfmiddlewaretoken": token, "kind": "enfants", "school_year": "2026-2027", "password": ""},
            "enfants_caf.csv",
            content,
        )
        process = psutil.Process(server.pid)
        time.sleep(1)
        before = process.memory_info().rss
        peak = [before]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], process.memory_info().rss)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.perf_counter()
        request = urllib.request.Request(upload_url, data=data, headers={"Content-Type": content_type})
        request.add_header("Referer", upload_url)
        try:
            response = opener.open(request, timeout=900)
            status = response.status
            landed = response.geturl()
        except urllib.error.HTTPError as error:  # type: ignore[attr-defined]
            status, landed = error.code, error.geturl()
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        rows = content.count(b"\n") - 1
        mb = 1024 * 1024
        print("| fichier | lignes | mémoire avant | pic | hausse | réponse | durée |")
        print("|---|---:|---:|---:|---:|---|---:|")
        print(
            f"| CSV {len(content) / mb:.1f} Mo | {rows} | {before / mb:.0f} Mo | {peak[0] / mb:.0f} Mo | "
            f"{(peak[0] - before) / mb:.0f} Mo | {status} {landed.rsplit('/', 3)[-3:]} | {seconds:.1f} s |"
        )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
