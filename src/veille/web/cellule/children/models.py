"""The children of the mayor's list, as the CAF and the MSA sent them, and when their data must go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import models

from veille.compulsory import retention_end

if TYPE_CHECKING:
    from veille.web.common.territories.models import Commune

#: the closure reason of a case whose family left the commune (its data go at once)
MOVED_AWAY = "demenagement"


class Link(models.TextChoices):
    """The responsible person's link to the child (R131-3)."""

    MOTHER = "mere", "Mère"
    FATHER = "pere", "Père"
    PARENTAL_AUTHORITY = "autorite_parentale", "Autre titulaire de l'autorité parentale"
    GUARDIAN = "tuteur", "Tuteur ou tutrice"
    CUSTODIAN = "garde", "Personne qui a la charge de l'enfant"


class InstructionMode(models.TextChoices):
    """How the child is instructed (R131-3: the list holds the « mode d'instruction »)."""

    SCHOOL = "etablissement", "Inscrit dans une école ou un établissement"
    PRIVATE_SCHOOL = "etablissement_prive", "Établissement privé (sous contrat ou hors contrat)"
    HOME_AUTHORISED = "ief_autorisee", "Instruction dans la famille autorisée"
    CNED = "cned", "Enseignement à distance (CNED)"
    MEDICO_SOCIAL = "medico_social", "Établissement ou service médico-social ou sanitaire (IME, ITEP…)"
    OTHER = "autre", "Autre"
    NONE_KNOWN = "aucune_connue", "Aucune instruction connue"


#: the mode of instruction each schooling source tells (``shared/formats/FORMAT.md``, column ``source``);
#: PRIVE lists private schools with and without a contract, IEF authorised home instruction
MODE_OF_SOURCE: dict[str, str] = {
    "ONDE": InstructionMode.SCHOOL,
    "SIECLE": InstructionMode.SCHOOL,
    "PRIVE": InstructionMode.PRIVATE_SCHOOL,
    "CNED": InstructionMode.CNED,
    "IEF": InstructionMode.HOME_AUTHORISED,
    "MEDICO_SOCIAL": InstructionMode.MEDICO_SOCIAL,
    "AUTRE": InstructionMode.OTHER,
}


@dataclass(frozen=True)
class InstructionFact:
    """What a crossing learnt of one matched child's instruction in a school year."""

    child_id: int
    source: str
    establishment: str
    level: str


class ChildQuerySet(models.QuerySet["Child"]):
    def in_commune(self, commune: Commune) -> ChildQuerySet:
        return self.filter(commune=commune)

    def due_for_purge(self, today: date) -> ChildQuerySet:
        """Children whose data must be deleted on ``today``: past the end of the school year they turn
        16, or moved away (a move date reached, or a case closed because the family moved)."""
        moved = models.Q(moved_away_on__lte=today) | models.Q(cases__closure_reason=MOVED_AWAY)
        return self.filter(models.Q(retention_until__lt=today) | moved).distinct()

    def record_instruction(self, *, school_year: str, facts: list[InstructionFact], origin: str) -> int:
        """Fill the R131-3 fields the crossing's sources give: mode, establishment, class level.

        A fact of a later school year moves this year's level to « last year »; a source that gives no
        level leaves the level as it was. Returns the number of children updated.
        """
        by_id = {fact.child_id: fact for fact in facts}
        children = list(self.filter(pk__in=by_id))
        for child in children:
            fact = by_id[child.pk]
            if child.instruction_year and child.instruction_year < school_year:
                child.level_last_year = child.level_this_year
                child.level_this_year = ""
            if child.instruction_year <= school_year:
                child.instruction_mode = MODE_OF_SOURCE.get(fact.source, InstructionMode.OTHER)
                child.establishment = fact.establishment[:200]
                child.level_this_year = fact.level[:10] or child.level_this_year
                child.instruction_year = school_year
                child.instruction_origin = origin[:120]
        fields = ["level_last_year", "level_this_year", "instruction_mode", "establishment",
                  "instruction_year", "instruction_origin"]  # fmt: skip
        self.model.objects.bulk_update(children, fields, batch_size=1000)
        return len(children)


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
    # The content of the list (R131-3 since décret 2021-1650): filled by the crossing where its sources
    # say it, else typed by the mairie.
    birthplace = models.CharField("lieu de naissance", max_length=200, blank=True)
    instruction_mode = models.CharField(
        "mode d'instruction", max_length=30, choices=InstructionMode.choices, blank=True
    )
    establishment = models.CharField("école ou établissement", max_length=200, blank=True)
    level_this_year = models.CharField("niveau de classe cette année", max_length=10, blank=True)
    level_last_year = models.CharField("niveau de classe l'an dernier", max_length=10, blank=True)
    instruction_year = models.CharField("année scolaire du mode et du niveau", max_length=9, blank=True)
    instruction_origin = models.CharField("renseigné par", max_length=120, blank=True)
    claimant_link = models.CharField(
        "lien de l'allocataire avec l'enfant", max_length=30, choices=Link.choices, blank=True
    )
    claimant_profession = models.CharField("profession de l'allocataire", max_length=200, blank=True)

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

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.retention_until = retention_end(self.birth_date)
        super().save(*args, **kwargs)


class ResponsiblePerson(models.Model):
    """A person responsible for the child other than the CAF / MSA claimant (R131-3), typed by the mairie.

    Personal data of the child's record: deleted with the child (purge, departure from the commune).
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="responsible_persons")
    link = models.CharField("lien avec l'enfant", max_length=30, choices=Link.choices)
    last_name = models.CharField("nom", max_length=200)
    first_name = models.CharField("prénom", max_length=200, blank=True)
    address = models.CharField("domicile (adresse)", max_length=300, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=120, blank=True)
    profession = models.CharField("profession", max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "personne responsable"

    def __str__(self) -> str:
        return f"{self.get_link_display()} : {self.first_name} {self.last_name}"
