"""A phonetic key for names as they are written in France, whatever their origin.

In the spirit of Phonex, Soundex FR and Fonem: it merges spellings that a French reader pronounces
alike, so that a typo or a transliteration variant lands in the same block. It is deliberately coarse.

Limits (why the matcher uses it only to block candidate pairs and to add evidence, never alone):

* it merges different names: LOUIS/LOUISE, DENIS/DENISE, PASCAL/PASCALE (final silent letters); names
  of different sex often share a key (MARTIN/MARTINE and JEAN/JEANNE happen to stay apart because the
  vowel after the N keeps it from being nasal, but the matcher must not rely on it);
* it cannot tell an E from an É once accents are removed: every E, AI, EI, EU is one vowel;
* it does not know the language of a name: CH is always the sound of CHAT (except before R and L, as
  in CHRISTOPHE, CHLOE), so the Italian CHIARA is read as the French CHIARA; a final Z is silent as in
  CHEZ, which also hides it in GONZALEZ;
* U and OU are one vowel (useful for NOUR/NUR, YOUNES/YUNES, wrong for LUC/LOUK); O and OU stay apart,
  so MOHAMED and MOUHAMED differ (the first-name table merges them);
* B before V or R is read V (LEFEBVRE, LEFEBRE, LEFEVRE), which also makes GABRIEL and GAVRIEL alike;
* an English Soundex would merge MOHAMED and MAMADOU; this key keeps them apart, but keys of short
  names are short and collide easily.

Example:
    >>> phonetic_key("LEFEBVRE") == phonetic_key("LEFEVRE") == phonetic_key("LEFEBRE")
    True
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from veille.identity.text import normalise


def _rewriter(rules: Sequence[tuple[str, str]]) -> Callable[[str], str]:
    """Apply ``rules`` one after the other.

    Each rule writes sounds (lower case, digits) that no later rule reads again, so the order only
    matters where two rules could match the same letters: the first listed wins. One ``re.sub`` per
    rule measured faster than a single alternation with a Python callback.
    """
    compiled = [(re.compile(pattern), replacement) for pattern, replacement in rules]

    def rewrite(text: str) -> str:
        for pattern, replacement in compiled:
            text = pattern.sub(replacement, text)
        return text

    return rewrite


# During the rewrite, upper-case letters are still spelling and lower-case letters or digits are
# already sounds, so that a later rule never re-reads the output of an earlier one.
_VOWEL = "AEIOUYaeiou"
_CONSONANTS = _rewriter(
    (
        # Endings read as a single sound.
        (r"E?AU(?:LT|LD|X|T|D)$", "o"),
        # B before V or R: LEFEBVRE / LEFEVRE / LEFEBRE.
        (r"B(?=V)", ""),
        (r"B(?=R)", "V"),
        # Consonant groups.
        (r"SCH|SH", "x"),
        (r"CH(?=[RL])", "k"),
        (r"CH", "x"),
        (r"PH", "f"),
        (r"TH", "t"),
        (r"KH", "k"),
        (r"GH", "g"),
        (r"CK|QU|Q|K", "k"),
        (r"DJ", "j"),
        (r"GU(?=[EIY])", "g"),
        (r"GE(?=[AOU])", "j"),
        (r"G(?=[EIY])", "j"),
        (r"C(?=[EIY])", "s"),
        (r"C", "k"),
        (r"W(?=[AEIOUY])", "u"),
        (r"W", "v"),
        # S between two vowels is a Z (ROSE / ROZE, ISABELLE / IZABELLE).
        (rf"(?<=[{_VOWEL}])S(?=[{_VOWEL}])", "z"),
        # H is silent once the groups above have used it.
        (r"H", ""),
        (r"Y", "I"),
    )
)
_DOUBLE = re.compile(r"(.)\1+")
_SILENT_FINAL = "EDTSXZz"
_NASALS = _rewriter(
    (
        # A vowel + N not followed by a vowel, or + M followed by B or P. Read after doubles are
        # collapsed (NGUYENN is NGUYEN) but before final letters are dropped, so that JEANNE (a vowel
        # after the N) keeps an N where JEAN has a nasal vowel.
        (rf"[AE]IN(?![{_VOWEL}])|[IU]N(?![{_VOWEL}])|IM(?=[BP])", "3"),
        (rf"E?[AE]N(?![{_VOWEL}])|[AE]M(?=[BP])", "1"),
        (rf"ON(?![{_VOWEL}])|OM(?=[BP])", "2"),
    )
)
_VOWELS = _rewriter(
    (
        (r"EAU|AU", "o"),
        (r"OU|U", "u"),
        (r"OI", "ua"),
        (r"AI|EI|EU|E", "e"),
        (r"X", "ks"),
    )
)


def phonetic_key(token: str) -> str:
    """The phonetic key of a name (or of one token of it).

    Args:
        token: a name, normalised or not; anything but letters is ignored (spaces included, so
            ``BEN AHMED`` and ``BENAHMED`` have the same key).

    Returns:
        An upper-case key of letters and digits (1, 2, 3 are the nasal vowels of AN, ON, IN);
        ``""`` when there is no letter.

    Examples:
        >>> phonetic_key("MOHAMED") == phonetic_key("MOHAMMED")
        True
        >>> phonetic_key("MOHAMED") == phonetic_key("MAMADOU")
        False
        >>> phonetic_key("DIALLO") == phonetic_key("DIALO")
        True
        >>> phonetic_key("BENAHMED") == phonetic_key("BENAHMET")
        True
        >>> phonetic_key("NGUYEN") == phonetic_key("NGUYENN")
        True
    """
    if token.isascii() and token.isalpha() and token.isupper():
        text = token  # already normalised, the usual case: skip the normalisation
    else:
        text = "".join(c for c in normalise(token) if "A" <= c <= "Z")
    return _key(text) if text else ""


@functools.lru_cache(maxsize=1 << 16)
def _key(text: str) -> str:
    # Cached: the same surname token comes back for every sibling and for the claimant.
    text = _DOUBLE.sub(r"\1", _CONSONANTS(text))
    text = _NASALS(text)
    while len(text) > 1 and text[-1] in _SILENT_FINAL:
        text = text[:-1]
    return _DOUBLE.sub(r"\1", _VOWELS(text)).upper()
