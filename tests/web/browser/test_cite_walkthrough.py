"""Issue 5 « Done when » in a real browser, on the demo cité des Tilleuls: the CPO opens the cité, reads
the action programme by objective with its budget by funder, records this year's execution of an
action; a troïka member validates a proposed action; the CPO drafts the yearly revue de projet, edits
a part, exports it as PDF (rendered to PNG and looked at) and DOCX; the CPO of another cité finds a
published fiche expérience in the regional network, and gets « page introuvable » on this cité's
draft actions.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from veille.web.cite.actions.models import Action, Execution, Funder, Status, Transition
from veille.web.cite.network.models import Experience
from veille.web.cite.review.models import Review
from veille.web.common.accounts.models import User
from veille.web.demo.cite import ACCOUNTS as CITE_ACCOUNTS

from .conftest import SCREENSHOTS, check_accessibility, login, render_pdf_page, shoot

pytestmark = pytest.mark.browser

PASSWORDS = {a.username: a.password for a in CITE_ACCOUNTS} | {"cpo.acacias": "demo-cpo.acacias-2026"}
CITE = "cite-des-tilleuls"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    """The communes and accounts of the cell, then the demo cité (no crossing: the cité needs none)."""
    from veille.web.cite.framework import models as framework_models
    from veille.web.cite.framework.loading import load_version, read_version
    from veille.web.demo.seed import create_accounts, create_communes, seed_cite_educative, seed_demo

    # The référentiel comes with a data migration; a database flushed by an earlier browser test lost it.
    load_version(read_version("2020-10"), models=framework_models)
    settings.DATA_DIR = tmp_path
    return seed_demo(
        children=50,
        force=True,
        say=lambda line: None,
        steps=[create_communes, create_accounts, seed_cite_educative],
    )


def log_in_as(page, username: str) -> None:
    page.context.clear_cookies()
    first_time = not User.objects.get(username=username).has_accepted_charter
    login(page, username, PASSWORDS[username], accept_charter=first_time)


def cite_menu(page):
    return page.get_by_role("navigation", name="Menu de la cité")


def euros(amount: Decimal) -> re.Pattern[str]:
    """An amount as the pages write it, e.g. 12 000 € (any kind of space between thousands)."""
    whole = f"{int(amount):,}".replace(",", r"[\s\u202f\u00a0]")
    return re.compile(rf"{whole}(,00)?\s*€")


def test_the_cpo_runs_the_cite_and_another_cite_finds_its_published_fiche(page, demo):
    year = timezone.localdate().year
    cite_actions = Action.objects.filter(cite__slug=CITE)
    assert cite_actions.count() >= 20

    # The CPO opens the cité from the account's list of cités.
    log_in_as(page, "cpo.tilleuls")
    page.goto("/cites/")
    page.get_by_role("link", name=re.compile("Les Tilleuls")).first.click()
    expect(cite_menu(page)).to_contain_text("Chef de projet")
    check_accessibility(page)
    shoot(page, "50-cite-accueil-cpo")

    # The programme: one section per objective, one column per funder, the amounts of the database.
    cite_menu(page).get_by_role("link", name="Programme d'actions").click()
    expect(page.locator("h1")).to_have_text("Programme d'actions")
    for number in (1, 2, 3):
        expect(page.get_by_role("heading", level=2, name=re.compile(rf"^Objectif {number} :"))).to_have_count(
            1
        )
    first_table = page.locator("main table").first
    for funder in Funder:
        expect(first_table.locator("thead")).to_contain_text(funder.label)
    theatre = cite_actions.get(title="Médiateurs dans la cour")
    planned = sum((line.amount for line in theatre.budget_lines.all()), Decimal(0))
    row = page.locator("main table tbody tr").filter(has=page.get_by_role("link", name=theatre.title))
    expect(row.first.locator("td").last).to_have_text(euros(planned))
    check_accessibility(page)
    shoot(page, "51-cite-programme-par-objectif")

    # This year's execution of a running action that runs this year.
    running = cite_actions.filter(status=Status.IN_PROGRESS, end_year__gte=year).order_by("number").first()
    assert running is not None and not Execution.objects.filter(action=running, year=year).exists()
    page.get_by_role("link", name=running.title, exact=True).first.click()
    page.get_by_role("link", name="Saisir l'exécution d'une année").click()
    # The form opens on this year, the one the CPO records during the year.
    expect(page.get_by_label(re.compile("^Année"))).to_have_value(str(year))
    page.get_by_label("Montant engagé", exact=False).fill("4 500,50")
    page.get_by_label("Montant payé", exact=False).fill("1 200")
    page.get_by_label(re.compile("^Bilan qualitatif")).fill(
        "Premier trimestre : douze séances, familles présentes."
    )
    page.get_by_label(re.compile("^Participants — atteint")).fill("41")
    check_accessibility(page)
    shoot(page, "52-cite-saisie-execution")
    page.get_by_role("button", name="Enregistrer").click()
    execution = Execution.objects.get(action=running, year=year)
    assert (execution.committed, execution.paid) == (Decimal("4500.50"), Decimal("1200"))
    assert running.indicators.get(label="Participants").values.get(year=year).value == Decimal(41)
    # The table after the heading, inside the box that lets a wide table scroll on a phone.
    expect(page.locator("#execution").locator("xpath=following::table[1]")).to_contain_text(str(year))
    shoot(page, "53-cite-action-execution-enregistree")

    # A troïka member validates a proposed action; the history records who and when.
    proposed = cite_actions.filter(status=Status.PROPOSED).order_by("number").first()
    log_in_as(page, "troika.tilleuls")
    page.goto(f"/cites/{CITE}/actions/?etat=proposed")
    page.get_by_role("link", name=proposed.title, exact=True).first.click()
    expect(page.locator("main")).to_contain_text("Proposée")
    page.get_by_label("Motif ou commentaire").fill("Validée en troïka : budget conforme.")
    page.get_by_role("button", name="Valider (troïka)").click()
    expect(page.get_by_role("status")).to_contain_text("maintenant")
    proposed.refresh_from_db()
    assert proposed.status == Status.VALIDATED
    transition = Transition.objects.filter(action=proposed).latest("at")
    assert transition.by.username == "troika.tilleuls" and transition.to_status == Status.VALIDATED
    check_accessibility(page)
    shoot(page, "54-cite-action-validee-troika")

    # The CPO drafts this year's revue de projet, edits a part, exports PDF and DOCX.
    log_in_as(page, "cpo.tilleuls")
    page.goto(f"/cites/{CITE}/")
    cite_menu(page).get_by_role("link", name="Évaluation et revue de projet").click()
    page.get_by_label("Année de la revue").fill(str(year))
    page.get_by_role("button", name="Préparer le brouillon de la revue").click()
    expect(page.locator("h1")).to_contain_text(str(year))
    review = Review.objects.get(cite__slug=CITE, year=year)
    first_part = page.locator("main textarea").first
    part_label = first_part.evaluate("e => e.labels[0].innerText")
    added = "La troïka a validé une nouvelle action cette année (texte ajouté par la CPO)."
    first_part.fill(first_part.input_value() + "\n" + added)
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_role("status")).to_contain_text("Brouillon enregistré")
    expect(page.get_by_label(part_label)).to_have_value(re.compile(re.escape(added)))
    check_accessibility(page)
    shoot(page, "55-cite-revue-de-projet-brouillon")

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf[:5] == b"%PDF-"
    image = render_pdf_page(pdf, SCREENSHOTS / "56-cite-revue-de-projet-page-1.png")
    assert image.variance > 200, "la première page de la revue est blanche"
    assert image.filled_rows > 0.3, "la première page de la revue est presque vide"
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert f"revue de projet {year}" in text and "texte ajouté par la CPO" in text

    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en Word (DOCX)").click()
    docx = Path(download.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        document = archive.read("word/document.xml").decode()
    assert "texte ajouté par la CPO" in document
    assert review.pk

    # The CPO of another cité of the region searches the network by theme and objective.
    published = Experience.objects.filter(cite__slug=CITE, published=True).order_by("pk").first()
    assert published is not None
    objective = published.sub_objectives.order_by("code").first().objective
    log_in_as(page, "cpo.acacias")
    page.goto("/reseau/")
    page.get_by_label("Objectif").select_option(value=str(objective.number))
    page.get_by_label("Thème ou mot-clé").fill(published.title.split()[0])
    page.get_by_role("button", name="Chercher").click()
    results = page.locator("main table tbody")
    expect(results).to_contain_text(published.title)
    expect(results).to_contain_text("Les Tilleuls")
    check_accessibility(page)
    shoot(page, "57-reseau-recherche-fiches")
    results.get_by_role("link", name=published.title).first.click()
    expect(page.locator("h1")).to_contain_text(published.title)
    expect(page.locator("main")).to_contain_text(published.lessons)
    shoot(page, "58-reseau-fiche-experience")

    # This cité's draft actions and its programme are not found for a member of another cité.
    draft = cite_actions.filter(status=Status.PROPOSED).order_by("number").first()
    for address in (f"/cites/{CITE}/actions/{draft.pk}/", f"/cites/{CITE}/actions/?etat=proposed"):
        response = page.goto(address)
        assert response.status == 404, address
        expect(page.locator("h1")).to_have_text("Page introuvable")
        assert draft.title not in page.content()
    shoot(page, "59-autre-cite-page-introuvable")
