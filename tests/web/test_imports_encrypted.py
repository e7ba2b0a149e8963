"""The encrypted crossing through the cell's web app: encoded files in, lists out, the few revealed in.

The holders' side (encoding, revealing) runs here with the holders' keys, as ``veille encoder`` and
``veille reveler`` do on their machines; the cell's side is only what the test client is given.
"""

from __future__ import annotations

import html
import io
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from django.urls import reverse

from veille.compulsory import SchoolYear, compulsory_mask
from veille.pprl import encode, pseudonyms
from veille.pprl.encoding import encoded_bytes
from veille.pprl.reveal import read_list, reveal, write_revealed
from veille.sources import read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune
from veille.web.cellule.cases.models import Domain, Origin
from veille.web.cellule.cases.services import open_case
from veille.web.cellule.children.models import Child
from veille.web.cellule.imports.models import (
    CrossingRun,
    EncodedUpload,
    Import,
    Outcome,
    RevealItem,
    RunStatus,
    SchoolingRecord,
)
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import Action, AuditEvent

from .conftest import make_member

YEAR = "2026-2027"
CAMPAIGN = "2026-12"
SHARED = b"secret-partage-des-detenteurs-de-test"
PASSWORD = "mot-de-passe-de-l-archive"


@pytest.fixture(scope="module")
def holders(tmp_path_factory):
    """Every holder's clear table (never given to the cell), its key, and its encoded file."""
    written = write_commune(
        generate_commune(1500, seed=23, school_year=YEAR), tmp_path_factory.mktemp("commune")
    )
    out = {}
    for name, path in sorted(written.items()):
        if not name.startswith(("enfants", "scolarite")) or len(path.read_bytes().splitlines()) < 2:
            continue
        kind = "enfants" if name.startswith("enfants") else "scolarite"
        table = (read_children_files if kind == "enfants" else read_schooling_files)([path]).table
        holder = str(table["organisme" if kind == "enfants" else "source"].iloc[0])
        key = f"cle-propre-au-detenteur-{holder}".encode()
        compulsory = (
            compulsory_mask(table["date_naissance"], SchoolYear.parse(YEAR)).to_numpy()
            if kind == "enfants"
            else None
        )
        encoded = encode(
            table,
            kind=kind,
            holder=holder,
            shared_secret=SHARED,
            holder_key=key,
            campaign=CAMPAIGN,
            compulsory=compulsory,
        )
        out[holder] = {
            "kind": kind,
            "table": table,
            "key": key,
            "npz": (f"{Path(name).stem}.npz", encoded_bytes(encoded)),
        }
    return out


def _files(holders, kind):
    handles = []
    for entry in holders.values():
        if entry["kind"] == kind:
            handle = io.BytesIO(entry["npz"][1])
            handle.name = entry["npz"][0]
            handles.append(handle)
    return handles


def page(response) -> str:
    return html.unescape(response.content.decode())


def url(name, commune, **kwargs):
    return reverse(name, kwargs={"commune": commune.slug, **kwargs})


def launch(client, commune, holders):
    return client.post(
        url("imports:encrypted_new", commune),
        {
            "school_year": YEAR,
            "children_files": _files(holders, "enfants"),
            "schooling_files": _files(holders, "scolarite"),
        },
    )


def holder_reveals(holders, holder, listing: bytes, tmp_path) -> tuple[str, bytes, pd.DataFrame]:
    """What the holder does with the list: ``veille reveler`` on its own table, into a 7z AES archive."""
    entry = holders[holder]
    path = tmp_path / f"a_reveler_{holder}.csv"
    path.write_bytes(listing)
    rows, unknown = reveal(entry["table"], read_list(path), entry["key"])
    assert unknown == 0
    archive = tmp_path / f"revele_{holder}.7z"
    write_revealed(rows, archive, password=PASSWORD, member=f"revele_{holder}.csv")
    return archive.name, archive.read_bytes(), rows


def send_archive(client, commune, run, holder, name, content, password=PASSWORD):
    handle = io.BytesIO(content)
    handle.name = name
    return client.post(
        url("imports:reveal_upload", commune, pk=run.pk),
        {"holder": holder, "file": handle, "password": password},
    )


# --- what the cell is given --------------------------------------------------------------------


def _identities(holders) -> set[str]:
    """Every clear value that tells a child apart, as a page may print it."""
    values: set[str] = set()
    for entry in holders.values():
        for column in ("identifiant", "nom", "prenoms", "date_naissance", "adresse", "nom_allocataire"):
            if column in entry["table"]:
                values.update(str(v) for v in entry["table"][column] if len(str(v)) >= 5)
    dates = {v for v in values if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)}
    values |= {f"{v[8:10]}/{v[5:7]}/{v[:4]}" for v in dates}
    return {v.lower() for v in values}


def _revealed(rows: pd.DataFrame) -> set[str]:
    values: set[str] = set()
    for column in ("identifiant", "nom", "prenoms", "date_naissance", "adresse", "nom_allocataire"):
        if column in rows:
            values.update(str(v) for v in rows[column])
    values |= {f"{v[8:10]}/{v[5:7]}/{v[:4]}" for v in values if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)}
    # A revealed child's name shows its words too (« MARTIN DUPONT » names MARTIN).
    values |= {word for v in list(values) for word in v.split()}
    return {v.lower() for v in values}


