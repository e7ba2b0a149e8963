"""SIECLE « BEE » XML exports of secondary schools (``shared/formats/REAL-EXPORTS.md`` §2).

``ElevesSansAdresses.xml`` (usually inside ``ExportXML_ElevesSansAdresses.zip``) or
``ElevesAvecAdresses.xml`` (root ``BEE_ELEVES``) lists a school's pupils; ``ResponsablesAvecAdresses.xml``
(root ``BEE_RESPONSABLES``) gives their responsables and addresses. Both name the school in
``PARAMETRES/UAJ``, which is how the two files of one school are paired.

The files are read as a stream (libxml2 through :mod:`lxml`: no DTD, hence no entity, and no external
resource), so a large export never sits in memory as a tree; the encoding comes from the XML prolog
(``ISO-8859-15`` in practice).
"""

from __future__ import annotations

import datetime
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from veille.sources.onde import join_names, stable_id
from veille.sources.problems import Problem, SourceError

PUPILS_ROOT = "BEE_ELEVES"
RESPONSIBLES_ROOT = "BEE_RESPONSABLES"

#: CODE_MEF prefix (3 digits) -> level. Inferred (REAL-EXPORTS.md §3: "prefix 100=6e … 103=3e"; the
#: lycée prefixes follow the same pattern and are not verified).
MEF_LEVELS: dict[str, str] = {
    "100": "6E",
    "101": "5E",
    "102": "4E",
    "103": "3E",
    "200": "2NDE",
    "201": "1ERE",
    "202": "TLE",
    "240": "2NDE",
    "241": "1ERE",
    "242": "TLE",
}

#: CODE_PARENTE -> link (REAL-EXPORTS.md §2.4, certain)
PARENT_CODES: dict[str, str] = {
    "10": "mère",
    "20": "père",
    "37": "fratrie",
    "38": "ascendant",
    "39": "autre membre de la famille",
    "41": "éducateur",
    "42": "assistant familial",
    "50": "tuteur",
    "51": "aide sociale à l'enfance",
    "70": "élève",
    "90": "autre lien",
}

_PUPIL_FIELDS = frozenset(
    {
        "ID_NATIONAL",
        "INE_RNIE",
        "INE_BEA",
        "ELENOET",
        "NOM_DE_FAMILLE",
        "NOM_USAGE",
        "NOM",
        "PRENOM",
        "PRENOM2",
        "PRENOM3",
        "DATE_NAISS",
        "CODE_SEXE",
        "CODE_PAYS",
        "CODE_DEPARTEMENT_NAISS",
        "CODE_COMMUNE_INSEE_NAISS",
        "VILLE_NAISS",
        "CODE_MEF",
        "DATE_ENTREE",
        "DATE_SORTIE",
        "ADRESSE_ID",
    }
)
_ADDRESS_FIELDS = frozenset(
    {
        "LIGNE1_ADRESSE",
        "LIGNE2_ADRESSE",
        "LIGNE3_ADRESSE",
        "LIGNE4_ADRESSE",
        "CODE_POSTAL",
        "LIBELLE_POSTAL",
        "LL_COMMUNE_INSEE",
        "COMMUNE_ETRANGERE",
        "LL_PAYS",
        "CODE_PAYS",
    }
)
_PERSON_FIELDS = frozenset({"LC_CIVILITE", "NOM_DE_FAMILLE", "NOM_USAGE", "NOM", "PRENOM", "ADRESSE_ID"})
_LINK_FIELDS = frozenset({"ELEVE_ID", "PERSONNE_ID", "RESP_LEGAL", "NIVEAU_RESPONSABILITE", "CODE_PARENTE"})


