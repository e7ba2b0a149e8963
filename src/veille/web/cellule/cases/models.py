"""Cases (dossiers): one child's situation followed by the cell, from detection to closure.

``Case`` moves only through the transitions of ``procedure.TRANSITIONS`` (``Case.fire``); each move,
note, assignment and transmission is one ``CaseEvent``. Deadlines come from ``DeadlineRule``, a
versioned table a commune's jurist can correct: each event keeps the rule version it started with.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from veille.web.common.accounts.roles import Capability, Role

from .procedure import BY_NAME, OPEN_STEPS, CaseStep, ClosureReason, Transition, transitions_from

if TYPE_CHECKING:
    from veille.web.common.accounts.models import Membership, User

ABSENTEEISM_THRESHOLD = 4  # unjustified half-days in a month (L131-8)
DUE_SOON_DAYS = 7
# Roles a case can be assigned or transmitted to: those who can act on it.
HANDLING_ROLES = (
    Role.REFERENT,
    Role.AGENT,
    Role.EDUCATION,
    Role.DEPARTMENT,
    Role.PROSECUTOR,
    Role.PREFECTURE,  # for its own acts (L131-10, L441-3-1, L442-2): documents.law
)
NOTE_KINDS = ("note", "letter", "meeting_decision")


class Domain(models.TextChoices):
    ABSENCE = "absence_instruction", "Absence d'instruction"
    ABSENTEEISM = "absenteisme", "Absentéisme"
    HOME_INSTRUCTION = "controle_ief", "Contrôle de l'instruction dans la famille ou du hors contrat"
    UNDECLARED_SCHOOL = "ecole_de_fait", "École de fait (non déclarée)"


class Origin(models.TextChoices):
    CROSSING = "croisement", "Croisement des fichiers (enfant non trouvé)"
    ABSENTEEISM_REPORT = "signalement_absenteisme", "Signalement d'absentéisme (4 demi-journées par mois)"
    HOME_INSTRUCTION = "autorisation_ief", "Instruction dans la famille (enquête ou contrôle)"
    FIELD = "observation_terrain", "Observation de terrain (police, travailleur social…)"


class TransitionError(Exception):
    """A move the procedure does not allow; the message is French and shown to the user as is."""


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, or the month's last day when it has no such day.

    Example:
        >>> add_months(date(2025, 1, 31), 1)
        datetime.date(2025, 2, 28)
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


class DeadlineRuleQuerySet(models.QuerySet["DeadlineRule"]):
    def for_commune(self, commune: models.Model) -> DeadlineRuleQuerySet:
        """Active rules that apply in a commune: its own versions, else the national ones."""
        rules = self.filter(active=True).filter(models.Q(commune=commune) | models.Q(commune__isnull=True))
        own_keys = rules.filter(commune=commune).values("key")
        return rules.exclude(models.Q(commune__isnull=True) & models.Q(key__in=own_keys)).order_by("key")

    def current(self, key: str, commune: models.Model) -> DeadlineRule:
        return self.for_commune(commune).get(key=key)


class DeadlineRule(models.Model):
    """One deadline of the procedure, in one version. National versions (``commune`` empty) are seeded
    from ``cases/data/deadlines_v*.csv``; a commune's référent corrects a rule by adding a version of
    its own (``revise``). Old versions stay: the events that started them keep pointing at them."""

    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    key = models.CharField("règle", max_length=40)
    label = models.CharField("échéance", max_length=200)
    days = models.PositiveSmallIntegerField("durée en jours", default=0)
    months = models.PositiveSmallIntegerField("durée en mois", default=0)
    legal_basis = models.TextField("base légale")
    source = models.CharField("source", max_length=300, blank=True)
    to_verify = models.BooleanField("à vérifier par un juriste", default=False)
    version = models.PositiveSmallIntegerField("version", default=1)
    valid_from = models.DateField("en vigueur depuis")
    active = models.BooleanField("en vigueur", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeadlineRuleQuerySet.as_manager()

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = "règle d'échéance"
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="one_rule_version"),
            models.CheckConstraint(
                condition=models.Q(days__gt=0) | models.Q(months__gt=0), name="rule_has_a_duration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.duration_display}, v{self.version})"

    @property
    def duration_display(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months} mois")
        if self.days:
            parts.append(f"{self.days} jour{'s' if self.days > 1 else ''}")
        return " et ".join(parts)

    def due_on(self, start: date) -> date:
        """The due date counted in calendar days (and months) from ``start``."""
        return add_months(start, self.months) + timedelta(days=self.days)

    def revise(
        self, *, commune: models.Model, user: User, days: int, months: int, legal_basis: str, source: str
    ) -> DeadlineRule:
        """Add the commune's new version of this rule and retire its previous own version."""
        with transaction.atomic():
            latest = DeadlineRule.objects.filter(key=self.key).aggregate(models.Max("version"))[
                "version__max"
            ]
            DeadlineRule.objects.filter(key=self.key, commune=commune, active=True).update(active=False)
            return DeadlineRule.objects.create(
                commune=commune,
                key=self.key,
                label=self.label,
                days=days,
                months=months,
                legal_basis=legal_basis,
                source=source,
                to_verify=False,
                version=(latest or 0) + 1,
                valid_from=timezone.localdate(),
                created_by=user,
            )


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.exclude(state=CaseStep.CLOSED)

    def transmitted_to(self, role: str) -> CaseQuerySet:
        return self.filter(events__kind="transmission", events__to_role=role).distinct()

    def visible_to(self, membership: Membership) -> CaseQuerySet:
        """The commune's cases a member may see: all of them with ``view_cases``, those transmitted to
        the Parquet for the prosecutor (``view_transmitted_cases``), none otherwise."""
        cases = self.filter(commune=membership.commune)
        if membership.can(Capability.VIEW_CASES):
            return cases
        if membership.can(Capability.VIEW_TRANSMITTED_CASES):
            return cases.filter(pk__in=self.transmitted_to(membership.role).values("pk"))
        return cases.none()

    def overdue(self, today: date) -> CaseQuerySet:
        return self.open().filter(due_on__lt=today)

    def todo(self, membership: Membership, today: date) -> CaseQuerySet:
        """What a member can act on: overdue steps first, then due within 7 days, then no deadline."""
        from .procedure import steps_actionable_by

        if not membership.can(Capability.EDIT_CASES):
            return self.none()
        soon = today + timedelta(days=DUE_SOON_DAYS)
        return (
            self.visible_to(membership)
            .open()
            .filter(state__in=steps_actionable_by(membership.role))
            .filter(models.Q(due_on__isnull=True) | models.Q(due_on__lte=soon))
            .order_by(models.F("due_on").asc(nulls_last=True), "opened_at")
        )


