"""The encrypted crossing in a real browser: the referent uploads the holders' encoded files, downloads
the CAF's list, imports the CAF's revealed archive, and finds the revealed children in the list.

The holders' side (``veille encoder``, ``veille reveler``) runs in the test, with their keys.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from veille.compulsory import SchoolYear, compulsory_mask
from veille.pprl import encode
from veille.pprl.reveal import read_list, reveal, write_revealed
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune
from veille.web.cellule.imports.models import CrossingRun, Outcome
from veille.web.common.audit.models import Action, AuditEvent
from veille.web.demo.seed import DEMO_ACCOUNTS

from .conftest import check_accessibility, login, shoot

pytestmark = pytest.mark.browser

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}
CAMPAIGN = "2026-12"
SHARED = b"secret-partage-des-detenteurs-du-navigateur"
PASSWORD = "mot-de-passe-de-l-archive-revelee"


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    """Communes and accounts only: the cell holds no child before the revelation."""
    from veille.web.demo.seed import BASE_STEPS, seed_demo

    settings.DATA_DIR = tmp_path
    return seed_demo(children=50, force=True, say=lambda line: None, steps=BASE_STEPS)


def encoded_files(tmp_path):
    """Each holder encodes its own file; returns the encoded paths and what the CAF keeps."""
    year = SchoolYear.current()
    written = write_commune(generate_commune(900, seed=31, school_year=str(year)), tmp_path / "commune")
    out = {"enfants": [], "scolarite": []}
    caf = None
    for name, path in sorted(written.items()):
        if not name.startswith(("enfants", "scolarite")) or len(path.read_bytes().splitlines()) < 2:
            continue
        kind = "enfants" if name.startswith("enfants") else "scolarite"
        table = (read_children_files if kind == "enfants" else read_schooling_files)([path]).table
        holder = str(table["organisme" if kind == "enfants" else "source"].iloc[0])
        key = f"cle-du-detenteur-{holder}".encode()
        mask = compulsory_mask(table["date_naissance"], year).to_numpy() if kind == "enfants" else None
        encoded = encode(
            table,
            kind=kind,
            holder=holder,
            shared_secret=SHARED,
            holder_key=key,
            campaign=CAMPAIGN,
            compulsory=mask,
        )
        target = tmp_path / f"{holder.lower()}.npz"
        encoded.save(target)
        out[kind].append(target)
        if holder == "CAF":
            caf = (table, key)
    return out, caf


def test_the_referent_runs_an_encrypted_crossing_and_imports_the_revealed_children(page, tmp_path):
    files, (caf_table, caf_key) = encoded_files(tmp_path)
    login(page, "referent", ACCOUNTS["referent"].password, accept_charter=True)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Fichiers", exact=True
    ).click()
    page.get_by_role("link", name="Lancer un croisement chiffré").click()
    check_accessibility(page)
    page.get_by_label(re.compile("^Fichiers enfants encodés")).set_input_files(
        [str(p) for p in files["enfants"]]
    )
    page.get_by_label(re.compile("^Fichiers de scolarité encodés")).set_input_files(
        [str(p) for p in files["scolarite"]]
    )
    page.get_by_role("button", name="Lancer le croisement chiffré").click()
    expect(page.locator("#avancement")).to_contain_text("Terminé", timeout=90_000)
    table = page.get_by_role("table", name="Identifiants à révéler, par détenteur")
    expect(table).to_contain_text("CAF")
    shoot(page, "croisement-chiffre")
    check_accessibility(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la liste de CAF").click()
    listing = tmp_path / "a_reveler_CAF.csv"
    download.value.save_as(listing)
    run = CrossingRun.objects.get(encrypted=True)
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(run.pk)).exists()

    # At the CAF: `veille reveler` on its own file and the list.
    rows, unknown = reveal(caf_table, read_list(listing), caf_key)
    assert unknown == 0 and len(rows) > 0
    archive = tmp_path / "revele_CAF.7z"
    write_revealed(rows, archive, password=PASSWORD, member="revele_CAF.csv")

    page.get_by_role("link", name="Importer l'archive révélée de CAF").click()
    check_accessibility(page)
    expect(page.get_by_label("Détenteur qui a révélé sa liste")).to_have_value("CAF")
    page.get_by_label(re.compile("^Archive révélée")).set_input_files(str(archive))
    page.get_by_label("Mot de passe de l'archive").fill(PASSWORD)
    page.get_by_role("button", name="Importer l'archive").click()
    expect(page.locator("main")).to_contain_text(f"Archive de CAF importée : {len(rows)} lignes révélées")
    unfound = Outcome.objects.filter(run=run, status="non_trouve").select_related("child").first()
    assert unfound is not None
    page.get_by_role("link", name="Voir les enfants non trouvés").click()
    expect(page.locator("main")).to_contain_text(unfound.child.last_name)
    shoot(page, "croisement-chiffre-enfants-reveles")
