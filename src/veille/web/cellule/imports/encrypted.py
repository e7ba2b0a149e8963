"""The encrypted crossing in the cell's web app (``veille.pprl``, ``docs/croisement-chiffre.md``).

The cell uploads the holders' encoded files (no identity in them), the worker links them, the run's
page lists per holder the identifiers to reveal; the holder's archive of revealed rows (7z AES) is
then imported as any file, and each revealed child gets its ``Outcome`` of the run, as the clear
crossing's unfound and uncertain children do: cases open from them, uncertain ones are reviewed.

Nothing in clear reaches the cell before that archive, and the archive is refused whole if it holds a
single row outside the holder's list.
"""

from __future__ import annotations

import hashlib
import io
import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from veille.matching import Agreement
from veille.pprl import EncodedFile, EncodedFileError
from veille.pprl.linkage import CANDIDATE, COMPARISONS, LinkageResult, check_files, link
from veille.pprl.reveal import PSEUDONYM_COLUMN, write_list
from veille.sources import InMemoryFile
from veille.sources.archives import extract_archive
from veille.web.cellule.children.models import Child

from .models import (
    CrossingRun,
    EncodedUpload,
    Kind,
    Outcome,
    RevealItem,
    RevealKind,
    RunStatus,
    SchoolingRecord,
)

logger = logging.getLogger(__name__)

#: the encrypted run's steps: reading the files, the linkage's four, saving
ENCRYPTED_STEPS = 6
#: the linkage's comparisons, as ``Outcome.levels`` names them (``mapping.COMPARISON_LABELS``)
_LEVEL_NAMES = {"date": "date_naissance"}


class RevelationError(ValueError):
    """A revealed archive that cannot be imported (French message); nothing of it was kept."""


def _load(upload: InMemoryFile) -> EncodedFile:
    try:
        return EncodedFile.load(io.BytesIO(upload.data), name=f"« {upload.name} »")
    except EncodedFileError as error:
        raise EncodedFileError(
            f"{error} Déposez ici les fichiers .npz écrits par `veille encoder` chez chaque détenteur, "
            "jamais ses fichiers en clair."
        ) from None


def launch_encrypted(
    *,
    commune: Any,
    user: Any,
    school_year: str,
    children: Sequence[InMemoryFile],
    schooling: Sequence[InMemoryFile],
) -> CrossingRun:
    """Check the encoded files, keep them for the worker and queue the encrypted crossing.

    Raises:
        EncodedFileError: a file is not an encoded file, or the files cannot be linked together
            (another campaign, another shared secret, folded and unfolded…); nothing is kept.
    """
    from veille.compulsory import SchoolYear

    from .tasks import run_encrypted_crossing

    loaded = {
        Kind.CHILDREN: [(f, _load(f)) for f in children],
        Kind.SCHOOLING: [(f, _load(f)) for f in schooling],
    }
    check_files([e for _, e in loaded[Kind.CHILDREN]], [e for _, e in loaded[Kind.SCHOOLING]])
    campaign = str(loaded[Kind.CHILDREN][0][1].meta["campagne"])
    with transaction.atomic():
        run = CrossingRun.objects.create(
            commune=commune,
            school_year=str(SchoolYear.parse(school_year)),
            launched_by=user,
            encrypted=True,
            campaign=campaign,
            total_steps=ENCRYPTED_STEPS,
            fingerprints={
                f.name: hashlib.sha256(f.data).hexdigest() for group in loaded.values() for f, _ in group
            },
        )
        for kind, group in loaded.items():
            for upload, encoded in group:
                EncodedUpload.objects.create(
                    run=run,
                    kind=kind,
                    holder=encoded.holder[:20],
                    file_name=upload.name[:200],
                    sha256=hashlib.sha256(upload.data).hexdigest(),
                    rows=len(encoded),
                    data=upload.data,
                )
    run_encrypted_crossing.enqueue(run.pk)
    run.refresh_from_db()
    return run


