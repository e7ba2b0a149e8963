"""The revue de projet's editable draft: sections pre-filled from the figures, then edited by the CPO."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from veille.web.cite.cites.templatetags.cites import euros, number_fr

from .figures import ReviewFigures, review_figures
from .models import Review, ReviewSection

SECTIONS: tuple[tuple[str, str], ...] = (
    ("synthese", "Synthèse de l'année"),
    ("gouvernance", "Gouvernance"),
    ("deploiement", "Déploiement des actions par objectif"),
    ("finances", "Finances"),
    ("evaluation", "Évaluation : indicateurs et cibles"),
    ("cellule", "Résultats de la cellule de prévention de l'évitement scolaire"),
    ("perspectives", "Perspectives pour l'année suivante"),
)


def draft_texts(f: ReviewFigures) -> dict[str, str]:
    """A first text for every section, written from the figures (the CPO completes it)."""
    a, b = f.this_year, f.last_year
    instances = sorted({str(m.instance) for m in f.meetings})
    reached = [r for r in f.indicators if r.reached_percent is not None]
    on_target = [r for r in reached if (r.reached_percent or 0) >= 100]
    share = f.co_financing.state_percent
    return {
        "synthese": (
            f"En {f.year}, {a.actions_running} actions étaient en cours ou réalisées ({b.actions_running} "
            f"en {f.year - 1}). Le budget prévu des actions validées s'élève à {euros(a.planned)} "
            f"({euros(b.planned)} l'année précédente), dont {euros(a.paid)} payés."
        ),
        "gouvernance": (
            f"Les instances se sont réunies {len(f.meetings)} fois"
            + (f" ({', '.join(instances)})" if instances else "")
            + f" et ont consigné {a.decisions} décisions."
        ),
        "deploiement": " ".join(
            f"{block.title} : {len(block.rows)} actions, {euros(block.planned)} prévus, "
            f"{euros(block.paid)} payés."
            for block in f.blocks
        )
        or "Aucune action validée sur l'année.",
        "finances": (
            f"Le fonds de la cité a reçu {euros(f.fund.contributions)} ; {euros(f.fund.committed)} ont été "
            f"engagés et {euros(f.fund.paid)} payés (reste à engager : {euros(f.fund.uncommitted)}). "
            + (
                f"Part de l'État dans le co-financement État / collectivités : {number_fr(share)} %."
                if share is not None
                else "Aucun co-financement État / collectivités prévu sur l'année."
            )
        ),
        "evaluation": (
            f"{len(on_target)} indicateurs sur {len(reached)} renseignés atteignent ou dépassent leur cible."
            if reached
            else "Aucun indicateur renseigné pour l'année."
        ),
        "cellule": (
            "Les résultats de la cellule figurent dans le tableau ci-dessous (effectifs de 1 à 4 masqués)."
            if f.cell
            else "Les communes de la cité n'utilisent pas Veille pour leur cellule : pas de résultats."
        ),
        "perspectives": "",
    }


@transaction.atomic
def create_review(*, cite: Any, year: int, user: Any) -> Review:
    """The year's review with its sections pre-filled; an existing review is returned untouched."""
    review, created = Review.objects.get_or_create(cite=cite, year=year, defaults={"created_by": user})
    if created:
        texts = draft_texts(review_figures(cite, year))
        for position, (key, title) in enumerate(SECTIONS):
            ReviewSection.objects.create(
                review=review, key=key, position=position, title=title, text=texts[key]
            )
    return review
