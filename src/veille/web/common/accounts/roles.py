"""The cell's roles and what each may do: the one table the views, the tests and the docs follow.

``docs/permissions.md`` prints this table; a test checks that the two say the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models


class Role(models.TextChoices):
    REFERENT = "referent", "Référent mairie"
    AGENT = "agent", "Agent mairie"
    EDUCATION = "education", "Éducation nationale (DSDEN / IEN)"
    PREFECTURE = "prefecture", "Préfecture"
    CAF = "caf", "CAF / MSA"
    DEPARTMENT = "department", "Département (services sociaux)"
    PROSECUTOR = "prosecutor", "Parquet"
    READER = "reader", "Lecture seule"
    AUDITOR = "auditor", "Auditeur (protection des données)"


class Capability(models.TextChoices):
    VIEW_CHILDREN = "view_children", "voir la liste des enfants et le résultat des croisements"
    EDIT_CHILDREN = "edit_children", "compléter la fiche d'un enfant (contenu de la liste, R131-3)"
    IMPORT_FILES = "import_files", "déposer des fichiers (enfants ou scolarité)"
    VIEW_ALL_IMPORTS = "view_all_imports", "voir tous les dépôts de fichiers (sinon : les siens seulement)"
    RUN_CROSSING = "run_crossing", "lancer un croisement"
    REVIEW_MATCHES = "review_matches", "trancher les rapprochements incertains"
    VIEW_CASES = "view_cases", "voir tous les dossiers de la commune"
    VIEW_TRANSMITTED_CASES = "view_transmitted_cases", "voir les dossiers qui lui sont transmis"
    VIEW_ESTABLISHMENT_CASES = (
        "view_establishment_cases",
        "voir les dossiers d'un établissement ou d'un lieu (hors contrat, école de fait)",
    )
    EDIT_CASES = "edit_cases", "ouvrir un dossier et faire avancer sa procédure"
    TRANSMIT_CASES = "transmit_cases", "transmettre un dossier à un partenaire"
    GENERATE_LETTERS = "generate_letters", "produire les courriers d'un dossier"
    EDIT_TEMPLATES = "edit_templates", "modifier les modèles de courriers et l'en-tête de la commune"
    EDIT_DEADLINES = "edit_deadlines", "corriger les délais de la procédure (nouvelle version)"
    VIEW_MEETINGS = "view_meetings", "voir les réunions de la cellule et leurs comptes rendus"
    MANAGE_MEETINGS = "manage_meetings", "préparer une réunion et noter ses décisions"
    EXPORT_DATA = "export_data", "exporter des données vers un partenaire (archive chiffrée)"
    RIGHT_OF_ACCESS = "right_of_access", "exporter tout ce qui est détenu sur un enfant (droit d'accès)"
    PURGE = "purge", "lancer la suppression des données arrivées à échéance"
    VIEW_AUDIT = "view_audit", "lire le journal des accès"
    MANAGE_MEMBERS = "manage_members", "gérer les membres de la cellule et leurs rôles"
    VIEW_INDICATORS = "view_indicators", "voir les indicateurs de la cellule et télécharger le bilan annuel"
    VIEW_DEPARTMENT = "view_department", "voir les indicateurs anonymes de toutes les communes du département"


C = Capability
PERMISSIONS: dict[Role, frozenset[Capability]] = {
    Role.REFERENT: frozenset(
        {
            C.VIEW_CHILDREN,
            C.EDIT_CHILDREN,
            C.IMPORT_FILES,
            C.VIEW_ALL_IMPORTS,
            C.RUN_CROSSING,
            C.REVIEW_MATCHES,
            C.VIEW_CASES,
            C.EDIT_CASES,
            C.TRANSMIT_CASES,
            C.GENERATE_LETTERS,
            C.EDIT_TEMPLATES,
            C.EDIT_DEADLINES,
            C.VIEW_MEETINGS,
            C.MANAGE_MEETINGS,
            C.EXPORT_DATA,
            C.RIGHT_OF_ACCESS,
            C.PURGE,
            C.VIEW_AUDIT,
            C.MANAGE_MEMBERS,
            C.VIEW_INDICATORS,
        }
    ),
    Role.AGENT: frozenset(
        {
            C.VIEW_CHILDREN,
            C.EDIT_CHILDREN,
            C.IMPORT_FILES,
            C.VIEW_ALL_IMPORTS,
            C.RUN_CROSSING,
            C.REVIEW_MATCHES,
            C.VIEW_CASES,
            C.EDIT_CASES,
            C.TRANSMIT_CASES,
            C.GENERATE_LETTERS,
            C.VIEW_MEETINGS,
            C.MANAGE_MEETINGS,
            C.EXPORT_DATA,
            C.VIEW_INDICATORS,
        }
    ),
    Role.EDUCATION: frozenset(
        {
            C.VIEW_CHILDREN,
            C.IMPORT_FILES,
            C.REVIEW_MATCHES,
            C.VIEW_CASES,
            C.EDIT_CASES,
            C.TRANSMIT_CASES,
            C.GENERATE_LETTERS,
            C.VIEW_MEETINGS,
            C.VIEW_INDICATORS,
        }
    ),
    # Not a recipient of the list (R131-10-5): aggregates, and the cases transmitted to it for its own
    # acts (L131-10 substitution, L441-3-1 école de fait, L442-2 hors contrat), whose letters it produces.
    Role.PREFECTURE: frozenset(
        {
            C.VIEW_TRANSMITTED_CASES,
            C.VIEW_ESTABLISHMENT_CASES,
            C.EDIT_CASES,
            C.GENERATE_LETTERS,
            C.VIEW_INDICATORS,
            C.VIEW_DEPARTMENT,
        }
    ),
    Role.CAF: frozenset({C.IMPORT_FILES}),
    Role.DEPARTMENT: frozenset({C.VIEW_CASES, C.EDIT_CASES, C.VIEW_MEETINGS, C.VIEW_INDICATORS}),
    Role.PROSECUTOR: frozenset({C.VIEW_TRANSMITTED_CASES, C.EDIT_CASES}),
    Role.READER: frozenset({C.VIEW_CHILDREN, C.VIEW_CASES, C.VIEW_MEETINGS, C.VIEW_INDICATORS}),
    Role.AUDITOR: frozenset({C.VIEW_AUDIT}),
}


def can(role: str, capability: Capability) -> bool:
    """Whether a role holds a capability.

    Example:
        >>> can(Role.CAF, Capability.VIEW_CASES)
        False
    """
    return capability in PERMISSIONS.get(Role(role), frozenset())


def permission_table(
    roles: Iterable[models.TextChoices],
    capabilities: Iterable[models.TextChoices],
    permissions: Mapping[Any, frozenset[Any]],
) -> str:
    """A permission table in Markdown: rows are capabilities, columns are roles (cell and cité alike)."""
    roles = list(roles)
    lines = [
        "| ce que l'on peut faire | " + " | ".join(str(r.label) for r in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for capability in capabilities:
        marks = ["oui" if capability in permissions[r] else "—" for r in roles]
        lines.append(f"| {capability.label} (`{capability.value}`) | " + " | ".join(marks) + " |")
    return "\n".join(lines) + "\n"


def permissions_markdown() -> str:
    """The permission table as ``docs/permissions.md`` prints it (rows: capabilities; columns: roles)."""
    return permission_table(Role, Capability, PERMISSIONS)
