"""Reading children and schooling files: formats, headers, values, errors (veille.sources)."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from veille.columns import BOOKKEEPING_COLUMNS, CHILD_COLUMNS, SCHOOLING_COLUMNS
from veille.sources import (
    Problem,
    SourceError,
    parse_date,
    read_children_files,
    read_schooling_files,
    write_rejects,
)

CHILD_HEADER = list(CHILD_COLUMNS)
EXAMPLE_CHILDREN = [
    "organisme;identifiant;nom;prenoms;date_naissance;sexe;nom_allocataire;prenom_allocataire;adresse;"
    "code_postal;commune",
    "CAF;0412345-01;BEN AHMED;Yanis Karim;04/11/2016;M;BEN AHMED;Nadia;12 rue de l'Épeule;59100;ROUBAIX",
    "CAF;0412345-02;BEN AHMED;Inès;22/02/2019;F;BEN AHMED;Nadia;12 rue de l'Épeule;59100;ROUBAIX",
    "MSA;M-88812-1;Vermeersch-Diallo;Louis-Marie;30/06/2012;M;DIALLO;Awa;3 allée des Tilleuls;59100;ROUBAIX",
]
EXAMPLE_SCHOOLING = [
    "source,identifiant,nom,prenoms,date_naissance,sexe,etablissement,uai,niveau,adresse,code_postal,commune",
    "ONDE,INE123,BENAHMED,Yannis,2016-11-04,M,École Jules Ferry,0590123A,CM1,"
    "12 RUE DE L EPEULE,59100,ROUBAIX",
    "SIECLE,INE456,VERMEERSCH,Louis Marie,30/06/2012,,Collège Samain,0590456B,6E,"
    "3 ALL DES TILLEULS,59100,ROUBAIX",
]


def write_text(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def child(**changes: str) -> dict[str, str]:
    """A valid child row (invented person), with some values changed."""
    row = {
        "organisme": "CAF",
        "identifiant": "0412345-01",
        "nom": "BEN AHMED",
        "prenoms": "Yanis Karim",
        "date_naissance": "04/11/2016",
        "sexe": "M",
        "nom_allocataire": "BEN AHMED",
        "prenom_allocataire": "Nadia",
        "adresse": "12 rue de l'Épeule",
        "code_postal": "59100",
        "commune": "ROUBAIX",
    }
    row.update(changes)
    return row


def write_rows(path: Path, rows: list[dict[str, str]], separator: str = ";", encoding: str = "utf-8") -> Path:
    header = list(rows[0]) if rows else CHILD_HEADER
    lines = [separator.join(header)] + [separator.join(row[column] for column in header) for row in rows]
    return write_text(path, lines, encoding)


def numbered_children(count: int) -> list[dict[str, str]]:
    return [child(identifiant=f"ID-{number:03d}", prenoms=f"Prénom{number}") for number in range(count)]


def problem_texts(error: pytest.ExceptionInfo[SourceError]) -> list[str]:
    return [str(problem) for problem in error.value.problems]


# ----------------------------------------------------------------------------- FORMAT.md example


def test_it_reads_the_format_example_children_file(tmp_path: Path) -> None:
    path = write_text(tmp_path / "enfants.csv", EXAMPLE_CHILDREN, "cp1252")

    result = read_children_files([path])

    assert list(result.table.columns) == [*CHILD_COLUMNS, *BOOKKEEPING_COLUMNS]
    assert result.table.to_dict("records") == [
        {
            "organisme": "CAF",
            "identifiant": "0412345-01",
            "nom": "BEN AHMED",
            "prenoms": "Yanis Karim",
            "date_naissance": "2016-11-04",
            "sexe": "M",
            "nom_allocataire": "BEN AHMED",
            "prenom_allocataire": "Nadia",
            "adresse": "12 rue de l'Épeule",
            "code_postal": "59100",
            "commune": "ROUBAIX",
            "fichier": "enfants.csv",
            "ligne": 2,
        },
        {
            "organisme": "CAF",
            "identifiant": "0412345-02",
            "nom": "BEN AHMED",
            "prenoms": "Inès",
            "date_naissance": "2019-02-22",
            "sexe": "F",
            "nom_allocataire": "BEN AHMED",
            "prenom_allocataire": "Nadia",
            "adresse": "12 rue de l'Épeule",
            "code_postal": "59100",
            "commune": "ROUBAIX",
            "fichier": "enfants.csv",
            "ligne": 3,
        },
        {
            "organisme": "MSA",
            "identifiant": "M-88812-1",
            "nom": "Vermeersch-Diallo",
            "prenoms": "Louis-Marie",
            "date_naissance": "2012-06-30",
            "sexe": "M",
            "nom_allocataire": "DIALLO",
            "prenom_allocataire": "Awa",
            "adresse": "3 allée des Tilleuls",
            "code_postal": "59100",
            "commune": "ROUBAIX",
            "fichier": "enfants.csv",
            "ligne": 4,
        },
    ]
    report = result.files[0]
    assert (report.path, report.given_path, report.fichier) == (str(path), str(path), "enfants.csv")
    assert (report.format, report.encoding, report.separator) == ("csv", "cp1252", ";")
    assert (report.rows_read, report.rows_kept, report.ignored_headers) == (3, 3, [])
    assert result.rejects == []


def test_it_reads_the_format_example_schooling_file(tmp_path: Path) -> None:
    path = write_text(tmp_path / "scolarite_onde.csv", EXAMPLE_SCHOOLING, "utf-8")

    result = read_schooling_files([path])

    assert list(result.table.columns) == [*SCHOOLING_COLUMNS, *BOOKKEEPING_COLUMNS]
    records = result.table.to_dict("records")
    assert records[0] == {
        "source": "ONDE",
        "identifiant": "INE123",
        "nom": "BENAHMED",
        "prenoms": "Yannis",
        "date_naissance": "2016-11-04",
        "sexe": "M",
        "etablissement": "École Jules Ferry",
        "uai": "0590123A",
        "niveau": "CM1",
        "adresse": "12 RUE DE L EPEULE",
        "code_postal": "59100",
        "commune": "ROUBAIX",
        "fichier": "scolarite_onde.csv",
        "ligne": 2,
    }
    assert (records[1]["source"], records[1]["date_naissance"], records[1]["sexe"]) == (
        "SIECLE",
        "2012-06-30",
        "",
    )
    assert (result.files[0].encoding, result.files[0].separator) == ("utf-8", ",")


def test_it_returns_strings_everywhere_but_in_ligne(tmp_path: Path) -> None:
    result = read_children_files([write_text(tmp_path / "enfants.csv", EXAMPLE_CHILDREN)])

    for column in (*CHILD_COLUMNS, "fichier"):
        assert all(isinstance(value, str) for value in result.table[column]), column
    assert result.table["ligne"].dtype == "int64"


# ------------------------------------------------------------------------------------------ CSV


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("separator", [";", ","])
def test_it_reads_csv_in_each_encoding_and_separator(tmp_path: Path, encoding: str, separator: str) -> None:
    path = write_rows(tmp_path / "enfants.csv", [child(prenoms="Inès Zoé")], separator, encoding)

    result = read_children_files([path])

    row = result.table.iloc[0]
    assert (row["adresse"], row["prenoms"], row["organisme"]) == ("12 rue de l'Épeule", "Inès Zoé", "CAF")
    assert (result.files[0].encoding, result.files[0].separator) == (encoding, separator)


def test_it_reads_quoted_values_holding_the_separator(tmp_path: Path) -> None:
    lines = [
        ",".join(CHILD_HEADER),
        'CAF,A1,MARTIN,"Léa, Marie",04/11/2016,F,MARTIN,Awa,"3, rue Haute",59100,ROUBAIX',
    ]
    result = read_children_files([write_text(tmp_path / "enfants.csv", lines)])

    assert (result.table.at[0, "prenoms"], result.table.at[0, "adresse"]) == ("Léa, Marie", "3, rue Haute")


def test_it_strips_spaces_around_values(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "enfants.csv", [child(nom="  MARTIN ", identifiant=" A1\u00a0", sexe=" f ")])

    row = read_children_files([path]).table.iloc[0]

    assert (row["nom"], row["identifiant"], row["sexe"]) == ("MARTIN", "A1", "F")


def test_it_skips_blank_lines_and_keeps_the_line_numbers(tmp_path: Path) -> None:
    lines = [
        ";".join(CHILD_HEADER),
        ";".join(child(identifiant="A1").values()),
        "",
        ";;;;;;;;;;",
        ";".join(child(identifiant="A2").values()),
    ]
    result = read_children_files([write_text(tmp_path / "enfants.csv", lines)])

    assert result.table["ligne"].tolist() == [2, 5]
    assert (result.files[0].rows_read, result.files[0].blank_rows) == (2, 2)


def test_it_accepts_rows_with_missing_trailing_fields_and_a_trailing_separator(tmp_path: Path) -> None:
    lines = [
        ";".join(CHILD_HEADER),
        "CAF;A1;MARTIN;Léa;04/11/2016;F",
        ";".join(child(identifiant="A2").values()) + ";",
    ]
    result = read_children_files([write_text(tmp_path / "enfants.csv", lines)])

    assert result.table["identifiant"].tolist() == ["A1", "A2"]
    assert result.table.at[0, "commune"] == ""


def test_it_reports_a_line_with_too_many_fields(tmp_path: Path) -> None:
    lines = [
        ",".join(CHILD_HEADER),
        ",".join(child(identifiant="A1").values()),
        ",".join(child(identifiant="A2", adresse="3, rue Haute").values()),
    ]
    with pytest.raises(SourceError) as error:
        read_children_files([write_text(tmp_path / "enfants.csv", lines)])

    assert problem_texts(error) == [
        "enfants.csv, ligne 3 : la ligne compte 12 champs au lieu de 11 : une valeur contient sans doute "
        "le séparateur (virgule) sans être entre guillemets"
    ]


def test_it_refuses_a_quote_that_is_never_closed_rather_than_lose_rows(tmp_path: Path) -> None:
    lines = [
        ";".join(CHILD_HEADER),
        ";".join(child(identifiant="A1").values()),
        ";".join(child(identifiant="A2", nom='"MARTIN').values()),
        ";".join(child(identifiant="A3").values()),
    ]
    with pytest.raises(SourceError, match="guillemet ouvert ligne 3 qui n'est jamais fermé"):
        read_children_files([write_text(tmp_path / "enfants.csv", lines)])


def test_it_reads_a_utf16_tab_separated_export(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "enfants.txt", [child(prenoms="Inès")], "\t", "utf-16")

    result = read_children_files([path])

    assert result.table.at[0, "prenoms"] == "Inès"
    assert (result.files[0].encoding, result.files[0].separator) == ("utf-16", "\t")


# --------------------------------------------------------------------------------- spreadsheets


def test_it_reads_xlsx_with_date_cells_and_numeric_ids(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Organisme", "Identifiant", "Nom", "Prénom(s)", "Date de naissance", "Sexe", "Code postal"])
    sheet.append(["CAF", 412345, "BEN AHMED", "Inès", datetime.date(2019, 2, 22), "F", 59100])
    sheet.append(["MSA", 412346.0, "DIALLO", "Awa", datetime.datetime(2015, 2, 3, 0, 0), 2, 1000])
    sheet.append(["MSA", "412347", "DIALLO", "Moussa", "30/06/2012", "G", "01000"])
    path = tmp_path / "enfants.xlsx"
    workbook.save(path)

    result = read_children_files([path])

    table = result.table
    assert table["identifiant"].tolist() == ["412345", "412346", "412347"]
    assert table["date_naissance"].tolist() == ["2019-02-22", "2015-02-03", "2012-06-30"]
    assert table["sexe"].tolist() == ["F", "F", "M"]
    assert table["code_postal"].tolist() == ["59100", "01000", "01000"]
    assert table["ligne"].tolist() == [2, 3, 4]
    assert result.files[0].format == "xlsx"
    assert result.files[0].header_mapping["Date de naissance"] == "date_naissance"


def test_it_reads_only_the_first_sheet_of_a_workbook(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    first = workbook.active
    assert first is not None
    first.append(["organisme", "identifiant", "nom", "prenoms", "date_naissance"])
    first.append(["CAF", "A1", "MARTIN", "Léa", "04/11/2016"])
    other = workbook.create_sheet("Autre")
    other.append(["organisme", "identifiant", "nom", "prenoms", "date_naissance"])
    other.append(["CAF", "B1", "PETIT", "Hugo", "04/11/2016"])
    path = tmp_path / "enfants.xlsx"
    workbook.save(path)

    assert read_children_files([path]).table["identifiant"].tolist() == ["A1"]


def test_it_reads_ods_with_date_cells_and_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "Source": ["ONDE", "Privé"],
            "INE": [412345, 99],
            "Nom": ["BEN AHMED", "VERMEERSCH"],
            "Prénom": ["Inès", "Louis Marie"],
            "Né(e) le": [datetime.datetime(2019, 2, 22), datetime.datetime(2012, 6, 30)],
            "UAI": ["0590123A", "0590456B"],
        }
    )
    path = tmp_path / "scolarite.ods"
    frame.to_excel(path, engine="odf", index=False)

    result = read_schooling_files([path])

    table = result.table
    assert table["identifiant"].tolist() == ["412345", "99"]
    assert table["date_naissance"].tolist() == ["2019-02-22", "2012-06-30"]
    assert table["source"].tolist() == ["ONDE", "PRIVE"]
    assert table["ligne"].tolist() == [2, 3]
    assert table["etablissement"].tolist() == ["", ""]
    assert result.files[0].format == "ods"


# -------------------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Date de naissance", "date_naissance"),
        ("DATE_NAISSANCE", "date_naissance"),
        ("date naissance", "date_naissance"),
        ("DDN", "date_naissance"),
        ("Né(e) le", "date_naissance"),
        ("date de naiss.", "date_naissance"),
        ("Naissance", "date_naissance"),
        ("Date de naissance de l'enfant", "date_naissance"),
        ("Date de naissance (JJ/MM/AAAA)", "date_naissance"),
        ("N° INE", "identifiant"),
        ("Prénom", "prenoms"),
        ("prénoms", "prenoms"),
        ("PRENOM(S)", "prenoms"),
        ("Prénom de l'élève", "prenoms"),
        ("Nom", "nom"),
        ("Nom de famille", "nom"),
        ("NOM_ENFANT", "nom"),
        ("id", "identifiant"),
        ("Identifiant", "identifiant"),
        ("INE", "identifiant"),
        ("Numéro", "identifiant"),
        ("matricule", "identifiant"),
        ("Sexe", "sexe"),
        ("Genre", "sexe"),
        ("Nom allocataire", "nom_allocataire"),
        ("Nom du parent", "nom_allocataire"),
        ("Prénom allocataire", "prenom_allocataire"),
        ("CP", "code_postal"),
        ("Code postal", "code_postal"),
        ("Ville", "commune"),
        ("Adresse", "adresse"),
    ],
)
def test_it_recognises_a_header_synonym(tmp_path: Path, header: str, column: str) -> None:
    row = child()
    header_line = [header if name == column else name for name in CHILD_HEADER]
    path = write_text(tmp_path / "enfants.csv", [";".join(header_line), ";".join(row.values())])

    result = read_children_files([path])

    assert result.files[0].header_mapping[header] == column
    assert result.table.at[0, column] == (row[column] if column != "date_naissance" else "2016-11-04")


@pytest.mark.parametrize(
    ("header", "column"),
    [("UAI", "uai"), ("RNE", "uai"), ("Code UAI", "uai"), ("Établissement", "etablissement"),
     ("École", "etablissement"), ("Classe", "niveau"), ("Source", "source")],
)  # fmt: skip
def test_it_recognises_a_schooling_header_synonym(tmp_path: Path, header: str, column: str) -> None:
    header_line = [header if name == column else name for name in SCHOOLING_COLUMNS]
    values = [
        "ONDE",
        "INE1",
        "MARTIN",
        "Léa",
        "2016-11-04",
        "F",
        "École Jules Ferry",
        "0590123A",
        "CM1",
        "",
        "",
        "",
    ]
    path = write_text(tmp_path / "scolarite.csv", [";".join(header_line), ";".join(values)])

    result = read_schooling_files([path])

    assert result.files[0].header_mapping[header] == column
    assert result.table.at[0, column] == values[SCHOOLING_COLUMNS.index(column)]


def test_it_reports_the_headers_it_could_not_place(tmp_path: Path) -> None:
    lines = [
        "identifiant;nom;prenoms;date_naissance;Remarque;Couleur préférée",
        "A1;MARTIN;Léa;04/11/2016;x;y",
    ]
    result = read_children_files([write_text(tmp_path / "enfants_caf.csv", lines)])

    assert result.files[0].ignored_headers == ["Remarque", "Couleur préférée"]
    assert result.table.at[0, "commune"] == ""


def test_it_fills_absent_optional_columns_with_empty_strings(tmp_path: Path) -> None:
    lines = ["organisme;identifiant;nom;prenoms;date_naissance", "CAF;A1;MARTIN;Léa;04/11/2016"]
    table = read_children_files([write_text(tmp_path / "enfants.csv", lines)]).table

    assert [table.at[0, column] for column in ("sexe", "nom_allocataire", "adresse", "commune")] == [
        "",
        "",
        "",
        "",
    ]


def test_it_names_a_missing_required_column_and_its_synonyms(tmp_path: Path) -> None:
    lines = ["organisme;identifiant;nom;prenoms", "CAF;A1;MARTIN;Léa"]
    with pytest.raises(SourceError) as error:
        read_children_files([write_text(tmp_path / "enfants.csv", lines)])

    message = str(error.value)
    assert "enfants.csv" in message
    assert "colonne obligatoire manquante : date_naissance" in message
    assert "date de naissance" in message and "DDN" in message


def test_it_refuses_two_headers_for_the_same_column(tmp_path: Path) -> None:
    lines = [
        "organisme;identifiant;Nom;Nom de famille;prenoms;date_naissance",
        "CAF;A1;MARTIN;MARTIN;Léa;04/11/2016",
    ]
    with pytest.raises(SourceError, match="« Nom », « Nom de famille » désignent toutes la colonne nom"):
        read_children_files([write_text(tmp_path / "enfants.csv", lines)])


def test_it_refuses_a_file_without_a_recognisable_header(tmp_path: Path) -> None:
    lines = [";".join(child().values()), ";".join(child(identifiant="A2").values())]
    with pytest.raises(SourceError) as error:
        read_children_files([write_text(tmp_path / "enfants.csv", lines)])

    assert "Aucun en-tête de colonne reconnu dans « enfants.csv »" in str(error.value)
    assert "première ligne" in str(error.value)


@pytest.mark.parametrize(
    ("file_name", "organisme"),
    [("enfants_CAF.csv", "CAF"), ("extraction-msa-2025.csv", "MSA"), ("Caf Roubaix.csv", "CAF")],
)
def test_it_infers_the_organisation_from_the_file_name(
    tmp_path: Path, file_name: str, organisme: str
) -> None:
    lines = ["identifiant;nom;prenoms;date_naissance", "A1;MARTIN;Léa;04/11/2016"]
    result = read_children_files([write_text(tmp_path / file_name, lines)])

    assert result.table["organisme"].tolist() == [organisme]
    assert result.files[0].inferred == {"organisme": organisme}


@pytest.mark.parametrize(
    ("file_name", "source"),
    [
        ("scolarite_onde.csv", "ONDE"),
        ("SIECLE 2025.csv", "SIECLE"),
        ("ecoles_privees_PRIVE.csv", "PRIVE"),
        ("liste-cned.csv", "CNED"),
        ("ief_declarations.csv", "IEF"),
        ("medico-social.csv", "MEDICO_SOCIAL"),
        ("MEDICO_SOCIAL_ime.csv", "MEDICO_SOCIAL"),
        ("Privé hors contrat.csv", "PRIVE"),
    ],
)
def test_it_infers_the_schooling_source_from_the_file_name(
    tmp_path: Path, file_name: str, source: str
) -> None:
    lines = ["identifiant;nom;prenoms;date_naissance", "A1;MARTIN;Léa;04/11/2016"]
    result = read_schooling_files([write_text(tmp_path / file_name, lines)])

    assert result.table["source"].tolist() == [source]


@pytest.mark.parametrize("file_name", ["enfants.csv", "scolarite_seconde.csv"])
def test_it_refuses_a_file_without_source_column_nor_source_in_its_name(
    tmp_path: Path, file_name: str
) -> None:
    lines = ["identifiant;nom;prenoms;date_naissance", "A1;MARTIN;Léa;04/11/2016"]
    with pytest.raises(SourceError) as error:
        read_schooling_files([write_text(tmp_path / file_name, lines)])

    assert str(error.value).startswith(f"{file_name} : colonne obligatoire manquante : source")
    assert "ONDE" in str(error.value)


def test_it_refuses_a_file_name_naming_both_organisations(tmp_path: Path) -> None:
    lines = ["identifiant;nom;prenoms;date_naissance", "A1;MARTIN;Léa;04/11/2016"]
    with pytest.raises(SourceError, match="à la fois CAF et MSA"):
        read_children_files([write_text(tmp_path / "enfants_caf_msa.csv", lines)])


# ---------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04/11/2016", datetime.date(2016, 11, 4)),
        ("4/1/2016", datetime.date(2016, 1, 4)),
        ("2016-11-04", datetime.date(2016, 11, 4)),
        ("2016-1-4", datetime.date(2016, 1, 4)),
        ("04-11-2016", datetime.date(2016, 11, 4)),
        ("04.11.2016", datetime.date(2016, 11, 4)),
        ("2015-02-03 00:00:00", datetime.date(2015, 2, 3)),
        ("2015-02-03T00:00:00", datetime.date(2015, 2, 3)),
        (" 29/02/2016 ", datetime.date(2016, 2, 29)),
    ],
)
def test_it_parses_each_date_form(text: str, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["31/02/2015", "29/02/2015", "04/11/16", "2016/13/01", "hier", "", "04/11-2016"]
)
def test_parse_date_refuses_with_a_french_message(text: str) -> None:
    with pytest.raises(ValueError, match="n'est pas une date \\(formats acceptés : JJ/MM/AAAA, AAAA-MM-JJ"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("04/11/2016", "2016-11-04"),
        ("4/1/2016", "2016-01-04"),
        ("2016-11-04", "2016-11-04"),
        ("04-11-2016", "2016-11-04"),
        ("04.11.2016", "2016-11-04"),
        ("2015-02-03 00:00:00", "2015-02-03"),
    ],
)
def test_it_normalises_each_date_form_in_a_file(tmp_path: Path, text: str, iso: str) -> None:
    path = write_rows(tmp_path / "enfants.csv", [child(date_naissance=text)])

    assert read_children_files([path]).table.at[0, "date_naissance"] == iso


def test_parse_date_series_reads_each_distinct_value_once_and_keeps_the_rows_order() -> None:
    from veille.sources.dates import parse_date_series

    values = pd.Series(
        ["4/1/2016", "29/02/2016", "29/02/2015", "", "0000-01-01", "2015-02-03 12:30", "4/1/2016", None],
        index=[7, 3, 5, 1, 2, 4, 6, 8],
        dtype=object,
    )

    parsed = parse_date_series(values)

    assert parsed.index.tolist() == [7, 3, 5, 1, 2, 4, 6, 8]
    assert parsed.tolist() == ["2016-01-04", "2016-02-29", "", "", "", "2015-02-03", "2016-01-04", ""]


def test_digits_of_other_scripts_are_not_a_date_in_a_file(tmp_path: Path) -> None:
    """Arabic-Indic or full-width digits match the pattern's \\d but are refused, as they always were."""
    path = write_rows(tmp_path / "enfants.csv", [child(date_naissance="\u0662\u0660\u0661\u0665-01-01")])

    with pytest.raises(SourceError, match="n'est pas une date"):
        read_children_files([path])


