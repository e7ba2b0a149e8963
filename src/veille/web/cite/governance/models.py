"""The cité's instances (comité de pilotage, troïka, comité technique…), their meetings and decisions.

No child's personal data: attendance names seats of the cité and organisations of the directory.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Instance(models.Model):
    """A standing body of the cité that meets and decides."""

    class Kind(models.TextChoices):
        STEERING = "copil", "Comité de pilotage"
        TROIKA = "troika", "Troïka"
        TECHNICAL = "cotech", "Comité technique"
        OTHER = "autre", "Autre instance"

    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="instances")
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    name = models.CharField("nom", max_length=160)
    role = models.TextField("rôle de l'instance", blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = "instance"
        constraints = [models.UniqueConstraint(fields=["cite", "name"], name="one_instance_name_per_cite")]

    def __str__(self) -> str:
        return self.name


class GovernanceMeetingQuerySet(models.QuerySet["Meeting"]):
    def in_year(self, year: int) -> GovernanceMeetingQuerySet:
        return self.filter(held_on__year=year)


class Meeting(models.Model):
    """One meeting of an instance; its fields are the sections of the minutes the networks use."""

    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="meetings")
    instance = models.ForeignKey(Instance, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField("date")
    place = models.CharField("lieu", max_length=200, blank=True)
    agenda = models.TextField("ordre du jour", blank=True, help_text="un point par ligne")
    weather = models.TextField("météo du jour", blank=True, help_text="le tour de table d'ouverture")
    national_news = models.TextField("actualités nationales", blank=True)
    regional_news = models.TextField("actualités régionales", blank=True)
    local_news = models.TextField("actualités locales", blank=True)
    presented_actions = models.ManyToManyField(
        "actions.Action", blank=True, related_name="presented_at", verbose_name="actions présentées"
    )
    notes = models.TextField("échanges", blank=True)
    next_meeting_on = models.DateField("prochaine réunion le", null=True, blank=True)
    next_meeting_note = models.CharField("prochaine réunion : précision", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = GovernanceMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "réunion"

    def __str__(self) -> str:
        return f"{self.instance} du {self.held_on:%d/%m/%Y}"

    def agenda_items(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.agenda.splitlines() if line.strip(" -•\t")]


class Attendance(models.Model):
    """Who sat at a meeting: a member of the cité or an organisation of the directory."""

    class Presence(models.TextChoices):
        PRESENT = "present", "Présent"
        EXCUSED = "excuse", "Excusé"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        "cites.CiteMembership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        "cites.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    presence = models.CharField("présence", max_length=8, choices=Presence.choices)

    class Meta:
        verbose_name = "présence"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member"),
            models.UniqueConstraint(fields=["meeting", "partner"], name="one_attendance_per_partner"),
            models.CheckConstraint(
                condition=models.Q(member__isnull=False, partner__isnull=True)
                | models.Q(member__isnull=True, partner__isnull=False),
                name="attendance_member_or_partner",
            ),
        ]

    def __str__(self) -> str:
        who = self.partner if self.partner_id else self.member
        return f"{who} : {self.get_presence_display()}"

    @property
    def who(self) -> str:
        if self.partner_id:
            return str(self.partner)
        m = self.member
        if m is None:
            return "—"
        name = m.user.get_full_name() or m.user.username
        seat = m.get_troika_seat_display() if m.troika_seat else m.get_role_display()
        return f"{name} ({seat})"


class Decision(models.Model):
    """What a meeting decided; a validation fires the action's workflow, a grant creates a commitment."""

    class Kind(models.TextChoices):
        VALIDATE = "validate", "Action validée (troïka)"
        REFUSE = "refuse", "Action refusée"
        GRANT = "grant", "Montant accordé sur le fonds"
        OTHER = "other", "Autre décision"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    text = models.TextField("décision")
    action = models.ForeignKey(
        "actions.Action", on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    transition = models.OneToOneField(
        "actions.Transition", on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    commitment = models.OneToOneField(
        "funds.Commitment", on_delete=models.PROTECT, null=True, blank=True, related_name="decision"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = "décision"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.text[:80]}"

    @property
    def cite(self) -> object:
        return self.meeting.cite
