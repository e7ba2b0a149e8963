"""Surname tokens: the parts of a surname a school may have typed on its own.

A surname is cut into tokens at spaces and hyphens; particles are glued to the token that follows them
because schools write them either way (BEN AHMED / BENAHMED, DA SILVA / DASILVA). A double surname gives
one token per part (MARTIN-DIALLO → MARTIN, DIALLO) so that the matcher can accept a school that kept
only one of them.

Example:
    >>> surname_tokens("Da Silva Pereira")
    ('DASILVA', 'PEREIRA')
"""

from __future__ import annotations

from veille.identity.text import normalise

#: Particles glued to the next token. French (de, du, des, le, la, les, d', l'), Portuguese/Spanish/
#: Italian (da, das, do, dos, di, del, della, dello, delle, de la…), Arabic and Berber (el, al, ben, bel,
#: bou, abou, abu, ait, ould, bin, bent), Dutch/Flemish/German (van, von, der, den, ter, ten, vander,
#: vanden), Gaelic (mac, mc, o) and the abbreviations of saint. Any one-letter token is glued as well:
#: it is almost always an apostrophe typed as a space (N DIAYE, M BAPPE, D ALMEIDA, L HOMME).
PARTICLES: frozenset[str] = frozenset(
    {
        # French
        "DE", "DU", "DES", "LE", "LA", "LES",
        # Portuguese, Spanish, Italian
        "DA", "DAS", "DO", "DOS", "DI", "DEL", "DELA", "DELLA", "DELLO", "DELLE", "DEGLI",
        # Arabic, Berber
        "EL", "AL", "BEN", "BEL", "BOU", "ABOU", "ABU", "AIT", "OULD", "BIN", "BENT",
        # Dutch, Flemish, German
        "VAN", "VON", "DER", "DEN", "TER", "TEN", "VANDER", "VANDEN", "VANDE",
        # Gaelic
        "MAC", "MC",
        # Saint, as in SAINT-MARTIN / SAINT MARTIN / SAINTMARTIN
        "SAINT", "SAINTE", "ST", "STE",
    }
)  # fmt: skip

#: Words that introduce another surname of the same person (name at birth, usage name): they are
#: dropped and the names on both sides are kept, so "DUPONT épouse MARTIN" gives DUPONT and MARTIN.
USAGE_MARKERS: frozenset[str] = frozenset(
    {"EPOUSE", "EPSE", "EP", "EPOUX", "NEE", "VVE", "VEUVE", "DIT", "DITE", "DIVORCEE", "USAGE"}
)

#: Civil titles sometimes typed before a claimant's surname; dropped at the start of the name only.
TITLES: frozenset[str] = frozenset({"MME", "MLLE", "MR", "MM", "MONSIEUR", "MADAME", "MADEMOISELLE"})

# Iberian connectors between two surnames (GARCIA Y LOPEZ, SILVA E SOUZA): not part of either name.
_CONNECTORS: frozenset[str] = frozenset({"Y", "E"})

# Saint is written out so that ST MARTIN and SAINT MARTIN glue to the same token.
_EXPANSIONS: dict[str, str] = {"ST": "SAINT", "STE": "SAINTE"}


def surname_tokens(raw: str) -> tuple[str, ...]:
    """The normalised tokens of a surname, particles glued to the token that follows.

    Rules:

    * the text is normalised (:func:`veille.identity.text.normalise`): hyphens split, apostrophes glue;
    * civil titles at the start are dropped (MME DUPONT → DUPONT);
    * usage markers (EPOUSE, EP, NEE, VVE, DIT…) are dropped, names on both sides are kept;
    * Iberian connectors Y and E between two names are dropped;
    * a particle (:data:`PARTICLES`) or a one-letter token is glued to the next token, chaining
      (DE LA FONTAINE → DELAFONTAINE); a particle with nothing after it stays a token of its own
      (LE → LE);
    * a token repeated (MARTIN-MARTIN) is kept once.

    Args:
        raw: the surname as typed.

    Returns:
        The tokens, in order; ``()`` when nothing is left.

    Examples:
        >>> surname_tokens("BEN AHMED")
        ('BENAHMED',)
        >>> surname_tokens("MARTIN-DIALLO")
        ('MARTIN', 'DIALLO')
        >>> surname_tokens("van de Velde")
        ('VANDEVELDE',)
        >>> surname_tokens("DUPONT épouse MARTIN")
        ('DUPONT', 'MARTIN')
        >>> surname_tokens("N DIAYE")
        ('NDIAYE',)
    """
    return normalised_surname_tokens(normalise(raw))


def normalised_surname_tokens(text: str) -> tuple[str, ...]:
    """:func:`surname_tokens` of a surname already normalised (:func:`normalise`)."""
    words = text.split()
    while len(words) > 1 and words[0] in TITLES:
        words = words[1:]
    kept = [
        _EXPANSIONS.get(word, word)
        for position, word in enumerate(words)
        if word not in USAGE_MARKERS and not (word in _CONNECTORS and 0 < position < len(words) - 1)
    ]
    if not kept:
        # A surname made only of marker words (DIT) is a surname, not a marker.
        kept = [_EXPANSIONS.get(word, word) for word in words]
    tokens: list[str] = []
    pending = ""
    for word in kept:
        if word in PARTICLES or len(word) == 1 or word in _EXPANSIONS.values():
            pending += word
            continue
        token = pending + word
        pending = ""
        if token not in tokens:
            tokens.append(token)
    if pending and pending not in tokens:
        tokens.append(pending)
    return tuple(tokens)


def surname_variants(tokens: tuple[str, ...]) -> list[str]:
    """The tokens plus, for a surname of several tokens, all of them glued together.

    The glued whole lets a school that typed MARTINDIALLO meet a CAF record MARTIN-DIALLO by a plain
    token comparison.

    Examples:
        >>> surname_variants(("MARTIN", "DIALLO"))
        ['MARTIN', 'DIALLO', 'MARTINDIALLO']
        >>> surname_variants(("DUPONT",))
        ['DUPONT']
    """
    variants = list(tokens)
    if len(tokens) > 1:
        variants.append("".join(tokens))
    return variants
