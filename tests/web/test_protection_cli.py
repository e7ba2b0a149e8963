"""``veille purger``: the daily purge from cron, against the web application's database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from veille.cli import main
from veille.web.cellule.children.models import Child
from veille.web.common.audit.models import Action, AuditEvent

from .protection_helpers import make_case, make_child

SRC = Path(__file__).resolve().parents[2] / "src"


def test_the_simulation_lists_identifiers_and_deletes_nothing(commune_a, capsys):
    old = make_child(commune_a, "OLD", born=date(2010, 3, 2))
    case = make_case(old)
    make_child(commune_a, "YOUNG", born=date(2014, 3, 2))

    assert main(["purger", "--simulation", "--date", "2026-09-01"]) == 0

    out = capsys.readouterr().out
    assert "Simulation de la purge du 01/09/2026 : rien n'a été supprimé." in out
    assert "1 enfant(s) seraient supprimé(s), 1 dossier(s) seraient rendus anonymes." in out
    assert f"enfant n° {old.pk} : fin de l'année scolaire des 16 ans ; dossiers : n° {case.pk}" in out
    assert "Zorvanel" not in out and "Ysaline" not in out and "2010" not in out
    assert Child.objects.count() == 2
    assert not AuditEvent.objects.filter(action=Action.PURGE).exists()


def test_the_purge_deletes_the_child_keeps_the_case_and_says_so_in_french(commune_a, capsys):
    old = make_child(commune_a, "OLD", born=date(2010, 3, 2))
    case = make_case(old, age_at_opening=14)

    assert main(["purger", "--date", "2026-09-01"]) == 0

    out = capsys.readouterr().out
    assert "Purge du 01/09/2026 : 1 enfant(s) supprimé(s), 1 dossier(s) rendus anonymes" in out
    assert not Child.objects.exists()
    case.refresh_from_db()
    assert case.child_id is None and case.age_at_opening == 14 and case.purged_at is not None
    event = AuditEvent.objects.get(action=Action.PURGE)
    assert event.user is None and event.object_id == str(old.pk)


def test_the_commune_option_limits_the_purge(commune_a, commune_b, capsys):
    make_child(commune_a, "OLD", born=date(2010, 3, 2))
    make_child(commune_b, "OLD", born=date(2010, 3, 2))
    assert main(["purger", "--date", "2026-09-01", "--commune", commune_b.slug]) == 0
    assert "(commune bourg)" in capsys.readouterr().out
    assert list(Child.objects.values_list("commune__slug", flat=True)) == [commune_a.slug]


def test_an_unknown_commune_or_a_bad_date_is_refused_with_status_2(commune_a, capsys):
    assert main(["purger", "--commune", "nulle-part"]) == 2
    assert "aucune commune n'a l'identifiant « nulle-part »" in capsys.readouterr().err
    assert main(["purger", "--date", "01/09/2026"]) == 2
    assert "format attendu AAAA-MM-JJ" in capsys.readouterr().err


def test_without_the_secret_key_it_explains_in_french_and_exits_with_2(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"VEILLE_SECRET_KEY", "VEILLE_DEBUG"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["PYTHONPATH"] = str(SRC)
    done = subprocess.run(
        [sys.executable, "-m", "veille.cli", "purger", "--simulation"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "VEILLE_SECRET_KEY n'est pas définie" in done.stderr
    assert "Traceback" not in done.stderr
