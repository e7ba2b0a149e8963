from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from veille.web.common.pdf import logo_type
from veille.web.common.territories.models import Commune

from .law import SPECS, spec
from .models import CommuneLetterSettings, LetterKind, StateLetterhead
from .rendering import validate_template

LOGO_MAX_BYTES = 1_000_000
FORM_ID = "courrier_%s"  # the partial sits in the case page next to other forms


class LetterTemplateForm(forms.Form):
    subject = forms.CharField(label="Objet du courrier", max_length=300)
    body = forms.CharField(
        label="Texte du courrier",
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "spellcheck": "true"}),
        help_text="Les champs entre doubles accolades, par exemple {{ enfant.nom }}, sont remplacés par "
        "les données du dossier. L'en-tête de la commune, la date et la signature sont ajoutés "
        "automatiquement.",
    )

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"]
        try:
            validate_template(subject)
        except ValidationError as error:
            raise ValidationError([f"Objet : {m}" for m in error.messages]) from error
        return subject

    def __init__(self, *args: Any, kind: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        validate_template(body, self.kind)
        return body


class LogoMixin:
    cleaned_data: dict[str, Any]

    def clean_logo(self) -> object:
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "content_type"):  # unchanged or cleared
            return logo
        if logo.size > LOGO_MAX_BYTES:
            raise ValidationError("Le logo dépasse 1 Mo : choisissez une image plus légère.")
        head = logo.read(8)
        logo.seek(0)
        if logo_type(head) is None:
            raise ValidationError("Le logo doit être une image PNG ou JPEG.")
        return logo


class LetterheadForm(LogoMixin, forms.ModelForm):
    class Meta:
        model = Commune
        fields = ["address", "signatory", "logo"]
        labels = {
            "address": "Adresse de la mairie (sur plusieurs lignes)",
            "signatory": "Signataire des courriers (par exemple : Le maire, Prénom Nom)",
            "logo": "Logo de la commune (PNG ou JPEG, 1 Mo au plus)",
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 4})}


class DataProtectionForm(forms.ModelForm):
    class Meta:
        model = CommuneLetterSettings
        fields = ["dpo_contact"]
        labels = {
            "dpo_contact": "Contact du délégué à la protection des données (adresse postale ou électronique)"
        }
        help_texts = {
            "dpo_contact": "Donné aux familles dans le premier courrier de la mairie (RGPD, article 14)."
        }
        widgets = {"dpo_contact": forms.Textarea(attrs={"rows": 3})}


class StateLetterheadForm(LogoMixin, forms.ModelForm):
    class Meta:
        model = StateLetterhead
        fields = ["name", "address", "place", "signatory", "logo"]
        labels = {
            "name": "Nom du service (en haut des courriers)",
            "address": "Adresse (sur plusieurs lignes)",
            "place": "Lieu écrit avant la date (par exemple : Lille)",
            "signatory": "Signataire (qualité, puis nom)",
            "logo": "Logo (PNG ou JPEG, 1 Mo au plus)",
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 4})}


class GenerateLetterForm(forms.Form):
    kind = forms.ChoiceField(label="Courrier", choices=LetterKind.choices)
    reasons = forms.CharField(
        label="Motifs propres au dossier (obligatoires pour une décision)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Les faits constatés dans ce dossier et le texte appliqué ; pour le résultat de "
        "l'enquête de la mairie, ses conclusions. Ils sont imprimés dans le courrier.",
    )
    due_date = forms.DateField(
        label="Échéance donnée à la famille (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Pour un courrier d'information. Le délai d'une mise en demeure court de sa "
        "notification : il n'est pas daté dans le courrier.",
    )
    appointment = forms.CharField(
        label="Rendez-vous : date, heure et lieu (pour une convocation)",
        required=False,
        max_length=200,
    )

    def __init__(self, *args: Any, kinds: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds is not None:
            # self.fields types each field as a bare Field: this one is the ChoiceField declared above.
            cast(forms.ChoiceField, self.fields["kind"]).choices = [(k, LetterKind(k).label) for k in kinds]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind in SPECS and spec(kind).needs_reasons and not data.get("reasons", "").strip():
            self.add_error(
                "reasons",
                "Ce courrier est une décision ou porte un contenu propre au dossier : écrivez ses motifs "
                "(faits constatés dans ce dossier, texte appliqué).",
            )
        return data
