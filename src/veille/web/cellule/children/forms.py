from __future__ import annotations

from django import forms

from .models import Child, ResponsiblePerson


class ChildRecordForm(forms.ModelForm):
    """What the mairie completes of the list (R131-3) when the sources do not give it."""

    class Meta:
        model = Child
        fields = [
            "birthplace",
            "instruction_mode",
            "establishment",
            "level_this_year",
            "level_last_year",
            "claimant_link",
            "claimant_profession",
        ]
        help_texts = {
            "birthplace": "Commune (et département ou pays) de naissance ; les fichiers CAF et MSA ne le "
            "donnent pas.",
            "level_this_year": "Par exemple PS, CP, CM2, 6E.",
        }


class ResponsiblePersonForm(forms.ModelForm):
    class Meta:
        model = ResponsiblePerson
        fields = ["link", "last_name", "first_name", "address", "postal_code", "city", "profession"]
