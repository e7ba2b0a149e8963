"""ONDE ``CSVExtraction.csv``, as a school director extracts it (``shared/formats/REAL-EXPORTS.md`` §1).

The same file name is used for the pupils extraction and for the responsables one, so the kind of
file is told by its header, never by its name. Both come in Windows-1252 (or UTF-8), with ``;``; the
CSV dialect is read by :func:`veille.sources.formats.read_csv_bytes`, this module only places the
columns. The older BE1D header (``Nom Elève``…, ``Classe``, no INE) is accepted as well.

What is certain and what is inferred is said in ``docs/formats.md``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import pandas as pd

from veille.sources.formats import RawTable
from veille.sources.headers import normalise_header

#: headers (normalised) every pupils extraction has, ONDE or BE1D
PUPIL_SIGNATURE = frozenset({"nomeleve", "prenomeleve", "datenaissance"})
#: at least one of these tells an ONDE/BE1D extraction from a hand-made table with the same words
PUPIL_MARKERS = frozenset(
    {
        "nomusageeleve",
        "cycle",
        "libelleclasse",
        "identifiantclasse",
        "adresse1",
        "cp1",
        "commune1",
        "attestationfournie",
        "decisionpassage",
        "regroupement",
        "dateinscription",
        "communenaissance",
    }
)
#: a responsables extraction: the responsible's columns, then one block of columns per child
RESPONSIBLE_MARKERS = frozenset({"civiliteresponsable", "nomresponsable", "prenomresponsable"})
_CHILD_BLOCK = {
    "nomusageenfant": "nom_usage",
    "nomfamilleenfant": "nom",
    "prenomenfant": "prenom",
    "classesenfants": "classe",
    "classeenfant": "classe",
    # numbered or single variants ("Nom de famille élève 1", "Prénom élève")
    "nomfamilleeleve": "nom",
    "nomusageeleve": "nom_usage",
    "prenomeleve": "prenom",
    "classeeleve": "classe",
}

#: canonical or detail column -> normalised ONDE headers that give it (first found wins)
PUPIL_COLUMNS: dict[str, tuple[str, ...]] = {
    "nom_famille": ("nomeleve",),
    "nom_usage": ("nomusageeleve", "nomusage"),
    "prenom": ("prenomeleve",),
    "prenom2": ("deuxiemeprenom",),
    "prenom3": ("troisiemeprenom",),
    "date_naissance": ("datenaissance",),
    "sexe": ("sexe",),
    "ine": ("ine",),
    "adresse": ("adresse1", "adresse"),
    "code_postal": ("cp1", "cp", "codepostal"),
    "commune": ("commune1", "commune"),
    "pays": ("pays1", "pays"),
    "adresse2": ("adresse2",),
    "code_postal2": ("cp2",),
    "commune2": ("commune2",),
    "cycle": ("cycle",),
    "niveau": ("niveau",),
    "classe": ("libelleclasse", "classe", "regroupement"),
    "identifiant_classe": ("identifiantclasse",),
    "dispositif": ("dispositifs", "dispositif"),
    "date_inscription": ("dateinscription",),
    "etat": ("etat",),
    "commune_naissance": ("communenaissance",),
    "departement_naissance": ("deptnaissance", "departementnaissance"),
    "pays_naissance": ("paysnaissance",),
}

#: long level labels some extractions carry -> the short level (inferred from SACoche's shortening)
LONG_LEVELS: dict[str, str] = {
    "toutepetitesection": "TPS",
    "petitesection": "PS",
    "moyennesection": "MS",
    "grandesection": "GS",
    "courspreparatoire": "CP",
    "courselementaire1": "CE1",
    "courselementairepremiereannee": "CE1",
    "courselementaire2": "CE2",
    "courselementairedeuxiemeannee": "CE2",
    "coursmoyen1": "CM1",
    "coursmoyenpremiereannee": "CM1",
    "coursmoyen2": "CM2",
    "coursmoyendeuxiemeannee": "CM2",
}

_UAI = re.compile(r"(?<![0-9A-Za-z])(\d{7}[A-Za-z])(?![0-9A-Za-z])")


def header_keys(headers: list[str]) -> list[str]:
    """The normalised headers (`` Cycle`` = ``cycle``, ``Nom d’usage élève`` = ``nomusageeleve``)."""
    return [normalise_header(header.replace("’", "'").lstrip("\ufeff")) for header in headers]


def kind_of_header(headers: list[str]) -> str | None:
    """``"onde_eleves"``, ``"onde_responsables"`` or ``None`` (not an ONDE extraction)."""
    keys = set(header_keys(headers))
    if "source" in keys:  # the exchange format of FORMAT.md, even if its headers say "Nom élève"
        return None
    if keys >= PUPIL_SIGNATURE and keys & PUPIL_MARKERS:
        return "onde_eleves"
    stripped = {re.sub(r"\d+$", "", key) for key in keys}
    if len(RESPONSIBLE_MARKERS & keys) >= 2 and stripped & {
        "nomfamilleenfant",
        "prenomenfant",
        "nomfamilleeleve",
    }:
        return "onde_responsables"
    return None


def uai_in_path(*names: str) -> str:
    """The UAI a file's path or name carries (``0591234A/CSVExtraction.csv``), or ``""``.

    ONDE files hold no school identifier; the Edifice ENT takes the UAI from the folder name.
    """
    for name in names:
        for part in reversed(re.split(r"[/\\:]", name)):
            found = _UAI.search(part)
            if found:
                return found.group(1).upper()
    return ""


def _short_level(value: str) -> str:
    key = normalise_header(value)
    return LONG_LEVELS.get(key, value)


def join_names(*parts: str) -> str:
    """Family name and usage name as one surname: the usage name is added only when it differs.

    Matching on one *or* the other (REAL-EXPORTS.md §3) is then what the engine does with a double
    surname.
    """
    kept: list[str] = []
    for part in parts:
        part = part.strip()
        if part and all(normalise_header(part) != normalise_header(other) for other in kept):
            kept.append(part)
    return " ".join(kept)


def stable_id(prefix: str, *parts: str) -> str:
    """An identifier for a pupil without INE, the same from one month's file to the next."""
    digest = hashlib.sha1("|".join(parts).encode("utf-8")).hexdigest()[:12].upper()
    return f"{prefix}-{digest}"


