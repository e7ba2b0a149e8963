"""Writing a synthetic commune's ONDE and SIECLE records as the real exports come.

The same records as the ``scolarite_onde.csv`` and ``scolarite_siecle.csv`` of ``writer.py``,
school by school, in the layouts of ``shared/formats/REAL-EXPORTS.md`` (every value invented):

- ``onde/<UAI>/CSVExtraction-eleves.csv`` and ``onde/<UAI>/CSVExtraction-responsables.csv``
  (Windows-1252, ``;``, CRLF, the header of §1.3 and §1.5; the file names of the Edifice ENT sample
  sets, the folder named by the school's UAI, which the file itself does not carry);
- ``siecle/<UAI>/ExportXML_ElevesSansAdresses.zip`` (holding ``ElevesSansAdresses.xml``) and
  ``siecle/<UAI>/ResponsablesAvecAdresses.xml`` (ISO-8859-15, ``BEE_ELEVES`` 3.0 and
  ``BEE_RESPONSABLES`` 2.1).

The SIECLE files also list, as a real export does, pupils who left before this school year
(``DATE_SORTIE`` at the end of the previous one): a quarter of the commune's unschooled children of
secondary age, with their identity as the CAF gives it. Read as Veille reads them, they must not count
as schooled; ``scolarite_siecle.csv`` does not list them, so both sets of files cross the same way.

Writing uses its own random stream: the commune's CSV files are unchanged by it.
"""

from __future__ import annotations

import csv
import datetime
import io
import random
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from veille.synth.generator import SyntheticCommune

ONDE_PUPIL_HEADER = (
    "Nom élève",
    "Nom d'usage élève",
    "Prénom élève",
    "Date naissance",
    "Sexe",
    "INE",
    "Adresse1",
    "Cp1",
    "Commune1",
    "Pays1",
    "Adresse2",
    "Cp2",
    "Commune2",
    "Pays2",
    " Cycle",
    "Niveau",
    "Libellé classe",
    "Identifiant classe",
    "Attestation fournie",
    "Autorisation associations",
    "Autorisation photo",
    "Décision de passage",
)
ONDE_RESPONSIBLE_HEADER = (
    "Civilité Responsable",
    "Nom usage responsable",
    "Nom responsable",
    "Prénom responsable",
    "Adresse responsable",
    "CP responsable",
    "Commune responsable",
    "Pays",
    "Courriel",
    "Téléphone domicile",
    "Téléphone travail",
    "Téléphone portable",
)
ONDE_CHILD_BLOCK = ("Nom d'usage enfant", "Nom de famille enfant", "Prénom enfant", "Classes enfants")
CYCLES = {
    "TPS": "CYCLE I",
    "PS": "CYCLE I",
    "MS": "CYCLE I",
    "GS": "CYCLE I",
    "CP": "CYCLE II",
    "CE1": "CYCLE II",
    "CE2": "CYCLE II",
    "CM1": "CYCLE III",
    "CM2": "CYCLE III",
}
#: level -> an 11-character MEF code whose prefix ``siecle.MEF_LEVELS`` reads back (invented suffixes)
MEF_CODES = {
    "6E": "10010012110",
    "5E": "10110001110",
    "4E": "10210001110",
    "3E": "10310019110",
    "2NDE": "20010018110",
    "1ERE": "20110019110",
    "TLE": "20210019110",
}
_DIVISION = {"6E": "6", "5E": "5", "4E": "4", "3E": "3", "2NDE": "2", "1ERE": "1", "TLE": "T"}
_RESPONSIBLE_FIRST = {
    "F": ("Nadia", "Sophie", "Fatima", "Aurélie", "Samira", "Julie", "Aminata", "Ana", "Elif", "Thi"),
    "M": ("Karim", "Julien", "Mamadou", "Rui", "Mehmet", "David", "Nicolas", "Rachid", "Tomasz", "Van"),
}


def _french_date(text: str) -> str:
    if len(text) == 10 and text[4] == "-":
        return f"{text[8:10]}/{text[5:7]}/{text[:4]}"
    return text


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp1252")