class Case(models.Model):
    """One case of the cell. ``child`` is emptied when the child's data are purged; the anonymous
    fields (``age_at_opening``, ``sex_at_opening``) keep the indicators countable afterwards."""

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="cases")
    child = models.ForeignKey(
        "children.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    domain = models.CharField("domaine", max_length=30, choices=Domain.choices)
    origin = models.CharField("origine", max_length=30, choices=Origin.choices)
    state = models.CharField("étape", max_length=40, choices=CaseStep.choices, default=CaseStep.VERIFICATION)
    opened_at = models.DateTimeField("ouvert le", auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_role = models.CharField("confié à", max_length=20, choices=Role.choices, default=Role.AGENT)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    closure_reason = models.CharField("motif de clôture", max_length=40, blank=True)
    age_at_opening = models.PositiveSmallIntegerField("âge à l'ouverture", null=True, blank=True)
    sex_at_opening = models.CharField("sexe", max_length=1, blank=True)
    purged_at = models.DateTimeField("données personnelles supprimées le", null=True, blank=True)
    due_on = models.DateField("échéance en cours", null=True, blank=True, db_index=True)
    description = models.TextField("description", max_length=500, blank=True)
    reporter = models.CharField("signalé par", max_length=120, blank=True)
    report_school = models.CharField("établissement qui signale", max_length=200, blank=True)
    report_month = models.DateField("mois des absences", null=True, blank=True)
    report_half_days = models.PositiveSmallIntegerField(
        "demi-journées d'absence non justifiées", null=True, blank=True
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = "dossier"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report_half_days__isnull=True)
                | models.Q(report_half_days__gte=ABSENTEEISM_THRESHOLD),
                name="absenteeism_report_from_4_half_days",
            )
        ]

    def __str__(self) -> str:
        return f"Dossier n° {self.pk}"

    @property
    def closure_reason_label(self) -> str:
        values = ClosureReason.values
        return (
            ClosureReason(self.closure_reason).label if self.closure_reason in values else self.closure_reason
        )

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STEPS

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.due_on is not None and self.due_on < (today or timezone.localdate())

    def is_due_soon(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and self.due_on is not None and today <= self.due_on <= today + timedelta(7)

    @property
    def current_deadline(self) -> CaseEvent | None:
        """The event that started the running deadline, if any."""
        if not self.is_open or self.due_on is None:
            return None
        return self.events.filter(due_on__isnull=False).order_by("-at", "-pk").first()

    def is_transmitted_to(self, role: str) -> bool:
        return self.events.filter(kind="transmission", to_role=role).exists()

    def shows_child_to(self, membership: Membership) -> bool:
        """Whether a member sees the child's identity on this case: the roles that see the children,
        and the Parquet once the case is transmitted to it (a signalement names the child)."""
        if self.child_id is None:
            return False
        if membership.can(Capability.VIEW_CHILDREN):
            return True
        return membership.can(Capability.VIEW_TRANSMITTED_CASES) and self.is_transmitted_to(membership.role)

    def _role_of(self, user: User) -> str | None:
        from veille.web.common.accounts.models import Membership

        membership = Membership.objects.filter(user=user, commune_id=self.commune_id, active=True).first()
        return membership.role if membership is not None else None

    def available_transitions(self, membership: Membership) -> list[Transition]:
        """The transitions this member may fire now, in the order of the procedure table."""
        if membership.commune_id != self.commune_id or not membership.can(Capability.EDIT_CASES):
            return []
        return [t for t in transitions_from(self.state) if t.allows(membership.role)]

    def fire(
        self,
        transition_name: str,
        *,
        user: User | None,
        note: str = "",
        effective_date: date | None = None,
        check_role: bool = True,
    ) -> CaseEvent:
        """Move the case along one transition of the procedure and log it.

        Args:
            transition_name: a name of ``procedure.TRANSITIONS``.
            user: who fires it; with ``check_role``, must hold a role of the transition in this commune.
            note: what was decided; required by some transitions.
            effective_date: when it happened (e.g. the day the mise en demeure was sent); the deadline
                runs from it. Defaults to today.
            check_role: False only for seeding (demo data), where no member acts.

        Returns:
            The ``CaseEvent`` logged, with the due date it started.

        Raises:
            TransitionError: unknown transition, wrong step, role not allowed, missing note or date in
                the future.
        """
        transition = BY_NAME.get(transition_name)
        if transition is None:
            raise TransitionError(f"Étape inconnue : « {transition_name} ».")
        today = timezone.localdate()
        effective_date = effective_date or today
        note = note.strip()
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=self.pk)
            if case.state not in transition.sources:
                raise TransitionError(
                    f"« {transition.label} » n'est pas possible à l'étape « {case.get_state_display()} »."
                )
            if check_role:
                role = self._role_of(user) if user is not None else None
                if role is None or not transition.allows(role):
                    raise TransitionError(f"Votre rôle ne permet pas l'étape « {transition.label} ».")
            if transition.needs_note and not note:
                raise TransitionError(f"Une note est nécessaire pour « {transition.label} ».")
            if effective_date > today:
                raise TransitionError("La date ne peut pas être dans le futur.")
            rule = DeadlineRule.objects.current(transition.rule, case.commune) if transition.rule else None
            due_on = rule.due_on(effective_date) if rule is not None else None
            event = CaseEvent.objects.create(
                case=case,
                by=user,
                kind=transition.name,
                from_state=case.state,
                to_state=transition.target,
                note=note,
                effective_date=effective_date,
                rule=rule,
                due_on=due_on,
            )
            case.state = transition.target
            case.due_on = due_on
            if transition.target == CaseStep.CLOSED:
                case.closed_at = timezone.now()
                case.closure_reason = transition.closure_reason
            else:
                case.closed_at = None
                case.closure_reason = ""
            case.save(update_fields=["state", "due_on", "closed_at", "closure_reason"])
            if transition.transmit_to:
                case._hand_over(kind="transmission", user=user, to_role=transition.transmit_to, note="")
        self.refresh_from_db()
        return event

    def add_note(self, *, user: User | None, kind: str = "note", note: str) -> CaseEvent:
        """Log a note on the timeline without moving the case (``letter`` from the documents app,
        ``meeting_decision`` from the meetings app). The caller checks the user's right."""
        if kind not in NOTE_KINDS:
            raise TransitionError(f"Type de note inconnu : « {kind} ».")
        if not note.strip():
            raise TransitionError("La note est vide.")
        return CaseEvent.objects.create(
            case=self, by=user, kind=kind, from_state=self.state, to_state=self.state, note=note.strip()
        )

    def transmit(self, *, user: User | None, to_role: str, note: str = "") -> CaseEvent:
        """Transmit the case to a partner of the cell (e.g. the Parquet), who then handles it."""
        return self._hand_over(kind="transmission", user=user, to_role=to_role, note=note)

    def assign(self, *, user: User | None, to_role: str, note: str = "") -> CaseEvent:
        """Give the case to another role of the cell to handle, within the cell."""
        return self._hand_over(kind="assignment", user=user, to_role=to_role, note=note)

    def _hand_over(self, *, kind: str, user: User | None, to_role: str, note: str) -> CaseEvent:
        if to_role not in HANDLING_ROLES:
            raise TransitionError("Ce partenaire ne peut pas suivre un dossier.")
        if kind == "assignment" and to_role == self.assigned_role:
            raise TransitionError("Le dossier est déjà confié à ce partenaire.")
        with transaction.atomic():
            event = CaseEvent.objects.create(
                case=self,
                by=user,
                kind=kind,
                from_state=self.state,
                to_state=self.state,
                from_role=self.assigned_role,
                to_role=to_role,
                note=note.strip(),
            )
            Case.objects.filter(pk=self.pk).update(assigned_role=to_role)
            self.assigned_role = to_role
        return event