# ------------------------------------------------------------------------------------ bad values


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"date_naissance": "31/02/2015"},
            "enfants.csv, ligne 2, colonne date_naissance : « 31/02/2015 » n'est pas une date "
            "(formats acceptés : JJ/MM/AAAA, AAAA-MM-JJ, JJ-MM-AAAA, JJ.MM.AAAA)",
        ),
        (
            {"date_naissance": "vers 2015"},
            "enfants.csv, ligne 2, colonne date_naissance : « vers 2015 » n'est pas une date "
            "(formats acceptés : JJ/MM/AAAA, AAAA-MM-JJ, JJ-MM-AAAA, JJ.MM.AAAA)",
        ),
        (
            {"date_naissance": ""},
            "enfants.csv, ligne 2, colonne date_naissance : date de naissance vide : elle est obligatoire",
        ),
        (
            {"date_naissance": "12/05/1985"},
            "enfants.csv, ligne 2, colonne date_naissance : « 12/05/1985 » est antérieure au 01/01/1990 : "
            "ce n'est pas la date de naissance d'un enfant soumis à l'obligation d'instruction, vérifiez-la",
        ),
        (
            {"date_naissance": "01/01/2999"},
            "enfants.csv, ligne 2, colonne date_naissance : « 01/01/2999 » est dans le futur : "
            "vérifiez la date de naissance",
        ),
        (
            {"sexe": "X"},
            "enfants.csv, ligne 2, colonne sexe : « X » n'est pas un sexe reconnu (M, F ou vide ; masculin, "
            "féminin, garçon, fille, H, G, 1, 2 sont aussi compris)",
        ),
        (
            {"organisme": "CPAM"},
            "enfants.csv, ligne 2, colonne organisme : « CPAM » n'est pas un organisme reconnu "
            "(valeurs acceptées : CAF, MSA)",
        ),
        (
            {"organisme": ""},
            "enfants.csv, ligne 2, colonne organisme : organisme vide : valeurs acceptées CAF, MSA",
        ),
        (
            {"identifiant": ""},
            "enfants.csv, ligne 2, colonne identifiant : identifiant vide : chaque ligne doit en avoir un",
        ),
        ({"nom": " "}, "enfants.csv, ligne 2, colonne nom : nom vide : chaque ligne doit en avoir un"),
    ],
)
def test_it_rejects_a_bad_value_naming_file_line_column_and_value(
    tmp_path: Path, changes: dict[str, str], expected: str
) -> None:
    path = write_rows(tmp_path / "enfants.csv", [child(**changes)])

    with pytest.raises(SourceError) as error:
        read_children_files([path])

    assert problem_texts(error) == [expected]
    assert expected in str(error.value)
    assert "--ignorer-lignes-invalides" in str(error.value)


