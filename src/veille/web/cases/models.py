"""Cases (dossiers): one child's situation followed by the cell, from detection to closure.

This module holds the skeleton every other app relies on (``Case`` and its domains); the procedure
itself (states, transitions, deadlines) is built on top of it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from veille.web.accounts.roles import Role


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


class Case(models.Model):
    """One case of the cell. ``child`` is emptied when the child's data are purged; the anonymous
    fields (``age_at_opening``, ``sex_at_opening``) keep the indicators countable afterwards."""

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="cases")
    child = models.ForeignKey(
        "children.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    domain = models.CharField("domaine", max_length=30, choices=Domain.choices)
    origin = models.CharField("origine", max_length=30, choices=Origin.choices)
    state = models.CharField("étape", max_length=40, default="verification")
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

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = "dossier"

    def __str__(self) -> str:
        return f"Dossier n° {self.pk}"
