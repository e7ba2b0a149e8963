"""The evaluation protocol of a cité and its yearly revue de projet (an editable draft, then exports)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Frequency(models.TextChoices):
    QUARTERLY = "trimestrielle", "Chaque trimestre"
    SCHOOL_YEAR = "annee_scolaire", "Chaque année scolaire"
    YEARLY = "annuelle", "Chaque année civile"
    CONVENTION = "convention", "Une fois par convention (3 ans)"


class ProtocolEntry(models.Model):
    """One line of the evaluation protocol: which indicator, from which source, how often, by whom."""

    class Kind(models.TextChoices):
        MEANS = "moyens", "Indicateur de moyens d'une action"
        RESULTS = "resultats", "Indicateur de résultats d'une action"
        TERRITORIAL = "territorial", "Indicateur territorial (observatoire)"

    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="protocol_entries")
    kind = models.CharField("type", max_length=12, choices=Kind.choices)
    indicator = models.ForeignKey(
        "actions.Indicator",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="protocol_entries",
        verbose_name="indicateur d'une action",
    )
    territorial_label = models.CharField(
        "indicateur territorial", max_length=200, blank=True, help_text="tel qu'il figure au diagnostic"
    )
    source = models.CharField("source", max_length=200)
    frequency = models.CharField("fréquence", max_length=16, choices=Frequency.choices)
    responsible = models.CharField("qui le renseigne (service, fonction)", max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = "ligne du protocole d'évaluation"
        constraints = [
            models.UniqueConstraint(
                fields=["cite", "indicator"],
                condition=models.Q(indicator__isnull=False),
                name="one_protocol_entry_per_indicator",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.indicator is not None:
            return f"{self.indicator.label} (action {self.indicator.action.number})"
        return self.territorial_label

    def clean(self) -> None:
        if self.kind == self.Kind.TERRITORIAL and not self.territorial_label:
            raise ValidationError({"territorial_label": "Nommez l'indicateur territorial."})
        if self.kind != self.Kind.TERRITORIAL and not self.indicator_id:
            raise ValidationError({"indicator": "Choisissez l'indicateur de l'action."})


class Review(models.Model):
    """The revue de projet of one calendar year: its sections are text the CPO edits before export."""

    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField("année")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = "revue de projet"
        constraints = [models.UniqueConstraint(fields=["cite", "year"], name="one_review_per_year")]

    def __str__(self) -> str:
        return f"Revue de projet {self.year}"


class ReviewSection(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField("clé")
    position = models.PositiveSmallIntegerField("ordre")
    title = models.CharField("titre", max_length=200)
    text = models.TextField("texte", blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = "partie de la revue"
        constraints = [models.UniqueConstraint(fields=["review", "key"], name="one_section_per_key")]

    def __str__(self) -> str:
        return self.title
