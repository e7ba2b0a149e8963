from __future__ import annotations

from typing import Any, cast

from django import forms

from veille.web.cellule.cases.models import Case

from .models import AgendaItem, Meeting, Participant, initials


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["held_on", "place"]
        labels = {
            "held_on": "Date et heure de la réunion",
            "place": "Lieu (salle, adresse ou visioconférence)",
        }
        widgets = {"held_on": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["organisation", "function", "attended"]
        labels = {
            "function": "Fonction ou service (par exemple : inspectrice de l'Éducation nationale)",
            "attended": "Présent à la réunion",
        }


def case_label(case: Case) -> str:
    """How a case is named in a meeting: number, initials, age at opening, domain; never the full name."""
    child = case.child
    who = initials(child.first_names, child.last_name) if child else "—"
    age = f", {case.age_at_opening} ans à l'ouverture" if case.age_at_opening is not None else ""
    return f"Dossier n° {case.pk} — {who}{age} — {case.get_domain_display()}"


class AddCaseForm(forms.Form):
    case = forms.ModelChoiceField(label="Dossier à inscrire à l'ordre du jour", queryset=Case.objects.none())

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["case"])
        field.queryset = (
            Case.objects.filter(commune=meeting.commune, closed_at__isnull=True)
            .exclude(agenda_items__meeting=meeting)
            .select_related("child")
            .order_by("pk")
        )
        # Django's documented way to relabel a model choice; the stubs see a method, not an attribute.
        field.label_from_instance = case_label  # type: ignore[method-assign,assignment]


class DecisionForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["decision", "next_step"]
        labels = {"decision": "Décision de la cellule", "next_step": "Suite à donner (facultatif)"}
        help_texts = {
            "decision": "N'écrivez ni le nom, ni l'adresse, ni la date de naissance de l'enfant : "
            "le compte rendu est diffusé à tous les partenaires."
        }
        widgets = {
            "decision": forms.Textarea(attrs={"rows": 3}),
            "next_step": forms.Textarea(attrs={"rows": 2}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("decision", "").strip():
            self.add_error("decision", "Écrivez la décision de la cellule.")
        for field in ("decision", "next_step"):
            try:
                self.instance.check_no_identity(data.get(field, ""))
            except forms.ValidationError as error:
                self.add_error(field, error)
        return data
