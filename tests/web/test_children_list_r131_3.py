"""The list's content (R131-3 since décret 2021-1650): what the crossing fills, what the mairie completes."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.urls import reverse

from veille.web.cellule.children.models import (
    MODE_OF_SOURCE,
    Child,
    InstructionFact,
    InstructionMode,
    ResponsiblePerson,
)
from veille.web.cellule.imports.models import Outcome, SchoolingRecord
from veille.web.common.accounts.roles import PERMISSIONS, Capability, Role
from veille.web.common.audit.models import Action, AuditEvent

from .test_imports_views import crossed, files, imported_commune  # noqa: F401 (fixtures)


def make_child(commune, **fields) -> Child:
    return Child.objects.create(
        commune=commune, organisme="CAF", source_id="c-1", last_name="Fictivon", first_names="Aurèle",
        birth_date=date(2016, 4, 3), sex="M", claimant_last_name="Fictivon", claimant_first_name="Dominique",
        address="7 impasse des Songes", postal_code="59999", city=commune.name, **fields,
    )  # fmt: skip


def test_the_crossing_fills_the_mode_of_instruction_the_establishment_and_the_level_of_a_matched_child(
    crossed,  # noqa: F811
):
    matched = Outcome.objects.filter(run=crossed, status="rapproche").select_related("child")
    assert matched.exists()
    for outcome in matched[:20]:
        child, candidate = outcome.child, outcome.candidate
        record = SchoolingRecord.objects.filter(
            source=candidate["source"], source_id=candidate["identifiant"]
        ).latest("pk")
        assert child.instruction_mode == MODE_OF_SOURCE[candidate["source"]]
        assert child.establishment == candidate["etablissement"]
        assert child.level_this_year == record.level
        assert child.instruction_year == crossed.school_year
        assert child.instruction_origin == f"croisement n° {crossed.pk}"
        assert child.birthplace == "" and child.claimant_profession == ""  # no source gives them


def test_a_child_the_crossing_did_not_match_keeps_a_blank_mode_of_instruction(crossed):  # noqa: F811
    unfound = Outcome.objects.filter(run=crossed, status="non_trouve").select_related("child")
    assert unfound.exists()
    assert all(o.child.instruction_mode == "" for o in unfound)


def test_a_later_school_year_moves_this_years_level_to_last_year(commune_a):
    child = make_child(commune_a)
    facts = [InstructionFact(child.pk, "ONDE", "École des Tilleuls", "CE1")]
    Child.objects.record_instruction(school_year="2025-2026", facts=facts, origin="croisement n° 1")
    facts = [InstructionFact(child.pk, "CNED", "CNED", "CE2")]
    Child.objects.record_instruction(school_year="2026-2027", facts=facts, origin="croisement n° 2")
    child.refresh_from_db()
    assert (child.level_last_year, child.level_this_year) == ("CE1", "CE2")
    assert child.instruction_mode == InstructionMode.CNED
    # An older run does not overwrite what a later one gave.
    facts = [InstructionFact(child.pk, "ONDE", "École des Tilleuls", "CE1")]
    Child.objects.record_instruction(school_year="2025-2026", facts=facts, origin="croisement n° 3")
    child.refresh_from_db()
    assert child.level_this_year == "CE2" and child.instruction_origin == "croisement n° 2"


def test_the_child_page_shows_the_list_of_r131_3_with_french_labels(commune_a, member, client_as):
    child = make_child(
        commune_a,
        birthplace="Fictiville (59)",
        instruction_mode=InstructionMode.MEDICO_SOCIAL,
        level_this_year="CP",
        level_last_year="GS",
    )
    ResponsiblePerson.objects.create(
        child=child, link="pere", last_name="Songeur", first_name="Jean", profession="Boulanger"
    )
    text = html.unescape(
        client_as(member(Role.AGENT))
        .get(reverse("children:detail", kwargs={"commune": "villeneuve", "pk": child.pk}))
        .text
    )
    expected = ["Lieu de naissance", "Fictiville (59)", "Mode d'instruction", "IME, ITEP", "CP", "GS"]
    expected += ["Niveau de classe cette année", "Niveau de classe l'an dernier", "Personnes responsables"]
    expected += ["allocataire (lien non précisé)", "Père", "Songeur", "Boulanger"]
    for words in expected:
        assert words in text
    assert "Compléter la fiche" in text


def test_the_mairie_completes_the_birthplace_and_a_responsible_person_and_it_is_audited(
    commune_a, member, client_as
):
    child = make_child(commune_a)
    client = client_as(member(Role.AGENT))
    url = reverse("children:edit_record", kwargs={"commune": "villeneuve", "pk": child.pk})
    response = client.post(
        url,
        {
            "action": "fiche",
            "fiche-birthplace": "Fictiville (59)",
            "fiche-instruction_mode": "ief_autorisee",
            "fiche-level_this_year": "CM1",
            "fiche-claimant_link": "mere",
            "fiche-claimant_profession": "Infirmière",
        },
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.birthplace == "Fictiville (59)" and child.claimant_link == "mere"
    assert child.instruction_origin == "saisie de la mairie"
    response = client.post(
        url,
        {
            "action": "responsable",
            "responsable-link": "tuteur",
            "responsable-last_name": "Songeur",
            "responsable-city": "Bourg",
        },
    )
    assert response.status_code == 302
    person = ResponsiblePerson.objects.get(child=child)
    assert person.get_link_display() == "Tuteur ou tutrice"
    assert AuditEvent.objects.filter(action=Action.CHANGE, object_type="children.child").exists()
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="children.responsibleperson").exists()
    delete = reverse(
        "children:delete_person", kwargs={"commune": "villeneuve", "pk": child.pk, "person": person.pk}
    )
    assert client.post(delete).status_code == 302
    assert not ResponsiblePerson.objects.exists()
    assert AuditEvent.objects.filter(action=Action.DELETE, object_type="children.responsibleperson").exists()


def test_a_responsible_person_needs_a_link_and_a_name_said_in_french(commune_a, member, client_as):
    child = make_child(commune_a)
    response = client_as(member(Role.REFERENT)).post(
        reverse("children:edit_record", kwargs={"commune": "villeneuve", "pk": child.pk}),
        {"action": "responsable", "responsable-link": "", "responsable-last_name": ""},
    )
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in html.unescape(response.text)
    assert not ResponsiblePerson.objects.exists()


@pytest.mark.parametrize("role", [r for r in Role if Capability.EDIT_CHILDREN not in PERMISSIONS[r]])
def test_a_role_that_does_not_keep_the_list_cannot_complete_it(role, commune_a, member, client_as):
    child = make_child(commune_a)
    url = reverse("children:edit_record", kwargs={"commune": "villeneuve", "pk": child.pk})
    client = client_as(member(role))
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "fiche", "fiche-birthplace": "X"}).status_code == 403
    child.refresh_from_db()
    assert child.birthplace == ""


def test_the_responsible_persons_go_with_the_childs_data(commune_a):
    child = make_child(commune_a)
    ResponsiblePerson.objects.create(child=child, link="mere", last_name="Songeur")
    child.delete()
    assert not ResponsiblePerson.objects.exists()


def test_the_list_of_children_logs_which_children_it_showed_by_number(
    commune_a, commune_b, member, client_as
):
    child = make_child(commune_a)
    make_child(commune_b)  # another commune's: neither shown nor logged
    client_as(member(Role.AGENT)).get(reverse("children:index", kwargs={"commune": commune_a.slug}))

    entry = AuditEvent.objects.get(action=Action.VIEW, object_type="children.child")
    assert entry.shown == str(child.pk)
    assert "Fictivon" not in entry.detail + entry.shown