def root_of(head: bytes) -> str | None:
    """The root element of an XML document from its first bytes, or ``None`` if it is not XML."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        return None
    position = 0
    while True:
        start = text.find(b"<", position)
        if start < 0 or start + 1 >= len(text):
            return "" if start >= 0 or position else None
        following = text[start + 1 : start + 2]
        if following in (b"?", b"!"):
            end = text.find(b">", start)
            if end < 0:
                return ""
            position = end + 1
            continue
        name = bytearray()
        for byte in text[start + 1 : start + 200]:
            if chr(byte).isalnum() or byte in b"_-.:":
                name.append(byte)
            else:
                break
        return name.decode("ascii", errors="replace")


@dataclass
class Address:
    lines: str = ""
    code_postal: str = ""
    commune: str = ""
    pays: str = ""


@dataclass
class Pupil:
    line: int
    eleve_id: str
    fields: dict[str, str]
    division: str = ""


@dataclass
class PupilsFile:
    """What a ``BEE_ELEVES`` file says."""

    fichier: str
    uaj: str = ""
    annee: str = ""
    date_export: str = ""
    pupils: list[Pupil] = field(default_factory=list)
    addresses: dict[str, Address] = field(default_factory=dict)


@dataclass
class Responsible:
    eleve_id: str
    personne_id: str
    civilite: str
    nom: str
    nom_usage: str
    prenom: str
    lien: str
    code_parente: str
    legal: str  # "oui", "non", or "" when the file does not say
    address: Address | None
    order: int


@dataclass
class ResponsiblesFile:
    """What a ``BEE_RESPONSABLES`` file says, links resolved (persons, addresses)."""

    fichier: str
    uaj: str = ""
    by_pupil: dict[str, list[Responsible]] = field(default_factory=dict)


def xml_error(fichier: str, line: int | None, message: str) -> SourceError:
    where = f"{fichier}, ligne {line}" if line else fichier
    return SourceError(f"{where} : {message}", [Problem(fichier, line, None, None, message)])


#: the elements whose children a reader keeps, each under its list (at depth 4: root, any, list)
_RECORDS = frozenset(
    {
        ("ELEVE", "ELEVES"),
        ("PERSONNE", "PERSONNES"),
        ("RESPONSABLE_ELEVE", "RESPONSABLES"),
        ("ADRESSE", "ADRESSES"),
        ("STRUCTURES_ELEVE", "STRUCTURES"),
    }
)
_PARAMETERS = "PARAMETRES"
_DTD_MESSAGE = (
    "le XML déclare une DTD ou des entités, ce qu'un export SIECLE ne fait jamais ; il est refusé "
    "par précaution. Refaites l'export depuis SIECLE et redonnez-le sans le modifier."
)
#: how far into a file its prolog (and so any DTD) is looked for before parsing
_PROLOG_BYTES = 65536


@dataclass
class _Collected:
    """The text of the elements of interest: ``PARAMETRES``, and each record's children."""

    params: dict[str, str] = field(default_factory=dict)
    #: (element, line of its start tag, attributes, text of each child)
    records: list[tuple[str, int, dict[str, str], dict[str, str]]] = field(default_factory=list)
    #: ELEVE_ID -> CODE_STRUCTURE of its first division (TYPE_STRUCTURE D)
    divisions: dict[str, str] = field(default_factory=dict)


