from __future__ import annotations

from typing import Any, cast

from django import forms

from veille.web.cite.actions.models import Public
from veille.web.cite.cites.forms import AmountField
from veille.web.cite.framework.models import Objective, SubObjective

from .models import Experience, NetworkMeeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExperienceForm(forms.ModelForm):
    publics = forms.MultipleChoiceField(
        label="Pour qui", choices=Public.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["sub_objectives"])
        field.queryset = SubObjective.objects.current()
        # The field's lazy choices iterator, which Django accepts; the stubs want a plain sequence.
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)  # type: ignore[arg-type]

    class Meta:
        model = Experience
        fields = [
            "title",
            "what",
            "publics",
            "sub_objectives",
            "theme",
            "partners_text",
            "cost",
            "results",
            "lessons",
            "contact_role",
            "contact_email",
        ]
        localized_fields = ["cost"]
        field_classes = {"cost": AmountField}
        help_texts = {
            "contact_role": "Une fonction et un service de la cité, jamais une personne suivie.",
            "results": "Des chiffres d'ensemble : aucune donnée sur un enfant.",
        }


class SearchForm(forms.Form):
    objective = forms.TypedChoiceField(label="Objectif", coerce=int, required=False, empty_value=None)
    public = forms.ChoiceField(label="Public", required=False, choices=[("", "Tous"), *list(Public.choices)])
    theme = forms.CharField(label="Thème ou mot-clé", required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        numbers = sorted(set(Objective.objects.values_list("number", flat=True)))
        titles = {o.number: o.title for o in Objective.objects.order_by("framework__id")}
        cast(forms.ChoiceField, self.fields["objective"]).choices = [("", "Tous")] + [
            (n, f"{n}. {titles[n]}") for n in numbers
        ]


class NetworkMeetingForm(forms.ModelForm):
    def __init__(self, *args: Any, presentable: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["presented"]).queryset = (
            presentable if presentable is not None else Experience.objects.none()
        )
        self.fields["presented"].required = False

    class Meta:
        model = NetworkMeeting
        fields = [
            "held_on",
            "place",
            "weather",
            "national_news",
            "regional_news",
            "local_news",
            "presented",
            "notes",
            "next_meeting_on",
            "next_meeting_note",
        ]
        widgets = {
            "held_on": DATE,
            "next_meeting_on": DATE,
            "presented": forms.CheckboxSelectMultiple,
            **{
                f: forms.Textarea(attrs={"rows": 3})
                for f in ("weather", "national_news", "regional_news", "local_news", "notes")
            },
        }
