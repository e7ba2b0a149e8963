"""Letters of the cell: templates the référent edits (one version per save) and the letters produced.

A ``LetterTemplate`` row is never changed once written: saving a template adds a version, so that a
generated letter keeps pointing at the exact text it was produced from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models, transaction

if TYPE_CHECKING:
    from veille.web.common.accounts.models import User
    from veille.web.common.territories.models import Commune


class LetterKind(models.TextChoices):
    """The kinds of letters: each is a document of the rule table (``veille.law.DOCUMENTS``, same code),
    which gives its authors, appeal and articles."""

    INFORMATION = "information", "Courrier d'information à la famille"
    CONVOCATION = "convocation", "Convocation de la famille"
    MAYOR_ENQUIRY = "enquete_mairie", "Formulaire d'enquête de la mairie (instruction dans la famille)"
    MAYOR_ENQUIRY_RESULT = "resultat_enquete_mairie", "Résultat de l'enquête de la mairie (famille et DASEN)"
    PROSECUTOR_REFERRAL = "signalement_procureur", "Signalement au procureur de la République"
    WARNING = "avertissement", "Avertissement du DASEN (absentéisme)"
    FORMAL_NOTICE = "mise_en_demeure", "Mise en demeure d'inscrire l'enfant (DASEN)"
    PARENTS_FORMAL_NOTICE = (
        "mise_en_demeure_parents",
        "Mise en demeure des parents d'inscrire l'enfant ailleurs (hors contrat, école de fait ; DASEN)",
    )
    DIRECTOR_FORMAL_NOTICE = (
        "mise_en_demeure_directeur",
        "Mise en demeure du directeur d'un hors contrat de remédier aux manquements (DASEN)",
    )
    IEF_AUTHORISATION = "ief_autorisation", "Autorisation d'instruction dans la famille (DASEN)"
    IEF_REFUSAL = "ief_refus", "Refus d'autorisation d'instruction dans la famille (DASEN)"
    IEF_WITHDRAWAL = (
        "retrait_autorisation_ief",
        "Retrait de l'autorisation d'instruction dans la famille (DASEN)",
    )
    UNDECLARED_SCHOOL_CLOSURE = (
        "arrete_fermeture_ecole_de_fait",
        "Arrêté de cessation d'accueil et de fermeture d'une école de fait (préfet)",
    )
    PRIVATE_SCHOOL_CLOSURE = "fermeture_etablissement", "Fermeture d'un établissement hors contrat (préfet)"
    OPENING_OPPOSITION = "opposition_ouverture", "Opposition à l'ouverture d'un établissement (préfet)"


class LetterTemplateQuerySet(models.QuerySet["LetterTemplate"]):
    def of(self, commune: Commune, kind: str) -> LetterTemplateQuerySet:
        """Every version of one kind of letter in one commune, newest first."""
        return self.filter(commune=commune, kind=kind).order_by("-version")

    def current(self, commune: Commune, kind: str) -> LetterTemplate:
        """The version in force, created from the shipped default the first time it is needed."""
        latest = self.of(commune, kind).first()
        if latest is not None:
            return latest
        from .defaults import DEFAULT_TEMPLATES

        subject, body = DEFAULT_TEMPLATES[LetterKind(kind)]
        return LetterTemplate.add_version(commune=commune, kind=kind, subject=subject, body=body, user=None)


class LetterTemplate(models.Model):
    """One version of the template of one kind of letter of a commune (Django template syntax)."""

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("type de courrier", max_length=30, choices=LetterKind.choices)
    version = models.PositiveIntegerField("version")
    subject = models.CharField("objet", max_length=300)
    body = models.TextField("texte du courrier")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = LetterTemplateQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "kind", "version"], name="one_letter_template_version")
        ]
        ordering = ["kind", "-version"]
        verbose_name = "modèle de courrier"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (version {self.version})"

    @classmethod
    def add_version(
        cls, *, commune: Commune, kind: str, subject: str, body: str, user: User | None
    ) -> LetterTemplate:
        """Save a new version after the latest one; earlier versions stay as they were."""
        with transaction.atomic():
            latest = cls.objects.select_for_update().of(commune, kind).values_list("version", flat=True)
            number = (latest.first() or 0) + 1
            return cls.objects.create(
                commune=commune, kind=kind, version=number, subject=subject, body=body, created_by=user
            )


class StateLetterhead(models.Model):
    """The letterhead of a State service (DSDEN or préfecture) of one département, set by its members.

    The State's acts are printed on it, never on the commune's: the DASEN or the préfet signs them.
    """

    authority = models.CharField("autorité", max_length=20)
    department = models.CharField("département", max_length=3, blank=True)
    name = models.CharField("nom du service", max_length=200)
    address = models.TextField("adresse", blank=True)
    place = models.CharField("lieu indiqué avant la date", max_length=120, blank=True)
    signatory = models.CharField("signataire", max_length=300, blank=True)
    logo = models.FileField("logo", upload_to="logos/", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["authority", "department"], name="one_state_letterhead")
        ]
        verbose_name = "en-tête d'un service de l'État"

    def __str__(self) -> str:
        return self.name


class CommuneLetterSettings(models.Model):
    """What the commune's letters say about data protection (GDPR art. 14): its DPO's contact."""

    commune = models.OneToOneField("territories.Commune", on_delete=models.CASCADE, related_name="+")
    dpo_contact = models.TextField("contact du délégué à la protection des données", blank=True)

    class Meta:
        verbose_name = "réglages des courriers de la commune"


class GeneratedLetter(models.Model):
    """A letter produced for a case, kept as PDF bytes. Personal data: deleted when the case is purged."""

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField("type de courrier", max_length=30, choices=LetterKind.choices)
    template = models.ForeignKey(LetterTemplate, on_delete=models.PROTECT, related_name="letters")
    generated_at = models.DateTimeField("produit le", auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    pdf = models.BinaryField("PDF")

    class Meta:
        ordering = ["-generated_at", "-id"]
        verbose_name = "courrier produit"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — dossier n° {self.case_id}"

    @property
    def filename(self) -> str:
        """A file name without personal data: kind, case number, letter number."""
        return f"{self.kind}-dossier-{self.case_id}-courrier-{self.pk}.pdf"
