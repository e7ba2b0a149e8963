"""Fiches action of a cité: what, for whom, who leads, which sub-objectives, budget, indicators, execution."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Sum

if TYPE_CHECKING:
    from veille.web.cite.cites.models import Cite

ZERO = Decimal("0.00")


def amount_field(verbose_name: str, **kwargs: Any) -> models.DecimalField:
    """Euros and cents, never a float, never negative."""
    return models.DecimalField(
        verbose_name, max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)], **kwargs
    )


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposée"
    VALIDATED = "validated", "Validée par la troïka"
    IN_PROGRESS = "in_progress", "En cours"
    DONE = "done", "Réalisée"
    ABANDONED = "abandoned", "Abandonnée"


class Funder(models.TextChoices):
    """Who pays a line of an action's planned budget."""

    STATE_147 = "etat_147", "Crédits État (programme 147)"
    CITE_FUND = "fonds_cite", "Fonds de la cité éducative"
    COMMUNE = "commune", "Commune"
    CAF = "caf", "CAF"
    DEPARTMENT = "departement", "Département"
    REGION = "region", "Région"
    OTHER = "autre", "Autre"


class Public(models.TextChoices):
    AGE_0_3 = "0-3", "0–3 ans"
    AGE_3_6 = "3-6", "3–6 ans"
    AGE_6_11 = "6-11", "6–11 ans"
    AGE_11_16 = "11-16", "11–16 ans"
    AGE_16_25 = "16-25", "16–25 ans"
    PARENTS = "parents", "Parents"
    PROFESSIONALS = "professionnels", "Professionnels"


class TimeSlot(models.TextChoices):
    SCHOOL = "scolaire", "Temps scolaire"
    PERISCHOOL = "periscolaire", "Périscolaire"
    EXTRASCHOOL = "extrascolaire", "Extrascolaire"
    FAMILY = "familial", "Temps familial"


class ActionQuerySet(models.QuerySet["Action"]):
    def in_cite(self, cite: Cite) -> ActionQuerySet:
        return self.filter(cite=cite)

    def programmed(self) -> ActionQuerySet:
        """Validated, running or done: what the troïka agreed to (no proposal, nothing abandoned)."""
        return self.filter(status__in=[Status.VALIDATED, Status.IN_PROGRESS, Status.DONE])


class Action(models.Model):
    """One fiche action. Its number is unique in the cité and printed on every table."""

    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveIntegerField("numéro")
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("description")
    sub_objectives = models.ManyToManyField(
        "framework.SubObjective", related_name="actions", verbose_name="sous-objectifs du référentiel"
    )
    lead_partner = models.ForeignKey(
        "cites.Partner", on_delete=models.PROTECT, related_name="led_actions", verbose_name="porteur"
    )
    partners = models.ManyToManyField(
        "cites.Partner", related_name="actions", blank=True, verbose_name="autres partenaires"
    )
    publics = models.JSONField("publics visés", default=list)
    time_slots = models.JSONField("temps de l'enfant", default=list)
    place = models.CharField("lieu", max_length=200, blank=True)
    start_year = models.PositiveSmallIntegerField("première année")
    end_year = models.PositiveSmallIntegerField("dernière année")
    status = models.CharField("état", max_length=12, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = "action"
        constraints = [
            models.UniqueConstraint(fields=["cite", "number"], name="one_action_number_per_cite"),
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="action_years"
            ),
        ]

    def __str__(self) -> str:
        return f"Action {self.number} — {self.title}"

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    def publics_display(self) -> list[str]:
        return [Public(p).label for p in self.publics if p in Public.values]

    def time_slots_display(self) -> list[str]:
        return [TimeSlot(t).label for t in self.time_slots if t in TimeSlot.values]

    def planned_total(self) -> Decimal:
        return self.budget_lines.aggregate(s=Sum("amount"))["s"] or ZERO

    def is_led_by(self, partner_id: int | None) -> bool:
        return partner_id is not None and self.lead_partner_id == partner_id

    @classmethod
    def next_number(cls, cite: Cite) -> int:
        last = cls.objects.filter(cite=cite).aggregate(m=models.Max("number"))["m"]
        return (last or 0) + 1


class Transition(models.Model):
    """One step of an action's life: from, to, who, when, why. The troïka's validation history."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField("de", max_length=12, choices=Status.choices)
    to_status = models.CharField("vers", max_length=12, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField("le", auto_now_add=True)
    comment = models.TextField("motif", blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "changement d'état"


class BudgetLine(models.Model):
    """Planned amount for one funder and one year."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField("année")
    funder = models.CharField("financeur", max_length=12, choices=Funder.choices)
    amount = amount_field("montant prévu (€)")

    class Meta:
        ordering = ["year", "funder"]
        verbose_name = "ligne de budget prévisionnel"
        constraints = [models.UniqueConstraint(fields=["action", "year", "funder"], name="one_budget_line")]

    def __str__(self) -> str:
        return f"{self.get_funder_display()} {self.year} : {self.amount} €"


class Indicator(models.Model):
    """An indicator of means (what is done) or of results (what changes), with its target."""

    class Kind(models.TextChoices):
        MEANS = "moyens", "Indicateur de moyens"
        RESULTS = "resultats", "Indicateur de résultats"

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    label = models.CharField("intitulé", max_length=200)
    unit = models.CharField("unité", max_length=40, blank=True, help_text="ex. élèves, séances, %")
    target = models.DecimalField("cible", max_digits=12, decimal_places=2)
    source = models.CharField("source", max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = "indicateur"

    def __str__(self) -> str:
        return self.label


class Execution(models.Model):
    """What happened in one year: amounts committed and paid (all funders), a short assessment."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="executions")
    year = models.PositiveSmallIntegerField("année")
    committed = amount_field("montant engagé (€)", default=ZERO)
    paid = amount_field("montant payé (€)", default=ZERO)
    assessment = models.TextField("bilan qualitatif", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = "exécution annuelle"
        constraints = [models.UniqueConstraint(fields=["action", "year"], name="one_execution_per_year")]

    def __str__(self) -> str:
        return f"Exécution {self.year} de l'action {self.action.number}"


class IndicatorValue(models.Model):
    """The value an indicator reached in one year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    year = models.PositiveSmallIntegerField("année")
    value = models.DecimalField("valeur atteinte", max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["year"]
        verbose_name = "valeur atteinte"
        constraints = [models.UniqueConstraint(fields=["indicator", "year"], name="one_value_per_year")]