@dataclass
class OndePupils:
    """An ONDE pupils extraction placed in canonical columns, with the details the format gives."""

    frame: pd.DataFrame  # canonical schooling columns + "ligne"
    details: pd.DataFrame  # "ligne" + detail columns
    #: canonical column -> header as written in the file, for messages
    origin: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)


def _column_positions(headers: list[str], wanted: dict[str, tuple[str, ...]]) -> dict[str, int]:
    keys = header_keys(headers)
    positions: dict[str, int] = {}
    for column, names in wanted.items():
        for name in names:
            if name in keys:
                positions[column] = keys.index(name)
                break
    return positions


def read_pupils(raw: RawTable, filled: pd.Series, uai: str) -> OndePupils:
    """Place the columns of a pupils extraction (``filled``: the rows that are not blank)."""
    positions = _column_positions(raw.headers, PUPIL_COLUMNS)
    rows = raw.rows[filled.to_numpy()]
    lines = rows.index.to_numpy(dtype="int64")
    # One school's file is small: plain lists cost less than a pandas operation per column.
    cells = rows.to_numpy(dtype=object)
    blank = [""] * len(rows)

    def column(name: str) -> list[str]:
        position = positions.get(name)
        if position is None or position >= cells.shape[1]:
            return blank
        return [str(value).strip() for value in cells[:, position]]

    family, usage = column("nom_famille"), column("nom_usage")
    first, second, third = column("prenom"), column("prenom2"), column("prenom3")
    born, ine = column("date_naissance"), [value.upper() for value in column("ine")]
    names = [join_names(f, u) for f, u in zip(family, usage, strict=True)]
    given = [" ".join(p for p in parts if p) for parts in zip(first, second, third, strict=True)]
    identifiers = [
        value or stable_id("ONDE", uai, name, prenom, date)
        for value, name, prenom, date in zip(ine, family, first, born, strict=True)
    ]
    written_levels = column("niveau")
    # A school has a handful of levels: each spelling is looked up once.
    short = {value: _short_level(value) for value in set(written_levels)}
    levels = [short[value] for value in written_levels]
    frame = pd.DataFrame(
        {
            "source": "ONDE",
            "identifiant": identifiers,
            "nom": names,
            "prenoms": given,
            "date_naissance": born,
            "sexe": column("sexe"),
            "etablissement": "",
            "uai": uai,
            "niveau": levels,
            "adresse": column("adresse"),
            "code_postal": column("code_postal"),
            "commune": column("commune"),
            "ligne": lines,
        },
        dtype=object,
    )
    frame["ligne"] = lines
    details = pd.DataFrame(
        {
            "ligne": lines,
            "identifiant": identifiers,
            "format": "onde",
            "nom_famille": family,
            "nom_usage": usage,
            "prenoms": given,
            "ine": ine,
            "uai": uai,
            "niveau": levels,
            "niveau_source": written_levels,
            "cycle": column("cycle"),
            "classe": column("classe"),
            "identifiant_classe": column("identifiant_classe"),
            "dispositif": column("dispositif"),
            "date_entree": column("date_inscription"),
            "date_sortie": "",
            "etat": column("etat"),
            "commune_naissance": column("commune_naissance"),
            "code_commune_naissance": "",
            "departement_naissance": column("departement_naissance"),
            "pays_naissance": column("pays_naissance"),
            "adresse_2": column("adresse2"),
            "code_postal_2": column("code_postal2"),
            "commune_2": column("commune2"),
        },
        dtype=object,
    )
    canonical = {
        "nom_famille": "nom",
        "prenom": "prenoms",
        "date_naissance": "date_naissance",
        "sexe": "sexe",
        "ine": "identifiant",
        "niveau": "niveau",
        "adresse": "adresse",
        "code_postal": "code_postal",
        "commune": "commune",
    }
    origin = {
        canonical[name]: raw.headers[position] for name, position in positions.items() if name in canonical
    }
    used = set(positions.values())
    ignored = [header for position, header in enumerate(raw.headers) if header and position not in used]
    mapping = {raw.headers[position]: name for name, position in positions.items()}
    return OndePupils(frame, details, origin, ignored, mapping)


