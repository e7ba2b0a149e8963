"""The walk-through of issue 3 in a real browser: a new school year's files, the crossing, the review
of uncertain matches, one child followed from detection to rescolarisation with its letters, the
Parquet's view, the purge preview, and another commune's user who finds nothing.

The live server uses the immediate task backend of the test settings: the crossing runs within the
request that launches it, and the progress page shows the end at once.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from veille.compulsory import SchoolYear
from veille.web.cellule.cases.models import Case, Origin
from veille.web.cellule.cases.procedure import CaseStep
from veille.web.cellule.cases.services import advance_case, open_case
from veille.web.cellule.children.models import Child
from veille.web.cellule.documents.models import GeneratedLetter
from veille.web.cellule.imports.models import CrossingRun, MatchDecision, Outcome, RunStatus
from veille.web.common.accounts.models import User
from veille.web.common.audit.models import Action, AuditEvent
from veille.web.demo.seed import COMMUNE_A, COMMUNE_B, DEMO_ACCOUNTS

from .conftest import check_accessibility, login, shoot

pytestmark = pytest.mark.browser

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
CHILDREN = 300


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    """Communes, accounts and the synthetic files of the current school year, nothing imported yet."""
    from veille.web.demo.seed import BASE_STEPS, seed_demo

    settings.DATA_DIR = tmp_path
    year = str(SchoolYear.current())
    return seed_demo(children=CHILDREN, school_year=year, force=True, say=lambda line: None, steps=BASE_STEPS)


def log_in_as(page, username: str) -> None:
    page.context.clear_cookies()
    first_time = not User.objects.get(username=username).has_accepted_charter
    login(page, username, ACCOUNTS[username].password, accept_charter=first_time)


def menu(page):
    return page.get_by_role("navigation", name="Menu principal")


def upload(page, kind: str, year: str, paths) -> None:
    """Deposit files through the form, read the validation report, confirm."""
    menu(page).get_by_role("link", name="Fichiers", exact=True).click()
    page.get_by_role("link", name="Déposer des fichiers").click()
    page.get_by_label(kind).check()
    page.get_by_label("Année scolaire concernée").select_option(year)
    page.get_by_label(re.compile("^Fichiers")).set_input_files([str(p) for p in paths])
    page.get_by_role("button", name="Vérifier les fichiers").click()
    for path in paths:
        expect(page.locator("main")).to_contain_text(path.name)


def fire(page, label: str, *, note: str = "", day=None, notified=None, ground: str = "") -> None:
    """Open one act of the procedure on a case page and record it (htmx swaps the procedure block)."""
    step = page.locator("#procedure details").filter(has=page.get_by_text(label, exact=True))
    step.locator("summary").click()
    if day is not None:
        step.get_by_label("Date de l'acte").fill(day.isoformat())
    if notified is not None:
        step.get_by_label(re.compile("^Date de notification")).fill(notified.isoformat())
    if ground:
        step.get_by_label(re.compile("^Motif de la demande")).select_option(label=ground)
    if note:
        step.get_by_label(re.compile("^Note")).fill(note)
    # Wait for htmx's answer and its swap: the button's own label is already on the page, so a check of
    # the text alone would pass before the new block is in, and the next check would read a page
    # half swapped.
    with page.expect_response(lambda response: response.request.method == "POST"):
        step.get_by_role("button", name=label).click()
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def test_the_cell_follows_a_child_from_the_new_files_to_rescolarisation(page, demo):
    commune = demo.communes[COMMUNE_A.slug]
    year = demo.school_year
    files = demo.files[COMMUNE_A.slug]
    children_files = [files["enfants_caf.csv"], files["enfants_msa.csv"]]
    schooling_files = [
        p
        for name, p in sorted(files.items())
        if name.startswith("scolarite_") and len(p.read_text().splitlines()) > 1
    ]

    # A wrong password: the message is tied to both fields for a screen reader.
    page.goto("/compte/connexion/")
    page.get_by_label("Identifiant").fill("referent")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect")
    for field in ("Identifiant", "Mot de passe"):
        expect(page.get_by_label(field)).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label(field)).to_have_accessible_description(re.compile("incorrect"))
    check_accessibility(page)
    shoot(page, "19-connexion-erreur")

    # The référent logs in for the first time and accepts the charter.
    log_in_as(page, "referent")
    expect(page.locator("h1")).to_contain_text(COMMUNE_A.name)
    shoot(page, "20-accueil-referent")

    # A new school year's files: children (CAF, MSA), then schooling; each read, reported, confirmed.
    upload(page, "Fichier enfants (CAF / MSA)", year, children_files)
    check_accessibility(page)
    shoot(page, "21-rapport-de-verification")
    page.get_by_role("button", name=re.compile(r"^Confirmer et enregistrer \d+ lignes")).click()
    expect(page.locator("main")).to_contain_text("Confirmé")
    assert Child.objects.filter(commune=commune).count() == CHILDREN
    upload(page, "Fichier de scolarité", year, schooling_files)
    page.get_by_role("button", name=re.compile("^Confirmer et enregistrer")).click()
    expect(page.locator("main")).to_contain_text("Confirmé")

    # The crossing: launched from the page, its progress page reaches the end.
    menu(page).get_by_role("link", name="Fichiers", exact=True).click()
    shoot(page, "22-fichiers-et-croisements")
    page.get_by_role("button", name="Lancer un croisement").click()
    expect(page.get_by_role("link", name="Voir les enfants non trouvés")).to_be_visible(timeout=90_000)
    run = CrossingRun.objects.get(commune=commune)
    assert run.status == RunStatus.DONE and run.counts["enfants"] == CHILDREN
    expect(page.locator("#avancement")).to_contain_text("Terminé")
    check_accessibility(page)
    shoot(page, "23-croisement-termine")

    # Uncertain matches: one is the same child, the next is not.
    to_review = Outcome.objects.to_review(commune).count()
    assert to_review >= 2
    page.get_by_role("link", name="Vérifier les rapprochements incertains").click()
    shoot(page, "24-a-verifier")
    page.get_by_role("link", name="Vérifier un par un").click()
    check_accessibility(page)
    shoot(page, "25-rapprochement-incertain")
    page.get_by_role("button", name="Même enfant").click()
    expect(page.locator("#decision")).to_contain_text("Décision enregistrée : même enfant")
    page.get_by_role("link", name="Enfant suivant à vérifier").click()
    page.get_by_role("button", name="Enfant différent").click()
    expect(page.locator("#decision")).to_contain_text("Décision enregistrée : enfant différent")
    shoot(page, "25b-decision-enfant-different")
    assert sorted(MatchDecision.objects.filter(commune=commune).values_list("same", flat=True)) == [
        False,
        True,
    ]
    assert Outcome.objects.to_review(commune).count() == to_review - 2

    # A child the crossing did not find: the référent opens a case from the child's page.
    menu(page).get_by_role("link", name="Fichiers", exact=True).click()
    page.get_by_role("link", name=f"voir le croisement n° {run.pk}").click()
    page.get_by_role("link", name="Voir les enfants non trouvés").click()
    shoot(page, "26-enfants-non-trouves")
    page.locator("main table tbody tr th a").first.click()
    child_url = page.url
    child = Child.objects.get(pk=int(re.search(r"/enfants/(\d+)/", child_url).group(1)))
    assert Outcome.objects.of_latest_run(commune).get(child=child).status == "non_trouve"
    shoot(page, "27-fiche-enfant")
    page.get_by_role("link", name="Ouvrir un dossier").click()
    page.get_by_label(Origin.CROSSING.label).check()
    page.get_by_role("button", name="Ouvrir le dossier").click()
    expect(page.locator("h1")).to_contain_text("Dossier n°")
    case_url = page.url
    case = Case.objects.get(pk=int(re.search(r"/dossiers/(\d+)/", case_url).group(1)))
    assert case.child == child and case.state == CaseStep.VERIFICATION

    # Alert, then the information letter: the step, the PDF produced and downloaded.
    today = timezone.localdate()
    fire(page, "Signaler l'enfant à la DASEN : aucune instruction connue", note="Aucune inscription.")
    expect(page.locator("#procedure")).to_contain_text("Signalé à la DASEN : aucune instruction connue")
    fire(page, "Courrier d'information envoyé à la famille", day=today - timedelta(days=25))
    expect(page.locator("#procedure")).to_contain_text("Famille informée de ses obligations")
    page.get_by_label("Courrier", exact=True).select_option(label="Courrier d'information à la famille")
    page.get_by_role("button", name="Produire le courrier").click()
    download_link = page.get_by_role("link", name=re.compile(r"^Télécharger \(PDF\)"))
    expect(download_link).to_have_count(1, timeout=30_000)
    with page.expect_download() as download:
        download_link.click()
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    check_accessibility(page)
    shoot(page, "28-dossier-courrier-information")

    # The Éducation nationale sends the mise en demeure; 15 days after its notification it is overdue.
    log_in_as(page, "education")
    page.goto(case_url)
    fire(
        page,
        "Mise en demeure de la DASEN d'inscrire l'enfant (15 jours)",
        day=today - timedelta(days=22),
        notified=today - timedelta(days=20),
    )
    expect(page.locator("#procedure")).to_contain_text("en retard")
    menu(page).get_by_role("link", name="À traiter").click()
    overdue = page.locator("table").first
    expect(overdue).to_contain_text(f"{case.pk}")
    expect(overdue).to_contain_text("en retard")
    check_accessibility(page)
    shoot(page, "29-a-traiter-en-retard")

    # Rescolarisation, then closure.
    page.goto(case_url)
    fire(page, "Enfant inscrit dans une école : suivre son assiduité")
    expect(page.locator("#procedure")).to_contain_text("Rescolarisé")
    fire(page, "Clore : situation régularisée", note="Assiduité régulière.")
    expect(page.locator("#procedure")).to_contain_text("Situation régularisée")
    case.refresh_from_db()
    assert case.state == CaseStep.CLOSED and GeneratedLetter.objects.filter(case=case).count() == 1
    shoot(page, "30-dossier-clos")

    # The Parquet sees the cases transmitted to it, and only those.
    other = (
        Outcome.objects.of_latest_run(commune).filter(status="non_trouve").exclude(child=child).first().child
    )
    referred = open_case(
        commune=commune, user=None, child=other, origin=Origin.CROSSING, domain="absence_instruction"
    )
    advance_case(
        referred,
        [
            ("confirm_alert", today - timedelta(days=60)),
            ("send_formal_notice", today - timedelta(days=50)),
            ("refer_to_prosecutor", today - timedelta(days=10)),
        ],
    )
    log_in_as(page, "parquet")
    menu(page).get_by_role("link", name="Dossiers").click()
    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(str(referred.pk))
    shoot(page, "31-parquet-dossiers-transmis")
    assert page.goto(case_url).status == 404

    # The purge preview lists what is due and deletes nothing.
    log_in_as(page, "referent")
    children_before = Child.objects.count()
    menu(page).get_by_role("link", name="Suppression des données").click()
    expect(page.locator("h1")).to_have_text("Suppression des données arrivées à échéance")
    check_accessibility(page)
    shoot(page, "32-suppression-apercu")
    assert Child.objects.count() == children_before

    # Account security: the second factor's key and otpauth link, and the way back to the cell.
    page.get_by_role("link", name="Sécurité du compte").click()
    expect(page.get_by_label("Lien de configuration")).to_have_value(
        re.compile("^otpauth://totp/Veille:referent")
    )
    check_accessibility(page)
    shoot(page, "32b-securite-du-compte")
    page.get_by_role("link", name="← Retour à la cellule").click()
    expect(page.locator("h1")).to_contain_text(COMMUNE_A.name)

    # The audit log shows the référent's login to this commune and names object types in French.
    menu(page).get_by_role("link", name="Journal des accès").click()
    page.get_by_label("Action", exact=True).select_option(Action.LOGIN.value)
    page.get_by_role("button", name="Filtrer").click()
    logins = AuditEvent.objects.filter(commune=commune, action=Action.LOGIN).count()
    assert logins >= 3
    expect(page.locator("main")).to_contain_text(f"{logins} entrées.")
    expect(page.locator("main table tbody")).to_contain_text("compte utilisateur")
    shoot(page, "33-journal-connexions")

    # Another commune's référent: « page introuvable » on that child's and that case's pages.
    log_in_as(page, "referent-bourg")
    for address in (child_url, case_url, case_url.replace("/dossiers/", "/documents/dossiers/")):
        response = page.goto(address)
        assert response.status == 404, address
        expect(page.locator("h1")).to_have_text("Page introuvable")
        assert child.last_name not in page.content()
    shoot(page, "34-autre-commune-page-introuvable")
    assert COMMUNE_B.slug in page.goto("/").url
