"""Imports of the cell's files, crossing runs, each child's outcome per run, and people's decisions.

An import is validated first and kept *pending*: its canonical rows wait in :class:`PendingRows`, one
batch a row (never the uploaded file, never the archive password), until a person confirms it, cancels
it, or it expires.
Only on confirmation are the children upserted into ``children.Child`` and the schooling records
stored in ``SchoolingRecord``.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Count
from django.utils import timezone

from veille.matching import Status
from veille.matching.classification import Thresholds

from .mapping import STATUS_LABELS, comparison_rows

#: how long an unconfirmed import waits before it is dropped
PENDING_LIFETIME = timedelta(hours=1)
#: how often a confirmation or a crossing at work says it is alive
HEARTBEAT_SECONDS = 2
#: a confirmation or a crossing silent this long has died with its process (kill -9, power cut): the
#: pages and the worker's start then mark it interrupted. Four missed heartbeats, and less than the
#: 10 s within which the interface must say so.
STALE_AFTER = timedelta(seconds=8)

INTERRUPTED_IMPORT = (
    "La confirmation de ce dépôt a été interrompue (arrêt du serveur) : rien n'en a été gardé, les "
    "lignes enregistrées en partie ont été retirées. Le dépôt reste en attente : cliquez sur « Relancer "
    "la confirmation »."
)
INTERRUPTED_RUN = (
    "Le croisement a été interrompu (arrêt du serveur ou de l'exécuteur de tâches) : aucun résultat "
    "n'a été enregistré. Cliquez sur « Relancer le croisement »."
)


class Kind(models.TextChoices):
    CHILDREN = "enfants", "Fichier enfants (CAF / MSA)"
    SCHOOLING = "scolarite", "Fichier de scolarité"


class ImportStatus(models.TextChoices):
    PENDING = "en_attente", "En attente de confirmation"
    CONFIRMING = "confirmation", "Confirmation en cours"
    CONFIRMED = "confirme", "Confirmé"
    CANCELLED = "annule", "Annulé"
    EXPIRED = "expire", "Expiré (non confirmé à temps)"


class ImportQuerySet(models.QuerySet["Import"]):
    def visible_to(self, membership: Any) -> ImportQuerySet:
        """All imports of the commune for who may see them all, one's own otherwise (CAF / MSA)."""
        from veille.web.common.accounts.roles import Capability

        mine = self.filter(commune=membership.commune)
        if membership.can(Capability.VIEW_ALL_IMPORTS):
            return mine
        return mine.filter(uploaded_by=membership.user)

    def expire_pending(self) -> int:
        """Drop the rows of pending imports past their time; returns how many expired."""
        late = list(
            self.filter(status=ImportStatus.PENDING, expires_at__lt=timezone.now()).values_list(
                "pk", flat=True
            )
        )
        # Read first: the pages call this on every view, and an UPDATE takes SQLite's write lock even
        # when it changes nothing.
        if not late:
            return 0
        # Only those still pending: a confirmation that starts meanwhile keeps its rows.
        count = Import.objects.filter(pk__in=late, status=ImportStatus.PENDING).update(
            status=ImportStatus.EXPIRED, rows_waiting=False
        )
        PendingRows.objects.filter(imported__in=late, imported__status=ImportStatus.EXPIRED).delete()
        return count

    def interrupted(self) -> ImportQuerySet:
        """Confirmations whose process died: no heartbeat for :data:`STALE_AFTER`."""
        return self.filter(status=ImportStatus.CONFIRMING, heartbeat_at__lt=timezone.now() - STALE_AFTER)

    def confirmed_for(self, commune: Any, school_year: str) -> ImportQuerySet:
        return self.filter(commune=commune, school_year=school_year, status=ImportStatus.CONFIRMED)