def execute_encrypted(run_id: int) -> CrossingRun:
    """Do a queued encrypted crossing: link the encoded files, keep the counts and the lists to reveal."""
    from .services import _heartbeat, engine_failure_message

    run = CrossingRun.objects.select_related("commune").get(pk=run_id)
    if run.status != RunStatus.WAITING:
        return run
    started = time.perf_counter()
    run.status, run.started_at = RunStatus.RUNNING, timezone.now()
    run.heartbeat_at, run.total_steps = run.started_at, ENCRYPTED_STEPS
    run.save(update_fields=["status", "started_at", "total_steps", "heartbeat_at"])
    with _heartbeat(run):
        try:
            run.advance("Lecture des fichiers encodés")
            uploads = list(run.encoded_uploads.all())
            files = {
                kind: [
                    EncodedFile.load(io.BytesIO(bytes(u.data)), name=f"« {u.file_name} »")
                    for u in uploads
                    if u.kind == kind and u.data is not None
                ]
                for kind in (Kind.CHILDREN, Kind.SCHOOLING)
            }
            result = link(files[Kind.CHILDREN], files[Kind.SCHOOLING], progress=run.advance)
            run.advance("Enregistrement des listes à révéler")
            saving = time.perf_counter()
            _store_items(run, result)
            _store_summary(run, result, uploads)
            run.timings = {
                **result.timings,
                "enregistrement": round(time.perf_counter() - saving, 3),
                "total": round(time.perf_counter() - started, 3),
            }
            run.status, run.step, run.step_label = RunStatus.DONE, run.total_steps, "Terminé"
        except EncodedFileError as error:
            run.status, run.error = RunStatus.FAILED, f"Le croisement chiffré n'a pas abouti : {error}"
        except Exception as error:
            logger.error("encrypted run %s failed: %s", run.pk, type(error).__name__)
            run.status, run.error = RunStatus.FAILED, engine_failure_message(run, error)
        run.finished_at = timezone.now()
        run.save()
    if run.status == RunStatus.DONE:
        # The encodings are no longer needed: only the lists and the figures are kept.
        EncodedUpload.objects.filter(run=run).update(data=None)
    return run


def _levels(row: Any) -> list[dict[str, str]]:
    out = []
    for comparison in COMPARISONS:
        gamma = int(getattr(row, f"niveau_{comparison.name}"))
        if gamma < 0:
            label, agreement = "valeur absente", Agreement.MISSING
        else:
            label = comparison.labels[gamma]
            last = len(comparison.labels) - 1
            agreement = (
                Agreement.AGREE if gamma == 0 else Agreement.DISAGREE if gamma == last else Agreement.PARTIAL
            )
        out.append(
            {
                "comparison": _LEVEL_NAMES.get(comparison.name, comparison.name),
                "label": label,
                "agreement": agreement.value,
            }
        )
    return out


def _store_items(run: CrossingRun, result: LinkageResult) -> None:
    """The lists of ``result.reveal`` (those the command line writes), with what the run said of each
    child: its reason, its candidate's weight and comparison levels."""
    table = result.children
    flagged = table[table["statut"].isin([RevealKind.UNFOUND.value, RevealKind.UNCERTAIN.value])]
    details = {(row.detenteur, row.identifiant): row for row in flagged.itertuples(index=False)}
    items = []
    for holder, rows in result.reveal.items():
        for identifier, kind, motif in zip(rows["identifiant"], rows["statut"], rows["motif"], strict=True):
            item = RevealItem(
                run=run, holder=holder[:20], identifier=str(identifier), kind=kind, motif=str(motif)[:200]
            )
            if kind != CANDIDATE:
                row = details[(holder, identifier)]
                has_candidate = bool(row.candidat_identifiant)
                item.organisme = str(row.organisme)[:20]
                item.weight = float(row.poids) if has_candidate and not np.isnan(row.poids) else None
                item.levels = _levels(row) if has_candidate else []
                if kind == RevealKind.UNCERTAIN:
                    item.candidate_holder = str(row.candidat_detenteur)[:20]
                    item.candidate_identifier = str(row.candidat_identifiant)
            items.append(item)
    RevealItem.objects.bulk_create(items, batch_size=1000)


def _store_summary(run: CrossingRun, result: LinkageResult, uploads: list[EncodedUpload]) -> None:
    table = result.children
    run.counts = {
        "statut": {str(k): int(v) for k, v in table["statut"].value_counts().items()},
        "source": {
            str(k): int(v)
            for k, v in table.loc[table["statut"] == "rapproche", "candidat_source"].value_counts().items()
        },
        "enfants": len(table),
        "inscriptions": sum(u.rows for u in uploads if u.kind == Kind.SCHOOLING),
        "paires_candidates": result.n_candidates,
    }
    run.model = {"seuils": result.thresholds, **result.model}
    run.parameters = {"seuils": result.thresholds, "graine": 42, "campagne": result.campaign}


