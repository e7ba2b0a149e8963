"""Forms of the cases pages: opening a case, firing a step, notes, hand-overs, deadline rules."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone

from veille.web.cellule.children.models import Child
from veille.web.common.accounts.roles import Role

from .models import ABSENTEEISM_THRESHOLD, ESTABLISHMENT_DOMAINS, HANDLING_ROLES, Domain, IefGround, Origin

if TYPE_CHECKING:
    from veille.web.common.territories.models import Commune

FIELD_DOMAINS = [
    (Domain.ABSENCE.value, Domain.ABSENCE.label),
    (Domain.UNDECLARED_SCHOOL.value, Domain.UNDECLARED_SCHOOL.label),
]
DOMAIN_OF_ORIGIN = {
    Origin.CROSSING: Domain.ABSENCE,
    Origin.ABSENTEEISM_REPORT: Domain.ABSENTEEISM,
    Origin.ABSENTEEISM_NO_REASON: Domain.ABSENTEEISM,
    Origin.HOME_INSTRUCTION: Domain.HOME_INSTRUCTION,
    Origin.PRIVATE_SCHOOL: Domain.PRIVATE_SCHOOL,
}
#: a linked child's case is opened from the school's or place's case, not from this form
OPENING_ORIGINS = [(o.value, o.label) for o in Origin if o != Origin.LINKED]
ABSENTEEISM_ORIGINS = (Origin.ABSENTEEISM_REPORT, Origin.ABSENTEEISM_NO_REASON)


class OpenCaseForm(forms.Form):
    origin = forms.ChoiceField(
        label="D'où vient le dossier ?", choices=OPENING_ORIGINS, widget=forms.RadioSelect
    )
    child = forms.ModelChoiceField(queryset=Child.objects.none(), required=False, widget=forms.HiddenInput)
    child_source_id = forms.CharField(
        label="Identifiant CAF ou MSA de l'enfant",
        required=False,
        max_length=64,
        help_text="Laisser vide si l'enfant n'est pas encore identifié (observation de terrain).",
    )
    domain = forms.ChoiceField(
        label="Domaine (observation de terrain)",
        choices=FIELD_DOMAINS,
        required=False,
        help_text="Les autres origines fixent le domaine.",
    )
    report_school = forms.CharField(label="Établissement qui signale", required=False, max_length=200)
    report_month = forms.CharField(
        label="Mois des absences",
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text="Au format AAAA-MM, par exemple 2025-11.",
    )
    report_half_days = forms.IntegerField(
        label="Nombre de demi-journées d'absence non justifiées dans le mois", required=False, min_value=0
    )
    reporter = forms.CharField(
        label="Signalé par (service, pas de nom de personne)",
        required=False,
        max_length=120,
        help_text="Par exemple : police municipale, assistante sociale de secteur.",
    )
    description = forms.CharField(
        label="Description courte des faits",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Les faits seulement, sans plus de données personnelles que nécessaire (500 caractères).",
    )
    place_name = forms.CharField(
        label="Nom de l'établissement ou description du lieu", required=False, max_length=200
    )
    place_address = forms.CharField(
        label="Adresse de l'établissement ou du lieu", required=False, max_length=300
    )
    note = forms.CharField(label="Note d'ouverture", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, commune: Commune, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commune = commune
        # self.fields types each field as a bare Field: this one is the ModelChoiceField declared above.
        cast(forms.ModelChoiceField, self.fields["child"]).queryset = Child.objects.in_commune(commune)

    def clean_report_month(self) -> date | None:
        value = self.cleaned_data["report_month"].strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-")[:2])
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError("Indiquez le mois au format AAAA-MM, par exemple 2025-11.") from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        origin = data.get("origin")
        if origin is None:
            return data
        child = data.get("child")
        source_id = (data.get("child_source_id") or "").strip()
        if child is None and source_id:
            child = Child.objects.in_commune(self.commune).filter(source_id=source_id).first()
            if child is None:
                self.add_error("child_source_id", "Aucun enfant de la liste n'a cet identifiant.")
        data["child"] = child
        if origin == Origin.FIELD:
            if not data.get("domain"):
                self.add_error("domain", "Choisissez le domaine.")
            if child is None and not data.get("description"):
                self.add_error(
                    "description", "Sans enfant identifié, décrivez la situation en quelques mots."
                )
        else:
            data["domain"] = DOMAIN_OF_ORIGIN[Origin(origin)].value
        if origin == Origin.CROSSING and child is None and "child_source_id" not in self.errors:
            self.add_error("child_source_id", "Un dossier issu du croisement concerne un enfant de la liste.")
        if data.get("domain") in ESTABLISHMENT_DOMAINS:
            if child is not None:
                self.add_error(
                    "child_source_id",
                    "Un dossier d'établissement ou de lieu ne concerne pas un enfant : rattachez ensuite le "
                    "dossier de chaque enfant depuis sa page.",
                )
            if not data.get("place_name"):
                self.add_error("place_name", "Indiquez l'établissement ou décrivez le lieu.")
        else:
            data["place_name"] = data["place_address"] = ""
        if origin == Origin.ABSENTEEISM_NO_REASON:
            if not data.get("report_school"):
                self.add_error("report_school", "Indiquez l'établissement qui signale.")
            if data.get("report_month") is None and "report_month" not in self.errors:
                self.add_error("report_month", "Indiquez le mois des absences.")
            data["report_half_days"] = None
        elif origin == Origin.ABSENTEEISM_REPORT:
            half_days = data.get("report_half_days")
            if not data.get("report_school"):
                self.add_error("report_school", "Indiquez l'établissement qui signale.")
            if data.get("report_month") is None and "report_month" not in self.errors:
                self.add_error("report_month", "Indiquez le mois des absences.")
            if half_days is None:
                self.add_error("report_half_days", "Indiquez le nombre de demi-journées.")
            elif half_days < ABSENTEEISM_THRESHOLD:
                self.add_error(
                    "report_half_days",
                    f"Le signalement d'absentéisme commence à {ABSENTEEISM_THRESHOLD} demi-journées non "
                    f"justifiées dans le mois ({half_days} indiquées) : ce n'est pas encore un dossier.",
                )
            if child is None and not data.get("description"):
                self.add_error("description", "Sans enfant identifié, indiquez la classe ou les initiales.")
        elif origin != Origin.ABSENTEEISM_NO_REASON:
            for name in ("report_school", "report_month", "report_half_days"):
                data[name] = None if name != "report_school" else ""
        return data

    def case_details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "description": data["description"],
            "reporter": data["reporter"],
            "report_school": data["report_school"],
            "report_month": data["report_month"],
            "report_half_days": data["report_half_days"],
            "place_name": data["place_name"],
            "place_address": data["place_address"],
        }


class FireForm(forms.Form):
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    effective_date = forms.DateField(
        label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notified_on = forms.DateField(
        label="Date de notification", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ground = forms.ChoiceField(
        label="Motif de la demande", required=False, choices=[("", "—"), *IefGround.choices]
    )

    def clean_effective_date(self) -> date | None:
        value = self.cleaned_data["effective_date"]
        if value is not None and value > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        return value


class NotificationForm(forms.Form):
    event = forms.IntegerField(widget=forms.HiddenInput)
    notified_on = forms.DateField(
        label="Date de notification", widget=forms.DateInput(attrs={"type": "date"})
    )


class LinkForm(forms.Form):
    child_source_id = forms.CharField(
        label="Identifiant CAF ou MSA de l'enfant", required=False, max_length=64
    )
    case_number = forms.IntegerField(label="ou numéro de son dossier", required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("child_source_id") or "").strip() and not data.get("case_number"):
            raise forms.ValidationError("Indiquez l'identifiant de l'enfant ou le numéro de son dossier.")
        return data


class NoteForm(forms.Form):
    note = forms.CharField(
        label="Ajouter une note", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class HandOverForm(forms.Form):
    kind = forms.ChoiceField(
        label="Type",
        choices=[
            ("transmission", "Transmettre à un partenaire (trace de la transmission)"),
            ("assignment", "Confier au sein de la cellule"),
        ],
        widget=forms.RadioSelect,
        initial="transmission",
    )
    to_role = forms.ChoiceField(label="À", choices=[(r.value, Role(r).label) for r in HANDLING_ROLES])
    note = forms.CharField(label="Motif", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RuleForm(forms.Form):
    days = forms.IntegerField(label="Durée en jours", min_value=0, max_value=3650)
    months = forms.IntegerField(label="Durée en mois", min_value=0, max_value=120)
    legal_basis = forms.CharField(label="Base légale", widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(label="Source", required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("days") == 0 and data.get("months") == 0:
            raise forms.ValidationError("Indiquez une durée en jours ou en mois.")
        return data