class Import(models.Model):
    """One upload of one or more files of one kind, with what was read from each."""

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField("type de fichier", max_length=10, choices=Kind.choices)
    school_year = models.CharField("année scolaire", max_length=9)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("déposé le", auto_now_add=True)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    expires_at = models.DateTimeField("à confirmer avant")
    confirmed_at = models.DateTimeField("confirmé le", null=True, blank=True)
    skip_invalid = models.BooleanField("lignes invalides écartées", default=False)
    #: file name -> sha256 of the uploaded bytes (the archive's, for an archive)
    fingerprints = models.JSONField(default=dict)
    #: per file read: fichier, format, encodage, lignes lues / gardées / rejetées, en-têtes, ignorées
    files = models.JSONField(default=list)
    #: rejected rows: fichier, ligne, colonne, motif (the value itself is not kept)
    rejects = models.JSONField(default=list)
    rows_kept = models.PositiveIntegerField("lignes retenues", default=0)
    #: whether canonical rows wait for confirmation (in :class:`PendingRows`, none for an import whose
    #: every row was set aside); false once confirmed, cancelled or expired
    rows_waiting = models.BooleanField(default=False)
    #: last sign of life of a confirmation at work (it commits in batches, see services.confirm_import)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: why the last confirmation did not finish (French, shown on the page)
    error = models.TextField("erreur", blank=True)
    #: the encrypted crossing whose list this import reveals (a holder's archive), and that holder
    revelation_of = models.ForeignKey(
        "CrossingRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="revelations"
    )
    holder = models.CharField("détenteur", max_length=20, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "dépôt de fichiers"

    def __str__(self) -> str:
        return f"Dépôt n° {self.pk}"

    @property
    def pending_rows(self) -> list[dict[str, Any]] | None:
        """Every waiting row, in file order (``None`` once settled). Reads them all: for a small import
        (tests, the demo); a confirmation reads one batch at a time."""
        if not self.rows_waiting:
            return None
        return [row for rows in self.pending_batches.values_list("rows", flat=True) for row in rows]

    @property
    def is_pending(self) -> bool:
        return self.status == ImportStatus.PENDING and self.expires_at >= timezone.now()

    def file_names(self) -> str:
        return ", ".join(self.fingerprints)

    def fingerprint(self) -> str:
        """One sha256 for the whole import: the sorted fingerprints of its files."""
        import hashlib

        joined = "\n".join(f"{name}:{digest}" for name, digest in sorted(self.fingerprints.items()))
        return hashlib.sha256(joined.encode()).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.expires_at is None:
            self.expires_at = timezone.now() + PENDING_LIFETIME
        super().save(*args, **kwargs)


class PendingRows(models.Model):
    """One batch of a pending import's canonical rows, in file order.

    Stored batch by batch: a 50 MB file's rows never make one list, nor one JSON text, in the web
    process; the confirmation commits one batch per transaction.
    """

    imported = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="pending_batches")
    position = models.PositiveIntegerField()
    rows = models.JSONField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["imported", "position"], name="pending_rows_one_position")
        ]


class ConfirmationBatch(models.Model):
    """What one committed batch of a confirmation changed, to undo it if the confirmation fails.

    A confirmation commits in batches so that no transaction holds SQLite's write lock for long; the
    import becomes confirmed (visible to the crossings) only after its last batch, and a failure or
    an interruption undoes the batches already committed. Deleted once the import is confirmed.
    """

    imported = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="batches")
    #: children created by this batch
    created = models.JSONField(default=list)
    #: child id -> the values it had before this batch updated it
    previous = models.JSONField(default=dict)


class ImportedChild(models.Model):
    """That a child was in a confirmed children import: the crossing of a year takes these children."""

    imported = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="import_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["imported", "child"], name="child_once_per_import")]


