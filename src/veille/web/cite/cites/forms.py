from __future__ import annotations

from typing import Any, cast

from django import forms

from veille.web.common.accounts.models import User

from .models import Cite, CiteCommune, CiteMembership, Convention, Neighbourhood, Partner, School
from .roles import CiteRole

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CiteForm(forms.ModelForm):
    class Meta:
        model = Cite
        fields = ["name", "agglomeration", "department", "region", "labelled_on"]
        widgets = {"labelled_on": DATE}


class ConventionForm(forms.ModelForm):
    class Meta:
        model = Convention
        fields = ["signed_on", "starts_on", "ends_on", "note"]
        widgets = {"signed_on": DATE, "starts_on": DATE, "ends_on": DATE}


class NeighbourhoodForm(forms.ModelForm):
    class Meta:
        model = Neighbourhood
        fields = ["name", "code"]


class CiteCommuneForm(forms.ModelForm):
    class Meta:
        model = CiteCommune
        fields = ["commune", "name"]
        labels = {"commune": "commune qui utilise Veille", "name": "ou nom de la commune"}


class SchoolForm(forms.ModelForm):
    def __init__(self, *args: Any, cite: Cite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.cite = cite

    class Meta:
        model = School
        fields = ["uai", "name", "kind", "priority_network", "is_lead"]

    def clean_uai(self) -> str:
        return self.cleaned_data["uai"].strip().upper()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.previous_lead: School | None = None
        if data.get("is_lead"):
            others = School.objects.filter(cite=self.instance.cite, is_lead=True).exclude(pk=self.instance.pk)
            if others.exists() and self.instance.pk is None:
                self.add_error("is_lead", f"Le collège chef de file est déjà {others.first()}.")
            elif others.exists():
                # Ticking the box on another collège's record hands the role over (see hand_lead_over).
                self.previous_lead = others.first()
        if data.get("uai"):
            same = School.objects.filter(cite=self.instance.cite, uai=data["uai"]).exclude(
                pk=self.instance.pk
            )
            if same.exists():
                self.add_error("uai", "Cet établissement est déjà dans la cité.")
        return data


class PartnerForm(forms.ModelForm):
    def __init__(self, *args: Any, cite: Cite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.cite = cite

    class Meta:
        model = Partner
        fields = ["name", "kind", "contact", "email", "phone", "on_steering_committee"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if (
            Partner.objects.filter(cite=self.instance.cite, name__iexact=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError("Cet organisme est déjà dans l'annuaire.")
        return name


class MemberForm(forms.Form):
    username = forms.CharField(label="identifiant du compte Veille", max_length=150)
    role = forms.ChoiceField(label="rôle dans la cité", choices=CiteRole.choices)
    partner = forms.ModelChoiceField(
        label="organisme (pour un partenaire)", queryset=Partner.objects.none(), required=False
    )
    troika_seat = forms.ChoiceField(
        label="siège dans la troïka", choices=CiteMembership.TroikaSeat.choices, required=False
    )

    def __init__(self, *args: Any, cite: Cite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cite = cite
        cast(forms.ModelChoiceField, self.fields["partner"]).queryset = cite.partners.all()

    def clean_username(self) -> User:
        try:
            return User.objects.get(username=self.cleaned_data["username"].strip(), is_active=True)
        except User.DoesNotExist as exc:
            raise forms.ValidationError("Aucun compte actif ne porte cet identifiant.") from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") == CiteRole.PARTNER and not data.get("partner"):
            self.add_error("partner", "Un partenaire parle pour un organisme : choisissez-le.")
        if data.get("role") == CiteRole.TROIKA and not data.get("troika_seat"):
            self.add_error("troika_seat", "Précisez le siège occupé dans la troïka.")
        return data


class AmountField(forms.DecimalField):
    """A decimal typed the French way: ``4 000,50``, ``4000.50`` or ``4 000,50 €`` all give 4000.50."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["localize"] = True
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = "".join(value.replace("€", "").split()).replace("\u202f", "").replace(",", ".")
        return super().to_python(value)
