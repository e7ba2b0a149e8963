"""identity_features: the exact columns and values the matcher relies on (synthetic data only)."""

from __future__ import annotations

import pandas as pd
import pytest

from veille.identity import FEATURE_COLUMNS, identity_features


@pytest.fixture
def children() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "nom": ["BEN AHMED", "Vermeersch-Diallo", None, ""],
            "prenoms": ["Yanis Karim", "Louis-Marie", "Mohammed", None],
            "adresse": ["12 rue de l'Épeule", "3 allée des Tilleuls", "", None],
            "nom_allocataire": ["BEN AHMED", "DIALLO", "DUPONT épouse MARTIN", None],
        },
        index=[5, 6, 7, 8],
    )


def test_it_returns_the_documented_columns_on_the_same_index(children: pd.DataFrame) -> None:
    features = identity_features(children, claimant=True)
    assert tuple(features.columns) == FEATURE_COLUMNS
    assert list(features.index) == [5, 6, 7, 8]


def test_it_computes_every_column_of_a_child_row(children: pd.DataFrame) -> None:
    row = identity_features(children, claimant=True).loc[6].to_dict()
    assert row == {
        "nom_std": "VERMEERSCH DIALLO",
        "nom_colle": "VERMEERSCHDIALLO",
        "nom_tokens": ["VERMEERSCH", "DIALLO", "VERMEERSCHDIALLO"],
        "nom_phon": "VERMERXDIALO",
        "nom1_phon": "VERMERX",
        "noms_famille": ["VERMEERSCH", "DIALLO", "VERMEERSCHDIALLO"],
        "prenom1": "LOUIS",
        "prenom1_canon": "LOUIS",
        "prenom1_phon": "LUI",
        "prenoms_canon": ["LOUIS", "MARIE"],
        "prenoms_colle": "LOUISMARIE",
        "adresse_num": "3",
        "adresse_voie": "ALLEE DES TILLEULS",
        "adresse_cle": "3||ALLEE DES TILLEULS",
    }


def test_it_adds_the_claimant_surnames_to_the_family_names(children: pd.DataFrame) -> None:
    features = identity_features(children, claimant=True)
    assert features.loc[7, "noms_famille"] == ["DUPONT", "MARTIN", "DUPONTMARTIN"]
    assert features.loc[5, "noms_famille"] == ["BENAHMED"]


def test_it_uses_the_surname_tokens_as_family_names_without_claimant(children: pd.DataFrame) -> None:
    features = identity_features(children.drop(columns="nom_allocataire"), claimant=False)
    assert features["noms_famille"].tolist() == features["nom_tokens"].tolist()


def test_it_gives_empty_strings_and_lists_for_missing_values(children: pd.DataFrame) -> None:
    row = identity_features(children, claimant=True).loc[8].to_dict()
    for column, value in row.items():
        expected = [] if column in {"nom_tokens", "noms_famille", "prenoms_canon"} else ""
        assert value == expected, column


def test_it_uses_the_canonical_first_name(children: pd.DataFrame) -> None:
    features = identity_features(children, claimant=True)
    assert features.loc[7, "prenom1"] == "MOHAMMED"
    assert features.loc[7, "prenom1_canon"] == "MOHAMED"
    assert features.loc[7, "prenoms_canon"] == ["MOHAMED"]


def test_it_gives_the_same_keys_to_the_format_example_pair() -> None:
    caf = pd.DataFrame(
        {
            "nom": ["BEN AHMED"],
            "prenoms": ["Yanis Karim"],
            "adresse": ["12 rue de l'Épeule"],
            "nom_allocataire": ["BEN AHMED"],
        }
    )
    school = pd.DataFrame({"nom": ["BENAHMED"], "prenoms": ["Yannis"], "adresse": ["12 RUE DE L EPEULE"]})
    left = identity_features(caf, claimant=True).iloc[0]
    right = identity_features(school, claimant=False).iloc[0]
    assert left["nom_colle"] == right["nom_colle"]
    assert left["adresse_cle"] == right["adresse_cle"]


def test_a_memo_shared_by_two_tables_gives_each_the_fields_it_would_have_alone(
    children: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from veille.identity import features as module

    schooling = children.drop(columns="nom_allocataire").iloc[::-1]
    alone = identity_features(schooling, claimant=False)
    memo: module.FeatureMemo = {}
    identity_features(children, claimant=True, memo=memo)
    computed: list[str] = []
    original = module._address_fields
    monkeypatch.setattr(module, "_address_fields", lambda raw: computed.append(raw) or original(raw))
    shared = identity_features(schooling, claimant=False, memo=memo)
    pd.testing.assert_frame_equal(shared, alone)
    # Every address of the schooling table was standardised with the children's already.
    assert computed == []


def test_spellings_with_the_same_normalised_text_are_standardised_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from veille.identity import features as module

    table = pd.DataFrame(
        {
            "nom": ["Martin", "MARTIN", "martin ", "Dupont"],
            "prenoms": ["Léa", "LEA", "Lea", "Zoé"],
            "adresse": ["12 rue de l'Épeule", "12 RUE DE L'EPEULE", "12, rue de l'Epeule", ""],
        }
    )
    expected = identity_features(table, claimant=False)
    computed: list[str] = []
    original = module._address_fields
    monkeypatch.setattr(module, "_address_fields", lambda text: computed.append(text) or original(text))

    pd.testing.assert_frame_equal(identity_features(table, claimant=False), expected)
    # Three spellings of one address, and the empty one.
    assert computed == ["12 RUE DE LEPEULE", ""]
    assert expected["nom_colle"].tolist() == ["MARTIN", "MARTIN", "MARTIN", "DUPONT"]
    assert expected["prenom1"].tolist() == ["LEA", "LEA", "LEA", "ZOE"]


def test_garbage_collection_is_paused_inside_and_restored_after(children: pd.DataFrame) -> None:
    import gc

    from veille.identity.features import paused_garbage_collection

    assert gc.isenabled()
    with paused_garbage_collection():
        assert not gc.isenabled()
        identity_features(children, claimant=True)
        # A nested pause leaves the outer one in place.
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        identity_features(children, claimant=True)
        assert not gc.isenabled()
    finally:
        gc.enable()
