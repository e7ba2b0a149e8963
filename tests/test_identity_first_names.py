"""First-name tokens and the variant table (invented names only)."""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources

import pytest

from veille.identity import canonical_first_name, first_name_tokens, variant_table
from veille.identity.first_names import _parse_variants


@pytest.mark.parametrize(
    ("rule", "raw", "expected"),
    [
        ("it splits on spaces", "Yanis Karim", ("YANIS", "KARIM")),
        ("it splits on commas", "Inès,Sarah", ("INES", "SARAH")),
        ("it splits on hyphens", "Louis-Marie", ("LOUIS", "MARIE")),
        ("it splits a mix of separators", "Louis-Marie, Jean", ("LOUIS", "MARIE", "JEAN")),
        ("it keeps a glued compound as one token", "LOUISMARIE", ("LOUISMARIE",)),
        ("it removes an apostrophe without a space", "N'Golo", ("NGOLO",)),
        ("it glues abd el to the name they build", "Abd El Kader", ("ABDELKADER",)),
        ("it glues abdel to the name it builds", "Abdel Kader", ("ABDELKADER",)),
        ("it glues abdoul to the name it builds", "Abdoul-Aziz Moussa", ("ABDOULAZIZ", "MOUSSA")),
        ("it glues el to the name it builds", "Mohamed El Amine", ("MOHAMED", "ELAMINE")),
        ("it keeps abdou as a name of its own", "Abdou Karim", ("ABDOU", "KARIM")),
        ("it gives no token for an empty input", "", ()),
    ],
)
def test_it_splits_first_names(rule: str, raw: str, expected: tuple[str, ...]) -> None:
    assert first_name_tokens(raw) == expected, rule


@pytest.mark.parametrize(
    "group",
    [
        ("MOHAMED", "MOHAMMED", "MUHAMMAD", "MOHAMMAD", "MOUHAMED", "MOHAMAD"),
        ("YOUSSEF", "YOUCEF", "YUSUF", "YOUSEF"),
        ("AICHA", "AISHA", "AYCHA"),
        ("MARYAM", "MERYEM", "MARIAM", "MERIEM"),
        ("ABDELKADER", "ABDULKADIR"),
        ("FATIMA", "FATMA", "FATIMAH"),
        ("KHADIJA", "KHADIDJA", "KADIJA"),
        ("NOUR", "NOOR", "NUR"),
        ("YACINE", "YASSINE", "YASIN"),
        ("RAYAN", "RAYANE"),
        ("ILYES", "ILYAS", "ELYES", "ILIAS"),
        ("AMINE", "AMIN"),
        ("INES", "INESSE"),
        ("MATHEO", "MATTEO", "MATEO"),
        ("THEO", "TEO"),
        ("NATHAN", "NATAN"),
        ("ELOISE", "HELOISE"),
        ("KILLIAN", "KYLIAN", "KILIAN", "KYLLIAN"),
        ("LOUNA", "LUNA"),
        ("MAELYS", "MAELISS", "MAELIS"),
        ("YANIS", "YANNIS"),
        ("ALEXANDRE", "ALEKSANDR", "OLEKSANDR"),
        ("OMAR", "OUMAR", "OMER"),
    ],
)
def test_it_maps_every_spelling_of_a_group_to_one_canonical(group: tuple[str, ...]) -> None:
    assert {canonical_first_name(spelling) for spelling in group} == {group[0]}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("JEAN", "JEANNE"),
        ("LOUIS", "LOUISE"),
        ("MARTIN", "MARTINE"),
        ("ADAM", "ADAMA"),
        ("MOHAMED", "MAMADOU"),
        ("AMIR", "AMIRA"),
        ("IBRAHIM", "IBRAHIMA"),
        ("YOUSSEF", "YOUSSOUF"),
        ("AICHA", "AISSA"),
        ("MARYAM", "MYRIAM"),
        ("NOAH", "NOE"),
        ("NOAH", "NOA"),
        ("RAYAN", "RYAN"),
        ("ELIAS", "ILYES"),
        ("OTHMANE", "OUSMANE"),
        ("SOFIA", "SOPHIE"),
        ("ABDALLAH", "ABDOULAYE"),
    ],
)
def test_it_never_merges_distinct_names(first: str, second: str) -> None:
    assert canonical_first_name(first) != canonical_first_name(second)


def test_it_leaves_an_unknown_name_as_it_is() -> None:
    assert canonical_first_name("ZEPHYRIN") == "ZEPHYRIN"


def _table_rows() -> list[dict[str, str]]:
    text = (
        resources.files("veille.identity")
        .joinpath("data")
        .joinpath("prenoms_variantes.csv")
        .read_text("utf-8")
    )
    return list(csv.DictReader(text.splitlines()))


def test_it_loads_the_table_from_package_data() -> None:
    rows = _table_rows()
    assert rows
    assert variant_table() is variant_table()  # read once
    assert all(variant_table()[row["variante"]] == row["canonique"] for row in rows)


def test_it_never_maps_a_name_to_two_canonicals() -> None:
    canonicals: dict[str, set[str]] = defaultdict(set)
    for row in _table_rows():
        canonicals[row["variante"]].add(row["canonique"])
        canonicals[row["canonique"]].add(row["canonique"])
    assert {name: found for name, found in canonicals.items() if len(found) > 1} == {}


def test_it_maps_every_canonical_to_itself() -> None:
    assert all(variant_table()[row["canonique"]] == row["canonique"] for row in _table_rows())


def test_it_covers_at_least_150_groups_in_normalised_sorted_rows() -> None:
    rows = _table_rows()
    assert len({row["canonique"] for row in rows}) >= 150
    pairs = [(row["canonique"], row["variante"]) for row in rows]
    assert pairs == sorted(pairs)
    assert all(name.isalpha() and name.isascii() and name.isupper() for pair in pairs for name in pair)


def test_it_refuses_a_table_where_a_spelling_has_two_canonicals() -> None:
    with pytest.raises(ValueError, match="déjà rattaché"):
        _parse_variants("canonique,variante\nYOUSSEF,YUSUF\nYOUSSOUF,YUSUF\n")


def test_it_refuses_a_table_whose_canonical_is_a_variant_elsewhere() -> None:
    with pytest.raises(ValueError, match="déjà rattaché"):
        _parse_variants("canonique,variante\nMOHAMED,MOHAMMED\nMOHAMMED,MUHAMMAD\n")