class SchoolingRecord(models.Model):
    """One row of a confirmed schooling file: a child known to be instructed."""

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="+")
    imported = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="records")
    source = models.CharField(max_length=20)
    source_id = models.CharField("identifiant", max_length=64)
    last_name = models.CharField("nom", max_length=200)
    first_names = models.CharField("prénoms", max_length=200)
    birth_date = models.CharField("date de naissance", max_length=10)
    sex = models.CharField("sexe", max_length=1, blank=True)
    establishment = models.CharField("établissement", max_length=200, blank=True)
    uai = models.CharField(max_length=8, blank=True)
    level = models.CharField("niveau", max_length=10, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["commune", "source", "source_id"])]
        verbose_name = "inscription"


class RunStatus(models.TextChoices):
    WAITING = "en_attente", "En attente"
    RUNNING = "en_cours", "En cours"
    DONE = "termine", "Terminé"
    FAILED = "echoue", "Échoué"


class RunQuerySet(models.QuerySet["CrossingRun"]):
    def listed(self) -> RunQuerySet:
        """Without what only the engine reads: the saved state of the last run alone weighs hundreds of
        kilobytes, and the pages that list or count runs would read it on every request."""
        return self.defer("state", "model", "changes", "fingerprints")

    def interrupted(self) -> RunQuerySet:
        """Runs whose worker died: running, and no heartbeat for :data:`STALE_AFTER`."""
        silent = models.Q(heartbeat_at__lt=timezone.now() - STALE_AFTER) | models.Q(
            heartbeat_at__isnull=True, started_at__lt=timezone.now() - STALE_AFTER
        )
        return self.filter(silent, status=RunStatus.RUNNING)

    def interrupted_at_start(self) -> int:
        """At the worker's start, every run still running died with the previous worker."""
        return self.filter(status=RunStatus.RUNNING).update(
            status=RunStatus.FAILED, error=INTERRUPTED_RUN, finished_at=timezone.now()
        )

    def fail_interrupted(self) -> int:
        """Mark the interrupted runs failed, with the French message; returns how many."""
        # Read first, as ``ImportQuerySet.expire_pending``: the pages call this on every view.
        if not self.interrupted().exists():
            return 0
        return self.interrupted().update(
            status=RunStatus.FAILED, error=INTERRUPTED_RUN, finished_at=timezone.now()
        )


class CrossingRun(models.Model):
    """One crossing of a commune's files for a school year, run in the background."""

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="runs")
    school_year = models.CharField("année scolaire", max_length=9)
    launched_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("lancé le", auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.WAITING)
    error = models.TextField("erreur", blank=True)
    step = models.PositiveSmallIntegerField(default=0)
    total_steps = models.PositiveSmallIntegerField(default=1)
    step_label = models.CharField(max_length=120, blank=True)
    #: import id -> sha256 of the import's files
    fingerprints = models.JSONField(default=dict)
    parameters = models.JSONField(default=dict)
    model = models.JSONField(null=True, blank=True)
    #: "statut" -> {status: n}, "source" -> {source: n of matched records}, "enfants", "inscriptions"
    counts = models.JSONField(default=dict)
    timings = models.JSONField(default=dict)
    #: the commune's previous finished run, that this one was crossed against (monthly update)
    reference = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="croisement de référence",
    )
    #: what changed since the reference: kind (``veille.matching.monthly.CHANGE_KINDS``) -> child ids
    changes = models.JSONField(default=dict)
    #: what the next month's run reuses (``MonthlyState`` without names); kept on the latest run only
    state = models.BinaryField(null=True, blank=True, editable=False)
    #: last sign of life of the worker doing the run
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    #: an encrypted crossing (``veille.pprl``): run on the holders' encoded files, its children known
    #: only once revealed (``RevealItem``); its ``counts`` are the engine's, under pseudonyms
    encrypted = models.BooleanField("croisement chiffré", default=False)
    campaign = models.CharField("campagne", max_length=40, blank=True)

    objects = RunQuerySet.as_manager()

    #: not stored: the run's children per status as they stand now, set for a list's template
    now: dict[str, int]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "croisement"

    def __str__(self) -> str:
        return f"Croisement n° {self.pk} ({self.school_year})"

    def status_counts(self) -> list[tuple[str, int]]:
        """Children per status now, the cell's decisions included (the engine's figures before that)."""
        by_status = Outcome.objects.counts_by_run([self]).get(self.pk) or self.counts.get("statut", {})
        return [(label, by_status.get(status, 0)) for status, label in STATUS_LABELS.items()]

    def change_groups(self) -> list[dict[str, Any]]:
        """What changed since the reference run: per kind, its French name, count and children."""
        from veille.web.cellule.children.models import Child

        wanted = {pk for ids in self.changes.values() for pk in ids}
        known = Child.objects.in_bulk(wanted) if wanted else {}
        return [
            {"kind": kind, "count": len(ids), "children": [known[pk] for pk in ids if pk in known]}
            for kind, ids in self.changes.items()
        ]

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return round(100 * self.step / max(self.total_steps, 1))

    def advance(self, label: str) -> None:
        """Record the start of the next step (called by the engine's ``progress``)."""
        self.step = min(self.step + 1, self.total_steps)
        self.step_label = label[:120]
        CrossingRun.objects.filter(pk=self.pk).update(
            step=self.step, step_label=self.step_label, heartbeat_at=timezone.now()
        )


