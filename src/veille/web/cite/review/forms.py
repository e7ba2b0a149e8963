from __future__ import annotations

from typing import Any, cast

from django import forms

from veille.web.cite.actions.models import Indicator
from veille.web.cite.cites.models import Cite

from .models import ProtocolEntry


def _indicator_label(indicator: Indicator) -> str:
    return f"Action {indicator.action.number} — {indicator.label}"


class ProtocolEntryForm(forms.ModelForm):
    def __init__(self, *args: Any, cite: Cite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.cite = cite
        field = cast(forms.ModelChoiceField, self.fields["indicator"])
        field.queryset = Indicator.objects.filter(action__cite=cite).select_related("action")
        # Django's documented way to relabel a model choice; the stubs see a method, not an attribute.
        field.label_from_instance = _indicator_label  # type: ignore[method-assign,assignment]

    class Meta:
        model = ProtocolEntry
        fields = ["kind", "indicator", "territorial_label", "source", "frequency", "responsible"]


class ReviewYearForm(forms.Form):
    year = forms.IntegerField(label="Année de la revue", min_value=2019, max_value=2100)
