from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from veille.web.common.pdf import logo_type
from veille.web.common.territories.models import Commune

from .models import LetterKind
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

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        validate_template(body)
        return body


class LetterheadForm(forms.ModelForm):
    class Meta:
        model = Commune
        fields = ["address", "signatory", "logo"]
        labels = {
            "address": "Adresse de la mairie (sur plusieurs lignes)",
            "signatory": "Signataire des courriers (par exemple : Le maire, Prénom Nom)",
            "logo": "Logo de la commune (PNG ou JPEG, 1 Mo au plus)",
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 4})}

    def clean_logo(self):  # type: ignore[no-untyped-def]
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


class GenerateLetterForm(forms.Form):
    kind = forms.ChoiceField(label="Courrier", choices=LetterKind.choices)
    due_date = forms.DateField(
        label="Échéance donnée à la famille (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Laissée vide : 15 jours après aujourd'hui pour une mise en demeure, aucune sinon.",
    )
    appointment = forms.CharField(
        label="Rendez-vous : date, heure et lieu (pour une convocation)",
        required=False,
        max_length=200,
    )
