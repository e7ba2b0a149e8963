"""Imports and crossings that survive faults: confirmation in batches undone on failure, runs and
confirmations interrupted by a crash found and said, refused uploads that store nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from veille.web.cellule.children.models import Child
from veille.web.cellule.imports import services
from veille.web.cellule.imports.models import (
    INTERRUPTED_IMPORT,
    INTERRUPTED_RUN,
    ConfirmationBatch,
    CrossingRun,
    Import,
    ImportStatus,
    Kind,
    PendingRows,
    RunStatus,
    SchoolingRecord,
)
from veille.web.common.accounts.roles import Role
from veille.web.demo import server

from ..malformed import children_csv

YEAR = "2026-2027"


def url(name, commune, **kwargs):
    return reverse(name, kwargs={"commune": commune.slug, **kwargs})


def pending(commune, user, data: bytes, name="enfants_caf.csv", kind=Kind.CHILDREN):
    return services.validate_upload(
        commune=commune,
        user=user,
        kind=kind,
        school_year=YEAR,
        files=[services.InMemoryFile(name, data)],
    )


def post_files(client, commune, files, **extra):
    handles = []
    for name, data in files:
        handle = io.BytesIO(data)
        handle.name = name
        handles.append(handle)
    payload = {"kind": "enfants", "school_year": YEAR, "files": handles, "password": "", **extra}
    return client.post(url("imports:upload", commune), payload)


# ------------------------------------------------------------------------------ confirmation in batches


def test_a_confirmation_commits_in_batches_and_leaves_no_undo_record(commune_a, member, monkeypatch):
    monkeypatch.setattr(services, "CONFIRM_BATCH_ROWS", 7)
    imported = pending(commune_a, member(Role.REFERENT), children_csv(30))
    batches = []
    original = services._confirm_children
    monkeypatch.setattr(
        services, "_confirm_children", lambda *a: (batches.append(len(a[1])), original(*a))[1]
    )

    services.confirm_import(imported=imported)

    assert batches == [7, 7, 7, 7, 2]
    assert Child.objects.filter(commune=commune_a).count() == 30
    assert Import.objects.get(pk=imported.pk).status == ImportStatus.CONFIRMED
    assert not ConfirmationBatch.objects.exists()


def test_a_confirmation_failing_midway_undoes_its_batches_and_restores_the_known_children(
    commune_a, member, monkeypatch
):
    referent = member(Role.REFERENT)
    services.confirm_import(imported=pending(commune_a, referent, children_csv(5, name="Ancien")))
    monkeypatch.setattr(services, "CONFIRM_BATCH_ROWS", 4)
    imported = pending(commune_a, referent, children_csv(12, name="Nouveau"))
    calls = []
    original = services._confirm_children

    def fail_on_third(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disque plein")
        return original(*args)

    monkeypatch.setattr(services, "_confirm_children", fail_on_third)

    with pytest.raises(ValueError, match="rien n'en a été gardé"):
        services.confirm_import(imported=imported)

    assert set(Child.objects.values_list("last_name", flat=True)) == {"Ancien"}
    assert Child.objects.count() == 5
    imported.refresh_from_db()
    assert imported.status == ImportStatus.PENDING and imported.pending_rows
    assert "Relancer la confirmation" in imported.error
    assert not imported.child_links.exists() and not ConfirmationBatch.objects.exists()

    monkeypatch.setattr(services, "_confirm_children", original)
    services.confirm_import(imported=imported)  # « Relancer la confirmation » then succeeds
    assert set(Child.objects.values_list("last_name", flat=True)) == {"Nouveau"}


def test_pending_rows_wait_in_batches_and_every_one_is_kept_on_confirmation(commune_a, member, monkeypatch):
    monkeypatch.setattr(services, "PENDING_BATCH_ROWS", 4)
    monkeypatch.setattr(services, "CONFIRM_BATCH_ROWS", 3)
    header = "source;identifiant;nom;prenoms;date_naissance"
    rows = [f"ONDE;E{i};Petit;Noa;0{1 + i % 9}/03/2016" for i in range(9)]
    imported = pending(
        commune_a, member(Role.EDUCATION), "\n".join([header, *rows]).encode(), "onde.csv", Kind.SCHOOLING
    )

    assert [len(b.rows) for b in PendingRows.objects.filter(imported=imported)] == [4, 4, 1]
    assert [r["identifiant"] for r in imported.pending_rows] == [f"E{i}" for i in range(9)]

    services.confirm_import(imported=imported)

    kept = SchoolingRecord.objects.filter(imported=imported).order_by("pk")
    assert list(kept.values_list("source_id", flat=True)) == [f"E{i}" for i in range(9)]
    assert not PendingRows.objects.exists()


def test_a_cancelled_or_expired_import_keeps_none_of_its_rows(commune_a, member):
    header = "source;identifiant;nom;prenoms;date_naissance"
    data = "\n".join([header, "ONDE;E1;Petit;Noa;01/03/2016"]).encode()
    education = member(Role.EDUCATION)
    cancelled = pending(commune_a, education, data, "onde.csv", Kind.SCHOOLING)
    late = pending(commune_a, education, data, "onde.csv", Kind.SCHOOLING)
    Import.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    services.cancel_import(imported=cancelled)
    assert Import.objects.expire_pending() == 1

    assert not PendingRows.objects.exists()
    assert [i.pending_rows for i in Import.objects.all()] == [None, None]


def test_schooling_records_of_an_undone_confirmation_are_deleted(commune_a, member, monkeypatch):
    header = "source;identifiant;nom;prenoms;date_naissance"
    rows = [f"ONDE;E{i};Petit;Noa;0{1 + i % 9}/03/2016" for i in range(9)]
    imported = pending(
        commune_a, member(Role.EDUCATION), "\n".join([header, *rows]).encode(), "onde.csv", Kind.SCHOOLING
    )
    monkeypatch.setattr(services, "CONFIRM_BATCH_ROWS", 4)
    original = services._confirm_schooling
    calls = []

    def fail_on_last(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError
        return original(*args)

    monkeypatch.setattr(services, "_confirm_schooling", fail_on_last)
    with pytest.raises(ValueError):
        services.confirm_import(imported=imported)
    assert not SchoolingRecord.objects.exists()


# ------------------------------------------------------------------------------ interrupted by a crash


def test_a_confirmation_whose_process_died_is_undone_and_said_on_the_page(
    commune_a, member, client_as, monkeypatch
):
    referent = member(Role.REFERENT)
    imported = pending(commune_a, referent, children_csv(10))
    # The state a kill -9 leaves: one batch committed, the import « en cours », its heartbeat old.
    existing = services._existing_children(commune_a)
    services._confirm_children(imported, imported.pending_rows[:4], existing)
    Import.objects.filter(pk=imported.pk).update(
        status=ImportStatus.CONFIRMING, heartbeat_at=timezone.now() - timedelta(seconds=30)
    )
    assert Child.objects.count() == 4

    page = client_as(referent).get(url("imports:detail", commune_a, pk=imported.pk)).content.decode()

    assert Child.objects.count() == 0
    imported.refresh_from_db()
    assert imported.status == ImportStatus.PENDING and imported.error == INTERRUPTED_IMPORT
    assert "a été interrompue" in page and "Relancer la confirmation" in page


def test_a_confirmation_still_beating_is_left_alone(commune_a, member):
    imported = pending(commune_a, member(Role.REFERENT), children_csv(3))
    Import.objects.filter(pk=imported.pk).update(status=ImportStatus.CONFIRMING, heartbeat_at=timezone.now())
    assert services.recover_interrupted() == 0
    assert Import.objects.get(pk=imported.pk).status == ImportStatus.CONFIRMING


def test_a_run_left_running_with_a_stale_heartbeat_is_failed_and_offers_to_relaunch(
    commune_a, member, client_as
):
    referent = member(Role.REFERENT)
    run = CrossingRun.objects.create(
        commune=commune_a,
        school_year=YEAR,
        launched_by=referent,
        status=RunStatus.RUNNING,
        step=4,
        total_steps=6,
        started_at=timezone.now() - timedelta(minutes=3),
        heartbeat_at=timezone.now() - timedelta(seconds=20),
    )
    client = client_as(referent)

    response = client.get(url("imports:run_progress", commune_a, pk=run.pk), HTTP_HX_REQUEST="true")

    assert response.status_code == 286  # the page stops waiting
    page = response.content.decode()
    assert "a été interrompu" in page and "Relancer le croisement" in page
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error == INTERRUPTED_RUN


def test_a_run_whose_worker_still_beats_keeps_running(commune_a, member):
    run = CrossingRun.objects.create(
        commune=commune_a,
        school_year=YEAR,
        launched_by=member(Role.REFERENT),
        status=RunStatus.RUNNING,
        started_at=timezone.now() - timedelta(minutes=3),
        heartbeat_at=timezone.now(),
    )
    services.recover_interrupted()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING


def test_the_task_worker_marks_at_its_start_every_run_the_dead_worker_left_running(commune_a, member):
    from veille.web.cellule.imports.models import CrossingRun as Run

    run = Run.objects.create(
        commune=commune_a,
        school_year=YEAR,
        launched_by=member(Role.REFERENT),
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now(),  # killed a moment ago: the heartbeat is still fresh
    )
    assert Run.objects.interrupted_at_start() == 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED


def test_an_engine_failure_is_said_in_french_with_a_relaunch(commune_a, member):
    run = CrossingRun(pk=12, commune=commune_a)

    class EMTrainingException(Exception):
        pass

    message = services.engine_failure_message(run, EMTrainingException("détail"))
    assert "n'a pas pu apprendre" in message and "Relancer le croisement" in message and "(12)" in message
    assert "détail" not in message
    assert "erreur inattendue" in services.engine_failure_message(run, KeyError("x"))


# ------------------------------------------------------------------------------ supervision


def test_the_supervisor_restarts_a_dead_worker_without_stopping_the_web_server(tmp_path, monkeypatch):
    starts = tmp_path / "starts"
    worker = [sys.executable, "-c", f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"]
    # The web server: alive until the worker has been started three times.
    web = [
        sys.executable,
        "-c",
        "import os, time\n"
        f"while not os.path.exists({str(starts)!r}) or len(open({str(starts)!r}).read()) < 3:\n"
        "    time.sleep(0.1)",
    ]
    monkeypatch.setattr(server, "web_command", lambda address, production=False: web)
    monkeypatch.setattr(server, "worker_command", lambda: worker)
    monkeypatch.setattr(server, "RESTART_BACKOFF_SECONDS", 0.1)
    monkeypatch.setattr(server.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0))
    said = []

    status = server.serve("127.0.0.1:0", say=said.append)

    assert len(starts.read_text()) >= 3
    assert sum("il est relancé ; le serveur web continue" in line for line in said) >= 2
    assert status == 1 and "Le serveur web s'est arrêté : arrêt de l'exécuteur de tâches." in said


def test_the_task_worker_runs_at_a_lower_priority_than_the_web_server(tmp_path, monkeypatch):
    niceness = tmp_path / "niceness"
    worker = [sys.executable, "-c", f"import os; open({str(niceness)!r}, 'w').write(str(os.nice(0)))"]
    web = [
        sys.executable,
        "-c",
        f"import os, time\nwhile not os.path.exists({str(niceness)!r}):\n    time.sleep(0.1)\n"
        "time.sleep(0.5)",
    ]
    monkeypatch.setattr(server, "web_command", lambda address, production=False: web)
    monkeypatch.setattr(server, "worker_command", lambda: worker)
    monkeypatch.setattr(server.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0))

    server.serve("127.0.0.1:0", say=lambda line: None)

    assert int(niceness.read_text()) >= min(19, os.nice(0) + server.WORKER_NICENESS)


# ------------------------------------------------------------------------------ refused uploads


def test_an_upload_without_any_file_is_refused_and_stores_nothing(commune_a, member, client_as):
    client = client_as(member(Role.AGENT))
    response = post_files(client, commune_a, [])
    assert response.status_code == 400
    assert "Choisissez au moins un fichier" in response.content.decode()
    assert not Import.objects.exists()


def test_an_upload_over_the_limit_is_refused_with_its_size_and_stores_nothing(commune_a, member, client_as):
    client = client_as(member(Role.AGENT))
    response = post_files(client, commune_a, [("enfants_caf.csv", b"x" * (52 * 1024 * 1024))])
    assert response.status_code == 400
    assert "Le dépôt dépasse 50 Mo" in response.content.decode()
    assert not Import.objects.exists()


@pytest.mark.parametrize(
    ("column", "data"),
    [
        ("identifiant", children_csv(2).replace(b"ID-000001", b"9" * 65)),
        ("nom", children_csv(2, name="N" * 201)),
    ],
)
def test_a_value_longer_than_the_database_keeps_is_refused_at_validation(
    commune_a, member, client_as, column, data
):
    client = client_as(member(Role.AGENT))
    response = post_files(client, commune_a, [("enfants_caf.csv", data)])
    page = response.content.decode()
    assert response.status_code == 400
    assert "enfants_caf.csv, ligne" in page and f"colonne {column} : valeur trop longue" in page
    assert not Import.objects.exists()


def test_web_messages_say_what_to_do_in_the_web_not_on_the_command_line(commune_a, member, client_as):
    client = client_as(member(Role.AGENT))
    bad = children_csv(2).replace(b"02/05/2015", b"pas une date")
    page = post_files(client, commune_a, [("enfants_caf.csv", bad)]).content.decode()
    assert "ligne invalide" in page
    assert "--ignorer-lignes-invalides" not in page and "relancez" not in page.lower()
    assert "Garder les lignes valides et écarter les lignes invalides" in page