class _Prefixed:
    """A stream whose first bytes were read already (to look for a DTD), read again from its start."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if not self.head:
            return self.rest.read(size)
        if size is None or size < 0:
            data, self.head = self.head + self.rest.read(), b""
            return data
        data, self.head = self.head[:size], self.head[size:]
        return data


def _parse(fichier: str, stream: IO[bytes], root: str) -> _Collected:
    """The elements of interest of a SIECLE export, read as a stream.

    libxml2 (lxml) builds each record in C and hands over the records alone: expat through SAX called
    Python for every tag and every piece of text, most of the reading time of a department's exports.
    No DTD is accepted (none in a SIECLE export), so no entity can be declared, let alone expanded;
    nothing is fetched from the network. The records read are dropped as the file goes, so a large
    export never sits in memory as a tree.
    """
    # Imported here: most crossings read no SIECLE file.
    from lxml import etree

    head = stream.read(_PROLOG_BYTES)
    if b"<!DOCTYPE" in head[: head.find(b"<" + root.encode("ascii", "replace"))] or b"<!ENTITY" in head:
        raise xml_error(fichier, None, _DTD_MESSAGE)
    out = _Collected()
    events = etree.iterparse(
        _Prefixed(head, stream),
        events=("end",),
        tag=[*(name for name, _ in _RECORDS), _PARAMETERS],
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    checked = False
    last_list: Any = None
    list_at_depth_3 = False
    try:
        for _, element in events:
            if not checked:
                _check_document(fichier, element.getroottree(), root)
                checked = True
            parent = element.getparent()
            if element.tag == _PARAMETERS:
                if parent is not None and parent.getparent() is None:
                    out.params.update((child.tag, (child.text or "").strip()) for child in element)
                continue
            if parent is not last_list:
                # Once per list (ELEVES, PERSONNES…): at depth 3, under the root's child.
                last_list = parent
                grand = parent.getparent()
                list_at_depth_3 = (
                    grand is not None
                    and grand.getparent() is not None
                    and (grand.getparent().getparent() is None)
                )
            if not list_at_depth_3 or (element.tag, parent.tag) not in _RECORDS:
                continue
            attrs = dict(element.attrib)
            if element.tag == "STRUCTURES_ELEVE":
                for structure in element.iterchildren("STRUCTURE"):
                    fields = {child.tag: (child.text or "").strip() for child in structure}
                    if fields.get("TYPE_STRUCTURE") == "D":
                        out.divisions.setdefault(attrs.get("ELEVE_ID", ""), fields.get("CODE_STRUCTURE", ""))
            else:
                fields = {child.tag: (child.text or "").strip() for child in element}
                out.records.append((element.tag, element.sourceline or 0, attrs, fields))
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del parent[0]
        if not checked:
            _check_document(fichier, events.root.getroottree(), root)
    except etree.XMLSyntaxError as error:
        message = str(error.msg or error).split(", line ")[0]
        if "encoding" in message.lower():
            raise xml_error(
                fichier,
                None,
                "l'encodage déclaré dans la première ligne du XML est inconnu ou faux. Refaites l'export "
                "depuis SIECLE et redonnez-le sans l'ouvrir dans un autre programme.",
            ) from None
        raise xml_error(
            fichier,
            error.lineno,
            f"le XML est mal formé ({message}). Le fichier est sans doute tronqué ou abîmé : "
            "refaites l'export depuis SIECLE (Base élèves établissement) et redonnez-le tel quel.",
        ) from None
    return out


def _check_document(fichier: str, tree: Any, root: str) -> None:
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise xml_error(fichier, None, _DTD_MESSAGE)
    top = tree.getroot()
    if top.tag != root:
        raise xml_error(
            fichier,
            top.sourceline or 0,
            f"l'élément racine est <{top.tag}> et non <{root}> : ce n'est pas le fichier attendu.",
        )


def _address(fields: dict[str, str]) -> Address:
    lines = " ".join(
        fields.get(f"LIGNE{i}_ADRESSE", "") for i in range(1, 5) if fields.get(f"LIGNE{i}_ADRESSE")
    )
    commune = (
        fields.get("LIBELLE_POSTAL") or fields.get("LL_COMMUNE_INSEE") or fields.get("COMMUNE_ETRANGERE", "")
    )
    return Address(lines, fields.get("CODE_POSTAL", ""), commune, fields.get("LL_PAYS", ""))


def read_pupils_file(fichier: str, stream: IO[bytes]) -> PupilsFile:
    parsed = _parse(fichier, stream, PUPILS_ROOT)
    out = PupilsFile(
        fichier,
        uaj=parsed.params.get("UAJ", "").upper(),
        annee=parsed.params.get("ANNEE_SCOLAIRE", ""),
        date_export=parsed.params.get("DATE_EXPORT", ""),
    )
    for name, line, attrs, fields in parsed.records:
        if name == "ELEVE":
            kept = {key: value for key, value in fields.items() if key in _PUPIL_FIELDS}
            eleve_id = attrs.get("ELEVE_ID", "")
            out.pupils.append(Pupil(line, eleve_id, kept, parsed.divisions.get(eleve_id, "")))
        elif name == "ADRESSE":
            out.addresses[attrs.get("ADRESSE_ID", "")] = _address(fields)
    return out


def read_responsibles_file(fichier: str, stream: IO[bytes]) -> ResponsiblesFile:
    parsed = _parse(fichier, stream, RESPONSIBLES_ROOT)
    persons: dict[str, dict[str, str]] = {}
    addresses: dict[str, Address] = {}
    links: list[dict[str, str]] = []
    for name, _line, attrs, fields in parsed.records:
        if name == "PERSONNE":
            persons[attrs.get("PERSONNE_ID", "")] = {k: v for k, v in fields.items() if k in _PERSON_FIELDS}
        elif name == "ADRESSE":
            addresses[attrs.get("ADRESSE_ID", "")] = _address(fields)
        elif name == "RESPONSABLE_ELEVE":
            links.append({k: v for k, v in fields.items() if k in _LINK_FIELDS})
    out = ResponsiblesFile(fichier, uaj=parsed.params.get("UAJ", "").upper())
    for order, link in enumerate(links):
        person = persons.get(link.get("PERSONNE_ID", ""), {})
        level = link.get("NIVEAU_RESPONSABILITE", "")
        old = link.get("RESP_LEGAL", "")
        legal = "oui" if level == "1" or old in ("1", "2") else ("non" if level or old else "")
        code = link.get("CODE_PARENTE", "")
        out.by_pupil.setdefault(link.get("ELEVE_ID", ""), []).append(
            Responsible(
                eleve_id=link.get("ELEVE_ID", ""),
                personne_id=link.get("PERSONNE_ID", ""),
                civilite=person.get("LC_CIVILITE", ""),
                nom=person.get("NOM_DE_FAMILLE") or person.get("NOM", ""),
                nom_usage=person.get("NOM_USAGE", ""),
                prenom=person.get("PRENOM", ""),
                lien=PARENT_CODES.get(code, ""),
                code_parente=code,
                legal=legal,
                address=addresses.get(person.get("ADRESSE_ID", "")),
                order=order,
            )
        )
    return out


def main_address(responsibles: list[Responsible]) -> Address | None:
    """The address of the pupil's first legal representative that has one (then of anyone listed)."""
    ranked = sorted(responsibles, key=lambda r: (r.legal != "oui", r.order))
    for responsible in ranked:
        if responsible.address is not None and (responsible.address.lines or responsible.address.code_postal):
            return responsible.address
    return None


