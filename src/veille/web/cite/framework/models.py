"""The national référentiel of the cités éducatives, versioned.

A version is never edited once shipped: a later national text adds a new ``Framework`` row with its
own objectives, and the actions already linked to the old sub-objectives keep their links.
"""

from __future__ import annotations

from django.db import models


class FrameworkQuerySet(models.QuerySet["Framework"]):
    def current(self) -> Framework | None:
        return self.filter(is_current=True).order_by("-published_on").first()


class Framework(models.Model):
    """One version of the référentiel, as a national text gives it."""

    version = models.CharField("version", max_length=20, unique=True)
    title = models.CharField("titre", max_length=200)
    source = models.CharField("texte de référence", max_length=300)
    published_on = models.DateField("publié le")
    is_current = models.BooleanField("version en vigueur", default=False)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on"]
        verbose_name = "référentiel"

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class Objective(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="objectives")
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé officiel", max_length=200)
    description = models.TextField("en quelques mots", blank=True)

    class Meta:
        ordering = ["framework", "number"]
        verbose_name = "objectif"
        constraints = [models.UniqueConstraint(fields=["framework", "number"], name="one_objective_number")]

    def __str__(self) -> str:
        return f"Objectif {self.number} : {self.title}"


class SubObjectiveQuerySet(models.QuerySet["SubObjective"]):
    def current(self) -> SubObjectiveQuerySet:
        return self.filter(objective__framework__is_current=True)


class SubObjective(models.Model):
    objective = models.ForeignKey(Objective, on_delete=models.PROTECT, related_name="sub_objectives")
    code = models.CharField("numéro", max_length=8, help_text="ex. 2.10")
    position = models.PositiveSmallIntegerField("ordre")
    title = models.CharField("intitulé officiel", max_length=200)
    description = models.TextField("en quelques mots", blank=True)

    objects = SubObjectiveQuerySet.as_manager()

    class Meta:
        ordering = ["objective__framework", "objective__number", "position"]
        verbose_name = "sous-objectif"
        constraints = [models.UniqueConstraint(fields=["objective", "code"], name="one_sub_objective_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
