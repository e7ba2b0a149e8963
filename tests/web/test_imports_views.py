"""Imports, crossing runs, review of uncertain matches, and the children pages, through the views.

Files are a synthetic commune written once per module by ``veille.synth``; each test works in its own
database transaction.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import py7zr
import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from veille.sources import SourceError
from veille.synth import generate_commune, write_commune
from veille.web.cellule.children.models import Child
from veille.web.cellule.imports import services
from veille.web.cellule.imports.models import (
    CrossingRun,
    Import,
    ImportStatus,
    MatchDecision,
    Outcome,
    RunStatus,
    SchoolingRecord,
)
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import Action, AuditEvent

from .conftest import make_member

YEAR = "2026-2027"
ARCHIVE_PASSWORD = "Cl3f-de-l-archive!"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    written = write_commune(
        generate_commune(300, seed=5, school_year=YEAR), tmp_path_factory.mktemp("commune")
    )
    # A small commune may have an empty schooling file: the reader refuses those, as it should.
    return {name: path for name, path in written.items() if len(path.read_bytes().splitlines()) > 1}


def children_paths(files):
    return [path for name, path in files.items() if name.startswith("enfants")]


def schooling_paths(files):
    return [path for name, path in files.items() if name.startswith("scolarite")]


def upload(client, commune, paths, *, kind="enfants", password="", skip_invalid=False, contents=None):
    uploads = contents or [(Path(p).name, Path(p).read_bytes()) for p in paths]
    handles = []
    for name, data in uploads:
        handle = io.BytesIO(data)
        handle.name = name
        handles.append(handle)
    data = {"kind": kind, "school_year": YEAR, "files": handles, "password": password}
    if skip_invalid:
        data["skip_invalid"] = "on"
    return client.post(reverse("imports:upload", kwargs={"commune": commune.slug}), data)


def url(name, commune, **kwargs):
    return reverse(name, kwargs={"commune": commune.slug, **kwargs})


@pytest.fixture
def imported_commune(commune_a, member, files):
    """Commune A with its files imported and confirmed; returns the referent."""
    referent = member(Role.REFERENT)
    services.import_files(
        commune=commune_a,
        user=referent,
        children_paths=children_paths(files),
        schooling_paths=schooling_paths(files),
        school_year=YEAR,
    )
    return referent


@pytest.fixture
def crossed(imported_commune, commune_a):
    run = services.launch_crossing(commune=commune_a, school_year=YEAR, user=imported_commune)
    assert run.status == RunStatus.DONE, run.error
    return run


# --------------------------------------------------------------------------------------- uploads


def test_an_upload_is_kept_only_after_confirmation(commune_a, member, client_as, files):
    client = client_as(member(Role.AGENT))
    response = upload(client, commune_a, children_paths(files))

    imported = Import.objects.get()
    assert response.status_code == 302
    assert imported.status == ImportStatus.PENDING
    assert Child.objects.count() == 0
    page = client.get(url("imports:detail", commune_a, pk=imported.pk)).content.decode()
    assert "enfants_caf.csv" in page and "Confirmer et enregistrer" in page

    client.post(url("imports:confirm", commune_a, pk=imported.pk))

    imported.refresh_from_db()
    expected = sum(len(p.read_bytes().splitlines()) - 1 for p in children_paths(files))
    assert imported.status == ImportStatus.CONFIRMED
    assert Child.objects.filter(commune=commune_a).count() == expected
    assert imported.pending_rows is None
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="imports.import").count() == 2


def test_an_upload_reads_a_parquet_file_like_its_csv(commune_a, member, client_as, files, tmp_path):
    source = next(path for path in children_paths(files) if path.name == "enfants_caf.csv")
    parquet = tmp_path / "enfants_caf.parquet"
    # The CAF writes cp1252 with semicolons (as its exports do); Parquet holds the same rows as text.
    table = pd.read_csv(source, sep=";", encoding="cp1252", dtype=str, keep_default_na=False)
    table.to_parquet(parquet, index=False)
    client = client_as(member(Role.AGENT))

    upload(client, commune_a, [parquet])
    imported = Import.objects.get()
    client.post(url("imports:confirm", commune_a, pk=imported.pk))

    imported.refresh_from_db()
    assert imported.status == ImportStatus.CONFIRMED, imported.error
    assert Child.objects.filter(commune=commune_a).count() == len(source.read_bytes().splitlines()) - 1


def test_schooling_records_are_stored_on_confirmation(commune_a, member, client_as, files):
    client = client_as(member(Role.EDUCATION))
    upload(client, commune_a, schooling_paths(files), kind="scolarite")
    imported = Import.objects.get()
    assert SchoolingRecord.objects.count() == 0

    client.post(url("imports:confirm", commune_a, pk=imported.pk))

    assert SchoolingRecord.objects.filter(imported=imported).count() == imported.rows_kept > 0


def test_it_reads_an_aes_archive_with_the_password_typed_and_never_stores_it(
    commune_a, member, client_as, files
):
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=ARCHIVE_PASSWORD, header_encryption=True) as archive:
        for path in children_paths(files):
            archive.writestr(path.read_bytes(), path.name)
    client = client_as(member(Role.CAF))

    response = upload(
        client, commune_a, [], password=ARCHIVE_PASSWORD, contents=[("envoi.7z", buffer.getvalue())]
    )

    assert response.status_code == 302
    imported = Import.objects.get()
    assert [f["fichier"] for f in imported.files] == [f"envoi.7z:{p.name}" for p in children_paths(files)]
    stored = str([imported.files, imported.rejects, imported.fingerprints, imported.pending_rows])
    assert ARCHIVE_PASSWORD not in stored
    assert all(ARCHIVE_PASSWORD not in s.session_data for s in Session.objects.all())
    assert all(ARCHIVE_PASSWORD not in e.detail for e in AuditEvent.objects.all())


def test_a_wrong_archive_password_is_said_in_french_and_nothing_is_kept(commune_a, member, client_as, files):
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=ARCHIVE_PASSWORD) as archive:
        archive.writestr(children_paths(files)[0].read_bytes(), "enfants_caf.csv")
    client = client_as(member(Role.AGENT))

    response = upload(
        client, commune_a, [], password="pas-le-bon", contents=[("envoi.7z", buffer.getvalue())]
    )

    assert response.status_code == 400
    assert "Mot de passe incorrect pour l&#x27;archive « envoi.7z »" in response.content.decode()
    assert Import.objects.count() == 0


def _with_bad_date(path: Path) -> bytes:
    lines = path.read_bytes().split(b"\n")
    fields = lines[2].split(b";")
    fields[4] = b"31/13/2016"
    lines[2] = b";".join(fields)
    return b"\n".join(lines)


def test_a_file_with_a_bad_date_is_refused_whole_then_accepted_with_the_option(
    commune_a, member, client_as, files
):
    caf = next(p for p in children_paths(files) if p.name == "enfants_caf.csv")
    client = client_as(member(Role.AGENT))
    contents = [("enfants_caf.csv", _with_bad_date(caf))]

    refused = upload(client, commune_a, [], contents=contents)

    page = refused.content.decode()
    assert refused.status_code == 400
    assert "enfants_caf.csv, ligne 3, colonne date_naissance" in page
    assert Import.objects.count() == 0

    accepted = upload(client, commune_a, [], contents=contents, skip_invalid=True)

    imported = Import.objects.get()
    assert accepted.status_code == 302
    assert [(r["fichier"], r["ligne"], r["colonne"]) for r in imported.rejects] == [
        ("enfants_caf.csv", 3, "date_naissance")
    ]
    assert imported.rows_kept == len(caf.read_bytes().splitlines()) - 2
    report = client.get(url("imports:detail", commune_a, pk=imported.pk)).content.decode()
    assert "Lignes écartées (1)" in report and "« 31/13/2016 »" in report
    client.post(url("imports:confirm", commune_a, pk=imported.pk))
    imported.refresh_from_db()
    assert imported.rejects[0]["valeur"] == ""  # the rejected value is forgotten once settled
    assert Child.objects.count() == imported.rows_kept


def test_a_pending_import_expires_and_can_no_longer_be_confirmed(commune_a, member, client_as, files):
    client = client_as(member(Role.AGENT))
    upload(client, commune_a, children_paths(files))
    Import.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    client.post(url("imports:confirm", commune_a, pk=Import.objects.get().pk))

    imported = Import.objects.get()
    assert imported.status == ImportStatus.EXPIRED and imported.pending_rows is None
    assert Child.objects.count() == 0


def test_a_pending_import_can_be_cancelled(commune_a, member, client_as, files):
    client = client_as(member(Role.AGENT))
    upload(client, commune_a, children_paths(files))

    client.post(url("imports:cancel", commune_a, pk=Import.objects.get().pk))

    assert Import.objects.get().status == ImportStatus.CANCELLED
    assert Child.objects.count() == 0


def test_the_same_child_in_a_later_file_keeps_its_row(commune_a, member, files):
    referent = member(Role.REFERENT)
    services.import_files(
        commune=commune_a, user=referent, children_paths=children_paths(files), school_year=YEAR
    )
    before = dict(Child.objects.values_list("source_id", "pk"))

    services.import_files(
        commune=commune_a, user=referent, children_paths=children_paths(files), school_year=YEAR
    )

    assert dict(Child.objects.values_list("source_id", "pk")) == before


def test_import_files_keeps_nothing_when_one_file_is_bad(commune_a, member, files, tmp_path):
    bad = tmp_path / "enfants_caf.csv"
    bad.write_bytes(_with_bad_date(next(p for p in children_paths(files) if p.name == "enfants_caf.csv")))

    with pytest.raises(SourceError):
        services.import_files(
            commune=commune_a,
            user=member(Role.REFERENT),
            children_paths=[bad],
            schooling_paths=schooling_paths(files),
            school_year=YEAR,
        )

    assert (Import.objects.count(), Child.objects.count(), SchoolingRecord.objects.count()) == (0, 0, 0)


# ---------------------------------------------------------------------------------- permissions


def test_the_caf_sees_only_its_own_imports_and_nothing_of_the_children(commune_a, member, client_as, files):
    other = member(Role.AGENT)
    services.import_files(
        commune=commune_a, user=other, schooling_paths=schooling_paths(files), school_year=YEAR
    )
    caf = member(Role.CAF)
    client = client_as(caf)
    upload(client, commune_a, children_paths(files))
    mine = Import.objects.get(uploaded_by=caf)
    theirs = Import.objects.get(uploaded_by=other)

    index = client.get(url("imports:index", commune_a)).content.decode()

    assert f"pk={mine.pk}" not in index  # sanity: links are URLs, not query strings
    assert url("imports:detail", commune_a, pk=mine.pk) in index
    assert url("imports:detail", commune_a, pk=theirs.pk) not in index
    assert "Lancer un croisement" not in index
    assert client.get(url("imports:detail", commune_a, pk=theirs.pk)).status_code == 404
    assert client.get(url("children:index", commune_a)).status_code == 403
    assert client.get(url("imports:review", commune_a)).status_code == 403


@pytest.mark.parametrize(
    "role", [Role.PREFECTURE, Role.DEPARTMENT, Role.PROSECUTOR, Role.READER, Role.AUDITOR]
)
def test_roles_that_may_not_import_get_403(commune_a, member, client_as, role):
    client = client_as(member(role))
    assert client.get(url("imports:upload", commune_a)).status_code == 403
    assert client.get(url("imports:index", commune_a)).status_code == 403


@pytest.mark.parametrize("role", [Role.EDUCATION, Role.CAF, Role.READER])
def test_roles_that_may_not_run_a_crossing_get_403(commune_a, member, client_as, role):
    client = client_as(member(role))
    assert client.post(url("imports:launch", commune_a), {"school_year": YEAR}).status_code == 403
    assert CrossingRun.objects.count() == 0


@pytest.mark.parametrize("role", [Role.PREFECTURE, Role.CAF, Role.DEPARTMENT, Role.PROSECUTOR, Role.AUDITOR])
def test_roles_that_may_not_see_children_get_403(commune_a, member, client_as, role):
    child = Child.objects.create(
        commune=commune_a,
        organisme="CAF",
        source_id="X-1",
        last_name="FICTIF",
        first_names="Léon",
        birth_date=date(2017, 5, 4),
    )
    client = client_as(member(role))
    assert client.get(url("children:index", commune_a)).status_code == 403
    assert client.get(url("children:detail", commune_a, pk=child.pk)).status_code == 403


def test_a_member_of_another_commune_gets_404_on_every_object(crossed, commune_a, commune_b, client_as):
    outsider = client_as(make_member(commune_b, Role.REFERENT))
    imported = Import.objects.filter(commune=commune_a).first()
    outcome = Outcome.objects.filter(run=crossed).exclude(candidate=None).first()

    for name, pk in [
        ("imports:detail", imported.pk),
        ("imports:run", crossed.pk),
        ("imports:run_progress", crossed.pk),
        ("imports:review_item", outcome.pk),
        ("children:detail", outcome.child_id),
    ]:
        # Commune A's object through commune B's address, then through commune A's address.
        assert outsider.get(url(name, commune_b, pk=pk)).status_code == 404, name
        assert outsider.get(url(name, commune_a, pk=pk)).status_code == 404, name
    assert (
        outsider.post(url("imports:decide", commune_b, pk=outcome.pk), {"decision": "meme"}).status_code
        == 404
    )
    assert not MatchDecision.objects.exists()


# ------------------------------------------------------------------------------------- crossings


def test_a_crossing_runs_in_the_background_and_stores_each_childs_outcome(
    imported_commune, commune_a, client_as
):
    client = client_as(imported_commune)

    response = client.post(url("imports:launch", commune_a), {"school_year": YEAR})

    run = CrossingRun.objects.get()
    assert response.status_code == 302 and response["Location"] == url("imports:run", commune_a, pk=run.pk)
    assert run.status == RunStatus.DONE, run.error
    assert Outcome.objects.filter(run=run).count() == Child.objects.count()
    assert sum(run.counts["statut"].values()) == Child.objects.count()
    assert run.counts["statut"]["hors_obligation"] > 0
    assert set(run.fingerprints) == {str(pk) for pk in Import.objects.values_list("pk", flat=True)}
    assert run.model["comparisons"] and run.step == run.total_steps
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="imports.crossingrun").exists()
    page = client.get(url("imports:run", commune_a, pk=run.pk)).content.decode()
    assert "<progress" in page and "Non trouvé" in page


def test_the_progress_partial_polls_until_the_run_ends(imported_commune, commune_a, client_as):
    run = CrossingRun.objects.create(commune=commune_a, school_year=YEAR, launched_by=imported_commune)
    run.total_steps = 6
    run.save()
    run.advance("Comparaison des paires candidates")
    client = client_as(imported_commune)

    waiting = client.get(url("imports:run_progress", commune_a, pk=run.pk), HTTP_HX_REQUEST="true")

    assert waiting.status_code == 200
    body = waiting.content.decode()
    assert 'hx-trigger="every 2s"' in body and 'value="17"' in body and "étape 1 sur 6" in body

    services.execute_run(run.pk)
    done = client.get(url("imports:run_progress", commune_a, pk=run.pk), HTTP_HX_REQUEST="true")

    assert done.status_code == 286  # htmx stops polling
    assert "hx-trigger" not in done.content.decode()


def test_a_crossing_without_schooling_files_fails_with_a_french_message(commune_a, member, files):
    referent = member(Role.REFERENT)
    services.import_files(
        commune=commune_a, user=referent, children_paths=children_paths(files), school_year=YEAR
    )

    run = services.launch_crossing(commune=commune_a, school_year=YEAR, user=referent)

    assert run.status == RunStatus.FAILED
    assert "Aucun fichier de scolarité confirmé pour l'année scolaire 2026-2027" in run.error


# ---------------------------------------------------------------------------------------- review


def test_a_pair_decided_different_is_not_matched_by_the_next_run(
    crossed, commune_a, client_as, imported_commune
):
    outcome = Outcome.objects.filter(run=crossed, status="rapproche").select_related("child").first()
    record = outcome.candidate["identifiant"]
    client = client_as(imported_commune)
    page = client.get(url("imports:review_item", commune_a, pk=outcome.pk)).content.decode()
    assert "Même enfant" in page and "concorde" in page

    response = client.post(
        url("imports:decide", commune_a, pk=outcome.pk), {"decision": "different"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200 and "enfant différent" in response.content.decode()
    outcome.refresh_from_db()
    assert outcome.status == "non_trouve" and outcome.decision.same is False
    assert AuditEvent.objects.filter(
        action=Action.CHANGE, object_type="children.child", object_id=str(outcome.child_id)
    ).exists()

    second = services.launch_crossing(commune=commune_a, school_year=YEAR, user=imported_commune)

    again = Outcome.objects.get(run=second, child=outcome.child)
    assert again.status != "rapproche" or again.candidate["identifiant"] != record
    assert (again.candidate or {}).get("identifiant") != record
    assert second.parameters["decisions_appliquees"] == 1


def test_a_pair_decided_the_same_is_matched_by_the_next_run(crossed, commune_a, client_as, imported_commune):
    outcome = Outcome.objects.filter(run=crossed, status="non_trouve").exclude(candidate=None).first()
    if outcome is None:  # every non-found child may lack a candidate: take one with any candidate
        outcome = (
            Outcome.objects.filter(run=crossed).exclude(status="rapproche").exclude(candidate=None).first()
        )
    client = client_as(imported_commune)

    client.post(url("imports:decide", commune_a, pk=outcome.pk), {"decision": "meme"})

    second = services.launch_crossing(commune=commune_a, school_year=YEAR, user=imported_commune)
    again = Outcome.objects.get(run=second, child=outcome.child)
    assert again.candidate["identifiant"] == outcome.candidate["identifiant"]
    assert again.status in ("rapproche", "hors_obligation")


def test_the_review_queue_lists_the_uncertain_children_of_the_latest_run(
    crossed, commune_a, client_as, member
):
    uncertain = Outcome.objects.filter(run=crossed, status="incertain").count()
    client = client_as(member(Role.EDUCATION))

    page = client.get(url("imports:review", commune_a)).content.decode()

    assert f"{uncertain} enfant" in page if uncertain else "Rien à vérifier" in page
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="imports.outcome").exists()


def test_the_review_queue_logs_which_children_it_showed_by_number(crossed, commune_a, client_as, member):
    client_as(member(Role.EDUCATION)).get(url("imports:review", commune_a))

    entry = AuditEvent.objects.get(action=Action.VIEW, object_type="imports.outcome")
    listed = list(Outcome.objects.to_review(commune_a).order_by("child__last_name", "pk")[:50])
    assert listed, "the crossing of the fixture leaves children to review"
    assert (entry.shown.split(",") if entry.shown else []) == [str(o.child_id) for o in listed]
    assert not any(o.child.last_name in entry.detail + entry.shown for o in listed)


# -------------------------------------------------------------------------------------- children


def test_the_children_list_filters_by_status_and_searches_by_name(crossed, commune_a, client_as, member):
    client = client_as(member(Role.READER))
    unfound = Outcome.objects.filter(run=crossed, status="non_trouve").count()

    page = client.get(url("children:index", commune_a), {"statut": "non_trouve"}).content.decode()

    assert f"{unfound} enfant" in page
    entry = AuditEvent.objects.filter(action=Action.VIEW, object_type="children.child").latest("id")
    assert f"sur {unfound}" in entry.detail and "filtre non_trouve" in entry.detail
    child = Child.objects.filter(commune=commune_a).order_by("pk").first()
    found = client.get(url("children:index", commune_a), {"q": child.first_names.split()[0].lower()})
    assert url("children:detail", commune_a, pk=child.pk) in found.content.decode()
    assert child.last_name not in AuditEvent.objects.latest("id").detail


def test_the_child_page_shows_the_outcomes_of_every_run(crossed, commune_a, client_as, imported_commune):
    second = services.launch_crossing(commune=commune_a, school_year=YEAR, user=imported_commune)
    child = Child.objects.filter(commune=commune_a).first()
    client = client_as(imported_commune)

    page = client.get(url("children:detail", commune_a, pk=child.pk)).content.decode()

    assert f"n° {crossed.pk} du" in page and f"n° {second.pk} du" in page
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="children.child", object_id=str(child.pk), detail="fiche de l'enfant"
    ).exists()


def test_the_upload_still_checks_the_csrf_token(commune_a, member, files):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member(Role.AGENT))

    response = upload(client, commune_a, children_paths(files))

    assert response.status_code == 403
    assert Import.objects.count() == 0


def test_the_expiry_command_drops_unconfirmed_imports(commune_a, member, client_as, files):
    from django.core.management import call_command

    upload(client_as(member(Role.AGENT)), commune_a, children_paths(files))
    Import.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    call_command("expire_imports", stdout=io.StringIO())

    assert Import.objects.get().status == ImportStatus.EXPIRED
    assert Import.objects.get().pending_rows is None


def test_the_upload_reads_onde_and_siecle_exports_as_they_come(commune_a, member, client_as, tmp_path):
    commune = generate_commune(300, seed=5, school_year=YEAR)
    written = write_commune(commune, tmp_path / "reels", formats="reels")
    real = [path for name, path in written.items() if name.startswith(("onde/", "siecle/"))]
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=ARCHIVE_PASSWORD) as archive:
        for path in real:  # a folder per school, named by its UAI: the ONDE file does not carry it
            archive.write(path, str(path.relative_to(tmp_path / "reels")))
    client = client_as(member(Role.EDUCATION))

    upload(
        client,
        commune_a,
        [],
        kind="scolarite",
        password=ARCHIVE_PASSWORD,
        contents=[("exports_ecoles.7z", buffer.getvalue())],
    )

    imported = Import.objects.get()
    page = client.get(url("imports:detail", commune_a, pk=imported.pk)).content.decode()
    assert "extraction ONDE des élèves" in page and "export SIECLE des élèves" in page
    assert "DATE_SORTIE" in page  # the pupils who left are said, not silently dropped
    client.post(url("imports:confirm", commune_a, pk=imported.pk))
    records = SchoolingRecord.objects.filter(imported=imported)
    assert records.count() == len(commune.schooling["ONDE"]) + len(commune.schooling["SIECLE"])
    assert set(records.values_list("source", flat=True)) == {"ONDE", "SIECLE"}
    assert not records.filter(uai="").exists()