def _surname(nom: str) -> str:
    return nom.split(" ")[0].split("-")[0]


def _write_onde(records: pd.DataFrame, out: Path, rng: random.Random) -> list[Path]:
    written = []
    for uai, school in records.groupby("uai", sort=True):
        folder = out / "onde" / str(uai)
        folder.mkdir(parents=True, exist_ok=True)
        classes: dict[str, int] = {}
        pupils = [list(ONDE_PUPIL_HEADER)]
        families: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for row in school.itertuples(index=False):
            level = row.niveau
            class_id = classes.setdefault(level, 100000 + 10 * len(classes) + rng.randrange(10))
            label = f"{level or 'ULIS'} {'ABC'[class_id % 3]}"
            pupils.append(
                [
                    row.nom,
                    "",
                    row.prenoms,
                    _french_date(row.date_naissance),
                    row.sexe,
                    row.identifiant,
                    row.adresse,
                    row.code_postal,
                    row.commune,
                    "FRANCE" if row.adresse else "",
                    "",
                    "",
                    "",
                    "",
                    CYCLES.get(level, ""),
                    level,
                    label,
                    str(class_id),
                    rng.choice(("Oui", "Non")),
                    rng.choice(("Oui", "Non", "")),
                    rng.choice(("Oui", "Non")),
                    "",
                ]
            )
            family = (_surname(row.nom), row.adresse)
            families.setdefault(family, []).append((row.nom, row.prenoms.split(" ")[0], label))
        path = folder / "CSVExtraction-eleves.csv"
        path.write_bytes(_csv_bytes(pupils))
        written.append(path)

        width = max(len(children) for children in families.values())
        responsibles = [list(ONDE_RESPONSIBLE_HEADER) + list(ONDE_CHILD_BLOCK) * width]
        for (surname, address), children in families.items():
            sex = "F" if rng.random() < 0.8 else "M"
            first = rng.choice(_RESPONSIBLE_FIRST[sex])
            row = ["MME" if sex == "F" else "M.", "", surname, first, address, "", "", "FRANCE"]
            row += ["", "", "", ""]  # contact details: none in synthetic files
            for nom, prenom, label in children:
                row += ["", nom, prenom, label]
            row += [""] * (len(responsibles[0]) - len(row))
            responsibles.append(row)
        path = folder / "CSVExtraction-responsables.csv"
        path.write_bytes(_csv_bytes(responsibles))
        written.append(path)
    return written


def _element(name: str, value: str) -> str:
    return f"<{name}>{escape(value)}</{name}>" if value else ""


def _split_first_names(prenoms: str) -> list[str]:
    parts = prenoms.split(" ")
    return [*parts[:2], " ".join(parts[2:])] if len(parts) > 2 else parts


def _left_pupils(commune: SyntheticCommune, rng: random.Random) -> pd.DataFrame:
    """Unschooled children of secondary age, as a SIECLE export still lists them after they left."""
    first_year = int(commune.school_year[:4])
    truth = commune.truth.set_index(["organisme", "identifiant"])
    children = commune.children
    status = truth.reindex(pd.MultiIndex.from_frame(children[["organisme", "identifiant"]]))["statut_reel"]
    born_year = children["date_naissance"].str[-4:].astype(int)
    secondary = (first_year - 3 - born_year >= 8).to_numpy()
    chosen = children[(status.to_numpy() == "non_scolarise") & secondary]
    keep = [index for index in chosen.index if rng.random() < 0.25]
    # At least one, so that even a small commune's files show the rule.
    return chosen.loc[keep or list(chosen.index[:1])]