class OutcomeQuerySet(models.QuerySet["Outcome"]):
    def of_latest_run(self, commune: Any) -> OutcomeQuerySet:
        latest = CrossingRun.objects.listed().filter(commune=commune, status=RunStatus.DONE).first()
        return self.filter(run=latest) if latest else self.none()

    def to_review(self, commune: Any) -> OutcomeQuerySet:
        return self.of_latest_run(commune).awaiting_review()

    def awaiting_review(self) -> OutcomeQuerySet:
        """Uncertain and not decided yet: what « À vérifier » lists (of one run: see ``to_review``)."""
        return self.filter(status=Status.UNCERTAIN, decision__isnull=True)

    def counts_by_run(self, runs: Any) -> dict[int, dict[str, int]]:
        """Children per status of each run, as they stand now: a decision « enfant différent » turns an
        uncertain child into a child not found. Every page that counts a run's children (the commune's
        home, « Fichiers », the run's page) counts them here, in one query, never from the figures the
        engine wrote when the run ended."""
        counts: dict[int, dict[str, int]] = {}
        runs = list(runs)
        # An encrypted run has outcomes only for the children revealed so far: the engine's figures,
        # with the revealed children counted as they stand now.
        for crossing in runs:
            if getattr(crossing, "encrypted", False) and crossing.status == RunStatus.DONE:
                counts[crossing.pk] = {k: int(v) for k, v in crossing.counts.get("statut", {}).items()}
        rows = (
            self.filter(run__in=runs)
            .order_by()
            .values_list("run_id", "status", "engine_status")
            .annotate(n=Count("pk"))
        )
        for run_id, status, engine_status, n in rows:
            by_status = counts.setdefault(run_id, {})
            if any(r.pk == run_id and getattr(r, "encrypted", False) for r in runs):
                by_status[engine_status] = by_status.get(engine_status, 0) - n
            by_status[status] = by_status.get(status, 0) + n
        return counts


