"""Every main page, at 1280 px and at 390 px (a phone): axe-core finds no violation (WCAG 2.1 A and AA),
the page never scrolls sideways, the menu folds on the phone, the current menu item is marked, and a
screenshot of each is saved (the folder is printed at the end of the run).

The demo is seeded whole (crossing, cases, letters, meetings, cité éducative), smaller.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from veille.web.cellule.cases.models import Case
from veille.web.cellule.children.models import Child
from veille.web.cellule.imports.models import CrossingRun, Outcome
from veille.web.cellule.meetings.models import Meeting
from veille.web.cite.review.models import Review
from veille.web.common.accounts.models import User
from veille.web.demo.seed import COMMUNE_A, DEMO_ACCOUNTS

from .conftest import check_accessibility, check_no_sideways_scroll, login, shoot

pytestmark = pytest.mark.browser

WIDTHS = {"large": {"width": 1280, "height": 900}, "telephone": {"width": 390, "height": 844}}


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from veille.web.cite.framework import models as framework_models
    from veille.web.cite.framework.loading import load_version, read_version
    from veille.web.demo.seed import seed_demo

    # The référentiel comes with a data migration; a database flushed by an earlier browser test lost it.
    load_version(read_version("2020-10"), models=framework_models)
    settings.DATA_DIR = tmp_path
    return seed_demo(children=120, force=True, say=lambda line: None)


def log_in(page, username: str, password: str) -> None:
    first_time = not User.objects.get(username=username).has_accepted_charter
    login(page, username, password, accept_charter=first_time)


def cell_pages(commune) -> dict[str, str]:
    slug = {"commune": commune.slug}
    child = Child.objects.filter(commune=commune).order_by("pk").first()
    case = Case.objects.filter(commune=commune, child__isnull=False).order_by("pk").first()
    run = CrossingRun.objects.filter(commune=commune).first()
    outcome = Outcome.objects.to_review(commune).first() or Outcome.objects.filter(run=run).first()
    meeting = Meeting.objects.filter(commune=commune).first()
    pages = {
        "accueil-cellule": reverse("cellule:home", kwargs=slug),
        "enfants": reverse("children:index", kwargs=slug),
        "enfants-non-trouves": reverse("children:index", kwargs=slug) + "?statut=non_trouve",
        "fiche-enfant": reverse("children:detail", kwargs={**slug, "pk": child.pk}),
        "fichiers": reverse("imports:index", kwargs=slug),
        "deposer": reverse("imports:upload", kwargs=slug),
        "croisement": reverse("imports:run", kwargs={**slug, "pk": run.pk}),
        "a-verifier": reverse("imports:review", kwargs=slug),
        "rapprochement": reverse("imports:review_item", kwargs={**slug, "pk": outcome.pk}),
        "dossiers": reverse("cases:index", kwargs=slug),
        "a-traiter": reverse("cases:todo", kwargs=slug),
        "ouvrir-dossier": reverse("cases:open", kwargs=slug),
        "dossier": reverse("cases:detail", kwargs={**slug, "pk": case.pk}),
        "delais": reverse("cases:rules", kwargs=slug),
        "reunions": reverse("meetings:index", kwargs=slug),
        "indicateurs": reverse("indicators:index", kwargs=slug),
        "modeles-courriers": reverse("documents:templates", kwargs=slug),
        "exports": reverse("protection:exports", kwargs=slug),
        "droit-acces": reverse("protection:right_of_access_search", kwargs=slug),
        "purge": reverse("protection:purge", kwargs=slug),
        "membres": reverse("members:index", kwargs=slug),
        "journal": reverse("audit:index", kwargs=slug),
    }
    if meeting is not None:
        pages["reunion"] = reverse("meetings:detail", kwargs={**slug, "pk": meeting.pk})
    return pages


def cite_pages(cite) -> dict[str, str]:
    slug = {"cite": cite.slug}
    pages = {
        f"cite-{name.split(':')[1]}-{name.split(':')[0]}": reverse(name, kwargs=slug)
        for name in (
            "cites:home",
            "cites:territory",
            "cites:partners",
            "framework:index",
            "diagnostic:index",
            "actions:index",
            "funds:index",
            "governance:index",
            "review:index",
            "cites:members",
            "cites:journal",
        )
    }
    review = Review.objects.filter(cite=cite).order_by("-year").first()
    if review is not None:
        pages["cite-revue-de-projet"] = reverse("review:detail", kwargs={**slug, "year": review.year})
    return pages


LEGAL = {
    "accessibilite": "/accessibilite/",
    "mentions-legales": "/mentions-legales/",
    "donnees-personnelles": "/donnees-personnelles/",
}


def visit_all(page, pages: dict[str, str], width: str) -> list[str]:
    """Each page checked; the failures gathered, so that one run lists them all."""
    failures = []
    for name, url in pages.items():
        page.goto(url)
        page.wait_for_load_state()
        try:
            check_accessibility(page)
            check_no_sideways_scroll(page)
            footer = page.locator("footer")
            for link in (
                "Accessibilité : partiellement conforme",
                "Mentions légales",
                "Données personnelles",
            ):
                expect(footer.get_by_role("link", name=link)).to_be_visible()
        except (AssertionError, pytest.fail.Exception) as error:
            failures.append(f"{name} ({width}) : {error}")
        shoot(page, f"pages-{width}-{name}")
    return failures


@pytest.mark.parametrize("width", WIDTHS)
def test_every_cell_page_passes_axe_and_fits_the_screen(browser, live_server, static_files, demo, width):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=WIDTHS[width])
    context.set_default_timeout(15_000)
    page = context.new_page()
    accounts = {a.username: a for a in DEMO_ACCOUNTS}
    commune = demo.communes[COMMUNE_A.slug]
    log_in(page, "referent", accounts["referent"].password)
    failures = visit_all(page, cell_pages(commune), width)

    # The header names the cell; the menu marks the page shown; on a phone it folds behind « Menu ».
    page.goto(reverse("children:index", kwargs={"commune": commune.slug}))
    expect(page.locator(".bandeau")).to_contain_text(
        f"Cellule de prévention de l'évitement scolaire de {commune.name}"
    )
    menu = page.get_by_role("navigation", name="Menu principal")
    if width == "telephone":
        expect(menu).to_be_hidden()
        page.get_by_role("button", name="Menu").click()
        expect(menu).to_be_visible()
        shoot(page, f"pages-{width}-menu-ouvert")
    expect(menu.get_by_role("link", name="Enfants", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("navigation", name="Fil d'Ariane")).to_contain_text(commune.name)

    # The legal pages, logged out too.
    page.context.clear_cookies()
    failures += visit_all(page, LEGAL, width)
    context.close()
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_cite_page_passes_axe_and_fits_the_screen(browser, live_server, static_files, demo, width):
    from veille.web.cite.cites.models import Cite
    from veille.web.demo.cite import ACCOUNTS

    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=WIDTHS[width])
    context.set_default_timeout(15_000)
    page = context.new_page()
    cpo = next(a for a in ACCOUNTS if a.username == "cpo.tilleuls")
    log_in(page, cpo.username, cpo.password)
    cite = Cite.objects.get(slug="cite-des-tilleuls")
    # A CPO lands on the cité, never on « Votre compte n'est rattaché à aucune cellule ».
    expect(page.locator("h1")).not_to_contain_text("Mes cellules")
    expect(page.locator("main")).not_to_contain_text("aucune cellule")
    failures = visit_all(page, cite_pages(cite), width)
    context.close()
    assert not failures, "\n".join(failures)