def test_it_rejects_an_impossible_date(tmp_path: Path) -> None:
    rows = [child(identifiant=f"A{number}") for number in range(417)] + [child(date_naissance="31/02/2015")]
    with pytest.raises(SourceError) as error:
        read_children_files([write_rows(tmp_path / "enfants.csv", rows)])

    problem = error.value.problems[0]
    assert (problem.fichier, problem.ligne, problem.colonne, problem.valeur) == (
        "enfants.csv",
        419,
        "date_naissance",
        "31/02/2015",
    )
    assert str(problem).startswith(
        "enfants.csv, ligne 419, colonne date_naissance : « 31/02/2015 » n'est pas une date"
    )


@pytest.mark.parametrize(
    ("text", "sexe"),
    [("M", "M"), ("f", "F"), ("masculin", "M"), ("Féminin", "F"), ("garçon", "M"), ("Fille", "F"),
     ("H", "M"), ("G", "M"), ("1", "M"), ("2", "F"), ("", "")],
)  # fmt: skip
def test_it_maps_each_spelling_of_sex(tmp_path: Path, text: str, sexe: str) -> None:
    path = write_rows(tmp_path / "enfants.csv", [child(sexe=text)])

    assert read_children_files([path]).table.at[0, "sexe"] == sexe


@pytest.mark.parametrize(
    ("text", "source"),
    [("ONDE", "ONDE"), ("siecle", "SIECLE"), ("Privé", "PRIVE"), ("médico-social", "MEDICO_SOCIAL"),
     ("Medico Social", "MEDICO_SOCIAL"), ("MEDICO_SOCIAL", "MEDICO_SOCIAL"), ("cned", "CNED"), ("IEF", "IEF"),
     ("autre", "AUTRE")],
)  # fmt: skip
def test_it_accepts_variants_of_each_source(tmp_path: Path, text: str, source: str) -> None:
    lines = ["source;identifiant;nom;prenoms;date_naissance", f"{text};A1;MARTIN;Léa;04/11/2016"]

    assert read_schooling_files([write_text(tmp_path / "s.csv", lines)]).table.at[0, "source"] == source