# ---------------------------------------------------------------------------------------------
# What the run's page shows, and the lists


def holders(run: CrossingRun) -> list[dict[str, Any]]:
    """Per holder: its kind, rows encoded, identifiers to reveal, how many are revealed already."""
    uploads: dict[str, dict[str, Any]] = {}
    for upload in run.encoded_uploads.all().defer("data"):
        entry = uploads.setdefault(
            upload.holder, {"holder": upload.holder, "kind": upload.kind, "rows": 0, "files": []}
        )
        entry["rows"] += upload.rows
        entry["files"].append(upload.file_name)
    counts: dict[str, dict[str, int]] = {}
    for holder, kind, child_id, record_id in run.reveal_items.values_list(
        "holder", "kind", "child_id", "record_id"
    ):
        entry = counts.setdefault(holder, {"total": 0, "revealed": 0, RevealKind.CANDIDATE: 0})
        entry["total"] += 1
        entry[kind] = entry.get(kind, 0) + 1
        entry["revealed"] += child_id is not None or record_id is not None
    out = []
    for holder, entry in sorted(uploads.items()):
        numbers = counts.get(holder, {"total": 0, "revealed": 0})
        out.append(
            {
                **entry,
                "kind_label": Kind(entry["kind"]).label,
                "to_reveal": numbers["total"],
                "revealed": numbers["revealed"],
                "unfound": numbers.get(RevealKind.UNFOUND, 0),
                "uncertain": numbers.get(RevealKind.UNCERTAIN, 0),
                "candidates": numbers.get(RevealKind.CANDIDATE, 0),
            }
        )
    return out


def reveal_list(run: CrossingRun, holder: str) -> bytes:
    """The list ``veille reveler --liste`` takes, for one holder of the run."""
    items = run.reveal_items.filter(holder=holder).order_by("pk")
    rows = pd.DataFrame(
        list(items.values_list("identifier", "kind", "motif")), columns=["identifiant", "statut", "motif"]
    )
    text = io.StringIO()
    write_list(text, run.campaign, holder, rows)
    return text.getvalue().encode("utf-8")


# ---------------------------------------------------------------------------------------------
# The revealed archive


def _pseudonyms(upload: InMemoryFile, password: str | None) -> dict[tuple[str, str], str]:
    """(organisme or source, identifiant) -> the list's identifier, from the archive's CSV members."""
    members = extract_archive(upload.data, upload.name, password or None)
    found: dict[tuple[str, str], str] = {}
    for name, content in members:
        try:
            frame = pd.read_csv(io.BytesIO(content), sep=";", dtype=str, keep_default_na=False)
        except (ValueError, UnicodeDecodeError):
            raise RevelationError(
                f"« {name} » (dans « {upload.name} ») n'est pas un fichier révélé par `veille reveler`."
            ) from None
        origin = "organisme" if "organisme" in frame else "source"
        if PSEUDONYM_COLUMN not in frame or origin not in frame or "identifiant" not in frame:
            raise RevelationError(
                f"« {name} » (dans « {upload.name} ») n'a pas la colonne « {PSEUDONYM_COLUMN} » : ce "
                "n'est pas une archive écrite par `veille reveler` (ou par une version plus ancienne). "
                "Demandez au détenteur de révéler la liste de nouveau avec cette version de Veille. "
                "Rien n'a été enregistré."
            )
        for line, (who, ident, pseudonym) in enumerate(
            zip(frame[origin], frame["identifiant"], frame[PSEUDONYM_COLUMN], strict=True), start=2
        ):
            found[(who, ident)] = pseudonym
            if not pseudonym:
                raise RevelationError(
                    f"« {name} », ligne {line} : colonne « {PSEUDONYM_COLUMN} » vide. "
                    "Rien n'a été enregistré."
                )
    return found


