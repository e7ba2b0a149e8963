"""The cité éducative: its territory, label and convention, schools, partners, seats and change journal.

No child's personal data lives here: the cité works on actions, money and territorial figures.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from .roles import CiteCapability, CiteRole, cite_can

uai_validator = RegexValidator(
    r"^\d{7}[A-Z]$", "Un code UAI s'écrit avec 7 chiffres et une lettre (ex. 0599999A)."
)


class Cite(models.Model):
    """A labelled territory: one or several QPV, one or several communes, a collège chef de file."""

    name = models.CharField("nom", max_length=160)
    slug = models.SlugField("identifiant dans les adresses", unique=True)
    agglomeration = models.CharField("agglomération", max_length=160, blank=True)
    department = models.CharField("département", max_length=3, blank=True)
    region = models.CharField("région", max_length=80, blank=True, help_text="pour le réseau régional")
    labelled_on = models.DateField("date de labellisation", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "cité éducative"

    def __str__(self) -> str:
        return self.name

    @property
    def lead_school(self) -> School | None:
        return self.schools.filter(is_lead=True).first()

    def current_convention(self, on: date | None = None) -> Convention | None:
        on = on or date.today()
        return self.conventions.filter(starts_on__lte=on, ends_on__gte=on).first()

    def years(self) -> list[int]:
        """Every calendar year covered by a convention, oldest first (the budget tables' columns)."""
        years: set[int] = set()
        for c in self.conventions.all():
            years.update(range(c.starts_on.year, c.ends_on.year + 1))
        return sorted(years)


class Convention(models.Model):
    """A convention de moyens État / collectivités, normally three years."""

    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="conventions")
    signed_on = models.DateField("signée le", null=True, blank=True)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    note = models.CharField("précision", max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = "convention"

    def __str__(self) -> str:
        return f"Convention {self.starts_on.year}–{self.ends_on.year}"

    def clean(self) -> None:
        if self.ends_on and self.starts_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "La fin de la convention doit suivre son début."})


class Neighbourhood(models.Model):
    """A quartier prioritaire de la politique de la ville (QPV) of the cité."""

    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="neighbourhoods")
    name = models.CharField("nom du quartier", max_length=160)
    code = models.CharField("code QPV", max_length=12, blank=True, help_text="ex. QN05999M")

    class Meta:
        ordering = ["name"]
        verbose_name = "quartier prioritaire"

    def __str__(self) -> str:
        return self.name