def test_it_rejects_an_unknown_source(tmp_path: Path) -> None:
    lines = ["source;identifiant;nom;prenoms;date_naissance", "Mairie;A1;MARTIN;Léa;04/11/2016"]
    with pytest.raises(SourceError) as error:
        read_schooling_files([write_text(tmp_path / "s.csv", lines)])

    assert problem_texts(error) == [
        "s.csv, ligne 2, colonne source : « Mairie » n'est pas une source reconnue "
        "(valeurs acceptées : ONDE, SIECLE, PRIVE, CNED, IEF, MEDICO_SOCIAL, AUTRE)"
    ]


@pytest.mark.parametrize("text", ["caf", "Msa", " CAF "])
def test_it_accepts_variants_of_each_organisation(tmp_path: Path, text: str) -> None:
    path = write_rows(tmp_path / "enfants.csv", [child(organisme=text)])

    assert read_children_files([path]).table.at[0, "organisme"] == text.strip().upper()


def test_it_reports_each_duplicate_identifier_with_the_first_line(tmp_path: Path) -> None:
    rows = [
        child(identifiant="A1"),
        child(identifiant="A2"),
        child(identifiant="A1"),
        child(identifiant="A1"),
    ]
    with pytest.raises(SourceError) as error:
        read_children_files([write_rows(tmp_path / "enfants.csv", rows)])

    assert problem_texts(error) == [
        "enfants.csv, ligne 4, colonne identifiant : « A1 » identifiant en double : il apparaît déjà ligne 2",
        "enfants.csv, ligne 5, colonne identifiant : « A1 » identifiant en double : il apparaît déjà ligne 2",
    ]