def import_revelation(
    *,
    run: CrossingRun,
    user: Any,
    holder: str,
    upload: InMemoryFile,
    password: str | None,
) -> tuple[Any, int]:
    """Import one holder's revealed archive into the run: its children get their outcome, its records
    become the candidates of the uncertain children. Returns the confirmed import and the rows kept.

    Raises:
        RevelationError, SourceError: the archive cannot be read, or holds a row outside the holder's
            list (then nothing of it is kept: the cell must not hold more than the list).
    """
    from .services import cancel_import, confirm_import, validate_upload

    if run.status != RunStatus.DONE or not run.encrypted:
        raise RevelationError("Ce croisement n'est pas un croisement chiffré terminé.")
    uploaded = run.encoded_uploads.filter(holder=holder).defer("data").first()
    if uploaded is None:
        raise RevelationError(f"Aucun fichier encodé de « {holder} » dans ce croisement.")
    wanted = {item.identifier: item for item in run.reveal_items.filter(holder=holder)}
    if not wanted:
        raise RevelationError(f"Ce croisement ne demande rien à révéler à « {holder} ».")
    already = {i for i, item in wanted.items() if item.revealed}
    pseudonyms = _pseudonyms(upload, password)
    outside = sorted(set(pseudonyms.values()) - set(wanted))
    if outside:
        raise RevelationError(
            f"L'archive « {upload.name} » contient {len(outside)} ligne(s) hors de la liste à révéler de "
            f"« {holder} » pour ce croisement (autre liste, autre campagne ?). Rien n'a été enregistré : "
            "la cellule ne reçoit que les enfants de la liste. Demandez au détenteur de révéler la liste "
            "téléchargée depuis cette page."
        )
    if not set(pseudonyms.values()) - already:
        raise RevelationError(f"Les lignes de « {upload.name} » ont déjà été importées.")
    imported = validate_upload(
        commune=run.commune,
        user=user,
        kind=uploaded.kind,
        school_year=run.school_year,
        files=[upload],
        password=password,
    )
    origin = "organisme" if uploaded.kind == Kind.CHILDREN else "source"
    unmatched = [
        row for row in imported.pending_rows or [] if (row[origin], row["identifiant"]) not in pseudonyms
    ]
    if unmatched:
        cancel_import(imported=imported)
        raise RevelationError(
            f"L'archive « {upload.name} » : {len(unmatched)} ligne(s) lues ne se rattachent à aucun "
            "identifiant de la liste (fichier modifié après `veille reveler` ?). Rien n'a été enregistré."
        )
    imported.revelation_of, imported.holder = run, holder
    imported.save(update_fields=["revelation_of", "holder"])
    imported = confirm_import(imported=imported)
    with transaction.atomic():
        if uploaded.kind == Kind.CHILDREN:
            _attach_children(run, imported, wanted, pseudonyms)
        else:
            _attach_records(run, imported, wanted, pseudonyms)
    return imported, imported.rows_kept


def _candidate_json(record: SchoolingRecord) -> dict[str, str]:
    return {
        "source": record.source,
        "identifiant": record.source_id,
        "nom": record.last_name,
        "prenoms": record.first_names,
        "date_naissance": record.birth_date,
        "etablissement": record.establishment,
    }


def _attach_children(
    run: CrossingRun, imported: Any, wanted: dict[str, RevealItem], pseudonyms: dict[tuple[str, str], str]
) -> None:
    children = Child.objects.filter(import_links__imported=imported)
    candidate_items = {
        (i.holder, i.identifier): i
        for i in run.reveal_items.filter(kind=RevealKind.CANDIDATE, record__isnull=False).select_related(
            "record"
        )
    }
    for child in children:
        item = wanted.get(pseudonyms.get((child.organisme, child.source_id), ""))
        if item is None or item.child_id is not None:
            continue
        found = candidate_items.get((item.candidate_holder, item.candidate_identifier))
        Outcome.objects.update_or_create(
            run=run,
            child=child,
            defaults={
                "status": item.kind,
                "engine_status": item.kind,
                "weight": item.weight,
                "motif": item.motif,
                "levels": item.levels,
                "candidate": _candidate_json(found.record) if found and found.record else None,
            },
        )
        item.child = child
        item.save(update_fields=["child"])


def _attach_records(
    run: CrossingRun, imported: Any, wanted: dict[str, RevealItem], pseudonyms: dict[tuple[str, str], str]
) -> None:
    for record in SchoolingRecord.objects.filter(imported=imported):
        item = wanted.get(pseudonyms.get((record.source, record.source_id), ""))
        if item is None or item.record_id is not None:
            continue
        item.record = record
        item.save(update_fields=["record"])
        # The uncertain children already revealed now see their candidate.
        for child_item in run.reveal_items.filter(
            kind=RevealKind.UNCERTAIN,
            candidate_holder=item.holder,
            candidate_identifier=item.identifier,
            child__isnull=False,
        ):
            Outcome.objects.filter(run=run, child=child_item.child).update(candidate=_candidate_json(record))
