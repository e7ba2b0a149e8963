"""match_frame: the frame the model compares, row by row in the table's order."""

from __future__ import annotations

import pandas as pd

from veille.matching.frames import match_frame


def _schooling(**columns: list[str]) -> pd.DataFrame:
    size = len(next(iter(columns.values())))
    base = {
        "nom": [""] * size,
        "prenoms": [""] * size,
        "date_naissance": [""] * size,
        "sexe": [""] * size,
        "adresse": [""] * size,
        "code_postal": [""] * size,
    }
    return pd.DataFrame({**base, **columns}, index=[10 * (i + 1) for i in range(size)])


def test_it_lists_each_name_once_and_leaves_out_the_empty_ones() -> None:
    table = _schooling(
        nom=["MARTIN", "MARTIN", "LEA", "", "MARTIN", "DUPONT"],
        prenoms=["Léa", "Léa Zoé", "Léa", "Léa", "", "Martin-Dupont"],
    )

    names = match_frame(table, claimant=False)["noms_prenoms"].tolist()

    assert names == [
        ["MARTIN", "LEA"],
        ["MARTIN", "LEA", "LEAZOE"],
        ["LEA"],
        ["LEA"],
        ["MARTIN"],
        ["DUPONT", "MARTIN", "MARTINDUPONT"],
    ]


def test_empty_values_are_missing_and_the_rows_are_numbered_from_zero() -> None:
    table = _schooling(
        nom=["MARTIN", ""],
        date_naissance=["2016-01-04", ""],
        sexe=["F", ""],
        code_postal=[" 59100 ", " "],
        ine=[" 123456789ab ", ""],
    )

    frame = match_frame(table, claimant=False)

    assert frame.index.tolist() == [0, 1]
    assert frame["unique_id"].tolist() == [0, 1]
    assert frame["code_postal"].tolist() == ["59100", None]
    assert frame["ine"].tolist() == ["123456789AB", None]
    assert frame["dob"].tolist() == ["2016-01-04", None]
    assert frame["sexe"].tolist() == ["F", None]
    assert frame["nom_colle"].tolist() == ["MARTIN", None]
    # The table itself is left as it was.
    assert table["sexe"].tolist() == ["F", ""]


def test_a_table_without_ine_has_no_national_identifier() -> None:
    frame = match_frame(_schooling(nom=["MARTIN"]), claimant=False)

    assert frame["ine"].tolist() == [None]


def test_the_arrow_identities_hold_what_the_frame_holds() -> None:
    import pyarrow as pa

    from veille.matching.comparisons import MATCH_COLUMNS
    from veille.matching.frames import IDENTITY_SCHEMA, identity_table

    # Many rows of the same names (lists shared between rows) and a few others.
    table = _schooling(
        nom=["MARTIN"] * 8 + ["DUPONT", "VAN DE WALLE", ""],
        prenoms=["Léa Zoé"] * 8 + ["Jean", "", "Mila"],
        adresse=["3 rue de la Gare"] * 11,
    )
    frame = match_frame(table, claimant=False)

    expected = pa.Table.from_pandas(
        frame.loc[:, list(MATCH_COLUMNS)], schema=IDENTITY_SCHEMA, preserve_index=False
    )
    assert identity_table(frame).equals(expected)
    assert identity_table(frame.iloc[0:0]).num_rows == 0
    assert identity_table(identity_table(frame)).equals(expected)
