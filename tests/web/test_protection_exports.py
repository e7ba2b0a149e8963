"""Encrypted exports for a partner and the right of access: archives, passwords shown once, rules."""

from __future__ import annotations

import io
import json
import logging
import re

import py7zr
import pytest
from django.urls import reverse
from django.utils import timezone

from veille.web.cellule.protection.archives import export_rows, generate_password
from veille.web.common.accounts.roles import PERMISSIONS, Capability, Role
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action, AuditEvent

from .conftest import make_member
from .protection_helpers import everything_stored, make_case, make_child, open_archive

PASSWORD_IN_PAGE = re.compile(r'id="mot-de-passe"[^>]*value="([a-z0-9-]+)"')


def test_the_generated_passwords_are_long_readable_and_different():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    for password in passwords:
        assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){4}", password)
        assert not set(password) & set("01ilo")


def test_export_rows_opens_with_its_password_and_not_without(tmp_path):
    export = export_rows(
        [{"n": 1, "nom": "Quarvile"}, (2, "Brumelin")], [("n", "numéro"), ("nom", "nom")], "liste-test"
    )
    assert export.filename == "liste-test.7z" and export.count == 2
    assert b"Quarvile" not in export.content and b"liste-test.csv" not in export.content
    with pytest.raises(py7zr.exceptions.PasswordRequired):
        py7zr.SevenZipFile(io.BytesIO(export.content), mode="r")
    with pytest.raises(Exception):  # noqa: B017 - py7zr raises various errors on a wrong key
        open_archive(export.content, "mauvais-mot-de-passe", tmp_path / "faux")
    members = open_archive(export.content, export.password, tmp_path)
    text = members["liste-test.csv"].decode("utf-8-sig")
    assert text.splitlines() == ["numéro;nom", "1;Quarvile", "2;Brumelin"]
    assert export.password not in repr(export)


def exports_url(commune):
    return reverse("protection:export_open_cases", kwargs={"commune": commune.slug})


@pytest.mark.parametrize("role", [r for r in Role if Capability.EXPORT_DATA not in PERMISSIONS[r]])
def test_the_export_is_refused_to_roles_without_the_export_capability(commune_a, member, client_as, role):
    client = client_as(member(role))
    assert client.post(exports_url(commune_a)).status_code == 403
    assert client.get(reverse("protection:exports", kwargs={"commune": commune_a.slug})).status_code == 403


def test_the_export_is_a_404_for_a_member_of_another_commune(commune_a, commune_b, client_as):
    assert client_as(make_member(commune_b, Role.AGENT)).post(exports_url(commune_a)).status_code == 404


def test_the_agent_exports_the_open_cases_with_a_password_shown_once(
    commune_a, commune_b, member, client_as, tmp_path, caplog
):
    agent = member(Role.AGENT)
    open_case = make_case(make_child(commune_a, "A1", last_name="Quarvile"))
    make_case(make_child(commune_a, "A2", last_name="Closelin"), closed_at=timezone.now())
    make_case(make_child(commune_b, "B1", last_name="Etrangeot"))
    client = client_as(agent)
    caplog.set_level(logging.DEBUG)

    page = client.get(reverse("protection:exports", kwargs={"commune": commune_a.slug}))
    assert page.status_code == 200 and "1 dossier ouvert" in page.text
    shown = client.post(exports_url(commune_a))
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    password = PASSWORD_IN_PAGE.search(shown.text).group(1)
    link = re.search(r'href="([^"]+/telechargement/[^"]+/)"', shown.text).group(1)

    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="dossiers-ouverts-')
    members = open_archive(download.content, password, tmp_path)
    (csv_text,) = (content.decode("utf-8-sig") for content in members.values())
    lines = csv_text.splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"{open_case.pk};")
    assert "Quarvile" in csv_text and "Closelin" not in csv_text and "Etrangeot" not in csv_text

    assert client.get(link).status_code == 404, "the archive is handed out once"
    assert password not in everything_stored()
    assert password not in caplog.text
    # Two entries: the archive made, then the archive downloaded (issue 10, point 12).
    made, downloaded = AuditEvent.objects.filter(action=Action.EXPORT).order_by("pk")
    assert made.user == agent and "1 lignes" in made.detail
    assert downloaded.user == agent and "téléchargement" in downloaded.detail