def _write_siecle(
    commune: SyntheticCommune, records: pd.DataFrame, out: Path, rng: random.Random, exit_date: datetime.date
) -> list[Path]:
    first_year = int(commune.school_year[:4])
    exit_text = exit_date.strftime("%d/%m/%Y")
    params = (
        f"<UAJ>{{uai}}</UAJ><ANNEE_SCOLAIRE>{first_year}</ANNEE_SCOLAIRE>"
        f"<DATE_EXPORT>15/09/{first_year}</DATE_EXPORT><HORODATAGE>15/09/{first_year} 08:30:00</HORODATAGE>"
    )
    left = _left_pupils(commune, rng)
    schools = sorted(records["uai"].unique())
    left_school = {index: schools[position % len(schools)] for position, index in enumerate(left.index)}
    written: list[Path] = []
    eleve_id = 900000
    for uai in schools:
        school = records[records["uai"] == uai]
        pupils, structures, persons, links, addresses = [], [], [], [], []
        entries: list[dict[str, str]] = [{**row, "sortie": ""} for row in school.to_dict(orient="records")]
        for index in [i for i, school_uai in left_school.items() if school_uai == uai]:
            child = left.loc[index]
            entries.append(
                {
                    "identifiant": f"{800000000 + index:09d}SO",
                    "nom": child["nom"].upper(),
                    "prenoms": child["prenoms"].replace(",", " ").split(" ")[0],
                    "date_naissance": child["date_naissance"],
                    "sexe": child["sexe"],
                    "niveau": "",
                    "adresse": child["adresse"].upper(),
                    "code_postal": child["code_postal"],
                    "commune": child["commune"],
                    "sortie": exit_text,
                }
            )
        for entry in entries:
            eleve_id += 1
            ident = str(eleve_id)
            names = _split_first_names(entry["prenoms"])
            level = entry["niveau"]
            sex = {"M": "1", "F": "2"}.get(entry["sexe"], "")
            pupils.append(
                f'<ELEVE ELEVE_ID="{ident}" ELENOET="{eleve_id - 899000}">'
                + _element("ID_NATIONAL", entry["identifiant"])
                + _element("ELENOET", str(eleve_id - 899000))
                + _element("NOM_DE_FAMILLE", entry["nom"])
                + "".join(
                    _element(tag, name)
                    for tag, name in zip(("PRENOM", "PRENOM2", "PRENOM3"), names, strict=False)
                )
                + _element("DATE_NAISS", _french_date(entry["date_naissance"]))
                + _element("CODE_SEXE", sex)
                + "<CODE_PAYS>100</CODE_PAYS>"
                + _element("CODE_MEF", MEF_CODES.get(level, ""))
                + "<CODE_STATUT>ST</CODE_STATUT><CODE_REGIME>2</CODE_REGIME>"
                + _element("DATE_ENTREE", f"02/09/{exit_date.year - 1 if entry['sortie'] else first_year}")
                + _element("DATE_SORTIE", entry["sortie"])
                + ("<CODE_MOTIF_SORTIE>DEM</CODE_MOTIF_SORTIE>" if entry["sortie"] else "")
                + "</ELEVE>"
            )
            division = f"{_DIVISION.get(level, '3')} {'ABCD'[eleve_id % 4]}"
            structures.append(
                f'<STRUCTURES_ELEVE ELEVE_ID="{ident}" ELENOET="{eleve_id - 899000}"><STRUCTURE>'
                f"<CODE_STRUCTURE>{escape(division)}</CODE_STRUCTURE><TYPE_STRUCTURE>D</TYPE_STRUCTURE>"
                "</STRUCTURE></STRUCTURES_ELEVE>"
            )
            address_id = str(700000 + eleve_id)
            has_address = bool(entry["adresse"] or entry["code_postal"] or entry["commune"])
            if has_address:
                addresses.append(
                    f"<ADRESSE ADRESSE_ID={quoteattr(address_id)}>"
                    + _element("LIGNE1_ADRESSE", entry["adresse"])
                    + _element("CODE_POSTAL", entry["code_postal"])
                    + _element("LIBELLE_POSTAL", entry["commune"])
                    + "<LL_PAYS>FRANCE</LL_PAYS></ADRESSE>"
                )
            surname = _surname(entry["nom"])
            parents = [("MME", "F", "10")] + ([("M.", "M", "20")] if rng.random() < 0.5 else [])
            for rank, (civility, sex_letter, code) in enumerate(parents):
                person_id = str(600000 + 2 * eleve_id + rank)
                persons.append(
                    f'<PERSONNE PERSONNE_ID="{person_id}"><LC_CIVILITE>{civility}</LC_CIVILITE>'
                    + _element("NOM_DE_FAMILLE", surname)
                    + _element("PRENOM", rng.choice(_RESPONSIBLE_FIRST[sex_letter]))
                    + (_element("ADRESSE_ID", address_id) if has_address else "")
                    + "</PERSONNE>"
                )
                links.append(
                    f"<RESPONSABLE_ELEVE><ELEVE_ID>{ident}</ELEVE_ID><PERSONNE_ID>{person_id}</PERSONNE_ID>"
                    "<NIVEAU_RESPONSABILITE>1</NIVEAU_RESPONSABILITE>"
                    f"<CODE_PARENTE>{code}</CODE_PARENTE><PAIE_FRAIS_SCOLAIRES>1</PAIE_FRAIS_SCOLAIRES>"
                    "</RESPONSABLE_ELEVE>"
                )
        prolog = '<?xml version="1.0" encoding="ISO-8859-15"?>\n'
        pupils_xml = (
            prolog
            + '<BEE_ELEVES VERSION="3.0">\n<PARAMETRES>'
            + params.format(uai=uai)
            + "</PARAMETRES>\n<DONNEES>\n<ELEVES>\n"
            + "\n".join(pupils)
            + "\n</ELEVES>\n<STRUCTURES>\n"
            + "\n".join(structures)
            + "\n</STRUCTURES>\n</DONNEES>\n</BEE_ELEVES>\n"
        )
        responsibles_xml = (
            prolog
            + '<BEE_RESPONSABLES VERSION="2.1">\n<PARAMETRES>'
            + params.format(uai=uai)
            + "</PARAMETRES>\n<DONNEES>\n<PERSONNES>\n"
            + "\n".join(persons)
            + "\n</PERSONNES>\n<RESPONSABLES>\n"
            + "\n".join(links)
            + "\n</RESPONSABLES>\n<ADRESSES>\n"
            + "\n".join(addresses)
            + "\n</ADRESSES>\n</DONNEES>\n</BEE_RESPONSABLES>\n"
        )
        folder = out / "siecle" / str(uai)
        folder.mkdir(parents=True, exist_ok=True)
        archive = folder / "ExportXML_ElevesSansAdresses.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
            handle.writestr("ElevesSansAdresses.xml", pupils_xml.encode("iso-8859-15"))
        responsibles_path = folder / "ResponsablesAvecAdresses.xml"
        responsibles_path.write_bytes(responsibles_xml.encode("iso-8859-15"))
        written += [archive, responsibles_path]
    return written


