"""People's verdicts on pairs (``cross(decisions=...)``) are applied by the next crossing."""

import pytest

from veille.matching import PairDecision, Status, cross
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    written = write_commune(generate_commune(300, seed=11), tmp_path_factory.mktemp("commune"))
    children = read_children_files([p for n, p in written.items() if n.startswith("enfants")]).table
    # A small commune may have an empty file (no médico-social record): the reader refuses those.
    non_empty = [
        p for n, p in written.items() if n.startswith("scolarite") and len(p.read_bytes().splitlines()) > 1
    ]
    schooling = read_schooling_files(non_empty).table
    first = cross(children, schooling, school_year="2026-2027")
    return children, schooling, first


def _matched(result):
    table = result.children
    return table[table["statut"] == Status.MATCHED.value]


def test_a_pair_declared_different_is_never_matched_again(tables):
    children, schooling, first = tables
    row = _matched(first).iloc[0]
    decision = PairDecision(
        row.organisme, row.identifiant, row.candidat_source, row.candidat_identifiant, False
    )

    again = cross(children, schooling, school_year="2026-2027", model=first.model, decisions=[decision])

    child = again.children.set_index(["organisme", "identifiant"]).loc[(row.organisme, row.identifiant)]
    assert child["candidat_identifiant"] != row.candidat_identifiant
    assert child["statut"] != Status.MATCHED.value or child["candidat_identifiant"] != ""
    matches = again.matches
    assert not (
        (matches["identifiant"] == row.identifiant)
        & (matches["source_identifiant"] == row.candidat_identifiant)
    ).any()


def test_a_pair_declared_the_same_is_matched_even_if_blocking_never_proposed_it(tables):
    children, schooling, first = tables
    unfound = first.children[first.children["statut"] == Status.UNFOUND.value].iloc[0]
    # A record of another child, that nothing in the data links to this one.
    other = schooling[schooling["nom"].str.upper() != unfound["nom"].upper()].iloc[0]
    decision = PairDecision(unfound.organisme, unfound.identifiant, other.source, other.identifiant, True)

    again = cross(children, schooling, school_year="2026-2027", model=first.model, decisions=[decision])

    child = again.children.set_index(["organisme", "identifiant"]).loc[
        (unfound.organisme, unfound.identifiant)
    ]
    assert child["statut"] == Status.MATCHED.value
    assert child["candidat_identifiant"] == other.identifiant
    assert child["motif"] == "rapprochement confirmé par la cellule"


def test_decisions_about_unknown_children_or_records_are_ignored(tables):
    children, schooling, first = tables
    decision = PairDecision("CAF", "inconnu", "ONDE", "inconnu aussi", False)

    again = cross(children, schooling, school_year="2026-2027", model=first.model, decisions=[decision])

    assert again.children["statut"].tolist() == first.children["statut"].tolist()
