from __future__ import annotations

from typing import Any, cast

from django import forms

from veille.web.cite.cites.forms import AmountField
from veille.web.cite.cites.models import Cite, CiteMembership
from veille.web.cite.cites.roles import CiteCapability
from veille.web.cite.cites.templatetags.cites import number_fr
from veille.web.cite.framework.models import SubObjective

from .models import Action, BudgetLine, Execution, Indicator, Public, TimeSlot


class ActionForm(forms.ModelForm):
    publics = forms.MultipleChoiceField(
        label="publics visés", choices=Public.choices, widget=forms.CheckboxSelectMultiple
    )
    time_slots = forms.MultipleChoiceField(
        label="temps de l'enfant", choices=TimeSlot.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Action
        fields = [
            "title",
            "description",
            "sub_objectives",
            "lead_partner",
            "partners",
            "publics",
            "time_slots",
            "place",
            "start_year",
            "end_year",
        ]
        widgets = {"sub_objectives": forms.CheckboxSelectMultiple, "partners": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, cite: Cite, membership: CiteMembership, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.cite = cite
        current = SubObjective.objects.current().select_related("objective")
        # An old action keeps its links to an earlier référentiel: offer those too.
        if self.instance.pk:
            current = current | self.instance.sub_objectives.all()
        cast(forms.ModelChoiceField, self.fields["sub_objectives"]).queryset = current.distinct()
        cast(forms.ModelChoiceField, self.fields["partners"]).queryset = cite.partners.all()
        cast(forms.ModelChoiceField, self.fields["lead_partner"]).queryset = cite.partners.all()
        if not membership.can(CiteCapability.EDIT_ALL_ACTIONS):
            # A partner proposes and edits only what its own organisation leads.
            cast(forms.ModelChoiceField, self.fields["lead_partner"]).queryset = cite.partners.filter(
                pk=membership.partner_id or 0
            )
            self.fields["lead_partner"].initial = membership.partner_id
            self.fields["lead_partner"].disabled = True
            self.instance.lead_partner_id = membership.partner_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start_year") and data.get("end_year") and data["end_year"] < data["start_year"]:
            self.add_error("end_year", "La dernière année ne peut précéder la première.")
        return data


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = ["year", "funder", "amount"]
        localized_fields = ["amount"]
        field_classes = {"amount": AmountField}
        help_texts = {"amount": "0 retire la ligne."}


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["kind", "label", "unit", "target", "source"]
        localized_fields = ["target"]
        field_classes = {"target": AmountField}


class ExecutionForm(forms.ModelForm):
    """The year's execution, with one field per indicator for the value reached."""

    class Meta:
        model = Execution
        fields = ["year", "committed", "paid", "assessment"]
        localized_fields = ["committed", "paid"]
        field_classes = {"committed": AmountField, "paid": AmountField}

    def __init__(
        self, *args: Any, action: Action, values: dict[int, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.instance.action = action
        for indicator in action.indicators.all():
            target = number_fr(indicator.target)
            self.fields[f"indicator_{indicator.pk}"] = AmountField(
                label=f"{indicator.label} — atteint (cible {target} {indicator.unit})".strip(),
                max_digits=12,
                decimal_places=2,
                required=False,
                localize=True,
                initial=(values or {}).get(indicator.pk),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("committed") is not None
            and data.get("paid") is not None
            and data["paid"] > data["committed"]
        ):
            self.add_error("paid", "Le montant payé dépasse le montant engagé.")
        return data

    def indicator_values(self) -> dict[int, Any]:
        return {
            int(name.removeprefix("indicator_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("indicator_")
        }
