"""The shared diagnostic and the local observatory: findings per objective, territorial indicators."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class Finding(models.Model):
    """A strength or a weakness of the territory for one objective, with the figures behind it."""

    class Kind(models.TextChoices):
        STRENGTH = "force", "Point fort"
        WEAKNESS = "faiblesse", "Point faible"

    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="findings")
    objective = models.ForeignKey(
        "framework.Objective", on_delete=models.PROTECT, related_name="+", verbose_name="objectif"
    )
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    text = models.TextField("constat")
    figures = models.TextField("chiffres à l'appui", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["objective__number", "kind", "id"]
        verbose_name = "constat du diagnostic"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — objectif {self.objective.number}"


class TerritorialIndicator(models.Model):
    """One figure of the observatory for one year, at three scales: quartier, commune, agglomération."""

    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="territorial_indicators")
    objective = models.ForeignKey(
        "framework.Objective",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="objectif",
    )
    label = models.CharField("indicateur", max_length=200)
    unit = models.CharField("unité", max_length=40, blank=True, help_text="ex. %, élèves, ‰")
    year = models.PositiveSmallIntegerField("année")
    source = models.CharField("source", max_length=200, blank=True)
    neighbourhood = models.DecimalField("quartier", max_digits=14, decimal_places=2, null=True, blank=True)
    commune = models.DecimalField("commune", max_digits=14, decimal_places=2, null=True, blank=True)
    agglomeration = models.DecimalField(
        "agglomération", max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["label", "year"]
        verbose_name = "indicateur territorial"
        constraints = [
            models.UniqueConstraint(fields=["cite", "label", "year"], name="one_indicator_value_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.year})"

    def gap_to_commune(self) -> Decimal | None:
        """Neighbourhood minus commune: the gap the cité wants to close."""
        if self.neighbourhood is None or self.commune is None:
            return None
        return self.neighbourhood - self.commune

    def gap_to_agglomeration(self) -> Decimal | None:
        if self.neighbourhood is None or self.agglomeration is None:
            return None
        return self.neighbourhood - self.agglomeration
