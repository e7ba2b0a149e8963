from __future__ import annotations

from typing import Any, cast

from django import forms

from veille.web.cite.actions.models import Action
from veille.web.cite.cites.forms import AmountField
from veille.web.cite.cites.models import Cite

from .models import Attendance, Decision, Instance, Meeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InstanceForm(forms.ModelForm):
    class Meta:
        model = Instance
        fields = ["kind", "name", "role"]
        widgets = {"role": forms.Textarea(attrs={"rows": 2})}


class MeetingForm(forms.ModelForm):
    def __init__(self, *args: Any, cite: Cite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.cite = cite
        cast(forms.ModelChoiceField, self.fields["instance"]).queryset = Instance.objects.filter(cite=cite)
        cast(forms.ModelChoiceField, self.fields["presented_actions"]).queryset = Action.objects.in_cite(cite)
        self.fields["presented_actions"].required = False

    class Meta:
        model = Meeting
        fields = [
            "instance",
            "held_on",
            "place",
            "agenda",
            "weather",
            "national_news",
            "regional_news",
            "local_news",
            "presented_actions",
            "notes",
            "next_meeting_on",
            "next_meeting_note",
        ]
        widgets = {
            "held_on": DATE,
            "next_meeting_on": DATE,
            "presented_actions": forms.CheckboxSelectMultiple,
            **{
                f: forms.Textarea(attrs={"rows": 3})
                for f in ("agenda", "weather", "national_news", "regional_news", "local_news", "notes")
            },
        }


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="Type de décision", choices=Decision.Kind.choices)
    action = forms.ModelChoiceField(label="Action concernée", queryset=Action.objects.none(), required=False)
    year = forms.IntegerField(label="Année (montant accordé)", required=False, min_value=2019, max_value=2100)
    amount = AmountField(label="Montant accordé (€)", required=False, max_digits=12, decimal_places=2)
    text = forms.CharField(label="Décision", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: Any, cite: Cite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["action"]).queryset = Action.objects.in_cite(cite)


def attendance_choices() -> list[tuple[str, str]]:
    return [("", "— non renseigné"), *list(Attendance.Presence.choices)]