@dataclass
class OndeResponsible:
    """One responsible of one child, as a responsables extraction lists them."""

    ligne: int
    civilite: str
    nom: str
    nom_usage: str
    prenom: str
    adresse: str
    code_postal: str
    commune: str
    pays: str
    enfant_nom: str
    enfant_nom_usage: str
    enfant_prenom: str
    enfant_classe: str


_RESPONSIBLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "civilite": ("civiliteresponsable",),
    "nom": ("nomresponsable",),
    "nom_usage": ("nomusageresponsable",),
    "prenom": ("prenomresponsable",),
    "adresse": ("adresseresponsable",),
    "code_postal": ("cpresponsable",),
    "commune": ("communeresponsable",),
    "pays": ("pays", "paysresponsable"),
}


def read_responsibles(raw: RawTable, filled: pd.Series) -> list[OndeResponsible]:
    """One entry per (responsible, child) of a responsables extraction.

    The child columns repeat once per child (``Nom d'usage enfant``, ``Nom de famille enfant``,
    ``Prénom enfant``, ``Classes enfants``…): they are grouped into blocks by name, a block ending
    when one of its names comes again. Contact details (telephones, e-mail) are not kept.
    """
    positions = _column_positions(raw.headers, _RESPONSIBLE_COLUMNS)
    blocks: list[dict[str, int]] = []
    current: dict[str, int] = {}
    for position, key in enumerate(header_keys(raw.headers)):
        field_name = _CHILD_BLOCK.get(re.sub(r"\d+$", "", key))
        if field_name is None:
            continue
        if field_name in current:
            blocks.append(current)
            current = {}
        current[field_name] = position
    if current:
        blocks.append(current)
    out: list[OndeResponsible] = []
    rows = raw.rows[filled.to_numpy()]
    for line, values in zip(rows.index, rows.itertuples(index=False, name=None), strict=True):

        def cell(position: int | None, values: tuple[str, ...] = values) -> str:
            return str(values[position]).strip() if position is not None and position < len(values) else ""

        person: dict[str, str] | None = None
        for block in blocks:
            prenom = cell(block.get("prenom"))
            if not prenom:
                continue
            child = {name: cell(block.get(name)) for name in ("nom", "nom_usage", "classe")}
            if not (child["nom"] or child["nom_usage"]):
                continue
            # Most blocks of a row are empty (the columns of a fourth or fifth child): the
            # responsible's own cells are read only for a row that names a child.
            if person is None:
                person = {name: cell(positions.get(name)) for name in _RESPONSIBLE_COLUMNS}
            out.append(
                OndeResponsible(
                    int(line),
                    enfant_nom=child["nom"],
                    enfant_nom_usage=child["nom_usage"],
                    enfant_prenom=prenom,
                    enfant_classe=child["classe"],
                    **person,
                )
            )
    return out