def test_it_lists_the_first_twenty_problems_and_counts_the_others(tmp_path: Path) -> None:
    rows = [child(identifiant=f"A{number}", date_naissance="bientôt") for number in range(25)]
    with pytest.raises(SourceError) as error:
        read_children_files([write_rows(tmp_path / "enfants.csv", rows)])

    message = str(error.value)
    assert len(error.value.problems) == 25
    assert message.startswith("25 lignes invalides dans le fichier « enfants.csv » (25 problèmes) :")
    assert "ligne 21, colonne date_naissance" in message
    assert "ligne 22, colonne" not in message
    assert "… et 5 autres problèmes." in message
    assert message.endswith(
        "Corrigez ces lignes dans le fichier source, ou relancez avec --ignorer-lignes-invalides pour "
        "écarter les lignes invalides (elles seront listées dans le fichier des rejets)."
    )


def test_it_checks_every_file_before_failing(tmp_path: Path) -> None:
    first = write_rows(tmp_path / "enfants_1.csv", [child(sexe="?")])
    second = write_rows(tmp_path / "enfants_2.csv", [child(nom="")])

    with pytest.raises(SourceError) as error:
        read_children_files([first, second])

    assert [problem.fichier for problem in error.value.problems] == ["enfants_1.csv", "enfants_2.csv"]
    assert "2 fichiers (« enfants_1.csv », « enfants_2.csv »)" in str(error.value)


