"""Aggregates imported from other instances, so that a department-level instance shows every commune
of its department side by side. Only counts, already masked by the instance that exported them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AggregateReportQuerySet(models.QuerySet["AggregateReport"]):
    def of_departments(self, departments: set[str]) -> AggregateReportQuerySet:
        return self.filter(department__in=departments)


class AggregateReport(models.Model):
    """One commune's anonymous figures for one period, read from an export (``aggregates.py``)."""

    insee_code = models.CharField("code INSEE", max_length=5)
    commune_name = models.CharField("commune", max_length=120)
    department = models.CharField("département", max_length=3, db_index=True)
    period_start = models.DateField("début de la période")
    period_end = models.DateField("fin de la période")
    format_version = models.PositiveSmallIntegerField("version du format")
    generated_at = models.DateTimeField("produit le", null=True, blank=True)
    imported_at = models.DateTimeField("importé le", auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = AggregateReportQuerySet.as_manager()

    class Meta:
        ordering = ["commune_name", "-period_start"]
        verbose_name = "agrégat importé"
        constraints = [
            models.UniqueConstraint(
                fields=["insee_code", "period_start", "period_end"], name="one_aggregate_per_commune_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune_name} ({self.period_start} – {self.period_end})"

    def values_by_key(self) -> dict[str, int | str]:
        """Indicator key -> count, or « < 5 » where the exporting instance masked it."""
        from .computations import MASKED

        return {v.indicator: (MASKED if v.masked or v.value is None else v.value) for v in self.values.all()}


class AggregateValue(models.Model):
    """One figure of an imported aggregate: a count, or masked (1 to 4, never stored here)."""

    report = models.ForeignKey(AggregateReport, on_delete=models.CASCADE, related_name="values")
    indicator = models.CharField("indicateur", max_length=40)
    value = models.PositiveIntegerField("effectif", null=True, blank=True)
    masked = models.BooleanField("masqué (1 à 4)", default=False)

    class Meta:
        verbose_name = "valeur d'un agrégat"
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator"),
            models.CheckConstraint(
                condition=(models.Q(masked=True, value__isnull=True))
                | (models.Q(masked=False, value__isnull=False) & ~models.Q(value__gte=1, value__lte=4)),
                name="masked_or_not_small",
            ),
        ]
