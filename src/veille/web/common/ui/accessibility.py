"""The state of the application against RGAA 4.1, as the accessibility statement prints it.

The figures are those of the audit the project can stand behind: automated checks (axe-core, WCAG 2.1
A and AA rules) of every main page at 1280 and 390 px in the browser tests, and a manual keyboard walk of
the five main flows (tests/web/browser/test_keyboard.py). No audit of the 106 criteria by an
independent auditor has been made: the rate of compliance is therefore not stated, and the
statement says « partiellement conforme », as RGAA asks when an audit is incomplete or finds failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class NonCompliance:
    criterion: str
    text: str


@dataclass(frozen=True)
class Audit:
    reference: str
    done_on: date
    status: str
    method: str
    pages: tuple[str, ...]
    non_compliances: tuple[NonCompliance, ...]
    exemptions: tuple[str, ...]


AUDIT = Audit(
    reference="RGAA 4.1",
    done_on=date(2026, 12, 1),
    status="partiellement conforme",
    method=(
        "Audit interne, non indépendant : contrôles automatiques axe-core (règles WCAG 2.1 niveaux A et "
        "AA) de chaque page principale à 1280 et 390 pixels de large, parcours au clavier des cinq "
        "parcours principaux, Chromium sous Linux. Les 106 critères du RGAA n'ont pas tous été évalués "
        "un par un : le taux de conformité n'est pas calculé."
    ),
    pages=(
        "Connexion",
        "Accueil de la cellule",
        "Enfants de la commune et fiche d'un enfant",
        "Fichiers et croisements, dépôt de fichiers, rapprochements à vérifier",
        "Dossiers, dossier d'un enfant, courriers",
        "Réunions de la cellule",
        "Indicateurs",
        "Journal des accès, suppression des données",
        "Accueil, fonds et revue de projet d'une cité éducative",
        "Accessibilité, mentions légales, données personnelles",
    ),
    non_compliances=(
        NonCompliance(
            "1.1 et 1.3 (images)",
            "Les graphiques des indicateurs sont des images SVG masquées aux lecteurs d'écran ; leurs "
            "chiffres sont dans le tableau qui suit chaque graphique, mais le graphique n'a pas "
            "d'alternative propre.",
        ),
        NonCompliance(
            "8.5 et 11.10 (documents)",
            "Les courriers, comptes rendus et bilans en PDF ne sont pas balisés (PDF non structuré) : "
            "un lecteur d'écran les lit mal. Leur texte est aussi visible dans l'application.",
        ),
        NonCompliance(
            "11.13 (finalité des champs)",
            "Les champs de saisie des données d'un enfant ne portent pas d'attribut autocomplete : ils "
            "décrivent un enfant, non la personne qui saisit.",
        ),
        NonCompliance(
            "Critères non évalués",
            "Les critères qui demandent un jugement humain (pertinence des alternatives, des titres, "
            "des intitulés de liens, ordre de lecture avec un lecteur d'écran réel) n'ont pas été audités "
            "avec NVDA, JAWS ou VoiceOver.",
        ),
    ),
    exemptions=("Les fichiers CSV et XLSX exportés, destinés à un tableur.",),
)