# ---------------------------------------------------------------------------------- skip_invalid


def test_skip_invalid_keeps_the_good_rows_and_reports_the_rejects(tmp_path: Path) -> None:
    rows = [
        child(identifiant="A1"),
        child(identifiant="A2", date_naissance="31/02/2015", sexe="?"),
        child(identifiant="A3"),
        child(identifiant="A1"),
    ]
    result = read_children_files([write_rows(tmp_path / "enfants.csv", rows)], skip_invalid=True)

    assert result.table["identifiant"].tolist() == ["A1", "A3"]
    assert result.table["ligne"].tolist() == [2, 4]
    assert [(problem.ligne, problem.colonne) for problem in result.rejects] == [
        (3, "date_naissance"),
        (3, "sexe"),
        (5, "identifiant"),
    ]
    report = result.files[0]
    assert (report.rows_read, report.rows_kept, report.rows_rejected) == (4, 2, 2)
    assert report.rows_read == report.rows_kept + report.rows_rejected


def test_skip_invalid_reads_across_files(tmp_path: Path) -> None:
    good = write_rows(tmp_path / "enfants_caf.csv", numbered_children(3))
    bad = write_rows(tmp_path / "enfants_msa.csv", [child(organisme="MSA", nom="")])

    result = read_children_files([good, bad], skip_invalid=True)

    assert len(result.table) == 3
    assert [problem.fichier for problem in result.rejects] == ["enfants_msa.csv"]
    assert [(report.rows_kept, report.rows_rejected) for report in result.files] == [(3, 0), (0, 1)]


