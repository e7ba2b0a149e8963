from __future__ import annotations

from django import forms


class ChildLookupForm(forms.Form):
    number = forms.IntegerField(label="Numéro de l'enfant dans Veille", required=False, min_value=1)
    source_id = forms.CharField(label="ou identifiant CAF / MSA", required=False, max_length=64)

    def clean(self) -> dict:
        data = super().clean() or {}
        if not data.get("number") and not data.get("source_id"):
            raise forms.ValidationError("Indiquez le numéro de l'enfant ou son identifiant CAF / MSA.")
        return data


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label="Je confirme : ces données seront supprimées définitivement.", required=True
    )