class CiteCommune(models.Model):
    """A commune of the perimeter: linked to Veille's commune when its cell uses Veille, named otherwise."""

    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="communes")
    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.SET_NULL, null=True, blank=True, related_name="cites"
    )
    name = models.CharField("nom", max_length=160, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "commune de la cité"

    def __str__(self) -> str:
        return self.commune.name if self.commune else self.name

    def clean(self) -> None:
        if not self.commune and not self.name:
            raise ValidationError("Choisissez une commune de Veille ou écrivez son nom.")

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.commune and not self.name:
            self.name = self.commune.name
        super().save(*args, **kwargs)


LEAD_NEEDED = (
    "La cité doit garder un collège chef de file : désignez d'abord un autre collège "
    "(ouvrez sa fiche et cochez « collège chef de file »)."
)


class School(models.Model):
    """A school of the perimeter; exactly one collège is the chef de file (its principal orders the fund)."""

    class Kind(models.TextChoices):
        MATERNELLE = "maternelle", "École maternelle"
        ELEMENTAIRE = "elementaire", "École élémentaire"
        PRIMAIRE = "primaire", "École primaire"
        COLLEGE = "college", "Collège"
        LYCEE = "lycee", "Lycée"

    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="schools")
    uai = models.CharField("code UAI", max_length=8, validators=[uai_validator])
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=12, choices=Kind.choices)
    priority_network = models.CharField("réseau d'éducation prioritaire", max_length=10, blank=True)
    is_lead = models.BooleanField("collège chef de file", default=False)

    class Meta:
        ordering = ["-is_lead", "kind", "name"]
        verbose_name = "établissement"
        constraints = [
            models.UniqueConstraint(fields=["cite", "uai"], name="one_school_per_uai_in_cite"),
            models.UniqueConstraint(
                fields=["cite"], condition=models.Q(is_lead=True), name="one_lead_school_per_cite"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"

    def clean(self) -> None:
        if self.is_lead and self.kind != self.Kind.COLLEGE:
            raise ValidationError({"is_lead": "Le chef de file est un collège."})
        if self.pk and not self.is_lead and School.objects.filter(pk=self.pk, is_lead=True).exists():
            # The principal of the lead collège orders the fund: the cité is never left without one.
            raise ValidationError({"is_lead": LEAD_NEEDED})

    def check_deletable(self) -> None:
        """Refuse to delete the collège chef de file: another one is designated first."""
        if self.is_lead:
            raise ValidationError(f"{self.name} est le collège chef de file. {LEAD_NEEDED}")


class Partner(models.Model):
    """An organisation of the directory: funders, services, associations… (no private person)."""

    class Kind(models.TextChoices):
        STATE = "etat", "État (préfecture, services de l'État)"
        EDUCATION = "education", "Éducation nationale"
        COMMUNE = "commune", "Commune"
        INTERCOMMUNALITY = "epci", "Intercommunalité"
        CAF = "caf", "CAF"
        DEPARTMENT = "departement", "Département"
        REGION = "region", "Région"
        ASSOCIATION = "association", "Association"
        SOCIAL_CENTRE = "centre_social", "Centre social"
        CULTURE = "culture", "Structure culturelle"
        SPORT = "sport", "Club ou structure sportive"
        OTHER = "autre", "Autre"

    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=16, choices=Kind.choices)
    contact = models.CharField("contact (service, fonction)", max_length=200, blank=True)
    email = models.EmailField("adresse électronique du service", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    on_steering_committee = models.BooleanField("membre du comité de pilotage", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "partenaire"
        constraints = [models.UniqueConstraint(fields=["cite", "name"], name="one_partner_name_per_cite")]

    def __str__(self) -> str:
        return self.name


class CiteMembershipQuerySet(models.QuerySet["CiteMembership"]):
    def for_user(self, user: Any) -> CiteMembershipQuerySet:
        return self.filter(user=user, active=True).select_related("cite", "partner")


class CiteMembership(models.Model):
    """A person's seat in one cité, with one role; a partner's seat names the organisation it speaks for."""

    class TroikaSeat(models.TextChoices):
        NONE = "", "—"
        LEAD_SCHOOL = "college", "Principal du collège chef de file"
        COMMUNE = "commune", "Direction générale adjointe de la commune"
        PREFECT = "prefet", "Représentant du préfet"
        CAF = "caf", "CAF (associée)"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cite_memberships"
    )
    cite = models.ForeignKey(Cite, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=20, choices=CiteRole.choices)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="organisme",
    )
    troika_seat = models.CharField(
        "siège dans la troïka", max_length=10, choices=TroikaSeat.choices, blank=True
    )
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CiteMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "membre de la cité"
        constraints = [models.UniqueConstraint(fields=["user", "cite"], name="one_role_per_cite")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.cite})"

    def can(self, capability: CiteCapability) -> bool:
        return self.active and cite_can(self.role, capability)

    def clean(self) -> None:
        if self.role == CiteRole.PARTNER and not self.partner_id:
            raise ValidationError({"partner": "Un partenaire parle pour un organisme : choisissez-le."})
        if self.partner is not None and self.partner.cite_id != self.cite_id:
            raise ValidationError({"partner": "Cet organisme n'est pas dans l'annuaire de la cité."})


class ImmutableError(Exception):
    pass


class Trace(models.Model):
    """One change in a cité (amounts included): who, when, what, old and new values. Append-only."""

    cite = models.ForeignKey(Cite, on_delete=models.PROTECT, related_name="traces")
    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    verb = models.CharField("opération", max_length=20)
    object_type = models.CharField("type", max_length=40)
    object_id = models.CharField("identifiant", max_length=32, blank=True)
    label = models.CharField("objet", max_length=200, blank=True)
    changes = models.JSONField("modifications", default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "modification tracée"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("Le journal de la cité ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Le journal de la cité ne se supprime pas.")

    def change_rows(self) -> list[tuple[str, str]]:
        """``(field, "old → new")`` for a modification, ``(field, value)`` otherwise."""
        rows = []
        for key, value in self.changes.items():
            if self.verb == "modification" and isinstance(value, list) and len(value) == 2:
                old, new = (", ".join(v) if isinstance(v, list) else v for v in value)
                rows.append(
                    (
                        key,
                        f"{old if old not in (None, '') else '—'} → {new if new not in (None, '') else '—'}",
                    )
                )
            else:
                rows.append((key, ", ".join(map(str, value)) if isinstance(value, list) else str(value)))
        return rows