def test_it_concatenates_several_files_with_their_names_and_lines(tmp_path: Path) -> None:
    caf = write_rows(tmp_path / "enfants_caf.csv", numbered_children(2))
    msa = write_rows(tmp_path / "enfants_msa.csv", [child(organisme="MSA", identifiant="ID-000")])

    table = read_children_files([caf, msa]).table

    assert list(zip(table["fichier"], table["ligne"], strict=True)) == [
        ("enfants_caf.csv", 2),
        ("enfants_caf.csv", 3),
        ("enfants_msa.csv", 2),
    ]


def test_write_rejects_writes_one_utf8_csv_line_per_problem(tmp_path: Path) -> None:
    problems = [
        Problem("enfants.csv", 418, "date_naissance", "31/02/2015", "n'est pas une date"),
        Problem("a.7z:b.csv", 3, None, None, "la ligne compte 12 champs au lieu de 11"),
    ]
    path = tmp_path / "rejets.csv"

    write_rejects(path, problems)

    assert path.read_bytes().startswith(b"fichier,ligne,colonne,valeur,motif\r\n")
    with path.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == [
            ["fichier", "ligne", "colonne", "valeur", "motif"],
            ["enfants.csv", "418", "date_naissance", "31/02/2015", "n'est pas une date"],
            ["a.7z:b.csv", "3", "", "", "la ligne compte 12 champs au lieu de 11"],
        ]


