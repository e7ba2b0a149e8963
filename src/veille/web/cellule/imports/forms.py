"""Forms of the imports app (French labels: the users are not programmers)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms

from veille.compulsory import SchoolYear

from .models import Kind

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

#: the largest upload accepted (a commune of 100 000 children is about 15 MB of CSV)
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
TOO_LARGE = (
    f"Le dépôt dépasse {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo : rien n'a été enregistré. Découpez le fichier "
    "en plusieurs fichiers plus petits (par exemple par organisme ou par établissement) et déposez-les "
    "en plusieurs fois."
)
NO_FILE = "Choisissez au moins un fichier à déposer : rien n'a été enregistré."


def school_year_choices() -> list[tuple[str, str]]:
    """Last year, this year (selected by the forms), next year: in the order of time, so that ArrowDown
    from the selected year goes to the next one, and the current one says so."""
    current = SchoolYear.current()
    years = [
        SchoolYear.parse(f"{current.start.year + delta}-{current.start.year + delta + 1}")
        for delta in (-1, 0, 1)
    ]
    return [(str(year), f"{year} (année en cours)" if year == current else str(year)) for year in years]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            # An empty selection passes FileField's own check (it tests one file, not a list).
            if not data and self.required:
                raise forms.ValidationError(NO_FILE, code="required")
            for item in data:
                if not getattr(item, "size", 1):
                    raise forms.ValidationError(
                        f"Le fichier « {item.name} » est vide : rien n'a été enregistré. Vérifiez que "
                        "l'export est complet et déposez-le à nouveau.",
                        code="empty",
                    )
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="Type de fichier", choices=Kind.choices, widget=forms.RadioSelect)
    school_year = forms.ChoiceField(label="Année scolaire concernée")
    # The form's metaclass takes the field out of the class: it does not shadow BaseForm.files.
    files = MultipleFileField(  # type: ignore[assignment]
        label="Fichiers (CSV, XLSX, ODS, Parquet, ou archive 7z chiffrée)",
        help_text="Vous pouvez choisir plusieurs fichiers du même type.",
        error_messages={
            "required": NO_FILE,
            "empty": "Le fichier choisi est vide : rien n'a été enregistré.",
        },
    )
    password = forms.CharField(
        label="Mot de passe de l'archive 7z (si elle est chiffrée)",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=(
            "Transmis séparément par l'expéditeur. Il sert à ouvrir l'archive et n'est jamais enregistré."
        ),
    )
    skip_invalid = forms.BooleanField(
        label="Garder les lignes valides et écarter les lignes invalides (elles seront listées)",
        required=False,
        help_text="Sans cette case, un fichier qui contient une seule ligne invalide est refusé en entier.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # self.fields types each field as a bare Field: this one is the ChoiceField declared above.
        cast(forms.ChoiceField, self.fields["school_year"]).choices = school_year_choices()
        self.fields["school_year"].initial = str(SchoolYear.current())

    def clean_files(self) -> list[UploadedFile]:
        files = self.cleaned_data["files"]
        for upload in files:
            if upload.size > MAX_UPLOAD_BYTES:
                raise forms.ValidationError(
                    f"Le fichier « {upload.name} » dépasse {MAX_UPLOAD_BYTES // (1024 * 1024)} Mo : rien n'a "
                    "été enregistré. Découpez-le en plusieurs fichiers plus petits et déposez-les ensemble."
                )
        return files


class LaunchForm(forms.Form):
    school_year = forms.ChoiceField(label="Année scolaire du croisement")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # self.fields types each field as a bare Field: this one is the ChoiceField declared above.
        cast(forms.ChoiceField, self.fields["school_year"]).choices = school_year_choices()
        self.fields["school_year"].initial = str(SchoolYear.current())


#: an encoded file weighs about 1 kB per row: the largest department's CAF file, with some margin
MAX_ENCODED_BYTES = 300 * 1024 * 1024
ENCODED_TOO_LARGE = (
    f"Le dépôt dépasse {MAX_ENCODED_BYTES // (1024 * 1024)} Mo : rien n'a été enregistré. Demandez aux "
    "détenteurs d'encoder leurs fichiers par commune."
)


class EncryptedLaunchForm(forms.Form):
    school_year = forms.ChoiceField(label="Année scolaire du croisement")
    children_files = MultipleFileField(
        label="Fichiers enfants encodés (CAF, MSA)",
        help_text="Les fichiers .npz écrits par « veille encoder --type enfants » chez chaque organisme.",
        error_messages={"required": "Choisissez au moins un fichier enfants encodé : rien n'a été lancé."},
    )
    schooling_files = MultipleFileField(
        label="Fichiers de scolarité encodés (DSDEN : ONDE, SIECLE, instruction en famille…)",
        help_text="Les fichiers .npz écrits par « veille encoder --type scolarite » chez chaque détenteur.",
        error_messages={
            "required": "Choisissez au moins un fichier de scolarité encodé : rien n'a été lancé."
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["school_year"]).choices = school_year_choices()
        self.fields["school_year"].initial = str(SchoolYear.current())


class RevelationForm(forms.Form):
    holder = forms.ChoiceField(label="Détenteur qui a révélé sa liste")
    file = forms.FileField(
        label="Archive révélée (7z chiffrée, écrite par « veille reveler »)",
        error_messages={"required": "Choisissez l'archive révélée à importer : rien n'a été enregistré."},
    )
    password = forms.CharField(
        label="Mot de passe de l'archive",
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Transmis par le détenteur par un autre canal. Il sert à ouvrir l'archive et n'est jamais "
        "enregistré.",
        error_messages={"required": "Saisissez le mot de passe de l'archive : rien n'a été enregistré."},
    )

    def __init__(self, *args: Any, holders: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["holder"]).choices = [(h, h) for h in holders]

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".7z"):
            raise forms.ValidationError(
                f"« {upload.name} » n'est pas une archive .7z : les identités révélées ne voyagent que "
                "chiffrées. Demandez au détenteur l'archive écrite par « veille reveler … --sortie "
                "fichier.7z »."
            )
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(TOO_LARGE)
        return upload
