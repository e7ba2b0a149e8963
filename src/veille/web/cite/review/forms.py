from __future__ import annotations

from typing import Any

from django import forms

from veille.web.cite.actions.models import Indicator
from veille.web.cite.cites.models import Cite

from .models import ProtocolEntry


class ProtocolEntryForm(forms.ModelForm):
    def __init__(self, *args: Any, cite: Cite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.cite = cite
        self.fields["indicator"].queryset = Indicator.objects.filter(action__cite=cite).select_related(
            "action"
        )
        self.fields["indicator"].label_from_instance = lambda i: f"Action {i.action.number} — {i.label}"

    class Meta:
        model = ProtocolEntry
        fields = ["kind", "indicator", "territorial_label", "source", "frequency", "responsible"]


class ReviewYearForm(forms.Form):
    year = forms.IntegerField(label="Année de la revue", min_value=2019, max_value=2100)
