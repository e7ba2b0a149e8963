"""Hand-written hard cases, crossed inside a synthetic commune so that the model has data to learn from.

Each case is a family invented for the test; the assertion is on its own children only.
"""

import pandas as pd
import pytest

from veille.columns import CHILD_COLUMNS, SCHOOLING_COLUMNS
from veille.matching import Status, cross
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune

ADDRESS = "7 rue des Glycines"


def child(identifiant, nom, prenoms, date, sexe="", allocataire="", adresse=ADDRESS):
    return {
        "organisme": "CAF",
        "identifiant": identifiant,
        "nom": nom,
        "prenoms": prenoms,
        "date_naissance": date,
        "sexe": sexe,
        "nom_allocataire": allocataire or nom.split("-")[0],
        "prenom_allocataire": "Camille",
        "adresse": adresse,
        "code_postal": "59100",
        "commune": "ROUBAIX",
    }


def record(identifiant, nom, prenoms, date, sexe="", adresse="", source="ONDE"):
    return {
        "source": source,
        "identifiant": identifiant,
        "nom": nom,
        "prenoms": prenoms,
        "date_naissance": date,
        "sexe": sexe,
        "etablissement": "École des Peupliers",
        "uai": "0599999Z",
        "niveau": "CE2",
        "adresse": adresse,
        "code_postal": "59100",
        "commune": "ROUBAIX",
    }


CHILDREN = [
    # Twins, one of them schooled: the record must not cover both.
    child("T-1", "KERVADEC", "Lénaïg", "2017-03-14", "F", adresse="3 allée des Saules"),
    child("T-2", "KERVADEC", "Maëlys", "2017-03-14", "F", adresse="3 allée des Saules"),
    # Siblings born 11 months apart, the elder schooled.
    child("S-1", "OUAZZANI", "Rayan", "2016-01-20", "M", adresse="15 bd Gambetta"),
    child("S-2", "OUAZZANI", "Ilyes", "2016-12-19", "M", adresse="15 bd Gambetta"),
    # A double surname shortened by the school.
    child("D-1", "VERMANDEL-TOURE", "Noé Amadou", "2013-06-30", "M", adresse="40 avenue Jean Lebas"),
    # A transliterated first name with day and month swapped.
    child("X-1", "BELKACEMI", "Mohammed Amine", "2015-04-09", "M", adresse="9 place de la Fosse aux Chênes"),
    # Two unrelated homonyms: one schooled, the other not.
    child("H-1", "DUBREUCQ", "Emma", "2014-05-02", "F", adresse="21 rue de Lannoy"),
    child("H-2", "DUBREUCQ", "Emma", "2019-10-27", "F", adresse="118 rue Jules Guesde"),
]

RECORDS = [
    record("R-T1", "KERVADEC", "Lenaig", "2017-03-14", "F", "3 ALL DES SAULES"),
    record("R-S1", "OUAZZANI", "Rayan", "2016-01-20", "M", "15 BOULEVARD GAMBETTA"),
    record("R-D1", "TOURE", "Noe", "2013-06-30", "", "40 AV JEAN LEBAS", source="SIECLE"),
    record("R-X1", "BELKACEMI", "Mohamed", "2015-09-04", "M", "9 PL DE LA FOSSE AUX CHENES"),
    record("R-H1", "DUBREUCQ", "Emma", "2014-05-02", "F", "21 R DE LANNOY"),
]

EXPECTED = {
    "T-1": Status.MATCHED,
    "T-2": Status.UNFOUND,
    "S-1": Status.MATCHED,
    "S-2": Status.UNFOUND,
    "D-1": Status.MATCHED,
    "X-1": Status.MATCHED,
    "H-1": Status.MATCHED,
    "H-2": Status.UNFOUND,
}


@pytest.fixture(scope="module")
def crossing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("commune")
    write_commune(generate_commune(3000, seed=11), folder)
    children = read_children_files(sorted(folder.glob("enfants_*.csv"))).table
    schooling = read_schooling_files(sorted(folder.glob("scolarite_*.csv"))).table
    children = pd.concat([children, pd.DataFrame(CHILDREN, columns=list(CHILD_COLUMNS))], ignore_index=True)
    schooling = pd.concat(
        [schooling, pd.DataFrame(RECORDS, columns=list(SCHOOLING_COLUMNS))], ignore_index=True
    )
    children = children.fillna("")
    schooling = schooling.fillna("")
    return cross(children, schooling, school_year="2026-2027")


@pytest.mark.parametrize(("identifiant", "expected"), EXPECTED.items())
def test_it_classifies_each_hard_case(crossing, identifiant, expected):
    row = crossing.children.set_index("identifiant").loc[identifiant]
    assert row["statut"] == expected.value, row.to_dict()


def test_it_matches_each_schooled_hard_case_to_its_own_record(crossing):
    matches = crossing.matches.set_index("identifiant")["source_identifiant"]
    assert matches.loc["T-1"] == "R-T1"
    assert matches.loc["S-1"] == "R-S1"
    assert matches.loc["D-1"] == "R-D1"
    assert matches.loc["X-1"] == "R-X1"
    assert matches.loc["H-1"] == "R-H1"


def test_it_explains_which_levels_decided_a_match(crossing):
    levels = crossing.matches.set_index("identifiant").loc["X-1", "niveaux"]
    assert "date_naissance : jour et mois inversés" in levels
    assert "prenom : même prénom, autre graphie" in levels


def test_it_says_the_unschooled_twins_record_went_to_the_other_twin(crossing):
    row = crossing.children.set_index("identifiant").loc["T-2"]
    assert row["candidat_identifiant"] == "R-T1"
    assert "jumeau" in row["motif"]
