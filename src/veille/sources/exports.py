"""The real exports of the schools' systems, told by their content and read as they come.

:func:`sniff` recognises an ONDE ``CSVExtraction.csv`` (pupils or responsables, by its header), a
SIECLE ``BEE_ELEVES`` or ``BEE_RESPONSABLES`` XML file, or a ZIP of them
(``ExportXML_ElevesSansAdresses.zip``): never by the file's name, and the agent does not choose.
:func:`read_part` reads one such file; :func:`assemble` then pairs the files that complete each
other (a SIECLE pupils file with the responsables file of the same school, for the addresses; an ONDE
responsables extraction with the pupils extractions) and gives, per file, the rows in the canonical
columns of a schooling file, ready for the same validation as any other file.

Besides the canonical columns, the parsed records keep what these formats say and a schooling file
does not (``details``: birthplace, level as written, cycle, class, entry and exit dates…) and the
pupils' responsables (``responsables``: civility, names, link, legal representative or not,
address). Telephones and e-mail addresses are not kept: the cell has no use for them.
"""

from __future__ import annotations

import datetime
import functools
import io
import unicodedata
from dataclasses import dataclass, field
from typing import IO

import pandas as pd

from veille.columns import SCHOOLING_COLUMNS
from veille.sources import onde, siecle
from veille.sources.formats import RawTable, detect_encoding, read_csv_bytes, sniff_separator
from veille.sources.problems import Problem, SourceError

ONDE_PUPILS = "onde_eleves"
ONDE_RESPONSIBLES = "onde_responsables"
SIECLE_PUPILS = "siecle_eleves"
SIECLE_RESPONSIBLES = "siecle_responsables"
SIECLE_ZIP = "siecle_zip"
OTHER_XML = "xml_inconnu"

LABELS = {
    ONDE_PUPILS: "extraction ONDE des élèves",
    ONDE_RESPONSIBLES: "extraction ONDE des responsables",
    SIECLE_PUPILS: "export SIECLE des élèves",
    SIECLE_RESPONSIBLES: "export SIECLE des responsables",
}

#: columns of ``ReadResult.details`` (one row per pupil of a real export, kept or not)
DETAIL_COLUMNS: tuple[str, ...] = (
    "fichier",
    "ligne",
    "identifiant",
    "format",
    "nom_famille",
    "nom_usage",
    "prenoms",
    "ine",
    "uai",
    "niveau",
    "niveau_source",
    "cycle",
    "classe",
    "identifiant_classe",
    "dispositif",
    "date_entree",
    "date_sortie",
    "sorti",
    "etat",
    "commune_naissance",
    "code_commune_naissance",
    "departement_naissance",
    "pays_naissance",
    "adresse_2",
    "code_postal_2",
    "commune_2",
)
#: columns of ``ReadResult.responsables`` (one row per pupil and responsible)
RESPONSIBLE_COLUMNS: tuple[str, ...] = (
    "fichier",
    "ligne",
    "identifiant",
    "format",
    "civilite",
    "nom",
    "nom_usage",
    "prenom",
    "lien",
    "code_parente",
    "representant_legal",
    "adresse",
    "code_postal",
    "commune",
    "pays",
)

_SIECLE_ORIGIN = {
    "identifiant": "<ID_NATIONAL>",
    "nom": "<NOM_DE_FAMILLE>",
    "prenoms": "<PRENOM>",
    "date_naissance": "<DATE_NAISS>",
    "sexe": "<CODE_SEXE>",
}


def empty_details() -> pd.DataFrame:
    return pd.DataFrame(columns=list(DETAIL_COLUMNS), dtype=object)


def empty_responsibles() -> pd.DataFrame:
    return pd.DataFrame(columns=list(RESPONSIBLE_COLUMNS), dtype=object)


