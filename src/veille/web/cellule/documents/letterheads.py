"""The letterhead a letter is printed on: the commune's, the DSDEN's or the préfecture's, by its author."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veille.web.common.pdf import logo_data_uri

from .law import Authority
from .models import StateLetterhead

#: what a State letterhead says until its members set it (the département's number is added)
STATE_DEFAULTS: dict[str, tuple[str, str]] = {
    Authority.DSDEN: (
        "Direction des services départementaux de l'Éducation nationale",
        "Le directeur académique des services de l'Éducation nationale",
    ),
    Authority.PREFECTURE: ("Préfecture", "Le préfet"),
}


@dataclass(frozen=True)
class Letterhead:
    """What the layout of a letter prints at its top and at its signature."""

    authority: str
    title: str
    subtitle: str
    address: str
    place: str
    signatory: str
    logo: str  # a data: URI, or empty


def state_letterhead(authority: str, department: str) -> StateLetterhead:
    """The saved letterhead of a State service in a département, or its unsaved default."""
    found = StateLetterhead.objects.filter(authority=authority, department=department).first()
    if found is not None:
        return found
    name, signatory = STATE_DEFAULTS[authority]
    return StateLetterhead(
        authority=authority,
        department=department,
        name=f"{name} — département {department}" if department else name,
        signatory=signatory,
    )


def letterhead_for(authority: str, commune: Any) -> Letterhead:
    """The letterhead of a letter by this authority about a case of this commune."""
    if authority == Authority.COMMUNE:
        return Letterhead(
            authority=authority,
            title=f"Mairie de {commune.name}",
            subtitle="Cellule de prévention de l'évitement scolaire",
            address=commune.address,
            place=commune.name,
            signatory=commune.signatory,
            logo=logo_data_uri(commune),
        )
    head = state_letterhead(authority, commune.department)
    return Letterhead(
        authority=authority,
        title=head.name,
        subtitle="",
        address=head.address,
        place=head.place,
        signatory=head.signatory,
        logo=logo_data_uri(head),
    )