def test_an_archive_cannot_be_downloaded_from_another_commune(commune_a, commune_b, client_as):
    user = make_member(commune_a, Role.AGENT, "double")
    from veille.web.common.accounts.models import Membership

    Membership.objects.create(user=user, commune=commune_b, role=Role.AGENT)
    client = client_as(user)
    shown = client.post(exports_url(commune_a))
    link = re.search(r'href="([^"]+/telechargement/[^"]+/)"', shown.text).group(1)
    assert client.get(link.replace(f"/{commune_a.slug}/", f"/{commune_b.slug}/")).status_code == 404
    assert client.get(link).status_code == 200


def access_url(commune, child):
    return reverse("protection:right_of_access", kwargs={"commune": commune.slug, "child": child.pk})


@pytest.mark.parametrize("role", [r for r in Role if Capability.RIGHT_OF_ACCESS not in PERMISSIONS[r]])
def test_the_right_of_access_is_refused_to_roles_without_it(commune_a, member, client_as, role):
    child = make_child(commune_a)
    client = client_as(member(role))
    assert client.get(access_url(commune_a, child)).status_code == 403
    assert client.post(access_url(commune_a, child)).status_code == 403


def test_the_right_of_access_is_a_404_for_another_communes_child(commune_a, commune_b, member, client_as):
    theirs = make_child(commune_b)
    referent = client_as(member(Role.REFERENT))
    assert referent.get(access_url(commune_a, theirs)).status_code == 404
    assert referent.post(access_url(commune_a, theirs)).status_code == 404
    stranger = client_as(make_member(commune_b, Role.REFERENT, "autre"))
    assert stranger.get(access_url(commune_a, make_child(commune_a, "A9"))).status_code == 404


def test_the_right_of_access_archive_holds_the_child_its_cases_and_the_log(
    commune_a, member, client_as, tmp_path
):
    referent = member(Role.REFERENT)
    child = make_child(commune_a, "A1", last_name="Quarvile")
    case = make_case(child)
    other = make_case(make_child(commune_a, "A2", last_name="Closelin"))
    record(None, Action.VIEW, case, detail="consultation du dossier")
    record(None, Action.VIEW, other, detail="dossier d'un autre enfant")
    client = client_as(referent)

    confirm = client.get(access_url(commune_a, child))
    assert confirm.status_code == 200 and "Quarvile" in confirm.text
    shown = client.post(access_url(commune_a, child))
    password = PASSWORD_IN_PAGE.search(shown.text).group(1)
    link = re.search(r'href="([^"]+/telechargement/[^"]+/)"', shown.text).group(1)
    members = open_archive(client.get(link).content, password, tmp_path)

    data = json.loads(members["droit_d_acces.json"])
    assert data["enfant"]["id"] == child.pk and data["enfant"]["last_name"] == "Quarvile"
    assert [c["id"] for c in data["dossiers"]] == [case.pk]
    assert data["description_des_colonnes"]["children.child"]["birth_date"] == "date de naissance"
    logged = {(e["type"], e["identifiant"]) for e in data["journal_des_acces"]}
    assert ("cases.case", str(case.pk)) in logged
    assert ("children.child", str(child.pk)) in logged  # the identity check just made
    assert ("cases.case", str(other.pk)) not in logged
    assert "Quarvile" in members["enfant.csv"].decode("utf-8-sig")
    assert str(case.pk) in members["dossiers.csv"].decode("utf-8-sig")
    assert "Closelin" not in json.dumps(data)
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, object_type="children.child", object_id=str(child.pk), user=referent
    ).exists()
    assert password not in everything_stored()


def test_the_right_of_access_finds_the_child_by_caf_identifier(commune_a, commune_b, member, client_as):
    child = make_child(commune_a, "CAF-777")
    make_child(commune_b, "CAF-888")
    client = client_as(member(Role.REFERENT))
    url = reverse("protection:right_of_access_search", kwargs={"commune": commune_a.slug})
    found = client.get(url, {"source_id": "CAF-777"})
    assert found.status_code == 302 and found["Location"] == access_url(commune_a, child)
    missing = client.get(url, {"source_id": "CAF-888"})
    assert missing.status_code == 200 and "Aucun enfant ne correspond" in missing.text


def test_related_rows_are_found_through_the_model_meta_without_naming_the_app(commune_a):
    from veille.web.cellule.protection.subject_access import related_rows

    child = make_child(commune_a)
    case = make_case(child)
    found = related_rows(child)
    assert [row["id"] for row in found["cases.case"]] == [case.pk]
    assert found["cases.case"][0]["domain_libelle"] == "Absence d'instruction"