class Outcome(models.Model):
    """What one run concluded about one child; a person's decision may change its status afterwards."""

    run = models.ForeignKey(CrossingRun, on_delete=models.CASCADE, related_name="outcomes")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="outcomes")
    status = models.CharField("statut", max_length=20)
    engine_status = models.CharField("statut donné par le croisement", max_length=20)
    score = models.FloatField("probabilité", null=True, blank=True)
    weight = models.FloatField("poids", null=True, blank=True)
    motif = models.CharField(max_length=200, blank=True)
    #: source, identifiant, nom, prenoms, date_naissance, etablissement of the retained or nearest record
    candidate = models.JSONField(null=True, blank=True)
    #: per comparison, in the model's order: comparison, label (French), agreement (``Agreement``)
    levels = models.JSONField(default=list)
    decision = models.ForeignKey(
        "MatchDecision", on_delete=models.SET_NULL, null=True, blank=True, related_name="outcomes"
    )

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "child"], name="one_outcome_per_run")]
        indexes = [models.Index(fields=["run", "status"])]
        ordering = ["-run__created_at"]
        verbose_name = "résultat d'un enfant"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def resemblance(self) -> str:
        """The evidence of the candidate in words. The model's probability reads « 100 % » for most
        uncertain pairs (they are the best of few candidates), which tells a reviewer nothing; the
        evidence against the automatic threshold does."""
        if self.weight is None:
            return ""
        match = Thresholds().match
        if self.weight >= match:
            return "très forte (rapprochement automatique)"
        if self.weight >= match - 5:
            return "forte"
        if self.weight >= match - 10:
            return "moyenne"
        return "faible"

    def comparison_rows(self) -> list[dict[str, str]]:
        """One row per comparison: its name, the level reached, and whether it agreed."""
        return comparison_rows(self.levels)


class MatchDecision(models.Model):
    """A person's verdict: this child and this schooling record are (not) the same child.

    Every later run applies it (``veille.matching.cross(decisions=...)``).
    """

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="match_decisions")
    source = models.CharField(max_length=20)
    record_id = models.CharField("identifiant du dossier de scolarité", max_length=64)
    same = models.BooleanField("même enfant")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "source", "record_id"], name="one_decision_per_pair")
        ]
        verbose_name = "décision sur un rapprochement"


class EncodedUpload(models.Model):
    """One holder's encoded file given to an encrypted crossing (``veille.pprl``): no clear identity.

    Its bytes wait here for the background worker, and are dropped once the run has succeeded.
    """

    run = models.ForeignKey(CrossingRun, on_delete=models.CASCADE, related_name="encoded_uploads")
    kind = models.CharField("type de fichier", max_length=10, choices=Kind.choices)
    holder = models.CharField("détenteur", max_length=20)
    file_name = models.CharField("fichier", max_length=200)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField("lignes encodées")
    data = models.BinaryField(null=True, editable=False)

    class Meta:
        ordering = ["kind", "holder", "pk"]
        verbose_name = "fichier encodé"


class RevealKind(models.TextChoices):
    UNFOUND = Status.UNFOUND.value, "Enfant non trouvé"
    UNCERTAIN = Status.UNCERTAIN.value, "Enfant à vérifier"
    CANDIDATE = "dossier_candidat", "Dossier de scolarité candidat d'un enfant à vérifier"


class RevealItem(models.Model):
    """One identifier an encrypted crossing asks a holder to reveal, and what the crossing said of it.

    A child (``non_trouve``, ``incertain``) becomes a ``Child`` with its ``Outcome`` once its holder's
    archive is imported; a candidate schooling record becomes a ``SchoolingRecord`` and the candidate
    of its uncertain child's outcome.
    """

    run = models.ForeignKey(CrossingRun, on_delete=models.CASCADE, related_name="reveal_items")
    holder = models.CharField("détenteur", max_length=20)
    identifier = models.CharField("identifiant chiffré", max_length=24)
    kind = models.CharField(max_length=20, choices=RevealKind.choices)
    organisme = models.CharField(max_length=20, blank=True)
    motif = models.CharField(max_length=200, blank=True)
    weight = models.FloatField("poids", null=True, blank=True)
    #: an uncertain child's candidate record, under its holder's identifier
    candidate_holder = models.CharField(max_length=20, blank=True)
    candidate_identifier = models.CharField(max_length=24, blank=True)
    #: per comparison: comparison, label, agreement (``Outcome.levels``)
    levels = models.JSONField(default=list)
    child = models.ForeignKey(
        "children.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    record = models.ForeignKey(
        SchoolingRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["holder", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "holder", "identifier"], name="reveal_once_per_run")
        ]
        verbose_name = "identifiant à révéler"

    @property
    def revealed(self) -> bool:
        return self.child_id is not None or self.record_id is not None