def _text(content: bytes) -> str:
    text = content.decode("utf-8", "replace")
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).lower().split())


def clear_identities_in(content: bytes, identities: set[str], allowed: set[str]) -> list[str]:
    """The identities found in what the cell received, besides the allowed (revealed) ones."""
    text = _text(content)
    tokens = set(re.split(r"[\s;,:()«»\"'/]+", text)) | set(re.split(r"[\s;,:()«»\"']+", text))
    found = []
    for value in identities - allowed:
        if " " in value:
            if value in text:
                found.append(value)
        elif value in tokens:
            found.append(value)
    return sorted(found)


# --- the whole path ----------------------------------------------------------------------------


def test_the_cell_crosses_encoded_files_and_sees_only_the_children_revealed_to_it(
    commune_a, client_as, holders, tmp_path
):
    referent = make_member(commune_a, Role.REFERENT)
    client = client_as(referent)
    identities = _identities(holders)
    given: list[tuple[str, bytes]] = [(e["npz"][0], e["npz"][1]) for e in holders.values()]

    def get(address: str):
        response = client.get(address)
        assert response.status_code == 200, address
        given.append((address, response.content))
        return response

    assert "Lancer un croisement chiffré" in get(url("imports:index", commune_a)).content.decode()
    get(url("imports:encrypted_new", commune_a))
    response = launch(client, commune_a, holders)
    assert response.status_code == 302, response.content.decode()[:2000]
    run = CrossingRun.objects.get(commune=commune_a, encrypted=True)
    assert run.status == RunStatus.DONE, run.error
    assert run.campaign == CAMPAIGN
    # The encodings are dropped once linked: only the lists and the figures stay.
    assert not EncodedUpload.objects.filter(run=run, data__isnull=False).exists()
    shown = get(url("imports:run", commune_a, pk=run.pk)).content.decode()
    get(url("imports:run_progress", commune_a, pk=run.pk))
    counts = run.counts["statut"]
    assert sum(counts.values()) == sum(len(e["table"]) for e in holders.values() if e["kind"] == "enfants")
    assert counts.get("non_trouve", 0) > 0 and counts.get("rapproche", 0) > counts["non_trouve"]
    assert "Identifiants à révéler, par détenteur" in shown and "Télécharger la liste" in shown

    # Nothing in clear has reached the cell yet: no identity at all in the files and pages.
    for name, content in given:
        if name.endswith(".npz"):
            assert not [v for v in list(identities)[::40] if v.encode() in content.lower()], name
        else:
            assert not clear_identities_in(content, identities, set()), name

    # Each holder's list, downloaded (audited), revealed at the holder, imported back.
    wanted = Counter(RevealItem.objects.filter(run=run).values_list("holder", flat=True))
    revealed_values: set[str] = set()
    revealed_rows = {}
    for holder in sorted(wanted):
        response = get(url("imports:reveal_list", commune_a, pk=run.pk, holder=holder))
        assert response["Content-Disposition"] == f'attachment; filename="a_reveler_{holder}.csv"'
        assert AuditEvent.objects.filter(
            action=Action.EXPORT, object_id=str(run.pk), detail__contains=f"liste à révéler de {holder}"
        ).exists()
        assert not clear_identities_in(response.content, identities, set()), holder
        name, archive, rows = holder_reveals(holders, holder, response.content, tmp_path)
        assert len(rows) == wanted[holder]
        revealed_rows[holder] = rows
        revealed_values |= _revealed(rows)
        get(url("imports:reveal_upload", commune_a, pk=run.pk) + f"?detenteur={holder}")
        response = send_archive(client, commune_a, run, holder, name, archive)
        assert response.status_code == 302, response.content.decode()[:3000]
        assert AuditEvent.objects.filter(
            action=Action.CREATE, detail__contains=f"identités révélées par {holder}"
        ).exists()

    # The revealed children are the run's outcomes, as a clear crossing's unfound and uncertain ones.
    items = RevealItem.objects.filter(run=run)
    children_items = items.exclude(kind="dossier_candidat")
    assert not items.filter(child__isnull=True, record__isnull=True).exists()
    outcomes = Outcome.objects.filter(run=run).select_related("child")
    assert outcomes.count() == children_items.count()
    assert outcomes.filter(status="non_trouve").count() == counts["non_trouve"]
    assert outcomes.filter(status="incertain").count() == counts.get("incertain", 0)
    assert Child.objects.filter(commune=commune_a).count() == children_items.count()
    assert (
        SchoolingRecord.objects.filter(commune=commune_a).count()
        == items.filter(kind="dossier_candidat").count()
    )
    for outcome in outcomes.filter(status="incertain"):
        assert outcome.candidate and outcome.candidate["identifiant"], outcome.pk
    assert Import.objects.filter(revelation_of=run).count() == len(wanted)
    # The counts of the run stand as the engine gave them, now that the children are known.
    assert dict(run.status_counts())["Non trouvé"] == counts["non_trouve"]

    # The cell works on them as today: the list of unfound children, the review, a case.
    listing = get(url("children:index", commune_a) + "?statut=non_trouve").content.decode()
    unfound = outcomes.filter(status="non_trouve").first()
    assert unfound.child.last_name.lower() in listing.lower()
    get(url("imports:run", commune_a, pk=run.pk))
    if outcomes.filter(status="incertain").exists():
        get(url("imports:review", commune_a))
        get(url("imports:review_item", commune_a, pk=outcomes.filter(status="incertain").first().pk))
    get(url("cases:open", commune_a) + f"?enfant={unfound.child_id}")
    case = open_case(
        commune=commune_a, user=referent, child=unfound.child, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )
    assert case.child == unfound.child

    # Every file and page the cell was given: no identity but the revealed ones (the check itself
    # finds the unrevealed children in a holder's clear table).
    clear = holders["CAF"]["table"].to_csv(sep=";", index=False).encode()
    assert clear_identities_in(clear, identities, revealed_values)
    for name, content in given:
        if name.endswith(".npz"):
            continue
        found = clear_identities_in(content, identities, revealed_values)
        assert not found, f"{name} : {found[:5]}"


