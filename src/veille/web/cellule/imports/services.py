"""Workflows of the imports app: validate, confirm and cancel an import; launch and run a crossing;
record a person's decision on an uncertain match.

Every function is keyword-only. The decrypted content of an upload lives only in memory; the archive
password is passed through and forgotten (never in the database, the session or a log). Between
validation and confirmation (one hour at most) the canonical rows wait in ``PendingRows``, batch by
batch, in the database that will hold them anyway, never in a file.

People's decisions are applied by every later run (``cross(decisions=...)``: a pair declared different
is dropped, a pair declared the same is forced). They are *not* fed to Splink as training labels
(``estimate_m_from_pairwise_labels``): the pairs people decide are, by construction, the uncertain ones,
with more disagreements than a typical true match; m-probabilities estimated from them alone would
understate how often a true match agrees and weaken every clear match. Labels would help only mixed
with a sample of clear matches, which the unsupervised EM already learns from.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone

from veille.columns import CHILD_COLUMNS, SCHOOLING_COLUMNS
from veille.compulsory import SchoolYear, retention_end
from veille.matching.monthly import MonthlyState, StateError, changes
from veille.matching.results import CrossingResult
from veille.sources import (
    InMemoryFile,
    ReadResult,
    SourceError,
    read_children_files,
    read_schooling_files,
)
from veille.sources.problems import SKIP_INVALID_HINT
from veille.web.cellule.children.models import Child, InstructionFact

from . import mapping
from .models import (
    HEARTBEAT_SECONDS,
    INTERRUPTED_IMPORT,
    PENDING_LIFETIME,
    ConfirmationBatch,
    CrossingRun,
    Import,
    ImportedChild,
    ImportStatus,
    Kind,
    MatchDecision,
    Outcome,
    PendingRows,
    RunStatus,
    SchoolingRecord,
)

logger = logging.getLogger(__name__)

#: steps of a run besides the engine's: preparing the tables, saving the outcomes
OWN_STEPS = 2
#: the engine's steps when it trains a model (normalisation, training, comparison, assignment)
ENGINE_STEPS = 4

DIFFERENT_REASON = "candidat écarté par la cellule (enfant différent) : enfant à vérifier"
SAME_REASON = "rapprochement confirmé par la cellule"


# ---------------------------------------------------------------------------------------------
# Imports


def validate_upload(
    *,
    commune: Any,
    user: Any,
    kind: str,
    school_year: str,
    files: Sequence[InMemoryFile],
    password: str | None = None,
    skip_invalid: bool = False,
) -> Import:
    """Read and validate uploaded files, and keep them as a pending import awaiting confirmation.

    Args:
        commune: the commune the files are for.
        user: who uploads.
        kind: ``Kind.CHILDREN`` or ``Kind.SCHOOLING``.
        school_year: e.g. "2026-2027".
        files: the uploaded files, in memory.
        password: the archives' password, used for reading and then forgotten.
        skip_invalid: keep the valid rows and list the rejected ones, instead of refusing everything.

    Returns:
        The pending import, with its validation report.

    Raises:
        SourceError: a file cannot be read, or (without ``skip_invalid``) has invalid rows; the French
            message says which file, line and column and what to do.
    """
    reader = read_children_files if kind == Kind.CHILDREN else read_schooling_files
    result: ReadResult = reader(list(files), password=password or None, skip_invalid=skip_invalid)
    with transaction.atomic():  # all the rows or none: a failure halfway keeps no import
        imported = Import.objects.create(
            commune=commune,
            kind=kind,
            school_year=str(SchoolYear.parse(school_year)),
            uploaded_by=user,
            skip_invalid=skip_invalid,
            fingerprints={f.name: hashlib.sha256(f.data).hexdigest() for f in files},
            files=[_file_report(report) for report in result.files],
            rejects=[
                {
                    "fichier": p.fichier,
                    "ligne": p.ligne,
                    "colonne": p.colonne or "",
                    "valeur": p.valeur or "",
                    "motif": p.message,
                }
                for p in result.rejects
            ],
            rows_kept=len(result.table),
            rows_waiting=True,
        )
        _store_rows(imported, result.table)
    return imported


#: what the readers' messages tell a command-line user, and what the web says instead
_WEB_WORDING = {
    SKIP_INVALID_HINT: (
        "Corrigez ces lignes dans le fichier source puis déposez-le à nouveau, ou cochez la case "
        "« Garder les lignes valides et écarter les lignes invalides » et déposez-le à nouveau : les "
        "lignes écartées seront listées dans le rapport du dépôt."
    ),
    "Relancez en donnant le mot de passe (transmis séparément par l'expéditeur).": (
        "Saisissez son mot de passe (transmis séparément par l'expéditeur) dans le champ « Mot de passe "
        "de l'archive » et déposez-la à nouveau."
    ),
    "et relancez.": "et déposez-le à nouveau.",
}


def web_message(error: SourceError) -> str:
    """The French message of a refused file as the web says it: no command-line option, no « relancez »."""
    message = str(error)
    for cli, web in _WEB_WORDING.items():
        message = message.replace(cli, web)
    return message


def _file_report(report: Any) -> dict[str, Any]:
    return {
        "fichier": report.fichier,
        "format": report.format,
        "encodage": report.encoding or "",
        "separateur": report.separator or "",
        "lignes_lues": report.rows_read,
        "lignes_gardees": report.rows_kept,
        "lignes_rejetees": report.rows_rejected,
        "lignes_vides": report.blank_rows,
        "entetes": report.header_mapping,
        "entetes_ignores": report.ignored_headers,
        "deduits": report.inferred,
        "avertissements": list(report.warnings),
        "eleves_sortis": report.rows_left,
    }


def _store_rows(imported: Import, table: pd.DataFrame) -> None:
    """Keep the rows read, one :class:`PendingRows` per :data:`PENDING_BATCH_ROWS` rows.

    Only one batch at a time becomes Python dicts and JSON: the whole table as one list of dicts, then
    as one JSON text, took more than a gigabyte for a 50 MB file.
    """
    for position, start in enumerate(range(0, len(table), PENDING_BATCH_ROWS)):
        batch = table.iloc[start : start + PENDING_BATCH_ROWS].drop(columns=["fichier", "ligne"])
        PendingRows.objects.create(imported=imported, position=position, rows=batch.to_dict(orient="records"))


def _forget_rows(imported: Import) -> None:
    """Drop the pending rows and the rejected values once the import is settled."""
    imported.pending_batches.all().delete()
    imported.rows_waiting = False
    imported.rejects = [{**reject, "valeur": ""} for reject in imported.rejects]


#: rows committed per transaction by a confirmation: well under a second of SQLite's write lock
CONFIRM_BATCH_ROWS = 2000
#: rows kept together while they wait for confirmation: what the web process holds at once
PENDING_BATCH_ROWS = 2000

_CHILD_FIELDS = (
    "last_name",
    "first_names",
    "birth_date",
    "sex",
    "claimant_last_name",
    "claimant_first_name",
    "address",
    "postal_code",
    "city",
    "retention_until",
    "last_seen_at",
)
_DATE_FIELDS = {"birth_date", "retention_until"}


class _Interrupted(Exception):
    """The confirmation was declared interrupted (no heartbeat) while it still ran: it stops."""


def confirm_import(*, imported: Import) -> Import:
    """Keep a pending import: upsert its children, or store its schooling records.

    A child already known by (commune, organisme, identifiant) keeps its row, and so its history; its
    identity and address are updated from the new file.

    The rows are committed in batches of :data:`CONFIRM_BATCH_ROWS`, each in its own short transaction,
    so that a file of 200 000 rows never holds SQLite's write lock longer than the busy timeout (the
    task worker and the other requests keep writing meanwhile). It stays all or nothing: the import is
    confirmed, and so seen by the crossings, only after its last batch; each batch records what it
    changed (:class:`ConfirmationBatch`), and a failure, or a crash found later by
    :func:`recover_interrupted`, undoes the batches already committed.

    Raises:
        ValueError: the import is no longer pending, or the confirmation failed (French message; nothing
            of it is kept).
    """
    with transaction.atomic():
        imported = Import.objects.select_for_update().get(pk=imported.pk)
        if not imported.is_pending or not imported.rows_waiting:
            raise ValueError("Ce dépôt n'est plus en attente : il a été confirmé, annulé ou il a expiré.")
        if imported.batches.exists():
            raise ValueError(
                "La confirmation précédente de ce dépôt est en cours d'annulation : "
                "réessayez dans un instant."
            )
        imported.status, imported.error = ImportStatus.CONFIRMING, ""
        imported.heartbeat_at = timezone.now()
        imported.save(update_fields=["status", "error", "heartbeat_at"])
    # The waiting rows are read one stored batch at a time.
    stored = list(imported.pending_batches.order_by("position").values_list("pk", flat=True))
    try:
        existing = _existing_children(imported.commune) if imported.kind == Kind.CHILDREN else {}
        for rows in (PendingRows.objects.values_list("rows", flat=True).get(pk=pk) for pk in stored):
            for start in range(0, len(rows), CONFIRM_BATCH_ROWS):
                with transaction.atomic():
                    # First statement of the batch: it takes the write lock and checks that nobody declared
                    # this confirmation interrupted meanwhile.
                    alive = Import.objects.filter(pk=imported.pk, status=ImportStatus.CONFIRMING).update(
                        heartbeat_at=timezone.now()
                    )
                    if not alive:
                        raise _Interrupted
                    batch = rows[start : start + CONFIRM_BATCH_ROWS]
                    if imported.kind == Kind.CHILDREN:
                        _confirm_children(imported, batch, existing)
                    else:
                        _confirm_schooling(imported, batch)
        with transaction.atomic():
            _forget_rows(imported)
            imported.status = ImportStatus.CONFIRMED
            imported.confirmed_at = timezone.now()
            imported.heartbeat_at = None
            imported.save()
            imported.batches.all().delete()
    except _Interrupted:
        raise ValueError(INTERRUPTED_IMPORT) from None
    except Exception as error:
        # The exception's text may quote data: only its class is logged.
        logger.error("confirmation of import %s failed: %s", imported.pk, type(error).__name__)
        message = (
            "La confirmation de ce dépôt a échoué : rien n'en a été gardé. Le dépôt reste en attente ; "
            "cliquez sur « Relancer la confirmation ». Si l'échec se répète, signalez-le à l'équipe "
            f"technique en donnant le numéro du dépôt ({imported.pk})."
        )
        undo_confirmation(imported=imported, error=message)
        raise ValueError(message) from None
    return imported


def _existing_children(commune: Any) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (c["organisme"], c["source_id"]): c
        for c in Child.objects.filter(commune=commune).values("pk", "organisme", "source_id", *_CHILD_FIELDS)
    }


def _child_values(row: dict[str, str], now: Any) -> dict[str, Any]:
    birth = pd.Timestamp(row["date_naissance"]).date()
    return {
        "last_name": row["nom"][:200],
        "first_names": row["prenoms"][:200],
        "birth_date": birth,
        "sex": row["sexe"][:1],
        "claimant_last_name": row["nom_allocataire"][:200],
        "claimant_first_name": row["prenom_allocataire"][:200],
        "address": row["adresse"][:300],
        "postal_code": row["code_postal"][:10],
        "city": row["commune"][:120],
        "retention_until": retention_end(birth),
        "last_seen_at": now,
    }


def _json_value(name: str, value: Any) -> Any:
    if value is not None and (name in _DATE_FIELDS or name == "last_seen_at"):
        return value.isoformat()
    return value


def _confirm_children(imported: Import, rows: list[dict[str, str]], existing: dict[Any, Any]) -> None:
    commune, now = imported.commune, timezone.now()
    created: list[Child] = []
    updated: list[Child] = []
    previous: dict[str, dict[str, Any]] = {}
    kept_ids: list[int] = []
    for row in rows:
        values = _child_values(row, now)
        key = (row["organisme"], row["identifiant"])
        known = existing.get(key)
        if known is None:
            created.append(Child(commune=commune, organisme=key[0], source_id=key[1], **values))
            continue
        previous[str(known["pk"])] = {name: _json_value(name, known[name]) for name in _CHILD_FIELDS}
        updated.append(Child(pk=known["pk"], commune=commune, organisme=key[0], source_id=key[1], **values))
        known.update(values)
        kept_ids.append(known["pk"])
    # bulk_create skips save(): retention_until is computed above, as Child.save would.
    Child.objects.bulk_create(created, batch_size=500)
    if created and created[0].pk is None:  # backends that do not return ids from bulk_create
        ids = {
            (organisme, source_id): pk
            for organisme, source_id, pk in Child.objects.filter(
                commune=commune, source_id__in=[c.source_id for c in created]
            ).values_list("organisme", "source_id", "pk")
        }
        for child in created:
            child.pk = ids[(child.organisme, child.source_id)]
    for child in created:
        existing[(child.organisme, child.source_id)] = {
            "pk": child.pk,
            **{name: getattr(child, name) for name in _CHILD_FIELDS},
        }
        kept_ids.append(child.pk)
    # Small batches: SQLite evaluates bulk_update's CASE once per row and per case.
    Child.objects.bulk_update(updated, list(_CHILD_FIELDS), batch_size=100)
    ImportedChild.objects.bulk_create(
        [ImportedChild(imported=imported, child_id=pk) for pk in kept_ids],
        ignore_conflicts=True,
        batch_size=500,
    )
    ConfirmationBatch.objects.create(imported=imported, created=[c.pk for c in created], previous=previous)


def _confirm_schooling(imported: Import, rows: list[dict[str, str]]) -> None:
    SchoolingRecord.objects.bulk_create(
        [
            SchoolingRecord(
                commune=imported.commune,
                imported=imported,
                source=row["source"],
                source_id=row["identifiant"],
                last_name=row["nom"],
                first_names=row["prenoms"],
                birth_date=row["date_naissance"],
                sex=row["sexe"][:1],
                establishment=row["etablissement"][:200],
                uai=row["uai"][:8],
                level=row["niveau"][:10],
                address=row["adresse"][:300],
                postal_code=row["code_postal"][:10],
                city=row["commune"][:120],
            )
            for row in rows
        ],
        batch_size=500,
    )
    # Records belong to the import, not confirmed yet: undoing them is deleting them.
    ConfirmationBatch.objects.create(imported=imported)


def undo_confirmation(*, imported: Import, error: str) -> None:
    """Undo the committed batches of a failed or interrupted confirmation, newest first, each in its own
    transaction; the import goes back to pending (``error`` shown on its page), its rows still there."""
    for batch in ConfirmationBatch.objects.filter(imported=imported).order_by("-pk").iterator():
        with transaction.atomic():
            Child.objects.filter(pk__in=batch.created).delete()
            restored = []
            for pk, values in batch.previous.items():
                child = Child(pk=int(pk))
                for name, value in values.items():
                    if value is not None and name in _DATE_FIELDS:
                        value = date.fromisoformat(value)
                    elif value is not None and name == "last_seen_at":
                        value = datetime.fromisoformat(value)
                    setattr(child, name, value)
                restored.append(child)
            Child.objects.bulk_update(restored, list(_CHILD_FIELDS), batch_size=100)
            batch.delete()
    while True:  # in chunks: 200 000 records deleted at once would hold the lock for long
        with transaction.atomic():
            chunk = list(
                SchoolingRecord.objects.filter(imported=imported).values_list("pk", flat=True)[:5000]
            )
            if not chunk:
                break
            SchoolingRecord.objects.filter(pk__in=chunk).delete()
    with transaction.atomic():
        ImportedChild.objects.filter(imported=imported).delete()
        Import.objects.filter(pk=imported.pk).update(
            status=ImportStatus.PENDING,
            error=error,
            heartbeat_at=None,
            expires_at=max(imported.expires_at, timezone.now() + PENDING_LIFETIME / 4),
        )
    imported.refresh_from_db()


def recover_interrupted() -> int:
    """Find the confirmations and crossings whose process died (kill -9, power cut) and say so.

    A confirmation is undone and its import is pending again; a run is marked failed. Called when the
    task worker starts, and by the pages that show them, so that the interface says it within
    ``STALE_AFTER`` plus one refresh. Returns how many were found.
    """
    found = CrossingRun.objects.fail_interrupted()
    for imported in Import.objects.interrupted():
        # Claimed first, atomically: a confirmation still alive sees it and stops at its next batch.
        claimed = Import.objects.filter(
            pk=imported.pk, status=ImportStatus.CONFIRMING, heartbeat_at=imported.heartbeat_at
        ).update(status=ImportStatus.PENDING, heartbeat_at=None, error=INTERRUPTED_IMPORT)
        if claimed:
            logger.warning("confirmation of import %s interrupted: undone", imported.pk)
            undo_confirmation(imported=imported, error=INTERRUPTED_IMPORT)
            found += 1
    return found


def cancel_import(*, imported: Import) -> Import:
    """Drop a pending import: nothing of it is kept but its report (without the rows' values)."""
    if imported.status == ImportStatus.PENDING:
        with transaction.atomic():  # rows dropped only with the status that says so
            _forget_rows(imported)
            imported.status = ImportStatus.CANCELLED
            imported.save()
    return imported


def import_files(
    *,
    commune: Any,
    user: Any,
    children_paths: Sequence[str | Path] = (),
    schooling_paths: Sequence[str | Path] = (),
    school_year: str | None = None,
    password: str | None = None,
) -> list[Import]:
    """Import files from disk and confirm them at once, all or nothing (the demo and scripts use it).

    Every file is read as the upload form reads it (in memory); if any file has a problem, nothing is
    kept and the :class:`SourceError` is raised.

    Returns:
        The confirmed imports: one for the children files, one for the schooling files (if given).
    """
    year = school_year or str(SchoolYear.current())
    batches = [(Kind.CHILDREN, children_paths), (Kind.SCHOOLING, schooling_paths)]
    with transaction.atomic():
        pending = [
            validate_upload(
                commune=commune,
                user=user,
                kind=kind,
                school_year=year,
                files=[InMemoryFile(Path(p).name, Path(p).read_bytes()) for p in paths],
                password=password,
            )
            for kind, paths in batches
            if paths
        ]
        return [confirm_import(imported=imported) for imported in pending]


# ---------------------------------------------------------------------------------------------
# Crossing runs


def launch_crossing(*, commune: Any, school_year: str, user: Any) -> CrossingRun:
    """Create a crossing run and queue it for the background worker.

    Raises:
        ValueError: the school year is malformed (French message).
    """
    from .tasks import run_crossing

    year = str(SchoolYear.parse(school_year))
    run = CrossingRun.objects.create(commune=commune, school_year=year, launched_by=user)
    run_crossing.enqueue(run.pk)
    run.refresh_from_db()
    return run


def _children_table(commune: Any, school_year: str) -> tuple[pd.DataFrame, list[int]]:
    imports = Import.objects.confirmed_for(commune, school_year).filter(kind=Kind.CHILDREN)
    children = (
        Child.objects.filter(commune=commune, import_links__imported__in=imports, moved_away_on__isnull=True)
        .distinct()
        .order_by("pk")
    )
    rows, ids = [], []
    for c in children:
        ids.append(c.pk)
        rows.append(
            {
                "organisme": c.organisme,
                "identifiant": c.source_id,
                "nom": c.last_name,
                "prenoms": c.first_names,
                "date_naissance": c.birth_date.isoformat(),
                "sexe": c.sex,
                "nom_allocataire": c.claimant_last_name,
                "prenom_allocataire": c.claimant_first_name,
                "adresse": c.address,
                "code_postal": c.postal_code,
                "commune": c.city,
            }
        )
    return pd.DataFrame(rows, columns=list(CHILD_COLUMNS)), ids


def _schooling_table(commune: Any, school_year: str) -> pd.DataFrame:
    imports = Import.objects.confirmed_for(commune, school_year).filter(kind=Kind.SCHOOLING)
    latest: dict[tuple[str, str], dict[str, str]] = {}
    # A record sent again in a later file replaces the earlier one.
    for r in SchoolingRecord.objects.filter(imported__in=imports).order_by("imported__confirmed_at", "pk"):
        latest[(r.source, r.source_id)] = {
            "source": r.source,
            "identifiant": r.source_id,
            "nom": r.last_name,
            "prenoms": r.first_names,
            "date_naissance": r.birth_date,
            "sexe": r.sex,
            "etablissement": r.establishment,
            "uai": r.uai,
            "niveau": r.level,
            "adresse": r.address,
            "code_postal": r.postal_code,
            "commune": r.city,
        }
    return pd.DataFrame(list(latest.values()), columns=list(SCHOOLING_COLUMNS))


def execute_run(run_id: int) -> CrossingRun:
    """Do a queued crossing run: read the confirmed imports, cross, store each child's outcome.

    Failures are stored on the run with a French message; the log names only the run.
    """

    run = CrossingRun.objects.select_related("commune").get(pk=run_id)
    if run.status != RunStatus.WAITING:
        return run
    started = time.perf_counter()
    run.status, run.started_at = RunStatus.RUNNING, timezone.now()
    run.heartbeat_at = run.started_at
    run.total_steps = OWN_STEPS + ENGINE_STEPS
    run.save(update_fields=["status", "started_at", "total_steps", "heartbeat_at"])
    with _heartbeat(run):
        return _execute(run, started)


@contextmanager
def _heartbeat(run: CrossingRun) -> Iterator[None]:
    """Say every ``HEARTBEAT_SECONDS`` that the run is alive, from a thread, as long as it runs.

    The engine's long steps (training the model) call no progress function for minutes: without this a
    crashed worker and a busy one would look alike. Inside a transaction (the tests run a crossing in
    one) another connection would not see the run: no heartbeat there.
    """
    if connection.in_atomic_block:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_SECONDS):
                try:
                    CrossingRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())
                except Exception as error:  # a locked database: try again at the next beat
                    logger.warning("heartbeat of run %s: %s", run.pk, type(error).__name__)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{run.pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _execute(run: CrossingRun, started: float) -> CrossingRun:
    from veille.matching import cross

    try:
        run.advance("Préparation des fichiers importés")
        commune, year = run.commune, run.school_year
        children, child_ids = _children_table(commune, year)
        schooling = _schooling_table(commune, year)
        if children.empty:
            raise SourceError(
                f"Aucun fichier enfants (CAF / MSA) confirmé pour l'année scolaire {year} : "
                "déposez et confirmez d'abord le fichier enfants de cette année."
            )
        if schooling.empty:
            raise SourceError(
                f"Aucun fichier de scolarité confirmé pour l'année scolaire {year} : "
                "déposez et confirmez d'abord les fichiers de scolarité de cette année."
            )
        decided = list(MatchDecision.objects.filter(commune=commune).select_related("child"))
        decisions = mapping.pair_decisions(decided)
        run.fingerprints = {
            str(i.pk): i.fingerprint() for i in Import.objects.confirmed_for(commune, year).order_by("pk")
        }
        reference = _reference_run(run)
        previous = None
        if reference is not None and reference.state and reference.school_year == year:
            # A monthly update of the same school year: last run's model and unchanged pairs are reused.
            try:
                previous = MonthlyState.from_bytes(bytes(reference.state))
            except StateError:
                # A state left by an earlier version of Veille: this run crosses in full instead.
                previous = None
        preparing = time.perf_counter() - started
        result = cross(
            children,
            schooling,
            school_year=year,
            progress=run.advance,
            decisions=decisions,
            previous=previous,
        )
        run.advance("Enregistrement des résultats")
        saving = time.perf_counter()
        _store_outcomes(run, result, child_ids, decided)
        _record_instruction(run, result.children, child_ids, schooling)
        run.reference = reference
        if reference is not None:
            _store_changes(run, reference, result)
        if result.state is not None:
            run.state = result.state.without_names().to_bytes()
        run.parameters = {
            "seuils": result.thresholds,
            "graine": 42,
            "decisions_appliquees": len(decisions),
            "enfants": len(children),
            "inscriptions": len(schooling),
            "mise_a_jour_mensuelle": previous is not None,
            # Each school that lost most of last month's records: a file missing, most likely.
            "etablissements_en_baisse": [
                {**school.as_dict(), "message": school.message()} for school in result.vanished
            ],
        }
        run.model = result.model
        run.counts = {
            "statut": {k: int(v) for k, v in result.children["statut"].value_counts().items()},
            "source": {k: int(v) for k, v in result.matches["source"].value_counts().items()},
            "enfants": len(children),
            "inscriptions": len(schooling),
        }
        run.timings = {
            "preparation": round(preparing, 3),
            **result.timings.steps,
            "enregistrement": round(time.perf_counter() - saving, 3),
            "total": round(time.perf_counter() - started, 3),
        }
        run.status, run.step = RunStatus.DONE, run.total_steps
        run.step_label = "Terminé"
    except SourceError as error:
        run.status, run.error = RunStatus.FAILED, str(error)
    except Exception as error:
        # The exception's text may quote data: only its class is logged, and given as a code.
        logger.error("crossing run %s failed: %s", run.pk, type(error).__name__)
        run.status, run.error = RunStatus.FAILED, engine_failure_message(run, error)
    run.finished_at = timezone.now()
    run.save()
    if run.status == RunStatus.DONE:
        # Only the latest run's state is ever reused: the older ones are dropped.
        CrossingRun.objects.filter(commune=run.commune).exclude(pk=run.pk).exclude(state=None).update(
            state=None
        )
    return run


def _reference_run(run: CrossingRun) -> CrossingRun | None:
    """The commune's latest finished run before this one: what this one is compared with.

    Never an encrypted run: it holds outcomes only for the few children revealed, not the month's list.
    """
    return (
        CrossingRun.objects.filter(
            commune=run.commune, status=RunStatus.DONE, created_at__lte=run.created_at, encrypted=False
        )
        .exclude(pk=run.pk)
        .order_by("-created_at", "-id")
        .first()
    )


def _store_changes(run: CrossingRun, reference: CrossingRun, result: CrossingResult) -> None:
    before = mapping.previous_children(Outcome.objects.filter(run=reference).select_related("child"))
    table = changes(before, result.children)
    concerned = set(zip(table["organisme"], table["identifiant"], strict=True))
    ids = {
        (c.organisme, c.source_id): c.pk
        for c in Child.objects.filter(commune=run.commune).only("pk", "organisme", "source_id")
        if (c.organisme, c.source_id) in concerned
    }
    run.changes = mapping.changes_json(table, ids)


#: engine failures that say something about the files, in words a cell's agent can act on
_ENGINE_FAILURES = {
    "EMTrainingException": (
        "le calcul n'a pas pu apprendre à reconnaître un même enfant d'un fichier à l'autre : trop peu "
        "d'enfants du fichier enfants ressemblent aux élèves des fichiers de scolarité (par exemple aucun). "
        "Vérifiez que les fichiers sont bien ceux de la même commune et de la même année scolaire"
    ),
    "MemoryError": "la mémoire du serveur n'a pas suffi pour des fichiers de cette taille",
}


def engine_failure_message(run: CrossingRun, error: BaseException) -> str:
    """The French message of a crossing that failed inside the engine, whatever the exception."""
    name = type(error).__name__
    cause = _ENGINE_FAILURES.get(name, "une erreur inattendue s'est produite pendant le calcul")
    return (
        f"Le croisement n'a pas abouti : {cause}. Aucun résultat n'a été enregistré. Cliquez sur "
        "« Relancer le croisement » ; si l'échec se répète, signalez-le à l'équipe technique en donnant "
        f"le numéro du croisement ({run.pk}) et le code « {name} »."
    )


def _store_outcomes(
    run: CrossingRun, result: CrossingResult, child_ids: list[int], decided: list[MatchDecision]
) -> None:
    # A decision on the pair a child keeps stays linked to the child's new outcome: it is not asked again.
    by_pair = {(d.child_id, d.source, d.record_id): d for d in decided}
    outcomes = []
    for child_id, outcome in zip(child_ids, result.outcomes(), strict=True):
        candidate = outcome.candidate
        decision = by_pair.get((child_id, candidate.source, candidate.identifiant)) if candidate else None
        outcomes.append(
            Outcome(run=run, child_id=child_id, decision=decision, **mapping.outcome_fields(outcome))
        )
    Outcome.objects.bulk_create(outcomes, batch_size=1000)


def _record_instruction(
    run: CrossingRun, table: pd.DataFrame, child_ids: list[int], schooling: pd.DataFrame
) -> None:
    """Fill each matched child's R131-3 fields from the record it matched: mode (the record's source),
    establishment and class level. The sources give nothing of birthplace or profession."""
    keys = zip(schooling["source"], schooling["identifiant"], strict=True)
    levels = dict(zip(keys, schooling["niveau"], strict=True))
    facts = [
        InstructionFact(
            child_id=child_id,
            source=row.candidat_source,
            establishment=str(row.candidat_etablissement or ""),
            level=str(levels.get((row.candidat_source, row.candidat_identifiant), "") or ""),
        )
        for child_id, row in zip(child_ids, table.itertuples(index=False), strict=True)
        if row.statut == "rapproche" and row.candidat_identifiant
    ]
    Child.objects.filter(commune=run.commune).record_instruction(
        school_year=run.school_year, facts=facts, origin=f"croisement n° {run.pk}"
    )


# ---------------------------------------------------------------------------------------------
# Review


@transaction.atomic
def decide(*, outcome: Outcome, same: bool, user: Any) -> MatchDecision:
    """Record a person's verdict on an outcome's candidate; later runs apply it.

    "Même enfant" makes the child matched; "Enfant différent" sends the child back to the children to
    verify (non trouvé).

    Raises:
        ValueError: the outcome has no candidate record.
    """
    if not outcome.candidate:
        raise ValueError("Cet enfant n'a pas de dossier de scolarité candidat à confirmer ou écarter.")
    decision, _ = MatchDecision.objects.update_or_create(
        child=outcome.child,
        source=outcome.candidate["source"],
        record_id=outcome.candidate["identifiant"],
        defaults={"commune": outcome.run.commune, "same": same, "decided_by": user},
    )
    outcome.decision = decision
    outcome.status = mapping.decided_status(same).value
    outcome.motif = SAME_REASON if same else DIFFERENT_REASON
    outcome.save(update_fields=["decision", "status", "motif"])
    return decision
