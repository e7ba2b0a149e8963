from __future__ import annotations

from typing import Any, cast

from django import forms

from veille.web.cite.cites.forms import AmountField
from veille.web.cite.framework.models import Framework, Objective

from .models import Finding, TerritorialIndicator


def _current_objectives() -> Any:
    framework = Framework.objects.current()
    return Objective.objects.filter(framework=framework) if framework else Objective.objects.none()


class FindingForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["objective"]).queryset = _current_objectives()

    class Meta:
        model = Finding
        fields = ["objective", "kind", "text", "figures"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3}), "figures": forms.Textarea(attrs={"rows": 2})}


class IndicatorForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["objective"]).queryset = _current_objectives()

    class Meta:
        model = TerritorialIndicator
        fields = ["label", "objective", "unit", "year", "source", "neighbourhood", "commune", "agglomeration"]
        localized_fields = ["neighbourhood", "commune", "agglomeration"]
        field_classes = {"neighbourhood": AmountField, "commune": AmountField, "agglomeration": AmountField}


class CsvForm(forms.Form):
    file = forms.FileField(label="fichier CSV des indicateurs")