def test_the_rejects_of_a_read_can_be_written(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "enfants.csv", [child(), child(identifiant="A2", nom="")])
    result = read_children_files([path], skip_invalid=True)

    write_rejects(tmp_path / "rejets.csv", result.rejects)

    assert pd.read_csv(tmp_path / "rejets.csv", dtype=str, keep_default_na=False).to_dict("records") == [
        {
            "fichier": "enfants.csv",
            "ligne": "3",
            "colonne": "nom",
            "valeur": "",
            "motif": "nom vide : chaque ligne doit en avoir un",
        }
    ]


def test_a_problem_reads_as_a_french_sentence() -> None:
    assert str(Problem("enfants.csv", 418, "date_naissance", "31/02/2015", "n'est pas une date")) == (
        "enfants.csv, ligne 418, colonne date_naissance : « 31/02/2015 » n'est pas une date"
    )
    assert str(Problem("enfants.csv", None, None, None, "fichier vide")) == "enfants.csv : fichier vide"


# ---------------------------------------------------------------------------------- file errors


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\r\n\r\n",
        ";".join(CHILD_HEADER).encode(),
        (";".join(CHILD_HEADER) + "\r\n;;;;;;;;;;\r\n\r\n").encode(),
    ],
    ids=["zero-bytes", "blank-lines", "header-only", "header-and-blank-rows"],
)
def test_it_refuses_a_file_without_rows(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "enfants.csv"
    path.write_bytes(content)

    with pytest.raises(SourceError, match=r"^Le fichier « enfants\.csv » ne contient aucune ligne"):
        read_children_files([path])


def test_it_refuses_a_header_only_xlsx(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(CHILD_HEADER)
    workbook.save(tmp_path / "enfants.xlsx")

    with pytest.raises(SourceError, match="ne contient aucune ligne"):
        read_children_files([tmp_path / "enfants.xlsx"])


def test_it_says_a_single_line_that_is_not_a_header_is_not_a_header(tmp_path: Path) -> None:
    path = write_text(tmp_path / "enfants.csv", [";".join(child().values())])

    with pytest.raises(SourceError, match="Aucun en-tête de colonne reconnu"):
        read_children_files([path])


def test_it_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as error:
        read_children_files([tmp_path / "absent.csv"])

    assert str(error.value).startswith("Le fichier « absent.csv » est introuvable (chemin : ")
    assert error.value.problems[0].fichier == "absent.csv"


def test_it_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="est un dossier, pas un fichier"):
        read_children_files([tmp_path])


@pytest.mark.parametrize(
    ("file_name", "content", "expected"),
    [
        ("enfants.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "classeur Excel ancien (.xls)"),
        ("enfants.pdf", b"%PDF-1.4 whatever", "est un PDF"),
        ("enfants.xlsx", b"PK\x03\x04 not really a zip", "archive ZIP abîmée"),
        ("enfants.bin", b"\x00\x01\x02\x03" * 50, "n'est pas un fichier texte ni un tableur reconnu"),
    ],
)
def test_it_refuses_an_unreadable_format(
    tmp_path: Path, file_name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / file_name
    path.write_bytes(content)

    with pytest.raises(SourceError) as error:
        read_children_files([path])

    assert expected in str(error.value)
    assert file_name in str(error.value)


def test_it_refuses_a_zip_that_is_not_a_spreadsheet(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(tmp_path / "enfants.zip", "w") as archive:
        archive.writestr("enfants.csv", "a;b\n")

    with pytest.raises(SourceError, match="est une archive ZIP, pas un tableau"):
        read_children_files([tmp_path / "enfants.zip"])


def test_it_returns_an_empty_table_for_no_file() -> None:
    result = read_children_files([])

    assert list(result.table.columns) == [*CHILD_COLUMNS, *BOOKKEEPING_COLUMNS]
    assert len(result.table) == 0
