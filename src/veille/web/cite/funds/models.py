"""The fonds de la cité éducative: yearly contributions in, commitments and payments by action out."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Sum

from veille.web.cite.actions.models import ZERO, Status, amount_field

DEFAULT_CONTRIBUTION = Decimal("15000.00")


class Contributor(models.TextChoices):
    """Who pays into the fund. The first two are the State's yearly 15 000 € + 15 000 €."""

    MINISTRY_CITY = "ville", "Ministère de la Ville (ANCT)"
    EDUCATION = "education", "Éducation nationale"
    COMMUNE = "commune", "Commune"
    INTERCOMMUNALITY = "epci", "Intercommunalité"
    DEPARTMENT = "departement", "Département"
    REGION = "region", "Région"
    CAF = "caf", "CAF"
    OTHER = "autre", "Autre co-financeur"


STATE_CONTRIBUTORS = frozenset({Contributor.MINISTRY_CITY, Contributor.EDUCATION})
FUNDABLE_STATUSES = frozenset({Status.VALIDATED, Status.IN_PROGRESS, Status.DONE})


def _sum(qs: models.QuerySet, field: str = "amount") -> Decimal:
    return qs.aggregate(s=Sum(field))["s"] or ZERO


class Contribution(models.Model):
    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="contributions")
    year = models.PositiveSmallIntegerField("année")
    contributor = models.CharField("contributeur", max_length=12, choices=Contributor.choices)
    amount = amount_field("montant (€)")
    received_on = models.DateField("reçu le", null=True, blank=True)
    note = models.CharField("précision", max_length=200, blank=True)

    class Meta:
        ordering = ["year", "contributor"]
        verbose_name = "contribution au fonds"
        constraints = [
            models.UniqueConstraint(fields=["cite", "year", "contributor"], name="one_contribution_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.get_contributor_display()} {self.year} : {self.amount} €"

    @property
    def is_state(self) -> bool:
        return self.contributor in STATE_CONTRIBUTORS

    def clean(self) -> None:
        # A new entry for the same contributor and year corrects the existing one (see the add view);
        # a correction of an existing row must not collide with another row.
        if (
            self.pk
            and self.cite_id
            and Contribution.objects.filter(
                cite_id=self.cite_id, year=self.year, contributor=self.contributor
            )
            .exclude(pk=self.pk)
            .exists()
        ):
            raise ValidationError(
                {"contributor": "Ce contributeur a déjà une contribution pour cette année : corrigez-la."}
            )


class CommitmentQuerySet(models.QuerySet["Commitment"]):
    def with_paid(self) -> CommitmentQuerySet:
        """Each commitment with the sum of its payments (``paid_total``): a list, one query."""
        return self.annotate(paid_total=Sum("payments__amount"))


class Commitment(models.Model):
    """An amount of the fund granted to an action for a year (the principal orders it)."""

    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="commitments")
    action = models.ForeignKey(
        "actions.Action", on_delete=models.PROTECT, related_name="fund_commitments", verbose_name="action"
    )
    year = models.PositiveSmallIntegerField("année")
    amount = amount_field("montant engagé (€)")
    decided_on = models.DateField("décidé le")
    note = models.CharField("précision", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["year", "decided_on", "id"]
        verbose_name = "engagement du fonds"

    def __str__(self) -> str:
        return f"Engagement {self.year} — action {self.action.number} : {self.amount} €"

    def paid(self) -> Decimal:
        if hasattr(self, "paid_total"):  # CommitmentQuerySet.with_paid()
            return self.paid_total or ZERO
        return _sum(self.payments.all())

    def remaining(self) -> Decimal:
        return self.amount - self.paid()

    def clean(self) -> None:
        if self.action_id and self.cite_id and self.action.cite_id != self.cite_id:
            raise ValidationError({"action": "Cette action n'appartient pas à la cité."})
        if self.action_id and self.action.status not in FUNDABLE_STATUSES:
            raise ValidationError(
                {"action": "Le fonds ne finance qu'une action validée par la troïka, en cours ou réalisée."}
            )
        if self.pk and self.amount is not None:
            paid = _sum(Payment.objects.filter(commitment_id=self.pk))
            if self.amount < paid:
                message = f"L'engagement ne peut pas être inférieur aux paiements déjà faits ({paid:.2f} €)."
                raise ValidationError({"amount": message})

    def check_deletable(self) -> None:
        """Refuse to delete a commitment that was paid: its payments are deleted first."""
        if self.payments.exists():
            raise ValidationError(
                "Cet engagement a déjà des paiements : supprimez d'abord ses paiements, puis l'engagement."
            )


class Payment(models.Model):
    commitment = models.ForeignKey(
        Commitment, on_delete=models.PROTECT, related_name="payments", verbose_name="engagement"
    )
    amount = amount_field("montant payé (€)")
    paid_on = models.DateField("payé le")
    reference = models.CharField("référence (mandat, facture)", max_length=100, blank=True)

    class Meta:
        ordering = ["paid_on", "id"]
        verbose_name = "paiement du fonds"

    def __str__(self) -> str:
        return f"Paiement du {self.paid_on:%d/%m/%Y} : {self.amount} €"

    @property
    def cite(self) -> object:
        return self.commitment.cite

    def clean(self) -> None:
        if self.commitment_id and self.amount is not None:
            already = _sum(self.commitment.payments.exclude(pk=self.pk))
            if already + self.amount > self.commitment.amount:
                left = self.commitment.amount - already
                raise ValidationError(
                    {"amount": f"Le paiement dépasse l'engagement (reste à payer : {left:.2f} €)."}
                )
