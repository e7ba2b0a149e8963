"""The audit log, the purge preview and the export of open cases, in a real browser."""

from __future__ import annotations

import io
import re
from datetime import date

import py7zr
import pytest

from veille.web.cellule.cases.models import Case, Domain, Origin
from veille.web.cellule.children.models import Child
from veille.web.common.audit.models import Action, AuditEvent
from veille.web.demo.seed import COMMUNE_A, DEMO_ACCOUNTS

from .conftest import check_accessibility, login, shoot

pytestmark = pytest.mark.browser

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}


def log_in_as(page, username: str) -> None:
    login(page, username, ACCOUNTS[username].password, accept_charter=True)


def open_cases_for(demo, how_many: int) -> list[Case]:
    commune = demo.communes[COMMUNE_A.slug]
    children = Child.objects.filter(commune=commune).order_by("pk")[:how_many]
    return [
        Case.objects.create(commune=commune, child=c, domain=Domain.ABSENCE, origin=Origin.CROSSING)
        for c in children
    ]


def test_the_referent_reads_the_audit_log_and_the_agent_has_no_way_to_it(page, demo):
    log_in_as(page, "referent")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Journal des accès"
    ).click()
    assert page.locator("h1").inner_text() == "Journal des accès"
    rows = page.locator("table tbody tr")
    entries = AuditEvent.objects.filter(commune=demo.communes[COMMUNE_A.slug])
    assert rows.count() == entries.count() >= 1
    # The référent's own login is an entry of the commune's log, with its type in French.
    login_row = rows.filter(has_text="connexion").first
    assert "Aurore Vantelle" in login_row.inner_text() and "compte utilisateur" in login_row.inner_text()
    for label in ("Utilisateur", "Action", "Type de donnée", "Du", "Au (inclus)"):
        assert page.get_by_label(label, exact=True).count() == 1
    check_accessibility(page)
    shoot(page, "07-journal-des-acces")

    page.get_by_label("Action", exact=True).select_option(Action.EXPORT.value)
    page.get_by_role("button", name="Filtrer").click()
    assert "Aucune entrée ne correspond." in page.locator("main").inner_text()
    assert page.locator("table tbody tr").count() == 0

    page.context.clear_cookies()
    log_in_as(page, "agent")
    menu = page.get_by_role("navigation", name="Menu principal")
    assert menu.get_by_role("link", name="Exports").count() == 1
    assert menu.get_by_role("link", name="Journal des accès").count() == 0
    response = page.goto(f"/communes/{COMMUNE_A.slug}/journal/")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Accès refusé"
    check_accessibility(page)
    shoot(page, "08-acces-refuse")


def test_the_purge_page_lists_the_children_due_and_deletes_nothing_until_confirmed(page, demo):
    commune = demo.communes[COMMUNE_A.slug]
    today = date.today()
    due = Child.objects.filter(commune=commune).due_for_purge(today).count()
    before = Child.objects.filter(commune=commune).count()
    assert 0 < due < before  # the synthetic files hold 16-20 year-olds, past their retention date

    log_in_as(page, "referent")
    page.get_by_role("link", name="Suppression des données").click()
    assert page.locator("h1").inner_text() == "Suppression des données arrivées à échéance"
    assert f"{due} enfant" in page.locator("main").inner_text()
    assert page.locator("table tbody tr").count() == due
    check_accessibility(page)
    shoot(page, "09-purge-apercu")
    assert Child.objects.filter(commune=commune).count() == before

    page.get_by_role("button", name="Supprimer maintenant").click()  # without the confirmation box
    assert page.locator("h1").inner_text() == "Suppression des données arrivées à échéance"
    assert Child.objects.filter(commune=commune).count() == before


def test_the_export_of_open_cases_shows_its_password_once_and_the_archive_opens_with_it(page, demo, tmp_path):
    cases = open_cases_for(demo, 3)
    log_in_as(page, "agent")
    page.get_by_role("link", name="Exports").click()
    assert "3 dossiers ouverts" in page.locator("main").inner_text()
    check_accessibility(page)
    shoot(page, "10-exports")

    page.get_by_role("button", name="Préparer l'archive chiffrée").click()
    assert page.locator("h1").inner_text() == "Archive prête"
    password = page.get_by_label("Mot de passe").input_value()
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){4}", password)
    check_accessibility(page)
    shoot(page, "11-export-mot-de-passe")

    link = page.get_by_role("link", name=re.compile("^Télécharger "))
    download_url = link.get_attribute("href")
    with page.expect_download() as download_info:
        link.click()
    content = download_info.value.path().read_bytes()
    with py7zr.SevenZipFile(io.BytesIO(content), mode="r", password=password) as archive:
        archive.extractall(path=tmp_path)
    (csv_file,) = tmp_path.glob("*.csv")
    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + len(cases)
    exported = (
        AuditEvent.objects.filter(action=Action.EXPORT, commune=demo.communes[COMMUNE_A.slug])
        .exclude(detail__startswith="téléchargement")
        .get()
    )
    assert exported.user.username == "agent" and "3 lignes" in exported.detail

    assert page.goto(download_url).status == 404  # the link serves once
    page.goto(f"/communes/{COMMUNE_A.slug}/protection/exports/")
    assert password not in page.content()
