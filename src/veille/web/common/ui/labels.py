"""The French words for the codes the engine and the models use, in one place.

A page never shows a code (``MEDICO_SOCIAL``, ``confirm_alert``, ``indicators.dashboard``): it shows
``label(code)``, which falls back to the code itself only for a code nobody has named yet (a test lists
the codes of the engine and of the procedure and checks that each has its words here or on its model).
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: the schooling sources of the files (``veille.columns.SCHOOLING_SOURCES``)
SCHOOLING_SOURCES = {
    "ONDE": "Écoles publiques et privées sous contrat (ONDE)",
    "SIECLE": "Collèges et lycées (SIECLE)",
    "PRIVE": "Établissement privé hors contrat",
    "CNED": "Enseignement à distance (CNED)",
    "IEF": "Instruction dans la famille",
    "MEDICO_SOCIAL": "Établissement médico-social",
    "AUTRE": "Autre mode d'instruction",
}

#: the sex as the files write it (one letter)
SEXES = {"M": "masculin", "F": "féminin"}

#: what the access log names that is not a model (a model's ``verbose_name`` names the others)
OBJECT_TYPES = {
    "indicators.dashboard": "tableau de bord des indicateurs",
    "indicators.aggregate": "export anonyme des indicateurs",
    "indicators.department": "indicateurs du département",
    "indicators.report": "bilan annuel des indicateurs",
}

_TABLES: list[dict[str, str]] = [SCHOOLING_SOURCES, OBJECT_TYPES]
#: further tables registered by the apps that own their codes (the procedure's steps, …)
_LOOKUPS: list[Callable[[str], str | None]] = []


def register(lookup: Callable[[str], str | None]) -> None:
    """Let an app name its own codes (called from its ``AppConfig.ready``)."""
    if lookup not in _LOOKUPS:
        _LOOKUPS.append(lookup)


def label(code: object) -> str:
    """The French words for ``code``; the code itself when nobody has named it.

    Example:
        >>> label("MEDICO_SOCIAL"), label("indicators.dashboard")
        ('Établissement médico-social', 'tableau de bord des indicateurs')
    """
    text = "" if code is None else str(code)
    for table in _TABLES:
        if text in table:
            return table[text]
    for lookup in _LOOKUPS:
        found = lookup(text)
        if found:
            return found
    return text


_PERIOD = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})\b")
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_SETTING = re.compile(r"\b([a-z]+)=(\S+)")


def in_words(detail: str) -> str:
    """An access-log detail as a person reads it: the period in French dates, codes in words.

    The log stores identifiers (stable, searchable); this is only how the page prints them.

    Example:
        >>> in_words("2026-09-01..2027-08-31 domaine=absence")
        'du 01/09/2026 au 31/08/2027, domaine : absence'
    """
    text = _PERIOD.sub(r"du \3/\2/\1 au \6/\5/\4", detail or "")
    text = _SETTING.sub(lambda m: f", {m.group(1)} : {label(m.group(2))}", text).replace(" , ", ", ")
    return _SNAKE.sub(
        lambda m: f"« {label(m.group(0))} »" if label(m.group(0)) != m.group(0) else m.group(0), text
    )
