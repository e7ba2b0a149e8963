from __future__ import annotations

from typing import Any, cast

from django import forms

from veille.web.cite.actions.models import Action
from veille.web.cite.cites.forms import AmountField
from veille.web.cite.cites.models import Cite

from .models import Commitment, Contribution, Payment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContributionForm(forms.ModelForm):
    class Meta:
        model = Contribution
        fields = ["year", "contributor", "amount", "received_on", "note"]
        localized_fields = ["amount"]
        field_classes = {"amount": AmountField}
        widgets = {"received_on": DATE}


class CommitmentForm(forms.ModelForm):
    def __init__(self, *args: Any, cite: Cite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.cite = cite
        cast(forms.ModelChoiceField, self.fields["action"]).queryset = Action.objects.in_cite(
            cite
        ).programmed()

    class Meta:
        model = Commitment
        fields = ["action", "year", "amount", "decided_on", "note"]
        localized_fields = ["amount"]
        field_classes = {"amount": AmountField}
        widgets = {"decided_on": DATE}
        help_texts = {"action": "Seules les actions validées par la troïka peuvent recevoir le fonds."}


class PaymentForm(forms.ModelForm):
    def __init__(self, *args: Any, cite: Cite, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["commitment"]).queryset = Commitment.objects.filter(
            cite=cite
        ).select_related("action")

    class Meta:
        model = Payment
        fields = ["commitment", "amount", "paid_on", "reference"]
        localized_fields = ["amount"]
        field_classes = {"amount": AmountField}
        widgets = {"paid_on": DATE}
