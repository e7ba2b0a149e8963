"""The children of the mayor's list, as the CAF and the MSA sent them, and when their data must go."""

from __future__ import annotations

from datetime import date

from django.db import models

from veille.compulsory import retention_end

#: the closure reason of a case whose family left the commune (its data go at once)
MOVED_AWAY = "demenagement"


class ChildQuerySet(models.QuerySet["Child"]):
    def in_commune(self, commune: models.Model) -> ChildQuerySet:
        return self.filter(commune=commune)

    def due_for_purge(self, today: date) -> ChildQuerySet:
        """Children whose data must be deleted on ``today``: past the end of the school year they turn
        16, or moved away (a move date reached, or a case closed because the family moved)."""
        moved = models.Q(moved_away_on__lte=today) | models.Q(cases__closure_reason=MOVED_AWAY)
        return self.filter(models.Q(retention_until__lt=today) | moved).distinct()


class Child(models.Model):
    """One child of a children file (CAF or MSA), kept from run to run by (organisme, identifiant)."""

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="children")
    organisme = models.CharField(max_length=3)
    source_id = models.CharField("identifiant", max_length=64)
    last_name = models.CharField("nom", max_length=200)
    first_names = models.CharField("prénoms", max_length=200)
    birth_date = models.DateField("date de naissance")
    sex = models.CharField("sexe", max_length=1, blank=True)
    claimant_last_name = models.CharField("nom de l'allocataire", max_length=200, blank=True)
    claimant_first_name = models.CharField("prénom de l'allocataire", max_length=200, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=120, blank=True)
    first_seen_at = models.DateTimeField("vu pour la première fois", auto_now_add=True)
    last_seen_at = models.DateTimeField("vu pour la dernière fois", auto_now=True)
    retention_until = models.DateField("données conservées jusqu'au")
    moved_away_on = models.DateField("a quitté la commune le", null=True, blank=True)

    objects = ChildQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "organisme", "source_id"], name="one_child_per_source_id"
            )
        ]
        ordering = ["last_name", "first_names"]
        verbose_name = "enfant"

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_names}"

    def save(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.retention_until = retention_end(self.birth_date)
        super().save(*args, **kwargs)
