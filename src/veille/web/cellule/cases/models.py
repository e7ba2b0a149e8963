"""Cases (dossiers): one child's situation, or a school's or a place's, followed by the cell.

``Case`` moves only through the acts of its domain in the law's table (``veille.law``, read by
``procedure.WORKFLOWS``; ``Case.fire``); each move, note, notification, assignment and transmission is
one ``CaseEvent`` carrying the table's version. Deadlines come from ``DeadlineRule``, a versioned table
a commune's jurist can correct: each event keeps the rule version it started with. A case about a
school (hors contrat) or a place (école de fait) links the children's own cases (``linked_to``).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from veille import law
from veille.web.common.accounts.roles import Capability, Role
from veille.web.common.workflow import Transition, TransitionRefused

from .procedure import (
    BY_NAME,
    OPEN_STEPS,
    CaseStep,
    ClosureReason,
    act_of,
    refuse_forbidden,
    transitions_from,
    workflow,
)

if TYPE_CHECKING:
    from veille.web.cellule.children.models import Child
    from veille.web.common.accounts.models import Membership, User
    from veille.web.common.territories.models import Commune

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
#: event kinds that are not acts of the law's table
NON_ACT_KINDS = ("opening", "notification", "migration", "transmission", "assignment", *NOTE_KINDS)


class Domain(models.TextChoices):
    """The five procedures (labels from ``law.DOMAINS``)."""

    ABSENCE = law.ABSENCE, law.DOMAINS[law.ABSENCE][0]
    ABSENTEEISM = law.ABSENTEEISM, law.DOMAINS[law.ABSENTEEISM][0]
    HOME_INSTRUCTION = law.HOME, law.DOMAINS[law.HOME][0]
    PRIVATE_SCHOOL = law.PRIVATE, law.DOMAINS[law.PRIVATE][0]
    UNDECLARED_SCHOOL = law.UNDECLARED, law.DOMAINS[law.UNDECLARED][0]


#: domains whose case is about a school or a place, not a child: they link the children's cases
ESTABLISHMENT_DOMAINS = frozenset({Domain.PRIVATE_SCHOOL.value, Domain.UNDECLARED_SCHOOL.value})


class Origin(models.TextChoices):
    CROSSING = "croisement", "Croisement des fichiers (enfant non trouvé)"
    ABSENTEEISM_REPORT = "signalement_absenteisme", "Signalement d'absentéisme (4 demi-journées par mois)"
    ABSENTEEISM_NO_REASON = "absences_sans_motif", "Absences sans motif ou motifs inexacts (L131-8 1°)"
    HOME_INSTRUCTION = "autorisation_ief", "Instruction dans la famille (demande, enquête ou contrôle)"
    PRIVATE_SCHOOL = "etablissement_hors_contrat", "Établissement hors contrat (déclaration, contrôle)"
    FIELD = "observation_terrain", "Observation de terrain (police, travailleur social…)"
    LINKED = "eleve_etablissement_ou_lieu", "Élève d'un établissement ou d'un lieu suivi par la cellule"


class IefGround(models.TextChoices):
    HEALTH = "sante_handicap", law.IEF_GROUNDS["sante_handicap"]
    ACTIVITIES = "activites", law.IEF_GROUNDS["activites"]
    ITINERANCY = "itinerance", law.IEF_GROUNDS["itinerance"]
    OWN_SITUATION = "situation_propre", law.IEF_GROUNDS["situation_propre"]


#: the one error of the procedure (``common.workflow``); the old name stays for the other apps
TransitionError = TransitionRefused
#: roles named by at least one act of the table: they may record those acts (the préfecture records
#: the préfet's acts without holding ``edit_cases``)
ACT_ROLES = frozenset(r for a in law.ACTS for r in a.roles)


def can_record_acts(membership: Membership) -> bool:
    return membership.can(Capability.EDIT_CASES) or membership.role in ACT_ROLES


def rentree_of(day: date) -> date:
    """The rentrée of the school year an act concerns: from March to August, the coming one."""
    if 3 <= day.month <= 8:
        return date(day.year, 9, 1)
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def deadline_start(act: law.Act, effective_date: date, notified_on: date | None) -> date | None:
    """The day an act's deadline runs from, by the table's starting point (None: not yet known)."""
    if not act.deadline:
        return None
    start = law.DEADLINES[act.deadline].start
    if start == "notification":
        return notified_on
    if start == "rentree":
        return rentree_of(effective_date)
    return effective_date


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
    def for_commune(self, commune: Commune) -> DeadlineRuleQuerySet:
        """Active rules that apply in a commune: its own versions, else the national ones."""
        rules = self.filter(active=True).filter(models.Q(commune=commune) | models.Q(commune__isnull=True))
        own_keys = rules.filter(commune=commune).values("key")
        return rules.exclude(models.Q(commune__isnull=True) & models.Q(key__in=own_keys)).order_by("key")

    def current(self, key: str, commune: Commune) -> DeadlineRule:
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
        self, *, commune: Commune, user: User, days: int, months: int, legal_basis: str, source: str
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


def _any_of(steps: dict[str, set[str]]) -> models.Q:
    """Cases at one of these steps of their domain."""
    query = models.Q(pk__in=[])
    for domain, states in steps.items():
        query |= models.Q(domain=domain, state__in=states)
    return query


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
        seen = models.Q(pk__in=[])
        if membership.can(Capability.VIEW_TRANSMITTED_CASES):
            seen |= models.Q(pk__in=self.transmitted_to(membership.role).values("pk"))
        if membership.can(Capability.VIEW_ESTABLISHMENT_CASES):  # a school or a place, no child named
            seen |= models.Q(domain__in=ESTABLISHMENT_DOMAINS, child__isnull=True)
        return cases.filter(seen)

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
            .filter(_any_of(steps_actionable_by(membership.role)))
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
    ief_ground = models.CharField(
        "motif de la demande d'IEF", max_length=20, choices=IefGround.choices, blank=True
    )
    place_name = models.CharField("établissement ou lieu", max_length=200, blank=True)
    place_address = models.CharField("adresse de l'établissement ou du lieu", max_length=300, blank=True)
    linked_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linked_cases",
        verbose_name="dossier de l'établissement ou du lieu",
    )

    objects = CaseQuerySet.as_manager()

    #: not stored: set on the rows of a list for its template (``views._today_flags``)
    overdue: bool
    due_soon: bool
    url: str

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

    @property
    def about_establishment(self) -> bool:
        """A case about a school (hors contrat) or a place (école de fait), not about one child."""
        return self.domain in ESTABLISHMENT_DOMAINS

    @property
    def about_label(self) -> str:
        return law.DOMAINS[self.domain][1] if self.domain in law.DOMAINS else "enfant"

    @property
    def pending_notification(self) -> CaseEvent | None:
        """The act of the current step whose deadline waits for its notification date, if any."""
        event = self.events.exclude(kind__in=NON_ACT_KINDS).order_by("-at", "-pk").first()
        if event is None or event.to_state != self.state or event.notified_on is not None:
            return None
        return event if event.act is not None and event.act.needs_notification else None

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
        """The acts this member may record now, in the order of the law's table (their preconditions
        are checked when fired, with the reason shown if they do not hold yet)."""
        if membership.commune_id != self.commune_id or not can_record_acts(membership):
            return []
        return [t for t in transitions_from(self.domain, self.state) if t.allows(membership.role)]

    def fire(
        self,
        transition_name: str,
        *,
        user: User | None,
        note: str = "",
        effective_date: date | None = None,
        notified_on: date | None = None,
        ground: str = "",
        check_role: bool = True,
    ) -> CaseEvent:
        """Record one act of the case's procedure (``veille.law``) and log it.

        Args:
            transition_name: an act's name in the case's domain.
            user: who records it; with ``check_role``, must hold a role the act's authority maps to.
            note: what was decided; required by some acts.
            effective_date: when it happened (the day the mise en demeure was signed, the day a request
                was received…). Defaults to today.
            notified_on: for an act whose deadline runs from its notification, the notification date if
                already known (else ``record_notification`` later); the deadline waits for it.
            ground: for an IEF request, one of ``IefGround``.
            check_role: False only for seeding (demo data), where no member acts; the preconditions of
                the law are checked all the same.

        Returns:
            The ``CaseEvent`` logged, with the due date it started.

        Raises:
            TransitionError: unknown act or not in this domain, wrong step, role not allowed, missing
                note, a precondition of the law that does not hold (with its reason), date in the future.
        """
        today = timezone.localdate()
        effective_date = effective_date or today
        note = note.strip()
        refuse_forbidden(self.domain, transition_name)
        if effective_date > today or (notified_on is not None and notified_on > today):
            raise TransitionError("La date ne peut pas être dans le futur.")
        if notified_on is not None and notified_on < effective_date:
            raise TransitionError("La notification ne peut pas précéder l'acte.")
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=self.pk)
            role = self._role_of(user) if user is not None else None
            transition = workflow(case.domain).check(
                case,
                transition_name,
                state=case.state,
                role=role,
                check_role=check_role,
                note=note,
                context={"on": effective_date},
            )
            act = act_of(transition)
            if act.asks_ground:
                if ground not in IefGround.values:
                    raise TransitionError("Indiquez le motif de la demande parmi les quatre de L131-5.")
                case.ief_ground = ground
            rule = DeadlineRule.objects.current(act.deadline, case.commune) if act.deadline else None
            start = deadline_start(act, effective_date, notified_on)
            due_on = rule.due_on(start) if rule is not None and start is not None else None
            event = CaseEvent.objects.create(
                case=case,
                by=user,
                kind=act.name,
                from_state=case.state,
                to_state=act.target,
                note=note,
                effective_date=effective_date,
                notified_on=notified_on if act.needs_notification else None,
                rule=rule,
                due_on=due_on,
                law_version=law.VERSION,
            )
            case.state = act.target
            case.due_on = due_on
            if act.target == CaseStep.CLOSED:
                case.closed_at = timezone.now()
                case.closure_reason = act.closure_reason
            else:
                case.closed_at = None
                case.closure_reason = ""
            case.save(update_fields=["state", "due_on", "closed_at", "closure_reason", "ief_ground"])
            if act.transmit_to:
                case._hand_over(kind="transmission", user=user, to_role=act.transmit_to, note="")
            if act.notice_children:
                case._notice_children(event, user=user, check_role=check_role)
        self.refresh_from_db()
        return event

    def _notice_children(self, event: CaseEvent, *, user: User | None, check_role: bool) -> None:
        """The 15-day mise en demeure on each linked child's own case (children of compulsory age)."""
        from veille.compulsory import SchoolYear, is_subject

        day = event.effective_date or timezone.localdate()
        noticed, skipped = [], []
        for linked in self.linked_cases.open().select_related("child"):
            child = linked.child
            if child is not None and not is_subject(child.birth_date, SchoolYear.current(day)):
                skipped.append(f"n° {linked.pk} (hors obligation d'instruction)")
                continue
            if "send_formal_notice" not in {t.name for t in transitions_from(linked.domain, linked.state)}:
                skipped.append(f"n° {linked.pk} (étape « {linked.get_state_display()} »)")
                continue
            linked.fire(
                "send_formal_notice",
                user=user,
                note=f"Mise en demeure décidée sur le dossier n° {self.pk} "
                f"({self.place_name or self.about_label}).",
                effective_date=day,
                check_role=check_role,
            )
            noticed.append(f"n° {linked.pk}")
        summary = f"Mises en demeure sur les dossiers des enfants : {', '.join(noticed) or 'aucun'}."
        if skipped:
            summary += f" Sans mise en demeure : {', '.join(skipped)}."
        CaseEvent.objects.filter(pk=event.pk).update(note=(event.note + "\n" + summary).strip())

    def record_notification(
        self, event: CaseEvent, *, user: User | None, notified_on: date, check_role: bool = True
    ) -> CaseEvent:
        """Record the day an act was notified; its deadline (e.g. the 15 days) runs from that day."""
        today = timezone.localdate()
        act = event.act
        if event.case_id != self.pk or act is None or not act.needs_notification:
            raise TransitionError("Cet acte n'attend pas de date de notification.")
        if event.notified_on is not None:
            raise TransitionError(f"La notification est déjà enregistrée (le {event.notified_on:%d/%m/%Y}).")
        if notified_on > today:
            raise TransitionError("La date ne peut pas être dans le futur.")
        if event.effective_date and notified_on < event.effective_date:
            raise TransitionError("La notification ne peut pas précéder l'acte.")
        if check_role and (user is None or self._role_of(user) not in act.roles):
            raise TransitionError(
                f"Votre rôle ne permet pas d'enregistrer la notification de « {act.label} »."
            )
        with transaction.atomic():
            current = self.pending_notification == event
            due_on = event.rule.due_on(notified_on) if event.rule is not None else None
            CaseEvent.objects.filter(pk=event.pk).update(notified_on=notified_on, due_on=due_on)
            if current:
                Case.objects.filter(pk=self.pk).update(due_on=due_on)
            logged = CaseEvent.objects.create(
                case=self,
                by=user,
                kind="notification",
                from_state=self.state,
                to_state=self.state,
                note=f"« {act.label} » du {event.effective_date:%d/%m/%Y} notifié le {notified_on:%d/%m/%Y}.",
                effective_date=notified_on,
                law_version=law.VERSION,
            )
        self.refresh_from_db()
        return logged

    def link_child_case(
        self, *, user: User | None, child: Child | None = None, case: Case | None = None
    ) -> Case:
        """Link a child's case to this school's or place's case: the child's open case if there is one
        (or the ``case`` given), else a new case opened for the child (absence d'instruction)."""
        from .services import open_case

        if not self.about_establishment:
            raise TransitionError("Seul un dossier d'établissement ou de lieu rattache des enfants.")
        if case is None and child is not None:
            case = Case.objects.open().filter(commune=self.commune, child=child).exclude(pk=self.pk).first()
        if case is None:
            if child is None:
                raise TransitionError("Indiquez l'enfant ou son dossier.")
            case = open_case(
                commune=self.commune,
                user=user,
                child=child,
                origin=Origin.LINKED,
                domain=Domain.ABSENCE,
                note=f"Enfant accueilli dans l'établissement ou le lieu du dossier n° {self.pk}.",
            )
        if case.commune_id != self.commune_id or case.about_establishment:
            raise TransitionError("Ce dossier ne peut pas être rattaché.")
        if case.linked_to_id not in (None, self.pk):
            raise TransitionError(f"Ce dossier est déjà rattaché au dossier n° {case.linked_to_id}.")
        Case.objects.filter(pk=case.pk).update(linked_to=self)
        self.add_note(user=user, note=f"Dossier de l'enfant n° {case.pk} rattaché.")
        case.refresh_from_db()
        return case

    def add_note(self, *, user: User | None, kind: str = "note", note: str) -> CaseEvent:
        """Log a note on the timeline without moving the case (``letter`` from the documents app,
        ``meeting_decision`` from the meetings app). The caller checks the user's right."""
        if kind not in NOTE_KINDS:
            raise TransitionError(f"Type de note inconnu : « {kind} ».")
        if not note.strip():
            raise TransitionError("La note est vide.")
        return CaseEvent.objects.create(
            case=self,
            by=user,
            kind=kind,
            from_state=self.state,
            to_state=self.state,
            note=note.strip(),
            law_version=law.VERSION,
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
                law_version=law.VERSION,
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
    notified_on = models.DateField("notifié le", null=True, blank=True)
    law_version = models.CharField("version de la table des règles", max_length=10, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "étape du dossier"

    def __str__(self) -> str:
        return f"{self.case} — {self.label}"

    @property
    def act(self) -> law.Act | None:
        """The law's act this event recorded (in its case's domain), if it is one."""
        return law.act(self.case.domain, self.kind) if self.kind not in NON_ACT_KINDS else None

    @property
    def rule_start(self) -> date | None:
        """The day the deadline this event started runs from (None: notification not recorded)."""
        act = self.act
        if act is None or not act.deadline:
            return self.effective_date
        return deadline_start(act, self.effective_date or self.at.date(), self.notified_on)

    @property
    def label(self) -> str:
        """French wording of what happened."""
        transition = BY_NAME.get(self.kind)
        if transition is not None:
            return transition.label
        return {
            "opening": "Ouverture du dossier",
            "notification": "Notification enregistrée",
            "migration": "Reprise dans la table des règles version 2",
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
