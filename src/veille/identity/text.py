"""Text normalisation shared by every identity field (surnames, first names, addresses).

Everything the matcher compares goes through :func:`normalise` first, so that case, accents and
punctuation never make two spellings of the same identity differ.

Example:
    >>> normalise("  N'Diaye-Lefèvre,  Zoë ")
    'NDIAYE LEFEVRE ZOE'
"""

from __future__ import annotations

import re
import unicodedata

# Letters that NFKD does not decompose into a base letter plus a combining mark.
_SPECIAL_LETTERS: dict[str, str] = {
    "Œ": "OE",
    "œ": "oe",
    "Æ": "AE",
    "æ": "ae",
    "ß": "ss",
    "ẞ": "SS",
    "Đ": "D",
    "đ": "d",
    "Ð": "D",
    "ð": "d",
    "Ø": "O",
    "ø": "o",
    "Ł": "L",
    "ł": "l",
    "Ħ": "H",
    "ħ": "h",
    "Þ": "TH",
    "þ": "th",
    "ı": "i",
    "ĸ": "k",
}

# Apostrophes and quotes vanish without leaving a space: N'DIAYE and NDIAYE must be the same name,
# which is how most school software stores them.
_GLUE = "'’‘`´ʼʻ′\"«»“”„"
# Separators become a space: they split compound names and address parts.
_SEPARATORS = "-‐‑‒–—―,./\\_;:()[]{}+&|\t\n\r\u00a0\u202f"

_TRANSLATION = str.maketrans(
    {**_SPECIAL_LETTERS, **dict.fromkeys(_GLUE, ""), **dict.fromkeys(_SEPARATORS, " ")}
)
_NOT_WORD = re.compile(r"[^A-Z0-9 ]+")
_SPACES = re.compile(r" +")


# The ASCII case of the rules below in a single bytes.translate: separators become a space, letters are
# upper-cased, everything else that is not a letter, a digit or a space (apostrophes included) is dropped.
_ASCII_TABLE = bytes(
    ord(" ") if chr(code) in _SEPARATORS else ord(chr(code).upper()) if code < 128 else code
    for code in range(256)
)
_ASCII_DROPPED = bytes(
    code
    for code in range(128)
    if chr(code) not in _SEPARATORS and not chr(code).isalnum() and chr(code) != " "
)

# Combining marks left by NFKD (the accents); removed by a regex, much faster than a per-character test.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
# Letters and digits of any script are kept, so that Arabic or Cyrillic text is not silently emptied.
_NOT_WORD_ANY_SCRIPT = re.compile(r"[^\w ]+|_")


def normalise(s: str) -> str:
    """Upper case, without accents or punctuation, single-spaced.

    Rules, in order:

    * letters that have no decomposition are spelled out (Œ→OE, Æ→AE, ß→SS, Đ→D, Ø→O, Ł→L, Þ→TH);
    * apostrophes and quotes (' ’ ` ´ « » …) are removed without a space (N'DIAYE→NDIAYE);
    * hyphens, dashes, commas, dots, slashes, underscores, semicolons, colons, brackets, ``+`` and
      ``&`` become a space;
    * accents are removed (NFKD, combining marks dropped), the text is upper-cased;
    * any other punctuation or symbol is removed, spaces are collapsed and trimmed.

    Args:
        s: any text; ``None``-like inputs are the caller's business (pass ``""``).

    Returns:
        The normalised text, ``""`` for an empty or punctuation-only input.

    Examples:
        >>> normalise("Chloé-Zoë")
        'CHLOE ZOE'
        >>> normalise("Nguyễn Đức")
        'NGUYEN DUC'
        >>> normalise("L'HOMME")
        'LHOMME'
        >>> normalise("Œdipe, Æsa; Strauß")
        'OEDIPE AESA STRAUSS'
    """
    if not s:
        return ""
    if s.isascii():
        # The common case (exports without accents): one bytes.translate does the tables, the upper
        # case and the removal at C speed; split() then collapses and trims the spaces.
        return " ".join(s.encode("ascii").translate(_ASCII_TABLE, _ASCII_DROPPED).decode("ascii").split())
    decomposed = unicodedata.normalize("NFKD", s.translate(_TRANSLATION))
    # Translate again: NFKD can expose characters of the tables (e.g. a compatibility apostrophe).
    upper = _COMBINING.sub("", decomposed.translate(_TRANSLATION)).upper()
    cleaned = _NOT_WORD.sub("", upper) if upper.isascii() else _NOT_WORD_ANY_SCRIPT.sub("", upper)
    return _SPACES.sub(" ", cleaned).strip()