def test_an_archive_holding_a_row_outside_the_list_is_refused_whole(commune_a, client_as, holders, tmp_path):
    client = client_as(make_member(commune_a, Role.AGENT))
    assert launch(client, commune_a, holders).status_code == 302
    run = CrossingRun.objects.get(commune=commune_a, encrypted=True)
    holder = "CAF"
    listing = client.get(url("imports:reveal_list", commune_a, pk=run.pk, holder=holder)).content
    entry = holders[holder]
    path = tmp_path / "liste.csv"
    path.write_bytes(listing)
    rows, _ = reveal(entry["table"], read_list(path), entry["key"])
    # The holder sends one child more than asked.
    everyone, _ = reveal(
        entry["table"],
        pd.DataFrame(
            {
                "campagne": CAMPAIGN,
                "detenteur": holder,
                "identifiant": list(pseudonyms(entry["table"], entry["key"], CAMPAIGN)),
                "statut": "x",
                "motif": "",
            }
        ),
        entry["key"],
    )
    extra = everyone[~everyone["identifiant_chiffre"].isin(rows["identifiant_chiffre"])].head(1)
    archive = tmp_path / "trop.7z"
    write_revealed(pd.concat([rows, extra]), archive, password=PASSWORD, member="revele.csv")
    response = send_archive(client, commune_a, run, holder, archive.name, archive.read_bytes())
    assert response.status_code == 400
    assert "hors de la liste à révéler" in page(response)
    assert not Child.objects.filter(commune=commune_a).exists()
    assert not Import.objects.filter(commune=commune_a).exists()


def test_a_wrong_password_or_a_clear_file_is_refused_in_french(commune_a, client_as, holders, tmp_path):
    client = client_as(make_member(commune_a, Role.AGENT))
    clear = io.BytesIO(b"organisme;identifiant;nom\nCAF;1;MARTIN\n")
    clear.name = "enfants_caf.csv"
    response = client.post(
        url("imports:encrypted_new", commune_a),
        {"school_year": YEAR, "children_files": [clear], "schooling_files": _files(holders, "scolarite")},
    )
    assert response.status_code == 400
    assert "n'est pas un fichier encodé par Veille" in page(response)
    assert not CrossingRun.objects.exists()
    assert launch(client, commune_a, holders).status_code == 302
    run = CrossingRun.objects.get(commune=commune_a, encrypted=True)
    listing = client.get(url("imports:reveal_list", commune_a, pk=run.pk, holder="CAF")).content
    name, archive, _ = holder_reveals(holders, "CAF", listing, tmp_path)
    response = send_archive(client, commune_a, run, "CAF", name, archive, password="pas-le-bon")
    assert response.status_code == 400
    assert "mot de passe" in page(response).lower()
    assert not Child.objects.filter(commune=commune_a).exists()


def test_files_of_two_campaigns_are_refused_before_anything_is_queued(commune_a, client_as, holders):
    client = client_as(make_member(commune_a, Role.AGENT))
    entry = holders["CAF"]
    other = encode(
        entry["table"],
        kind="enfants",
        holder="CAF",
        shared_secret=SHARED,
        holder_key=entry["key"],
        campaign="2027-01",
    )
    handle = io.BytesIO(encoded_bytes(other))
    handle.name = "caf_2027.npz"
    response = client.post(
        url("imports:encrypted_new", commune_a),
        {"school_year": YEAR, "children_files": [handle], "schooling_files": _files(holders, "scolarite")},
    )
    assert response.status_code == 400
    assert "campagnes différentes" in page(response)
    assert not CrossingRun.objects.exists()


def test_the_encrypted_upload_still_checks_the_csrf_token(commune_a, holders):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(commune_a, Role.AGENT))

    response = launch(client, commune_a, holders)

    assert response.status_code == 403
    assert not CrossingRun.objects.exists()
    assert not EncodedUpload.objects.exists()
