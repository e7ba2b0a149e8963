"""The choice of period and filters of the dashboard, and the upload of aggregates."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms

from veille.compulsory import SchoolYear
from veille.web.cellule.cases.models import Domain, Origin

from .computations import AGE_BANDS, TERM_LABELS, Period, custom_period, school_year_period, term_period
from .queries import Filters


def year_choices(first: date | None, today: date) -> list[tuple[str, str]]:
    """School years from the commune's first case event (or last year) to the current one, newest first."""
    current = SchoolYear.current(today)
    start = min(SchoolYear.current(first).first, current.first - 1) if first else current.first - 1
    return [(str(SchoolYear(y)), str(SchoolYear(y))) for y in range(current.first, start - 1, -1)]


class PeriodForm(forms.Form):
    annee = forms.ChoiceField(label="Année scolaire")
    trimestre = forms.ChoiceField(
        label="Trimestre", required=False, choices=[("", "Toute l'année"), *TERM_LABELS.items()]
    )
    du = forms.DateField(
        label="Ou du (date)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    au = forms.DateField(
        label="au (date)", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    domaine = forms.ChoiceField(label="Domaine", required=False, choices=[("", "Tous"), *Domain.choices])
    origine = forms.ChoiceField(
        label="Origine du dossier", required=False, choices=[("", "Toutes"), *Origin.choices]
    )
    tranche = forms.ChoiceField(
        label="Âge à l'ouverture",
        required=False,
        choices=[("", "Tous les âges"), *((k, v[0]) for k, v in AGE_BANDS.items())],
    )

    def __init__(self, *args: Any, years: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["annee"]).choices = years
        self.fields["annee"].initial = years[0][0]
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("id", f"f-{name}")

    def clean(self) -> dict:
        data = super().clean() or {}
        if bool(data.get("du")) != bool(data.get("au")):
            raise forms.ValidationError("Indiquez les deux dates de la période, ou aucune.")
        if data.get("du") and data["au"] < data["du"]:
            raise forms.ValidationError("La fin de la période est avant son début.")
        return data

    @property
    def year(self) -> SchoolYear:
        return SchoolYear.parse(self.cleaned_data["annee"])

    def period(self) -> Period:
        data = self.cleaned_data
        if data.get("du"):
            return custom_period(data["du"], data["au"])
        if data.get("trimestre"):
            return term_period(self.year, int(data["trimestre"]))
        return school_year_period(self.year)

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            domain=data.get("domaine", ""), origin=data.get("origine", ""), age_band=data.get("tranche", "")
        )


class AggregateUploadForm(forms.Form):
    fichiers = forms.FileField(
        label="Exports d'indicateurs (fichiers CSV ou JSON produits par Veille)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json", "id": "f-fichiers"}),
    )