def sniff(fichier: str, data: bytes) -> str | None:
    """The kind of real export ``data`` is, from its content only; ``None`` for any other file."""
    head = data[:4096]
    if head.startswith(b"PK\x03\x04"):
        roots = siecle.zip_xml_roots(data)
        if roots and all(root in (siecle.PUPILS_ROOT, siecle.RESPONSIBLES_ROOT) for root in roots):
            return SIECLE_ZIP
        if roots:
            return OTHER_XML
        return None
    root = siecle.root_of(head)
    if root is not None and (head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml") or root.isupper()):
        if root == siecle.PUPILS_ROOT:
            return SIECLE_PUPILS
        if root == siecle.RESPONSIBLES_ROOT:
            return SIECLE_RESPONSIBLES
        return OTHER_XML
    if b"\x00" in head or not head.strip():
        return None
    # The header line alone: a cut through a multi-byte character further on would not mislead.
    line = data[:65536] if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data[:65536].split(b"\n", 1)[0]
    encoding = detect_encoding(line)
    text = line.decode(encoding, errors="replace").lstrip("\ufeff")
    first = text.split("\n", 1)[0].rstrip("\r")
    separator = sniff_separator(first)
    headers = [cell.strip().strip('"') for cell in first.split(separator)]
    return onde.kind_of_header(headers)


@dataclass
class ExportPart:
    """One file of a real export, read but not yet paired with the files that complete it."""

    kind: str
    path: str
    given_path: str
    fichier: str
    format: str
    encoding: str | None = None
    separator: str | None = None
    raw: RawTable | None = None
    filled: pd.Series | None = None
    onde_pupils: onde.OndePupils | None = None
    onde_responsibles: list[onde.OndeResponsible] = field(default_factory=list)
    siecle_pupils: siecle.PupilsFile | None = None
    siecle_responsibles: siecle.ResponsiblesFile | None = None
    uai: str = ""


@dataclass
class AssembledFile:
    """One real-export file, in canonical columns (``frame``), ready for validation."""

    part: ExportPart
    frame: pd.DataFrame  # canonical schooling columns + "ligne" (left pupils excluded)
    details: pd.DataFrame
    responsibles: pd.DataFrame
    origin: dict[str, str]  # canonical column -> name in the file, for messages
    rows_read: int = 0
    blank_rows: int = 0
    rows_left: int = 0
    header_mapping: dict[str, str] = field(default_factory=dict)
    ignored_headers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bad_lines: dict[int, str] = field(default_factory=dict)


def file_error(fichier: str, message: str) -> SourceError:
    return SourceError(f"{fichier} : {message}", [Problem(fichier, None, None, None, message)])


def refuse_for_children(fichier: str, kind: str) -> SourceError:
    label = LABELS.get(kind, "export SIECLE")
    return file_error(
        fichier,
        f"c'est une {label}, c'est-à-dire un fichier de scolarité, pas un fichier enfants de la CAF ou de "
        "la MSA. Donnez-le parmi les fichiers de scolarité.",
    )


def read_part(
    kind: str, path: str, given_path: str, fichier: str, data: bytes, names: list[str]
) -> list[ExportPart]:
    """Read one real-export file (``kind`` from :func:`sniff`); a ZIP gives one part per XML member."""
    if kind == OTHER_XML:
        raise file_error(
            fichier,
            "ce fichier XML n'est ni un export SIECLE des élèves (BEE_ELEVES) ni celui des responsables "
            "(BEE_RESPONSABLES). Exportez depuis SIECLE « ElevesSansAdresses » (ou « ElevesAvecAdresses ») "
            "et « ResponsablesAvecAdresses », ou donnez un tableau CSV, XLSX ou ODS.",
        )
    if kind == SIECLE_ZIP:
        parts = []
        for member, root, stream in siecle.open_zip_xml(fichier, data):
            shown = f"{fichier}:{member}"
            member_kind = SIECLE_RESPONSIBLES if root == siecle.RESPONSIBLES_ROOT else SIECLE_PUPILS
            parts.append(_read_xml(member_kind, f"{path}:{member}", given_path, shown, stream, "zip:xml"))
        return parts
    if kind in (SIECLE_PUPILS, SIECLE_RESPONSIBLES):
        return [_read_xml(kind, path, given_path, fichier, io.BytesIO(data), "xml")]
    raw = read_csv_bytes(fichier, data)
    # Rows of empty cells (trailing ";;;;" lines) are not data; a cell of spaces counts as filled, so
    # that validation names such a row rather than it vanishing.
    filled = pd.Series((raw.rows.to_numpy(dtype=object) != "").any(axis=1), index=raw.rows.index)
    part = ExportPart(
        kind,
        path,
        given_path,
        fichier,
        "csv",
        raw.encoding,
        raw.separator,
        raw,
        filled,
        uai=onde.uai_in_path(*names),
    )
    part.fichier = _with_school(fichier, part.uai)
    if kind == ONDE_PUPILS:
        part.onde_pupils = onde.read_pupils(raw, filled, part.uai)
    else:
        part.onde_responsibles = onde.read_responsibles(raw, filled)
    return [part]


def _read_xml(kind: str, path: str, given_path: str, fichier: str, stream: IO[bytes], fmt: str) -> ExportPart:
    part = ExportPart(kind, path, given_path, fichier, fmt)
    if kind == SIECLE_PUPILS:
        part.siecle_pupils = siecle.read_pupils_file(fichier, stream)
        part.uai = part.siecle_pupils.uaj
    else:
        part.siecle_responsibles = siecle.read_responsibles_file(fichier, stream)
        part.uai = part.siecle_responsibles.uaj
    part.fichier = _with_school(fichier, part.uai)
    return part


def _with_school(fichier: str, uai: str) -> str:
    """``0591234A/CSVExtraction.csv``: every school's export has the same name, the UAI tells them apart."""
    return f"{uai}/{fichier}" if uai and uai not in fichier else fichier


@functools.lru_cache(maxsize=65536)
def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isalnum() and not unicodedata.combining(char)).upper()


