"""Address standardisation (invented addresses only)."""

from __future__ import annotations

import pytest

from veille.identity import Address, standardise_address


@pytest.mark.parametrize(
    ("rule", "raw", "number", "suffix", "street"),
    [
        ("it expands bd", "5 bd Victor Hugo", "5", "", "BOULEVARD VICTOR HUGO"),
        ("it expands bld", "5 BLD VICTOR HUGO", "5", "", "BOULEVARD VICTOR HUGO"),
        ("it expands av", "8 av. Foch", "8", "", "AVENUE FOCH"),
        ("it expands ave", "8 AVE FOCH", "8", "", "AVENUE FOCH"),
        ("it expands all", "3 ALL DES TILLEULS", "3", "", "ALLEE DES TILLEULS"),
        ("it expands pl", "1 pl. de la Gare", "1", "", "PLACE DE LA GARE"),
        ("it expands r", "12 r. de l'Epeule", "12", "", "RUE DE LEPEULE"),
        ("it expands ch", "4 ch. du Moulin", "4", "", "CHEMIN DU MOULIN"),
        ("it expands imp", "2 imp. des Lilas", "2", "", "IMPASSE DES LILAS"),
        ("it expands res", "RES LES PINS", "", "", "RESIDENCE LES PINS"),
        ("it expands sq", "6 SQ DES ROSES", "6", "", "SQUARE DES ROSES"),
        ("it expands rte", "30 RTE DE LILLE", "30", "", "ROUTE DE LILLE"),
        ("it expands fbg", "9 FBG DE PARIS", "9", "", "FAUBOURG DE PARIS"),
        ("it expands lot", "LOT LE CLOS", "", "", "LOTISSEMENT LE CLOS"),
        ("it expands st anywhere", "7 rue St Jean", "7", "", "RUE SAINT JEAN"),
        ("it expands gal anywhere", "7 av. du Gal Leclerc", "7", "", "AVENUE DU GENERAL LECLERC"),
        ("it keeps a full street type", "12 RUE DE LA PAIX", "12", "", "RUE DE LA PAIX"),
        ("it glues an elided article", "12 RUE DE L EPEULE", "12", "", "RUE DE LEPEULE"),
        ("it reads a spaced bis", "12 bis rue X", "12", "BIS", "RUE X"),
        ("it reads a spaced ter", "12 ter rue X", "12", "TER", "RUE X"),
        ("it reads a glued b as bis", "12B rue X", "12", "BIS", "RUE X"),
        ("it reads a spaced b as bis", "12 b rue X", "12", "BIS", "RUE X"),
        ("it reads a glued t as ter", "12T rue X", "12", "TER", "RUE X"),
        ("it reads a glued q as quater", "12Q rue X", "12", "QUATER", "RUE X"),
        ("it keeps another glued letter", "12A rue X", "12", "A", "RUE X"),
        ("it reads a comma after the number", "12, rue X", "12", "", "RUE X"),
        ("it drops the second number of a range", "12-14 rue X", "12", "", "RUE X"),
        ("it drops a number sign", "N° 7 rue X", "7", "", "RUE X"),
        ("it drops a building and a flat", "Bât. C, appt 12, 5 rue X", "5", "", "RUE X"),
        ("it drops a staircase and a floor", "Esc. B 3e étage 5 rue X", "5", "", "RUE X"),
        ("it drops a complement after the street", "5 rue X Bat C Apt 12", "5", "", "RUE X"),
        ("it drops the ground floor", "5 rue X rez-de-chaussée", "5", "", "RUE X"),
        ("it keeps chaussee as a street type", "5 chaussée Brunehaut", "5", "", "CHAUSSEE BRUNEHAUT"),
        ("it drops a residence before the number", "Résidence les Lilas, 5 rue X", "5", "", "RUE X"),
        ("it drops the postcode and the commune", "5 rue X 59100 Roubaix", "5", "", "RUE X"),
        ("it reads a street without number", "Lieu-dit les Prés", "", "", "LIEU DIT LES PRES"),
        ("it gives nothing for an empty address", "", "", "", ""),
    ],
)
def test_it_standardises_an_address(rule: str, raw: str, number: str, suffix: str, street: str) -> None:
    assert standardise_address(raw) == Address(number, suffix, street), rule


@pytest.mark.parametrize(
    "spelling",
    [
        "12 rue de l'Épeule",
        "12 RUE DE L EPEULE",
        "12 r. de l'Epeule",
        "12, R DE L'EPEULE",
        "Apt 3, 12 rue de l’Épeule",
    ],
)
def test_it_gives_one_key_to_every_spelling_of_an_address(spelling: str) -> None:
    assert standardise_address(spelling).key == "12||RUE DE LEPEULE"


def test_it_writes_the_suffix_in_the_key() -> None:
    assert standardise_address("3 bis all. des Tilleuls").key == "3|BIS|ALLEE DES TILLEULS"


def test_it_gives_an_empty_key_without_a_street() -> None:
    assert standardise_address("12").key == ""
    assert standardise_address("").key == ""
