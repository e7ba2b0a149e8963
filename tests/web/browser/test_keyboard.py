"""The five main flows by keyboard only (Tab, Shift+Tab, Enter, Space, letters), and where focus lands
after each htmx action: never on <body>, on the confirmation, with the next thing to do one Tab away.

1. log in; 2. find a child by name (accents and case ignored); 3. decide on an uncertain match, then
reach « Enfant suivant à vérifier » by the next Tab; 4. fire a step of a case's procedure, then add a
note; 5. produce a letter, confirmed on the page.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from veille.web.cellule.cases.models import Case
from veille.web.cellule.children.models import Child
from veille.web.cellule.imports.models import Outcome
from veille.web.demo.seed import COMMUNE_A, DEMO_ACCOUNTS

from .conftest import check_accessibility, shoot

pytestmark = pytest.mark.browser
ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from veille.web.demo.seed import BASE_STEPS, cross, import_files, open_cases, seed_demo

    settings.DATA_DIR = tmp_path
    return seed_demo(
        children=150, force=True, say=lambda line: None, steps=[*BASE_STEPS, import_files, cross, open_cases]
    )


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
            const text = (e.innerText || e.value || '').trim().slice(0, 200);
            const label = e.labels && e.labels[0] ? e.labels[0].innerText : '';
            return {tag: e.tagName, id: e.id, text, name: e.getAttribute('aria-label') || label}; }"""
    )


def tab_to(page, pattern: str, *, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab until the focused element's text or label matches ``pattern`` (it must be reachable)."""
    wanted = re.compile(pattern)
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        now = focused(page)
        if wanted.search(now["text"]) or wanted.search(now["name"] or ""):
            return
    pytest.fail(
        f"« {pattern} » n'est pas atteint au clavier en {limit} tabulations (focus : {focused(page)})"
    )


def assert_focus_not_lost(page, expected: str) -> None:
    now = focused(page)
    assert now["tag"] != "BODY", "le focus est retombé sur <body> après l'action htmx"
    assert re.search(expected, now["text"]), f"focus sur {now}, attendu : {expected}"


def test_the_five_main_flows_work_by_keyboard_and_focus_follows_each_htmx_action(page, demo):
    commune = demo.communes[COMMUNE_A.slug]
    slug = {"commune": commune.slug}

    # 1. Log in, keyboard only.
    page.goto("/compte/connexion/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert focused(page)["text"] == "Aller au contenu"
    tab_to(page, "^Identifiant")
    page.keyboard.type("referent")
    tab_to(page, "^Mot de passe")
    page.keyboard.type(ACCOUNTS["referent"].password)
    page.keyboard.press("Enter")
    page.wait_for_function("() => !location.pathname.startsWith('/compte/connexion')")
    if "charte" in page.url:
        tab_to(page, "J'ai lu la charte")
        page.keyboard.press("Space")
        tab_to(page, "Accepter et continuer")
        page.keyboard.press("Enter")
        page.wait_for_function("() => !location.pathname.startsWith('/compte/charte')")
    expect(page.locator("h1")).to_contain_text(commune.name)

    # 2. Find a child by a name typed without its accent and in lower case.
    child = Child.objects.filter(commune=commune).order_by("pk").first()
    Child.objects.filter(pk=child.pk).update(last_name="AÏT-BENALI", first_names="Ismaël")
    page.goto(reverse("children:index", kwargs=slug))
    tab_to(page, "^Rechercher par nom")
    page.keyboard.type("ismael ait")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("main table")).to_contain_text("AÏT-BENALI Ismaël")
    shoot(page, "clavier-1-recherche-sans-accent")

    # 3. An uncertain match: decide by keyboard; focus on the confirmation; next Tab: the next child.
    uncertain = list(Outcome.objects.to_review(commune).order_by("child__last_name", "pk")[:2])
    assert len(uncertain) == 2, "la démonstration doit laisser deux rapprochements à vérifier"
    page.goto(reverse("imports:review_item", kwargs={**slug, "pk": uncertain[0].pk}))
    expect(page.locator("main")).to_contain_text(re.compile(r"Rapprochement \d+ sur \d+ à vérifier"))
    tab_to(page, "^Même enfant$")
    page.keyboard.press("Enter")
    expect(page.locator("#decision")).to_contain_text("Décision enregistrée : même enfant")
    assert_focus_not_lost(page, "Décision enregistrée")
    expect(page.locator("#annonce")).to_contain_text("Décision enregistrée")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Enfant suivant à vérifier", focused(page)
    shoot(page, "clavier-2-decision-puis-enfant-suivant")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("h1")).to_have_text("Est-ce le même enfant ?")
    check_accessibility(page)

    # 4. A step of a case's procedure, then a note: focus on each confirmation.
    case = Case.objects.filter(commune=commune, child__isnull=False, state="verification").first() or (
        Case.objects.filter(commune=commune, child__isnull=False).open().first()
    )
    page.goto(reverse("cases:detail", kwargs={**slug, "pk": case.pk}))
    step = page.locator("#procedure details summary").first
    label = step.inner_text().strip()
    tab_to(page, "^" + re.escape(label) + "$")
    page.keyboard.press("Enter")  # opens the disclosure
    tab_to(page, "^Note")
    page.keyboard.type("Appel à la famille, sans réponse.")
    tab_to(page, "^" + re.escape(label) + "$")
    page.keyboard.press("Enter")
    expect(page.locator("#procedure")).to_contain_text("Étape enregistrée")
    assert_focus_not_lost(page, "Étape enregistrée")
    expect(page.locator("#annonce")).to_contain_text("Étape enregistrée")
    shoot(page, "clavier-3-etape-de-procedure")
    tab_to(page, "^Ajouter une note$")
    page.keyboard.type("Famille rappelée le lendemain.")
    tab_to(page, "^Ajouter la note$")
    page.keyboard.press("Enter")
    expect(page.locator("#procedure")).to_contain_text("Note ajoutée")
    assert_focus_not_lost(page, "Note ajoutée")

    # 5. Produce a letter by htmx: a confirmation, focused, with the link to download it.
    letters = page.locator(f"#courriers-dossier-{case.pk}")
    if letters.count() == 0:
        page.goto(reverse("documents:case_letters", kwargs={**slug, "case": case.pk}))
    tab_to(page, "^Courrier$")
    page.keyboard.press("Home")  # the first kind of letter
    tab_to(page, "^Produire le courrier$")
    page.keyboard.press("Enter")
    expect(page.locator(f"#courriers-dossier-{case.pk}")).to_contain_text("Courrier produit")
    assert_focus_not_lost(page, "Courrier produit")
    expect(page.locator("#annonce")).to_contain_text("Courrier produit")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Télécharger le courrier (PDF)", focused(page)
    shoot(page, "clavier-4-courrier-produit")
    check_accessibility(page)
