"""A cité's own roles and what each may do: the table the cité's views, tests and docs follow.

The cité is another partnership than the commune's cell, so it has its own seats; the accounts are the
same (a person may sit in a cell and in a cité). ``docs/cite-educative.md`` prints this table.
"""

from __future__ import annotations

from django.db import models

from veille.web.common.accounts.roles import permission_table


class CiteRole(models.TextChoices):
    PROJECT_LEAD = "project_lead", "Chef de projet opérationnel (CPO)"
    TROIKA = "troika", "Membre de la troïka"
    PARTNER = "partner", "Partenaire"
    OBSERVER = "observer", "Observateur"


class CiteCapability(models.TextChoices):
    VIEW = "view", "voir la cité, son diagnostic, ses actions et ses finances"
    EDIT_CITE = "edit_cite", "modifier la cité : territoire, écoles, partenaires, membres, diagnostic"
    PROPOSE_ACTIONS = "propose_actions", "proposer une action"
    EDIT_ALL_ACTIONS = "edit_all_actions", "modifier toutes les actions et saisir leur exécution"
    EDIT_OWN_ACTIONS = "edit_own_actions", "modifier les actions que son organisme porte"
    VALIDATE_ACTIONS = "validate_actions", "valider ou refuser une action proposée (troïka)"
    MANAGE_FUNDS = "manage_funds", "saisir les contributions, engagements et paiements du fonds"
    VIEW_JOURNAL = "view_journal", "lire le journal des modifications de la cité"
    MANAGE_GOVERNANCE = (
        "manage_governance",
        "préparer les réunions des instances : ordre du jour, présences, compte rendu",
    )
    MANAGE_REVIEW = "manage_review", "rédiger le protocole d'évaluation et la revue de projet annuelle"
    SHARE_NETWORK = "share_network", "publier des fiches expériences et consulter le réseau régional"


C = CiteCapability
CITE_PERMISSIONS: dict[CiteRole, frozenset[CiteCapability]] = {
    CiteRole.PROJECT_LEAD: frozenset(
        {
            C.VIEW,
            C.EDIT_CITE,
            C.PROPOSE_ACTIONS,
            C.EDIT_ALL_ACTIONS,
            C.EDIT_OWN_ACTIONS,
            C.MANAGE_FUNDS,
            C.VIEW_JOURNAL,
            C.MANAGE_GOVERNANCE,
            C.MANAGE_REVIEW,
            C.SHARE_NETWORK,
        }
    ),
    CiteRole.TROIKA: frozenset({C.VIEW, C.VALIDATE_ACTIONS, C.VIEW_JOURNAL}),
    CiteRole.PARTNER: frozenset({C.VIEW, C.PROPOSE_ACTIONS, C.EDIT_OWN_ACTIONS}),
    CiteRole.OBSERVER: frozenset({C.VIEW}),
}


def cite_can(role: str, capability: CiteCapability) -> bool:
    """Whether a cité role holds a capability.

    Example:
        >>> cite_can(CiteRole.OBSERVER, CiteCapability.VALIDATE_ACTIONS)
        False
    """
    return capability in CITE_PERMISSIONS.get(CiteRole(role), frozenset())


def cite_permissions_markdown() -> str:
    """The table as ``docs/cite-educative.md`` prints it (rows: capabilities; columns: roles)."""
    return permission_table(CiteRole, CiteCapability, CITE_PERMISSIONS)
