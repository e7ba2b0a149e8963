"""The open-a-case form asks only what the origin chosen needs (issue 13): each section shows for the
origins it serves, the others leave the page and the Tab order."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from veille.web.cellule.cases.models import Origin
from veille.web.demo.seed import COMMUNE_A, DEMO_ACCOUNTS

from .conftest import check_accessibility, login, shoot

pytestmark = pytest.mark.browser


def test_the_open_form_shows_only_the_sections_of_the_origin_chosen(page, demo):
    referent = next(a for a in DEMO_ACCOUNTS if a.username == "referent")
    login(page, referent.username, referent.password, accept_charter=True)
    page.goto(reverse("cases:open", kwargs={"commune": COMMUNE_A.slug}))
    absenteeism = page.get_by_role("group", name="Signalement d'absentéisme")
    field = page.get_by_role("group", name="Observation de terrain")
    place = page.get_by_role("group", name="Établissement hors contrat", exact=False)
    child_id = page.get_by_label("Identifiant CAF ou MSA de l'enfant")
    half_days = page.get_by_label("Nombre de demi-journées", exact=False)

    # Nothing chosen yet: only the origins, the description and the note.
    for section in (absenteeism, field, place, child_id):
        expect(section).to_be_hidden()
    expect(page.get_by_label("Description courte des faits")).to_be_visible()

    page.get_by_label(Origin.ABSENTEEISM_REPORT.label).check()
    expect(absenteeism).to_be_visible()
    expect(half_days).to_be_visible()
    expect(child_id).to_be_visible()
    expect(field).to_be_hidden()
    expect(place).to_be_hidden()
    check_accessibility(page)
    shoot(page, "ouvrir-dossier-absenteisme")

    # Absences without reason: the school and the month, not the count of half-days.
    page.get_by_label(Origin.ABSENTEEISM_NO_REASON.label).check()
    expect(absenteeism).to_be_visible()
    expect(half_days).to_be_hidden()

    # A school outside contract: the case is about the school, not a child.
    page.get_by_label(Origin.PRIVATE_SCHOOL.label).check()
    expect(place).to_be_visible()
    expect(child_id).to_be_hidden()
    expect(absenteeism).to_be_hidden()
    shoot(page, "ouvrir-dossier-etablissement")

    # A field observation: its domain and reporter, a child if known, a place for an école de fait.
    page.get_by_label(Origin.FIELD.label).check()
    for section in (field, place, child_id):
        expect(section).to_be_visible()
    expect(absenteeism).to_be_hidden()
    check_accessibility(page)