class CaseEvent(models.Model):
    """One line of a case's timeline: a transition, a note, an assignment or a transmission."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("le", auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField("type", max_length=40)
    from_state = models.CharField("depuis l'étape", max_length=40, blank=True)
    to_state = models.CharField("vers l'étape", max_length=40, blank=True)
    from_role = models.CharField("confié à (avant)", max_length=20, choices=Role.choices, blank=True)
    to_role = models.CharField("confié à (après)", max_length=20, choices=Role.choices, blank=True)
    note = models.TextField("note", blank=True)
    effective_date = models.DateField("date de l'acte", null=True, blank=True)
    rule = models.ForeignKey(
        DeadlineRule, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    due_on = models.DateField("échéance", null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "étape du dossier"

    def __str__(self) -> str:
        return f"{self.case} — {self.label}"

    @property
    def label(self) -> str:
        """French wording of what happened."""
        transition = BY_NAME.get(self.kind)
        if transition is not None:
            return transition.label
        return {
            "opening": "Ouverture du dossier",
            "note": "Note",
            "letter": "Courrier",
            "meeting_decision": "Décision de la cellule",
            "transmission": "Transmission",
            "assignment": "Dossier confié",
        }.get(self.kind, self.kind)

    @property
    def is_hand_over(self) -> bool:
        return self.kind in ("transmission", "assignment")

    @property
    def to_state_display(self) -> str:
        return CaseStep(self.to_state).label if self.to_state in CaseStep.values else self.to_state
