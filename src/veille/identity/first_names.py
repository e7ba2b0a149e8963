"""First-name tokens and their canonical spelling.

The school may keep one of several first names, the second one, or write a compound name with a
hyphen, a space or nothing (Louis-Marie / Louis Marie / LOUISMARIE). Transliterated names have many
spellings of the same name (Mohamed / Mohammed / Muhammad): :func:`canonical_first_name` maps each
spelling to the canonical one of its group, from the table ``data/prenoms_variantes.csv`` (its rules are
in ``docs/prenoms.md``).

Example:
    >>> first_name_tokens("Louis-Marie, Jean")
    ('LOUIS', 'MARIE', 'JEAN')
    >>> canonical_first_name("MOHAMMED")
    'MOHAMED'
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

from veille.identity.text import normalise

#: The variant table, inside the package (shipped as package data).
VARIANTS_RESOURCE = "data/prenoms_variantes.csv"

# Arabic name-forming words written apart from the name they build (ABD EL KADER, ABDEL KADER, ABDOUL
# AZIZ): glued to the next token so that every spelling gives one token. ABDOU is left alone: it is a
# first name on its own in West Africa.
_GLUED_PREFIXES: frozenset[str] = frozenset({"ABD", "ABDEL", "ABDUL", "ABDOUL", "ABDE", "ABDAL", "EL", "AL"})


def first_name_tokens(raw: str) -> tuple[str, ...]:
    """The normalised first-name tokens, split on spaces, commas and hyphens.

    Arabic name-forming words (ABD, ABDEL, ABDOUL, EL, AL…) are glued to the token that follows, so
    ABD EL KADER, ABDEL KADER and ABDELKADER all give ``("ABDELKADER",)``.

    Args:
        raw: the first names as typed.

    Returns:
        The tokens in order, ``()`` when empty.

    Examples:
        >>> first_name_tokens("Yanis Karim")
        ('YANIS', 'KARIM')
        >>> first_name_tokens("Abd El Kader")
        ('ABDELKADER',)
    """
    return normalised_first_name_tokens(normalise(raw))


def normalised_first_name_tokens(text: str) -> tuple[str, ...]:
    """:func:`first_name_tokens` of first names already normalised (:func:`normalise`)."""
    tokens: list[str] = []
    pending = ""
    for word in text.split():
        if word in _GLUED_PREFIXES:
            pending += word
            continue
        tokens.append(pending + word)
        pending = ""
    if pending:
        tokens.append(pending)
    return tuple(tokens)


def _parse_variants(text: str) -> dict[str, str]:
    """Variant → canonical, refusing a table where a spelling would belong to two groups."""
    mapping: dict[str, str] = {}
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != ["canonique", "variante"]:
        raise ValueError(
            f"prenoms_variantes.csv : colonnes attendues canonique,variante, lues {reader.fieldnames}"
        )
    for line, row in enumerate(reader, start=2):
        canonical = normalise(row["canonique"]).replace(" ", "")
        variant = normalise(row["variante"]).replace(" ", "")
        if not canonical or not variant:
            raise ValueError(f"prenoms_variantes.csv, ligne {line} : valeur vide")
        for spelling in (canonical, variant):
            known = mapping.get(spelling)
            if known is not None and known != canonical:
                raise ValueError(
                    f"prenoms_variantes.csv, ligne {line} : {spelling} est déjà rattaché à {known}, "
                    f"il ne peut pas l'être aussi à {canonical}"
                )
            mapping[spelling] = canonical
    return mapping


@functools.cache
def variant_table() -> dict[str, str]:
    """The variant table as a dict, every canonical name mapped to itself. Read once, then cached."""
    resource = resources.files("veille.identity")
    for part in VARIANTS_RESOURCE.split("/"):
        resource = resource.joinpath(part)
    text = resource.read_text(encoding="utf-8")
    return _parse_variants(text)


def canonical_first_name(token: str) -> str:
    """The canonical spelling of a normalised first-name token; the token itself when not in the table.

    Examples:
        >>> canonical_first_name("YOUCEF")
        'YOUSSEF'
        >>> canonical_first_name("JEANNE")
        'JEANNE'
    """
    return variant_table().get(token, token)
