"""The French words for the codes the engine and the models use, in one place.

A page never shows a code (``MEDICO_SOCIAL``, ``confirm_alert``, ``indicators.dashboard``): it shows
``label(code)``, which falls back to the code itself only for a code nobody has named yet (a test lists
the codes of the engine and of the procedure and checks that each has its words here or on its model).
"""

from __future__ import annotations

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

#: what the access log names (``AuditEvent.object_type``: an app label and a model, or a page)
OBJECT_TYPES = {
    "children.child": "Enfant",
    "cases.case": "Dossier",
    "documents.generatedletter": "Courrier",
    "documents.lettertemplate": "Modèle de courrier",
    "imports.import": "Dépôt de fichiers",
    "imports.crossingrun": "Croisement",
    "imports.outcome": "Résultat de croisement",
    "meetings.meeting": "Réunion de la cellule",
    "indicators.dashboard": "Tableau de bord des indicateurs",
    "indicators.aggregate": "Export des indicateurs",
    "accounts.membership": "Membre de la cellule",
    "accounts.user": "Compte",
    "compte": "Compte",
    "protection.export": "Export chiffré",
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
        ('Établissement médico-social', 'Tableau de bord des indicateurs')
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
