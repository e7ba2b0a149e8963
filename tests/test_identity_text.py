"""normalise and surname_tokens: one case per standardisation rule (invented names only)."""

from __future__ import annotations

import doctest
import importlib

import pytest

from veille.identity import PARTICLES, normalise, surname_tokens, surname_variants


@pytest.mark.parametrize(
    ("rule", "raw", "expected"),
    [
        ("it upper-cases", "martin", "MARTIN"),
        ("it removes accents", "Élodie Gaëlle Françoise", "ELODIE GAELLE FRANCOISE"),
        ("it spells out the oe ligature", "Cœur", "COEUR"),
        ("it spells out the ae ligature", "Lætitia", "LAETITIA"),
        ("it spells out the sharp s", "Strauß", "STRAUSS"),
        ("it strips the Vietnamese d with stroke", "Đặng Nguyễn", "DANG NGUYEN"),
        ("it strips the Nordic o with stroke", "Søren", "SOREN"),
        ("it strips the Polish l with stroke", "Łukasz", "LUKASZ"),
        ("it removes an apostrophe without a space", "N'Diaye", "NDIAYE"),
        ("it removes a typographic apostrophe without a space", "L’Homme", "LHOMME"),
        ("it removes a backquote and an acute accent sign", "D`Almeida O´Brien", "DALMEIDA OBRIEN"),
        ("it turns a hyphen into a space", "Martin-Diallo", "MARTIN DIALLO"),
        ("it turns commas, dots, slashes and underscores into spaces", "A,B.C/D_E", "A B C D E"),
        ("it removes other punctuation", "Zoé!? #1", "ZOE 1"),
        ("it collapses and trims spaces", "  Jean   Paul  ", "JEAN PAUL"),
        ("it keeps digits", "12 bis", "12 BIS"),
        ("it gives an empty string for an empty input", "", ""),
        ("it gives an empty string for punctuation only", " - ' . ", ""),
    ],
)
def test_it_normalises_text(rule: str, raw: str, expected: str) -> None:
    assert normalise(raw) == expected, rule


@pytest.mark.parametrize(
    ("glued", "spaced"),
    [
        ("BENAHMED", "BEN AHMED"),
        ("DASILVA", "DA SILVA"),
        ("ELOUARDI", "EL OUARDI"),
        ("VANDEVELDE", "VAN DE VELDE"),
        ("DELAFONTAINE", "De La Fontaine"),
        ("AITALI", "Aït Ali"),
        ("LEGALL", "LE GALL"),
        ("DOSSANTOS", "dos Santos"),
        ("MACDONALD", "MAC DONALD"),
        ("NDIAYE", "N'DIAYE"),
        ("NDIAYE", "N DIAYE"),
        ("LHOMME", "L'HOMME"),
        ("SAINTMARTIN", "ST MARTIN"),
        ("SAINTMARTIN", "Saint-Martin"),
    ],
)
def test_it_gives_the_same_tokens_to_glued_and_spaced_particles(glued: str, spaced: str) -> None:
    assert surname_tokens(glued) == surname_tokens(spaced) == (glued,)


@pytest.mark.parametrize(
    ("rule", "raw", "expected"),
    [
        ("it glues a particle to the next token", "BEN AHMED", ("BENAHMED",)),
        ("it chains particles", "DE LA FONTAINE", ("DELAFONTAINE",)),
        ("it glues only the particle of a double surname", "DA SILVA PEREIRA", ("DASILVA", "PEREIRA")),
        ("it splits a hyphenated double surname", "MARTIN-DIALLO", ("MARTIN", "DIALLO")),
        ("it splits a spaced double surname", "MARTIN DIALLO", ("MARTIN", "DIALLO")),
        ("it keeps a lone particle as the whole name", "LE", ("LE",)),
        ("it keeps a trailing particle as a token", "MARTIN LE", ("MARTIN", "LE")),
        ("it glues a one-letter token", "M BAPPE", ("MBAPPE",)),
        ("it drops an iberian connector", "GARCIA Y LOPEZ", ("GARCIA", "LOPEZ")),
        ("it keeps a repeated token once", "MARTIN-MARTIN", ("MARTIN",)),
        ("it gives no token for an empty name", "", ()),
    ],
)
def test_it_cuts_a_surname_into_tokens(rule: str, raw: str, expected: tuple[str, ...]) -> None:
    assert surname_tokens(raw) == expected, rule


@pytest.mark.parametrize(
    ("rule", "raw", "expected"),
    [
        ("it keeps both names around epouse", "DUPONT épouse MARTIN", ("DUPONT", "MARTIN")),
        ("it keeps both names around ep.", "DUPONT ep. MARTIN", ("DUPONT", "MARTIN")),
        ("it keeps both names around nee", "MARTIN née DUPONT", ("MARTIN", "DUPONT")),
        ("it keeps both names around vve", "MARTIN VVE DUPONT", ("MARTIN", "DUPONT")),
        ("it drops a leading marker", "NEE DUPONT", ("DUPONT",)),
        ("it drops a civil title", "Mme Dupont", ("DUPONT",)),
        ("it keeps a name made only of a marker word", "DIT", ("DIT",)),
    ],
)
def test_it_reads_the_usage_name_of_a_claimant(rule: str, raw: str, expected: tuple[str, ...]) -> None:
    assert surname_tokens(raw) == expected, rule


def test_it_adds_the_glued_whole_to_the_variants_of_a_double_surname() -> None:
    assert surname_variants(("MARTIN", "DIALLO")) == ["MARTIN", "DIALLO", "MARTINDIALLO"]
    assert surname_variants(("MARTIN",)) == ["MARTIN"]
    assert surname_variants(()) == []


def test_it_documents_its_particles_as_normalised_words() -> None:
    assert all(particle == normalise(particle) and " " not in particle for particle in PARTICLES)
    assert {
        "DE",
        "DA",
        "DOS",
        "DU",
        "DES",
        "LE",
        "LA",
        "EL",
        "AL",
        "BEN",
        "BOU",
        "AIT",
        "VAN",
        "VON",
    } <= PARTICLES


@pytest.mark.parametrize(
    "module",
    [
        "veille.identity.text",
        "veille.identity.surnames",
        "veille.identity.first_names",
        "veille.identity.phonetic",
        "veille.identity.addresses",
        "veille.identity.features",
    ],
)
def test_its_docstring_examples_hold(module: str) -> None:
    results = doctest.testmod(importlib.import_module(module))
    assert results.attempted > 0
    assert results.failed == 0


@pytest.mark.parametrize("code", range(128))
def test_each_ascii_character_follows_the_rules(code: int) -> None:
    """The ASCII fast path gives what the rules say for every character, as the general path does."""
    char = chr(code)
    if char.isalnum():
        expected = f"A{char.upper()}B"
    elif char in "-,./\\_;:()[]{}+&|\t\n\r" or char == " ":
        expected = "A B"
    else:
        expected = "AB"
    assert normalise(f"a{char}b") == expected
    # The same text with an accent goes through the general path: same result, accent removed.
    assert normalise(f"a{char}bé") == expected + "E"
