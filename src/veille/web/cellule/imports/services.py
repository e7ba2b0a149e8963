"""Workflows of the imports app: validate, confirm and cancel an import; launch and run a crossing;
record a person's decision on an uncertain match.

Every function is keyword-only. The decrypted content of an upload lives only in memory; the archive
password is passed through and forgotten (never in the database, the session or a log). Between
validation and confirmation (one hour at most) the canonical rows wait in ``Import.pending_rows``, in
the database that will hold them anyway, never in a file.

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
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from veille.columns import CHILD_COLUMNS, SCHOOLING_COLUMNS
from veille.compulsory import SchoolYear, retention_end
from veille.matching.monthly import MonthlyState, changes
from veille.matching.results import CrossingResult
from veille.sources import (
    InMemoryFile,
    ReadResult,
    SourceError,
    read_children_files,
    read_schooling_files,
)
from veille.web.cellule.children.models import Child, InstructionFact

from . import mapping
from .models import (
    CrossingRun,
    Import,
    ImportedChild,
    ImportStatus,
    Kind,
    MatchDecision,
    Outcome,
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
    return Import.objects.create(
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
        pending_rows=result.table.drop(columns=["fichier", "ligne"]).to_dict(orient="records"),
    )


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


def _forget_rows(imported: Import) -> None:
    """Drop the pending rows and the rejected values once the import is settled."""
    imported.pending_rows = None
    imported.rejects = [{**reject, "valeur": ""} for reject in imported.rejects]


@transaction.atomic
def confirm_import(*, imported: Import) -> Import:
    """Keep a pending import: upsert its children, or store its schooling records.

    A child already known by (commune, organisme, identifiant) keeps its row, and so its history; its
    identity and address are updated from the new file.

    Raises:
        ValueError: the import is no longer pending (confirmed, cancelled or expired).
    """
    imported = Import.objects.select_for_update().get(pk=imported.pk)
    if not imported.is_pending or imported.pending_rows is None:
        raise ValueError("Ce dépôt n'est plus en attente : il a été confirmé, annulé ou il a expiré.")
    rows = imported.pending_rows
    if imported.kind == Kind.CHILDREN:
        children = _upsert_children(imported.commune, rows)
        ImportedChild.objects.bulk_create(
            [ImportedChild(imported=imported, child=child) for child in children], ignore_conflicts=True
        )
    else:
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
            batch_size=1000,
        )
    _forget_rows(imported)
    imported.status = ImportStatus.CONFIRMED
    imported.confirmed_at = timezone.now()
    imported.save()
    return imported


def _upsert_children(commune: Any, rows: list[dict[str, str]]) -> list[Child]:
    existing = {(c.organisme, c.source_id): c for c in Child.objects.filter(commune=commune)}
    created, updated, kept = [], [], []
    fields = [
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
    ]
    now = timezone.now()
    for row in rows:
        birth = pd.Timestamp(row["date_naissance"]).date()
        values = {
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
        child = existing.get((row["organisme"], row["identifiant"]))
        if child is None:
            child = Child(commune=commune, organisme=row["organisme"], source_id=row["identifiant"], **values)
            created.append(child)
            existing[(child.organisme, child.source_id)] = child
        else:
            for name, value in values.items():
                setattr(child, name, value)
            updated.append(child)
        kept.append(child)
    # bulk_create skips save(): retention_until is computed above, as Child.save would.
    Child.objects.bulk_create(created, batch_size=1000)
    Child.objects.bulk_update(updated, fields, batch_size=1000)
    if created and created[0].pk is None:  # backends that do not return ids from bulk_create
        ids = {
            (c.organisme, c.source_id): c.pk
            for c in Child.objects.filter(commune=commune).only("organisme", "source_id")
        }
        for child in created:
            child.pk = ids[(child.organisme, child.source_id)]
    return kept


def cancel_import(*, imported: Import) -> Import:
    """Drop a pending import: nothing of it is kept but its report (without the rows' values)."""
    if imported.status == ImportStatus.PENDING:
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
    from veille.matching import cross

    run = CrossingRun.objects.select_related("commune").get(pk=run_id)
    if run.status != RunStatus.WAITING:
        return run
    started = time.perf_counter()
    run.status, run.started_at = RunStatus.RUNNING, timezone.now()
    run.total_steps = OWN_STEPS + ENGINE_STEPS
    run.save(update_fields=["status", "started_at", "total_steps"])
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
            previous = MonthlyState.from_bytes(bytes(reference.state))
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
        # The exception's text may quote data: only its class is logged and shown.
        logger.error("crossing run %s failed: %s", run.pk, type(error).__name__)
        run.status = RunStatus.FAILED
        run.error = (
            "Le croisement a échoué à cause d'une erreur interne "
            f"({type(error).__name__}). Relancez-le ; si l'erreur revient, signalez-la à l'équipe technique "
            f"en donnant le numéro du croisement ({run.pk})."
        )
    run.finished_at = timezone.now()
    run.save()
    if run.status == RunStatus.DONE:
        # Only the latest run's state is ever reused: the older ones are dropped.
        CrossingRun.objects.filter(commune=run.commune).exclude(pk=run.pk).exclude(state=None).update(
            state=None
        )
    return run


def _reference_run(run: CrossingRun) -> CrossingRun | None:
    """The commune's latest finished run before this one: what this one is compared with."""
    return (
        CrossingRun.objects.filter(commune=run.commune, status=RunStatus.DONE, created_at__lte=run.created_at)
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
