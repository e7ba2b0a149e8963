"""The web demo: its seeding (``seed_demo``, ``demo_seed``, ``veille demo-web``) and ``veille serveur``."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from pypdf import PdfReader

from veille import cli
from veille.compulsory import retention_end
from veille.sources import read_children_files, read_schooling_files
from veille.web.cellule.cases.models import Case, CaseEvent, Domain, Origin
from veille.web.cellule.cases.procedure import CaseStep
from veille.web.cellule.children.models import Child
from veille.web.cellule.documents.models import GeneratedLetter
from veille.web.cellule.imports.models import (
    CrossingRun,
    Import,
    ImportStatus,
    Kind,
    MatchDecision,
    Outcome,
    RunStatus,
)
from veille.web.cellule.meetings.models import Meeting
from veille.web.common.accounts.models import Membership, User
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import AuditEvent
from veille.web.common.territories.models import Commune
from veille.web.demo import server
from veille.web.demo.seed import (
    BASE_STEPS,
    COMMUNE_A,
    COMMUNE_B,
    DEMO_ACCOUNTS,
    STEPS,
    DemoRefused,
    generate_letters,
    import_files,
    seed_demo,
)

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def data_dir(settings, tmp_path, monkeypatch):
    """The demo's files in a temporary folder; the command's ``demo/donnees-2027`` there too."""
    settings.DATA_DIR = tmp_path
    monkeypatch.chdir(tmp_path)
    return tmp_path


def seed(**overrides):
    """The seed up to the import of the files (the crossing and the casework are tested once, below)."""
    options = {"children": 60, "force": True, "say": lambda line: None, "steps": [*BASE_STEPS, import_files]}
    return seed_demo(**{**options, **overrides})


def snapshot() -> dict[str, int]:
    return {
        "communes": Commune.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "children": Child.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def test_the_seed_creates_two_fictional_communes_and_one_account_per_role(db, data_dir):
    seed()
    a, b = Commune.objects.get(slug=COMMUNE_A.slug), Commune.objects.get(slug=COMMUNE_B.slug)
    assert a.insee_code.startswith("99") and b.insee_code.startswith("99")
    roles_in_a = set(Membership.objects.filter(commune=a).values_list("role", flat=True))
    assert roles_in_a == {r.value for r in Role}
    assert list(Membership.objects.filter(commune=b).values_list("user__username", "role")) == [
        ("referent-bourg", Role.REFERENT.value)
    ]
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(username=account.username)
        assert user.check_password(account.password)
        assert not user.has_accepted_charter and not user.totp_enabled
        assert user.memberships.get().commune.slug == account.commune_slug


def test_the_children_of_the_synthetic_files_become_children_of_the_list(db, data_dir):
    ctx = seed()
    a = ctx.communes[COMMUNE_A.slug]
    paths = [p for name, p in ctx.files[COMMUNE_A.slug].items() if name.startswith("enfants_")]
    table = read_children_files(paths).table
    assert Child.objects.filter(commune=a).count() == len(table) == 60
    row = table.iloc[0]
    child = Child.objects.get(commune=a, organisme=row["organisme"], source_id=row["identifiant"])
    assert (child.last_name, child.first_names, child.birth_date.isoformat()) == (
        row["nom"],
        row["prenoms"],
        row["date_naissance"],
    )
    assert child.retention_until == retention_end(child.birth_date)
    assert Child.objects.filter(commune=ctx.communes[COMMUNE_B.slug]).count() == 50  # the minimum
    assert all(Path(p).is_relative_to(data_dir) for p in ctx.files[COMMUNE_A.slug].values())
    imported = Import.objects.get(commune=a, kind=Kind.CHILDREN)
    assert imported.status == ImportStatus.CONFIRMED and imported.school_year == "2026-2027"
    assert imported.child_links.count() == 60
    assert Import.objects.get(commune=a, kind=Kind.SCHOOLING).records.exists()


def test_seeding_twice_duplicates_nothing(db, data_dir):
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first


def test_an_account_already_there_keeps_its_password_and_charter(db, data_dir):
    seed()
    user = User.objects.get(username="agent")
    user.set_password("un-autre-mot-de-passe-choisi")
    user.save()
    user.accept_charter()
    seed()
    user.refresh_from_db()
    assert user.check_password("un-autre-mot-de-passe-choisi") and user.has_accepted_charter


def test_the_full_seed_crosses_settles_and_opens_cases_at_every_step_once(db, data_dir):
    today = timezone.localdate()
    ctx = seed_demo(children=300, force=True, say=lambda line: None, next_year_dir=data_dir / "donnees-2027")
    a = ctx.communes[COMMUNE_A.slug]
    run = CrossingRun.objects.get(commune=a)
    assert run.status == RunStatus.DONE and run.counts["enfants"] == 300
    assert (
        CrossingRun.objects.filter(commune=ctx.communes[COMMUNE_B.slug], status=RunStatus.DONE).count() == 1
    )
    decisions = MatchDecision.objects.filter(commune=a)
    assert sorted(decisions.values_list("same", flat=True)) == [False, True]
    assert Outcome.objects.to_review(a).exists(), "some uncertain matches are left to review"

    cases = Case.objects.filter(commune=a)
    states = set(cases.values_list("state", flat=True))
    assert {
        CaseStep.FORMAL_NOTICE,
        CaseStep.PROSECUTOR_REFERRAL,
        CaseStep.RETURN_TO_SCHOOL,
        CaseStep.CLOSED,
    } <= states
    assert {Origin.CROSSING, Origin.ABSENTEEISM_REPORT, Origin.HOME_INSTRUCTION, Origin.FIELD} <= set(
        cases.values_list("origin", flat=True)
    )
    # The école de fait's children and the IEF refusal also reach a mise en demeure (law table v2).
    assert set(cases.values_list("domain", flat=True)) == set(Domain.values)
    notice = ctx.cases["notice_overdue"]
    assert notice.is_overdue(today) and notice.events.filter(kind="letter").exists()
    # Each step is signed by a demo account whose role may take it.
    assert notice.events.get(kind="send_formal_notice").by.username == "education"
    assert notice.events.get(kind="opening").by.username == "agent"
    referent = Membership.objects.get(user__username="referent")
    assert notice in Case.objects.todo(referent, today)
    assert all(c.is_transmitted_to(Role.PROSECUTOR) for c in cases.filter(state=CaseStep.PROSECUTOR_REFERRAL))
    assert cases.filter(child__isnull=True, domain=Domain.UNDECLARED_SCHOOL).count() == 2
    assert ctx.cases["place_closed"].linked_cases.filter(state=CaseStep.FORMAL_NOTICE).count() == 2
    # Spread over the previous and the current school year, events dated the day they happened.
    opened = sorted(cases.values_list("opened_at", flat=True))
    assert (today - timezone.localtime(opened[0]).date()).days > 300 and (
        today - timezone.localtime(opened[-1]).date()
    ).days < 10
    for event in CaseEvent.objects.filter(case__commune=a).exclude(effective_date=None):
        assert timezone.localtime(event.at).date() == event.effective_date
    letters = GeneratedLetter.objects.filter(commune=a)
    assert letters.exists() and all(bytes(letter.pdf[:5]) == b"%PDF-" for letter in letters)
    past, upcoming = Meeting.objects.filter(commune=a).order_by("held_on")
    assert past.held and past.items.exclude(decision="").exists()
    assert not upcoming.held and upcoming.held_on > timezone.now() and upcoming.items.exists()

    counts = {
        model.__name__: model.objects.count()
        for model in (Case, CaseEvent, CrossingRun, MatchDecision, GeneratedLetter, Meeting, Import, Child)
    }
    seed_demo(children=300, force=True, say=lambda line: None, next_year_dir=data_dir / "donnees-2027")
    assert {model: globals()[model].objects.count() for model in counts} == counts


def test_the_demo_shows_cases_of_the_five_procedures_with_letters_on_their_authors_letterheads(db, data_dir):
    from veille.web.cellule.documents.law import spec

    ctx = seed_demo(
        children=300, force=True, say=lambda line: None, steps=STEPS[: STEPS.index(generate_letters) + 1]
    )
    cases = Case.objects.filter(commune=ctx.communes[COMMUNE_A.slug])
    for domain in Domain.values:
        moved = cases.filter(domain=domain).exclude(state=CaseStep.VERIFICATION)
        assert moved.exists(), f"aucun dossier avancé du domaine {domain}"
        letters = GeneratedLetter.objects.filter(case__domain=domain)
        assert letters.exists(), f"aucun courrier dans le domaine {domain}"
    heads = {
        "commune": "Mairie de",
        "dsden": "Direction des services départementaux",
        "prefecture": "Préfecture",
    }
    for letter in GeneratedLetter.objects.filter(commune=ctx.communes[COMMUNE_A.slug]):
        author = spec(letter.kind).signatory_for(
            letter.generated_by.memberships.get(commune=letter.commune).role, letter.case.domain
        )
        assert author is not None, letter.kind
        text = " ".join(PdfReader(io.BytesIO(bytes(letter.pdf))).pages[0].extract_text().split())
        assert text.startswith(heads[author.authority]), (letter.kind, text[:60])
    # Each child of the closed école de fait has its own case, at the mise en demeure (as many children
    # as the small commune has left for it).
    linked = list(ctx.cases["place_closed"].linked_cases.all())
    assert linked and all(c.state == CaseStep.FORMAL_NOTICE and c.child_id for c in linked)
    assert ctx.cases["ief_refused_appealed"].events.filter(kind="file_rapo").exists()


def test_next_years_files_hold_the_same_children_one_year_older_and_a_few_gone(db, data_dir):
    ctx = seed(children=400, next_year_dir=data_dir / "donnees-2027")
    this_year = read_children_files(
        [p for name, p in ctx.files[COMMUNE_A.slug].items() if name.startswith("enfants_")]
    ).table
    next_dir = data_dir / "donnees-2027"
    assert not (next_dir / "verite.csv").exists()
    next_year = read_children_files(sorted(next_dir.glob("enfants_*.csv"))).table
    assert 0 < len(this_year) - len(next_year) <= len(this_year) // 20
    both = this_year.merge(next_year, on=["organisme", "identifiant"], suffixes=("", "_suivante"))
    assert len(both) == len(next_year)
    assert (both["date_naissance"] == both["date_naissance_suivante"]).all()
    assert (both["nom"] == both["nom_suivante"]).all()
    this_onde = read_schooling_files([ctx.files[COMMUNE_A.slug]["scolarite_onde.csv"]]).table
    next_onde = read_schooling_files([next_dir / "scolarite_onde.csv"]).table
    # The same pupils one class up, and the children turning 3 in petite section (but not all of them).
    moved_up = this_onde.merge(next_onde, on="identifiant", suffixes=("", "_suivante"))
    assert len(moved_up) == len(this_onde)
    cp = moved_up[moved_up["niveau"] == "CP"]
    assert len(cp) and (cp["niveau_suivante"] == "CE1").all()
    entering = next_onde[~next_onde["identifiant"].isin(this_onde["identifiant"])]
    born = pd.to_datetime(next_year["date_naissance"], format="ISO8601")  # canonical: ISO dates
    turning_3 = next_year[born.dt.year == 2024]
    assert len(turning_3) > len(entering) > 0 and (entering["niveau"] == "PS").all()
    assert set(entering["date_naissance"]) <= set(turning_3["date_naissance"])


def test_the_seed_refuses_known_passwords_when_debug_is_off(db, data_dir, settings):
    settings.DEBUG = False
    with pytest.raises(DemoRefused):
        seed_demo(children=60, say=lambda line: None)
    assert not User.objects.exists() and not Commune.objects.exists()
    with pytest.raises(CommandError, match="VEILLE_DEBUG=1"):
        call_command("demo_seed", "--enfants", "60")
    assert not User.objects.exists()


def test_the_command_seeds_with_force_and_prints_the_accounts(db, data_dir, capsys):
    call_command("demo_seed", "--enfants", "60", "--force")
    out = capsys.readouterr().out
    for account in DEMO_ACCOUNTS:
        assert re.search(rf"^\s+{re.escape(account.username)}\s+{re.escape(account.password)}\s", out, re.M)
    assert Child.objects.filter(commune__slug=COMMUNE_A.slug).count() == 60
    assert sorted(p.name for p in (data_dir / "demo" / "donnees-2027").glob("enfants_*.csv")) == [
        "enfants_caf.csv",
        "enfants_msa.csv",
    ]
    assert str(data_dir / "demo" / "donnees-2027") in out


def test_the_cli_seeds_the_web_demo_and_refuses_without_force(db, data_dir, capsys, settings):
    assert cli.main(["demo-web", "--enfants", "60", "--force"]) == cli.EXIT_OK
    assert "Démonstration prête" in capsys.readouterr().out
    assert User.objects.filter(memberships__isnull=False).distinct().count() == len(DEMO_ACCOUNTS)
    assert User.objects.filter(username="cpo.tilleuls", cite_memberships__isnull=False).exists()
    settings.DEBUG = False
    assert cli.main(["demo-web", "--enfants", "60"]) == cli.EXIT_BAD_INPUT
    assert "démonstration refusée" in capsys.readouterr().err
    assert cli.main(["demo-web", "--enfants", "0", "--force"]) == cli.EXIT_BAD_INPUT


def test_the_server_refuses_to_start_outside_development(monkeypatch, capsys):
    monkeypatch.delenv("VEILLE_DEBUG", raising=False)
    assert cli.main(["serveur"]) == cli.EXIT_BAD_INPUT
    assert "VEILLE_DEBUG=1" in capsys.readouterr().err


def test_the_server_runs_the_web_server_and_the_task_worker():
    web, worker = server.commands("127.0.0.1:8000")
    assert web[-4:] == ["runserver", "127.0.0.1:8000", "--noreload", "--insecure"]
    assert worker[-1:] == ["task_worker"]


def test_the_production_server_runs_gunicorn_and_the_task_worker():
    web, worker = server.commands("127.0.0.1:8000", production=True)
    assert web[1:4] == ["-m", "gunicorn", "veille.web.wsgi:application"]
    assert "127.0.0.1:8000" in web
    assert worker[-1:] == ["task_worker"]


def test_the_production_server_refuses_to_start_without_a_secret_key(monkeypatch, capsys):
    monkeypatch.delenv("VEILLE_SECRET_KEY", raising=False)
    assert cli.main(["serveur", "--production"]) == cli.EXIT_BAD_INPUT
    assert "VEILLE_SECRET_KEY" in capsys.readouterr().err


def test_the_readme_lists_every_demo_account_with_its_password_and_role():
    text = README.read_text(encoding="utf-8")
    for account in DEMO_ACCOUNTS:
        login, password, role = (
            re.escape(v) for v in (account.username, account.password, account.role.label)
        )
        row = rf"^\| `{login}` \| `{password}` \| {role} \|"
        assert re.search(row, text, re.M), account.username


def test_the_stylesheet_is_found_by_the_static_finders():
    assert finders.find("veille/veille.css") and finders.find("veille/htmx-2.0.11.min.js")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_veille_serveur_serves_the_login_page_and_stops_both_processes_on_sigterm(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    address = f"127.0.0.1:{_free_port()}"
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {
        **os.environ,
        "VEILLE_DEBUG": "1",
        "VEILLE_DATA_DIR": str(tmp_path),
        "PYTHONPATH": src,
        "DJANGO_SETTINGS_MODULE": "veille.web.settings",
    }
    env.pop("DATABASE_URL", None)  # its own SQLite database, not the test database
    parent = subprocess.Popen(
        [sys.executable, "-m", "veille.cli", "serveur", "--adresse", address],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        page = ""
        # A fresh database is migrated first: on a busy machine that alone can take a minute.
        for _ in range(240):
            time.sleep(0.5)
            try:
                page = (
                    urllib.request.urlopen(f"http://{address}/compte/connexion/", timeout=2).read().decode()
                )
                break
            except OSError:
                assert parent.poll() is None, parent.stdout.read().decode()
        assert "<h1>Connexion</h1>" in page
        # DEBUG is off for the pages: the 404 a person sees is the application's, in French.
        with pytest.raises(urllib.error.HTTPError) as not_found:
            urllib.request.urlopen(f"http://{address}/nulle-part/", timeout=5)
        assert not_found.value.code == 404 and "Page introuvable" in not_found.value.read().decode()
        stylesheet = urllib.request.urlopen(f"http://{address}/static/veille/veille.css", timeout=5)
        assert b".bandeau" in stylesheet.read()
        parent.send_signal(signal.SIGTERM)
        assert parent.wait(timeout=20) == 0
        time.sleep(0.5)
        leftovers = subprocess.run(
            ["ps", "-o", "pid=", "-g", str(parent.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert leftovers == []  # neither the web server nor the task worker survives
        assert "Arrêt du serveur et de l'exécuteur de tâches" in parent.stdout.read().decode()
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)


def test_the_seed_restores_the_national_deadline_rules_a_flushed_test_database_has_lost(db, data_dir):
    from veille.web.cellule.cases.models import DeadlineRule

    rules = DeadlineRule.objects.filter(commune=None).count()
    assert rules > 0
    DeadlineRule.objects.all().delete()
    seed_demo(children=60, force=True, say=lambda line: None, steps=BASE_STEPS)
    assert DeadlineRule.objects.filter(commune=None).count() == rules
    assert DeadlineRule.objects.current("formal_notice", Commune.objects.first()).days == 15


# The UI fixes found by the previous demo: login, audit log, account security page, menu.


def test_a_login_is_written_in_the_log_of_each_commune_of_the_user(commune_a, commune_b, client):
    from django.urls import reverse

    from veille.web.common.audit.models import Action

    from .conftest import PASSWORD, make_member

    user = make_member(commune_a, Role.REFERENT, "double-appartenance")
    Membership.objects.create(user=user, commune=commune_b, role=Role.READER)
    outsider = make_member(commune_b, Role.AGENT, "seulement-b")
    assert (
        client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code
        == 302
    )
    logins = AuditEvent.objects.filter(user=user, action=Action.LOGIN)
    assert sorted(logins.values_list("commune__slug", flat=True)) == sorted([commune_a.slug, commune_b.slug])
    assert set(logins.values_list("object_id", flat=True)) == {str(user.pk)}
    client.logout()
    client.post(reverse("accounts:login"), {"username": outsider.username, "password": PASSWORD})
    assert list(AuditEvent.objects.filter(user=outsider).values_list("commune__slug", flat=True)) == [
        commune_b.slug
    ]


def test_the_log_names_object_types_in_french_and_counts_in_good_french(commune_a, client_as):
    from django.urls import reverse

    from veille.web.common.audit.log import record
    from veille.web.common.audit.models import Action

    from .conftest import make_member

    referent = make_member(commune_a, Role.REFERENT)
    url = reverse("audit:index", kwargs={"commune": commune_a.slug})
    client = client_as(referent)
    assert "0 entrée." in client.get(url, {"action": "export"}).text
    child = Child.objects.create(
        commune=commune_a,
        organisme="CAF",
        source_id="X1",
        last_name="ZORVEN",
        first_names="Ilo",
        birth_date=date(2016, 5, 4),
    )
    record(None, Action.VIEW, child, commune=commune_a)
    page = client.get(url, {"action": "view"}).text
    assert (
        "1 entrée." in page and "<td>enfant</td>" in page and "children.child" not in page.split("<table")[1]
    )
    assert '<option value="children.child">enfant</option>' in page
    record(None, Action.VIEW, child, commune=commune_a)
    assert "2 entrées." in client.get(url, {"action": "view"}).text


def test_login_errors_are_tied_to_the_fields(db, client):
    from django.urls import reverse

    page = client.post(reverse("accounts:login"), {"username": "personne", "password": "faux"}).text
    assert 'id="erreur-connexion"' in page
    for field in ("id_username", "id_password"):
        tag = re.search(rf'<input id="{field}"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in tag and 'aria-describedby="erreur-connexion"' in tag
    empty = client.post(reverse("accounts:login"), {"username": "", "password": ""}).text
    tag = re.search(r'<input id="id_username"[^>]*>', empty).group(0)
    assert 'aria-invalid="true"' in tag and "erreur-identifiant" in tag and 'id="erreur-identifiant"' in empty
    assert "aria-invalid" not in client.get(reverse("accounts:login")).text


def test_the_account_security_page_gives_the_otpauth_link_and_a_way_back(commune_a, client_as):
    from django.urls import reverse

    from .conftest import make_member

    client = client_as(make_member(commune_a, Role.AGENT))
    page = client.get(reverse("accounts:totp_setup")).text
    secret = client.session["veille_totp_pending"]
    assert f'value="otpauth://totp/Veille:agent-{commune_a.slug}?secret={secret}' in page
    assert '<label for="lien-totp">' in page and f'href="{reverse("home")}"' in page
    assert 'aria-label="Menu principal"' not in page  # no commune here: no empty menu row


def test_next_years_files_include_an_onde_and_a_siecle_export_that_read_like_the_csv(db, data_dir):
    seed(children=400, next_year_dir=data_dir / "donnees-2027")
    next_dir = data_dir / "donnees-2027"

    from_archive = read_schooling_files([next_dir / "exports-reels" / "onde_siecle.7z"])
    from_csv = read_schooling_files([next_dir / "scolarite_onde.csv", next_dir / "scolarite_siecle.csv"])

    formats = " ".join(report.format for report in from_archive.files)
    assert "extraction ONDE des élèves" in formats and "export SIECLE des élèves" in formats
    columns = ["source", "identifiant", "nom", "prenoms", "date_naissance", "sexe", "uai", "niveau"]
    assert (
        from_archive.table[columns]
        .sort_values("identifiant")
        .reset_index(drop=True)
        .equals(from_csv.table[columns].sort_values("identifiant").reset_index(drop=True))
    )