def write_real_exports(
    commune: SyntheticCommune, out_dir: str | Path, *, exit_date: datetime.date | None = None
) -> dict[str, Path]:
    """Write the ONDE and SIECLE records as real exports; returns relative name -> path.

    ``exit_date``: the ``DATE_SORTIE`` of the pupils who left (by default 5 July before the school
    year); it must be past on the day the files are read, or they count as still enrolled.
    """
    out = Path(out_dir)
    rng = random.Random(f"exports-{commune.seed}-{commune.n_children}")
    exit_date = exit_date or datetime.date(int(commune.school_year[:4]), 7, 5)
    paths = _write_onde(commune.schooling["ONDE"], out, rng)
    paths += _write_siecle(commune, commune.schooling["SIECLE"], out, rng, exit_date)
    return {str(path.relative_to(out)): path for path in paths}


def pack_real_exports(folder: str | Path, archive: str | Path) -> Path:
    """One 7z of the ``onde/`` and ``siecle/`` folders, to upload them at once (a folder per school)."""
    import py7zr

    folder, archive = Path(folder), Path(archive)
    with py7zr.SevenZipFile(archive, "w") as handle:
        for path in sorted([*folder.glob("onde/*/*"), *folder.glob("siecle/*/*")]):
            handle.write(path, str(path.relative_to(folder)))
    return archive