def assemble(parts: list[ExportPart], today: datetime.date | None = None) -> list[AssembledFile]:
    """Pair the files of each export and give each file's rows in canonical columns (same order)."""
    today = today or datetime.date.today()
    siecle_responsibles: dict[str, list[siecle.ResponsiblesFile]] = {}
    for part in parts:
        if part.siecle_responsibles is not None:
            siecle_responsibles.setdefault(part.uai, []).append(part.siecle_responsibles)
    pupil_uais = {part.uai for part in parts if part.siecle_pupils is not None}
    for part in parts:
        if part.siecle_responsibles is not None and part.uai not in pupil_uais:
            school = f"de l'établissement {part.uai}" if part.uai else "sans établissement (UAJ vide)"
            raise file_error(
                part.fichier,
                f"c'est l'export SIECLE des responsables {school}, qui ne dit pas qui est scolarisé, et "
                "l'export des élèves du même établissement (ElevesSansAdresses ou ElevesAvecAdresses, même "
                "UAJ) n'a pas été donné. Ajoutez-le, ou retirez ce fichier.",
            )
    if any(part.kind == ONDE_RESPONSIBLES for part in parts) and not any(
        part.kind == ONDE_PUPILS for part in parts
    ):
        first = next(part for part in parts if part.kind == ONDE_RESPONSIBLES)
        raise file_error(
            first.fichier,
            "c'est l'extraction ONDE des responsables, qui ne dit pas qui est scolarisé. Donnez aussi "
            "l'extraction des élèves de l'école (ONDE, « Élèves de l'école », même nom CSVExtraction.csv), "
            "ou retirez ce fichier.",
        )

    out: list[AssembledFile] = []
    for part in parts:
        if part.onde_pupils is not None:
            out.append(_assemble_onde(part))
        elif part.siecle_pupils is not None:
            out.append(_assemble_siecle(part, siecle_responsibles.get(part.uai, []), today))
        else:
            out.append(
                AssembledFile(
                    part,
                    pd.DataFrame(),
                    empty_details(),
                    empty_responsibles(),
                    {},
                )
            )
    _link_onde_responsibles(parts, out)
    for assembled in out:
        if assembled.part.kind == SIECLE_RESPONSIBLES and assembled.part.siecle_responsibles is not None:
            links = sum(len(links) for links in assembled.part.siecle_responsibles.by_pupil.values())
            assembled.rows_read = links
    return out


def _assemble_onde(part: ExportPart) -> AssembledFile:
    pupils = part.onde_pupils
    assert pupils is not None and part.raw is not None and part.filled is not None
    details = pupils.details.copy()
    details.insert(0, "fichier", part.fichier)
    details["sorti"] = ""
    assembled = AssembledFile(
        part,
        pupils.frame,
        details.reindex(columns=list(DETAIL_COLUMNS), fill_value=""),
        empty_responsibles(),
        pupils.origin,
        rows_read=int(part.filled.sum()),
        blank_rows=int((~part.filled).sum()),
        header_mapping=pupils.mapping,
        ignored_headers=pupils.ignored,
        bad_lines=part.raw.bad_lines,
    )
    if not part.uai:
        assembled.warnings.append(
            "ONDE ne donne pas l'UAI de l'école dans le fichier : il n'a pas été trouvé non plus dans le "
            "nom du fichier ni de son dossier (par exemple « 0591234A/CSVExtraction.csv ») ; la colonne "
            "uai reste vide."
        )
    return assembled


