"""The procedures of issue 9 in a real browser, each act recorded by the member of its authority:
an IEF request refused then appealed, a hors contrat school controlled, an école de fait closed and its
children's parents put on notice, the absenteeism path to the avertissement. Screenshots are written
to ``screenshots/`` (``40-`` to ``49-``)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from veille.web.cellule.cases.models import Case, Domain, Origin
from veille.web.cellule.cases.procedure import CaseStep
from veille.web.cellule.cases.services import advance_case, open_case
from veille.web.cellule.children.models import Child
from veille.web.demo.seed import COMMUNE_A

from .conftest import check_accessibility, shoot
from .test_walkthrough import fire, log_in_as

pytestmark = pytest.mark.browser


def case_page(page, case: Case) -> None:
    page.goto(f"/communes/{case.commune.slug}/dossiers/{case.pk}/")
    expect(page.locator("h1")).to_contain_text(f"Dossier n° {case.pk}")


def may_10() -> date:
    today = timezone.localdate()
    year = today.year if (today - date(today.year, 5, 10)).days >= 60 else today.year - 1
    return date(year, 5, 10)


def test_the_procedures_of_the_law_act_by_act_in_the_browser(page, demo):
    commune = demo.communes[COMMUNE_A.slug]
    today = timezone.localdate()
    children = list(Child.objects.filter(commune=commune).order_by("pk")[:4])

    # Instruction dans la famille: the request (1 March – 31 May, a ground), refused, appealed.
    ief = open_case(
        commune=commune, user=None, child=children[0], origin=Origin.HOME_INSTRUCTION,
        domain=Domain.HOME_INSTRUCTION,
    )  # fmt: skip
    received = may_10()
    log_in_as(page, "education")
    case_page(page, ief)
    fire(
        page,
        "Demande d'autorisation d'IEF reçue (1er mars – 31 mai)",
        day=received,
        ground="2° La pratique d'activités sportives ou artistiques intensives",
    )
    expect(page.locator("#procedure")).to_contain_text("Demande d'autorisation d'IEF en cours d'instruction")
    fire(
        page,
        "Refus d'autorisation d'IEF notifié (motivé)",
        day=received + timedelta(days=30),
        notified=received + timedelta(days=33),
        note="Le projet éducatif ne justifie pas la pratique intensive invoquée.",
    )
    expect(page.locator("#procedure")).to_contain_text("délai de recours préalable (15 jours)")
    expect(page.locator("#procedure")).to_contain_text("Recours préalable obligatoire formé")
    check_accessibility(page)
    shoot(page, "40-ief-refus-delai-de-rapo")
    # Too late: the RAPO comes more than 15 days after the notification.
    fire(page, "Recours préalable obligatoire formé devant la commission académique", day=received
         + timedelta(days=49))  # fmt: skip
    expect(page.locator("#procedure .erreur")).to_contain_text("le délai a pris fin")
    fire(page, "Recours préalable obligatoire formé devant la commission académique", day=received
         + timedelta(days=40))  # fmt: skip
    expect(page.locator("#procedure")).to_contain_text("Recours préalable devant la commission académique")
    ief.refresh_from_db()
    assert ief.state == CaseStep.RAPO_PENDING
    shoot(page, "41-ief-rapo-en-cours")

    # A hors contrat school: opened, controlled (shortcomings), its director put on notice.
    school = open_case(
        commune=commune, user=None, origin=Origin.PRIVATE_SCHOOL, domain=Domain.PRIVATE_SCHOOL,
        place_name="Cours privé des Hirondelles (fictif)",
    )  # fmt: skip
    advance_case(school, [("record_existing_school", today - timedelta(days=400))])
    case_page(page, school)
    expect(page.locator("#titre-enfant")).to_have_text("Établissement")
    fire(
        page,
        "Contrôle : manquements constatés",
        day=today - timedelta(days=40),
        note="Enseignement du français insuffisant.",
    )
    fire(
        page,
        "Mise en demeure du directeur de remédier aux manquements",
        day=today - timedelta(days=35),
        notified=today - timedelta(days=33),
        note="Manquements : horaires de français, progression absente.",
    )
    expect(page.locator("#procedure")).to_contain_text("Directeur mis en demeure de remédier")
    check_accessibility(page)
    shoot(page, "42-hors-contrat-controle-mise-en-demeure-directeur")

    # An école de fait: observed, the DASEN's opinion, the préfet's order, each child's parents on notice.
    site = open_case(
        commune=commune, user=None, origin=Origin.FIELD, domain=Domain.UNDECLARED_SCHOOL,
        place_name="Local de la zone des Tilleuls (fictif)",
    )  # fmt: skip
    advance_case(site, [("record_observation", today - timedelta(days=30))])
    case_page(page, site)
    fire(page, "Avis de la DASEN au préfet", day=today - timedelta(days=25), note="Fermeture nécessaire.")
    for number, child in enumerate(children[1:3], start=1):
        page.get_by_label("Identifiant CAF ou MSA de l'enfant").fill(child.source_id)
        page.get_by_role("button", name="Rattacher").click()
        # The outcome is shown in the block and announced through the page's live region (veille.js).
        expect(page.locator("#procedure [data-annonce]")).to_contain_text("rattaché")
        expect(page.locator("#annonce")).to_contain_text("rattaché")
        expect(page.locator("#procedure ul li")).to_have_count(number)
    log_in_as(page, "prefecture")
    case_page(page, site)
    fire(
        page,
        "Arrêté du préfet : cessation de l'accueil des enfants et fermeture des locaux",
        day=today - timedelta(days=20),
    )
    expect(page.locator("#procedure")).to_contain_text("Arrêté du préfet : cessation de l'accueil")
    shoot(page, "43-ecole-de-fait-arrete-du-prefet")
    log_in_as(page, "education")
    case_page(page, site)
    fire(
        page,
        "Mises en demeure des parents d'inscrire chaque enfant (15 jours)",
        day=today - timedelta(days=18),
    )
    expect(page.locator("#procedure")).to_contain_text("Parents des élèves mis en demeure")
    shoot(page, "44-ecole-de-fait-parents-mis-en-demeure")
    linked = list(site.linked_cases.all())
    assert len(linked) == 2 and all(c.state == CaseStep.FORMAL_NOTICE for c in linked)
    case_page(page, linked[0])
    page.get_by_label(re.compile("^Date de notification de")).fill((today - timedelta(days=16)).isoformat())
    page.get_by_role("button", name="Enregistrer la notification").click()
    expect(page.locator("#procedure")).to_contain_text("en retard")  # 15 days after the notification
    check_accessibility(page)
    shoot(page, "45-enfant-mise-en-demeure-notifiee")

    # Absenteeism: the educational team's signed summary, then the DASEN's avertissement.
    absent = open_case(
        commune=commune, user=None, child=children[3], origin=Origin.ABSENTEEISM_REPORT,
        domain=Domain.ABSENTEEISM, report_half_days=6, report_school="Collège (fictif)",
        report_month=(today - timedelta(days=40)).replace(day=1),
    )  # fmt: skip
    case_page(page, absent)
    fire(
        page,
        "Synthèse signée de l'équipe ou de la commission éducative",
        day=today - timedelta(days=10),
        note="Mesures : entretien avec la CPE, tutorat.",
    )
    fire(page, "Avertissement de la DASEN adressé à la famille", day=today - timedelta(days=5))
    expect(page.locator("#procedure")).to_contain_text("Avertissement de la DASEN adressé à la famille")
    expect(page.locator("#procedure")).not_to_contain_text("défaut d'inscription malgré mise en demeure")
    check_accessibility(page)
    shoot(page, "46-absenteisme-avertissement")
    absent.refresh_from_db()
    assert absent.state == CaseStep.WARNING