def parse_french_date(text: str) -> datetime.date | None:
    try:
        day, month, year = (int(part) for part in text.strip().split("/"))
        return datetime.date(year, month, day)
    except ValueError:
        return None


def level_of(code_mef: str) -> str:
    return MEF_LEVELS.get(code_mef.strip()[:3], "")


def pupil_identifier(pupil: Pupil, uaj: str) -> str:
    fields = pupil.fields
    return (
        fields.get("ID_NATIONAL")
        or fields.get("INE_RNIE")
        or fields.get("INE_BEA")
        or stable_id("SIECLE", uaj, pupil.eleve_id or fields.get("ELENOET", ""))
    ).upper()


def pupil_surname(pupil: Pupil) -> str:
    fields = pupil.fields
    return join_names(fields.get("NOM_DE_FAMILLE") or fields.get("NOM", ""), fields.get("NOM_USAGE", ""))


def pupil_first_names(pupil: Pupil) -> str:
    fields = pupil.fields
    return " ".join(fields[key] for key in ("PRENOM", "PRENOM2", "PRENOM3") if fields.get(key))


def sex_of(code: str) -> str:
    # 1 = M, 2 = F (certain); anything else is passed on, for validation to name it.
    return {"1": "M", "2": "F"}.get(code.strip(), code.strip())


def open_zip_xml(fichier: str, data: bytes) -> Iterator[tuple[str, str, IO[bytes]]]:
    """The XML members of a ZIP as (name, root element, stream decompressed while it is read)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, zlib.error, NotImplementedError):
        raise xml_error(fichier, None, "l'archive ZIP est abîmée. Refaites l'export depuis SIECLE.") from None
    with archive:
        for info in archive.infolist():
            parts = info.filename.replace("\\", "/").split("/")
            if info.is_dir() or "__MACOSX" in parts or parts[-1].startswith("."):
                continue
            if not parts[-1].lower().endswith(".xml"):
                continue
            with archive.open(info) as stream:
                root = root_of(stream.read(4096)) or ""
            with archive.open(info) as stream:
                yield info.filename, root, stream


def zip_xml_roots(data: bytes) -> list[str] | None:
    """The roots of the XML members of a ZIP, or ``None`` if it is not a ZIP of XML files."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, zlib.error, NotImplementedError):
        return None
    roots: list[str] = []
    with archive:
        for info in archive.infolist():
            parts = info.filename.replace("\\", "/").split("/")
            if info.is_dir() or "__MACOSX" in parts or parts[-1].startswith("."):
                continue
            if not parts[-1].lower().endswith(".xml"):
                return None
            try:
                with archive.open(info) as stream:
                    roots.append(root_of(stream.read(4096)) or "")
            except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, zlib.error, NotImplementedError):
                roots.append("")  # a damaged member: the XLSX or ODS reader says what is wrong
    return roots or None