def _assemble_siecle(
    part: ExportPart, responsibles_files: list[siecle.ResponsiblesFile], today: datetime.date
) -> AssembledFile:
    parsed = part.siecle_pupils
    assert parsed is not None
    by_pupil: dict[str, list[siecle.Responsible]] = {}
    for responsibles in responsibles_files:
        for eleve_id, links in responsibles.by_pupil.items():
            by_pupil.setdefault(eleve_id, []).extend(links)
    rows, detail_rows, responsible_rows = [], [], []
    left = without_division = 0
    for pupil in parsed.pupils:
        fields = pupil.fields
        identifier = siecle.pupil_identifier(pupil, parsed.uaj)
        exit_text = fields.get("DATE_SORTIE", "")
        exit_date = siecle.parse_french_date(exit_text) if exit_text else None
        gone = exit_date is not None and exit_date < today
        links = by_pupil.get(pupil.eleve_id, [])
        address = siecle.main_address(links)
        if address is None and fields.get("ADRESSE_ID"):
            address = parsed.addresses.get(fields["ADRESSE_ID"])
        address = address or siecle.Address()
        level = siecle.level_of(fields.get("CODE_MEF", ""))
        born_abroad = fields.get("CODE_PAYS", "") not in ("", "100")
        detail_rows.append(
            {
                "fichier": part.fichier,
                "ligne": pupil.line,
                "identifiant": identifier,
                "format": "siecle",
                "nom_famille": fields.get("NOM_DE_FAMILLE") or fields.get("NOM", ""),
                "nom_usage": fields.get("NOM_USAGE", ""),
                "prenoms": siecle.pupil_first_names(pupil),
                "ine": fields.get("ID_NATIONAL", ""),
                "uai": parsed.uaj,
                "niveau": level,
                "niveau_source": fields.get("CODE_MEF", ""),
                "cycle": "",
                "classe": pupil.division,
                "identifiant_classe": "",
                "dispositif": "",
                "date_entree": fields.get("DATE_ENTREE", ""),
                "date_sortie": exit_text,
                "sorti": "oui" if gone else "",
                "etat": "",
                "commune_naissance": fields.get("VILLE_NAISS", ""),
                "code_commune_naissance": fields.get("CODE_COMMUNE_INSEE_NAISS", ""),
                "departement_naissance": fields.get("CODE_DEPARTEMENT_NAISS", ""),
                "pays_naissance": fields.get("CODE_PAYS", "")
                if born_abroad
                else ("100" if fields.get("CODE_PAYS") else ""),
                "adresse_2": "",
                "code_postal_2": "",
                "commune_2": "",
            }
        )
        if gone:
            left += 1
            continue
        if not pupil.division:
            without_division += 1
        for link in sorted(links, key=lambda r: r.order):
            where = link.address or siecle.Address()
            responsible_rows.append(
                {
                    "fichier": part.fichier,
                    "ligne": pupil.line,
                    "identifiant": identifier,
                    "format": "siecle",
                    "civilite": link.civilite,
                    "nom": link.nom,
                    "nom_usage": link.nom_usage,
                    "prenom": link.prenom,
                    "lien": link.lien,
                    "code_parente": link.code_parente,
                    "representant_legal": link.legal,
                    "adresse": where.lines,
                    "code_postal": where.code_postal,
                    "commune": where.commune,
                    "pays": where.pays,
                }
            )
        rows.append(
            {
                "source": "SIECLE",
                "identifiant": identifier,
                "nom": siecle.pupil_surname(pupil),
                "prenoms": siecle.pupil_first_names(pupil),
                "date_naissance": fields.get("DATE_NAISS", ""),
                "sexe": siecle.sex_of(fields.get("CODE_SEXE", "")),
                "etablissement": "",
                "uai": parsed.uaj,
                "niveau": level,
                "adresse": address.lines,
                "code_postal": address.code_postal,
                "commune": address.commune,
                "ligne": pupil.line,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[*SCHOOLING_COLUMNS, "ligne"],
        dtype=object,
    )
    frame["ligne"] = frame["ligne"].astype("int64")
    assembled = AssembledFile(
        part,
        frame,
        pd.DataFrame(detail_rows, columns=list(DETAIL_COLUMNS), dtype=object)
        if detail_rows
        else empty_details(),
        pd.DataFrame(responsible_rows, columns=list(RESPONSIBLE_COLUMNS), dtype=object)
        if responsible_rows
        else empty_responsibles(),
        dict(_SIECLE_ORIGIN),
        rows_read=len(parsed.pupils),
        rows_left=left,
        header_mapping={
            "ID_NATIONAL": "identifiant",
            "NOM_DE_FAMILLE": "nom",
            "NOM_USAGE": "nom",
            "PRENOM": "prenoms",
            "DATE_NAISS": "date_naissance",
            "CODE_SEXE": "sexe",
            "UAJ": "uai",
            "CODE_MEF": "niveau",
        },
    )
    if left:
        assembled.warnings.append(
            f"{left} élève(s) ont une date de sortie (DATE_SORTIE) passée : ils ont quitté "
            "l'établissement et ne sont pas comptés comme scolarisés."
        )
    if without_division:
        assembled.warnings.append(
            f"{without_division} élève(s) n'ont pas de division (classe) : ils sont comptés comme scolarisés."
        )
    if not responsibles_files and not parsed.addresses:
        assembled.warnings.append(
            "sans l'export des responsables du même établissement (ResponsablesAvecAdresses.xml), les "
            "adresses restent vides : ajoutez-le pour que l'adresse aide le rapprochement."
        )
    if not parsed.uaj:
        assembled.warnings.append("l'UAI de l'établissement (PARAMETRES/UAJ) est vide dans ce fichier.")
    return assembled


def _link_onde_responsibles(parts: list[ExportPart], out: list[AssembledFile]) -> None:
    """Tie each responsible of an ONDE responsables extraction to one pupil, by name and first name.

    The extraction carries no identifier (REAL-EXPORTS.md §1.5); a responsible whose child's name
    matches no pupil, or several, is left unlinked and counted in the file's warnings.
    """
    index: dict[tuple[str, str, str], list[tuple[str, int]]] = {}
    for assembled in out:
        if assembled.part.kind != ONDE_PUPILS:
            continue
        details = assembled.details
        for identifier, line, family, usage, given in zip(
            details["identifiant"],
            details["ligne"],
            details["nom_famille"],
            details["nom_usage"],
            details["prenoms"],
            strict=True,
        ):
            first = _key(given.split(" ")[0]) if given else ""
            for name in {_key(family), _key(usage)} - {""}:
                for uai in {assembled.part.uai, "*"}:
                    index.setdefault((uai, name, first), []).append((identifier, int(line)))
    for assembled in out:
        part = assembled.part
        if part.kind != ONDE_RESPONSIBLES:
            continue
        rows, unlinked = [], 0
        for responsible in part.onde_responsibles:
            first = _key(responsible.enfant_prenom.split(" ")[0])
            found: set[tuple[str, int]] = set()
            for name in {_key(responsible.enfant_nom), _key(responsible.enfant_nom_usage)} - {""}:
                found.update(index.get((part.uai or "*", name, first), []))
            identifiers = {identifier for identifier, _ in found}
            if len(identifiers) != 1:
                unlinked += 1
                continue
            rows.append(
                {
                    "fichier": part.fichier,
                    "ligne": responsible.ligne,
                    "identifiant": identifiers.pop(),
                    "format": "onde",
                    "civilite": responsible.civilite,
                    "nom": responsible.nom,
                    "nom_usage": responsible.nom_usage,
                    "prenom": responsible.prenom,
                    "lien": "",
                    "code_parente": "",
                    "representant_legal": "",
                    "adresse": responsible.adresse,
                    "code_postal": responsible.code_postal,
                    "commune": responsible.commune,
                    "pays": responsible.pays,
                }
            )
        assembled.responsibles = (
            pd.DataFrame(rows, columns=list(RESPONSIBLE_COLUMNS), dtype=object)
            if rows
            else empty_responsibles()
        )
        assembled.rows_read = len(part.onde_responsibles)
        if part.filled is not None:
            assembled.blank_rows = int((~part.filled).sum())
        if unlinked:
            assembled.warnings.append(
                f"{unlinked} responsable(s) n'ont pu être rattachés à aucun élève, ou à plusieurs (même "
                "nom et même prénom) : l'extraction des responsables ne porte pas d'identifiant."
            )
