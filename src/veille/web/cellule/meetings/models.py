"""Meetings of the cell: who comes, which cases are discussed, what was decided on each.

The compte rendu is built from these rows each time it is asked for, with the least personal data
that lets the partners follow a case: its number, the child's initials and age, the decision.
"""

from __future__ import annotations

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from veille.compulsory import age_on


class Organisation(models.TextChoices):
    MAIRIE = "mairie", "Mairie"
    EDUCATION = "education", "Éducation nationale (DSDEN, IEN, établissement)"
    PREFECTURE = "prefecture", "Préfecture"
    CAF = "caf", "CAF / MSA"
    DEPARTMENT = "departement", "Département (services sociaux, ASE)"
    PROSECUTOR = "parquet", "Parquet"
    OTHER = "autre", "Autre partenaire"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def in_commune(self, commune: models.Model) -> MeetingQuerySet:
        return self.filter(commune=commune)


class Meeting(models.Model):
    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="+")
    held_on = models.DateTimeField("date et heure")
    place = models.CharField("lieu", max_length=200)
    held = models.BooleanField("réunion tenue", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on"]
        verbose_name = "réunion de la cellule"

    def __str__(self) -> str:
        return f"Réunion n° {self.pk}"


class Participant(models.Model):
    """Someone invited, by organisation and function: the compte rendu lists who was there."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    organisation = models.CharField("organisation", max_length=20, choices=Organisation.choices)
    function = models.CharField("fonction ou service", max_length=200)
    attended = models.BooleanField("présent", default=False)

    class Meta:
        ordering = ["organisation", "id"]
        verbose_name = "participant"

    def __str__(self) -> str:
        return f"{self.get_organisation_display()} — {self.function}"


def initials(first_names: str, last_name: str) -> str:
    """``L. M.`` from the first given name and the surname: enough to tell two cases apart at the table.

    Example:
        >>> initials("Léa Camille", "de la Mare")
        'L. D.'
    """
    parts = [p for p in (first_names.strip()[:1], last_name.strip()[:1]) if p]
    return " ".join(f"{p.upper()}." for p in parts) or "—"


class AgendaItem(models.Model):
    """One case on a meeting's agenda, and the cell's decision on it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField("ordre", default=0)
    decision = models.TextField("décision", blank=True)
    next_step = models.TextField("suite à donner", blank=True)
    decided_at = models.DateTimeField("décidé le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purged_at = models.DateTimeField("texte supprimé le", null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="a_case_once_per_meeting")]
        ordering = ["position", "id"]
        verbose_name = "point de l'ordre du jour"

    def __str__(self) -> str:
        return f"Dossier n° {self.case_id} (réunion n° {self.meeting_id})"

    @property
    def child_initials(self) -> str:
        child = self.case.child
        return initials(child.first_names, child.last_name) if child else "—"

    def child_age(self, on: date) -> int | None:
        """The child's age on the meeting day; the age at opening once the child's data are purged."""
        child = self.case.child
        if child is None:
            return self.case.age_at_opening
        return age_on(child.birth_date, on)

    def check_no_identity(self, text: str) -> None:
        """Refuse a decision that names the child: the compte rendu goes to every partner.

        Raises:
            ValidationError: if the child's surname or birth date appears in the text.
        """
        child = self.case.child
        if child is None or not text:
            return
        words = [w for w in re.split(r"[\s'-]+", child.last_name) if len(w) >= 3]
        if any(re.search(rf"\b{re.escape(w)}\b", text, re.IGNORECASE) for w in words):
            raise ValidationError(
                "Le texte contient le nom de famille de l'enfant : écrivez plutôt le numéro du dossier ou "
                "les initiales, le compte rendu est diffusé à tous les partenaires."
            )
        b = child.birth_date
        if any(s in text for s in (b.strftime("%d/%m/%Y"), b.isoformat(), b.strftime("%d/%m/%y"))):
            raise ValidationError(
                "Le texte contient la date de naissance de l'enfant : indiquez plutôt son âge."
            )
