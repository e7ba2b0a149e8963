"""Formula injection: every text cell a spreadsheet would run is written with an apostrophe before it."""

import csv
import io

import pandas as pd
import pytest

from veille.sources import Problem, write_rejects
from veille.spreadsheet_safety import neutralise, neutralise_frame

ATTACKS = ["=cmd|' /C calc'!A0", "+SUM(1+1)", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", ATTACKS)
def test_it_puts_an_apostrophe_before_a_cell_a_spreadsheet_would_run(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Dupont", "-12", "+3.5", "-1,25", "1e-3", "", "Jean-Marie", "O'Neil"])
def test_it_leaves_names_and_plain_numbers_as_they_are(value):
    assert neutralise(value) == value


def test_it_leaves_numbers_and_missing_values_alone():
    assert neutralise(-3) == -3
    assert neutralise(None) is None


def test_it_neutralises_the_text_columns_of_a_table_and_keeps_the_numbers():
    frame = pd.DataFrame({"nom": ["=1+1", "Martin"], "poids": [-4.5, 12.0]})
    out = neutralise_frame(frame)
    assert out["nom"].tolist() == ["'=1+1", "Martin"]
    assert out["poids"].tolist() == [-4.5, 12.0]
    assert frame["nom"].tolist() == ["=1+1", "Martin"]  # the table given is not changed


@pytest.mark.parametrize(
    "column",
    [
        [*ATTACKS, "Dupont", "-12", "", None, "Jean-Marie"],  # all text: read by Arrow
        [*ATTACKS, "Dupont", None, 3, -4.5, pd.Timestamp("2020-01-01")],  # mixed: read by Python
    ],
)
def test_a_table_is_neutralised_cell_by_cell_as_neutralise_does(column):
    frame = pd.DataFrame({"valeur": pd.Series(column, dtype=object)})
    out = neutralise_frame(frame)
    assert out["valeur"].tolist() == [neutralise(value) for value in column]


def test_the_table_given_is_left_as_it_was_whichever_of_its_columns_change():
    frame = pd.DataFrame(
        {"nom": ["=1+1", "Martin"], "prenom": ["Jean", "@SUM(1)"], "ville": ["Lille", "Douai"]}
    )
    before = frame.copy()

    out = neutralise_frame(frame)

    pd.testing.assert_frame_equal(frame, before)
    assert out.to_dict("list") == {
        "nom": ["'=1+1", "Martin"],
        "prenom": ["Jean", "'@SUM(1)"],
        "ville": ["Lille", "Douai"],
    }


def test_a_text_column_of_pandas_string_type_is_neutralised_too():
    frame = pd.DataFrame({"nom": pd.array(["=1+1", "Martin", None], dtype="string")})

    assert neutralise_frame(frame)["nom"].tolist()[:2] == ["'=1+1", "Martin"]


def test_the_cli_rejects_file_neutralises_the_values_it_quotes(tmp_path):
    path = tmp_path / "lignes_rejetees.csv"
    write_rejects(path, [Problem("enfants.csv", 2, "nom", "@SUM(1+1)", "valeur invalide")])
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[1][3] == "'@SUM(1+1)"


def test_the_web_exports_csv_neutralises_formulas():
    from veille.web.cellule.protection.archives import csv_bytes

    content = csv_bytes(
        [{"nom": "=cmd|' /C calc'!A0", "prenoms": "+SUM(1+1)"}], [("nom", "nom"), ("prenoms", "p")]
    )
    text = content.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text
    assert ";'+SUM(1+1)" in text


WRITTEN = pd.DataFrame(
    {
        "nom": [
            "DUPONT",
            "",
            None,
            'O"Neil',
            "Martin, Jean",
            "sur\ndeux lignes",
            " espacé ",
            "=cmd|' /C calc'!A0",
        ],
        "poids": [1.0, float("nan"), 44.84, 1e-05, 0.0001, 1e16, 123456789.123, -0.5],
        "texte": pd.array(["a", None, "b", "", "c", "d", "e", "f"], dtype="string"),
        "rang": range(8),
        "nombre": pd.array([1, None, 3, 4, 5, 6, 7, 8], dtype="Int64"),
        "oui": [True, False] * 4,
        "vide": [""] * 8,
        "rien": [None] * 8,
    }
)


@pytest.mark.parametrize(
    "frame",
    [
        WRITTEN,
        WRITTEN.iloc[0:0],
        # Not text alone: pandas writes it.
        WRITTEN.assign(melange=[1, "a", None, 2.5, "", "x", "y", "z"]),
        WRITTEN.assign(jour=pd.to_datetime(["2026-09-01"] * 8)),
    ],
    ids=["texte-nombres-booleens", "vide", "colonne-melangee", "dates"],
)
def test_a_result_file_is_written_as_pandas_writes_it_and_neutralised(tmp_path, frame):
    from veille.outputs import write_csv

    write_csv(frame, tmp_path / "sortie.csv")

    written = (tmp_path / "sortie.csv").read_text(encoding="utf-8")
    assert written == neutralise_frame(frame).to_csv(index=False)
    assert "'=cmd" in written or frame.empty


def test_a_result_file_neutralises_as_neutralise_does_every_cell_it_writes(tmp_path):
    from veille.outputs import write_csv

    values = [
        *ATTACKS,
        *["-12", "+3.5", "-1,25", "1e-3", "-1E+5", "+33 6 12 34 56 78", "-٣", "=", "-", "'=déjà"],
        *["Dupont", "Jean-Marie", "", "sur\n=deux lignes", " =espacé", "@", "—tiret"],
    ]
    frame = pd.DataFrame({"nom": values, "rang": range(len(values))})

    write_csv(frame, tmp_path / "sortie.csv")

    written = pd.read_csv(tmp_path / "sortie.csv", dtype=str, keep_default_na=False)
    assert written["nom"].tolist() == [neutralise(value) for value in values]
    assert written["nom"].tolist()[:2] == ["'=cmd|' /C calc'!A0", "'+SUM(1+1)"]
    assert neutralise("-٣") == "'-٣"  # a number in another script's digits is text to a spreadsheet
