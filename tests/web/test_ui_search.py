"""Searching and sorting children as a person reads names, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from veille.web.cellule.children.models import Child
from veille.web.cellule.imports.models import CrossingRun, Outcome, RunStatus
from veille.web.common.accounts.roles import Role
from veille.web.common.territories.models import Commune
from veille.web.common.ui.search import Fold, fold, search_names

from .conftest import make_member

pytestmark = pytest.mark.django_db

NAMES = [
    ("AÏT-BEN ALI", "Ismaël"),
    ("dupont", "Léa"),
    ("Durand", "Œdipe"),
    ("Ben Ali", "Nour"),
    ("Zola", "émile"),
]


@pytest.fixture
def children():
    commune = Commune.objects.create(name="Essai-sur-Mer", slug="essai", insee_code="99001")
    for last, first in NAMES:
        Child.objects.create(
            commune=commune,
            organisme="CAF",
            source_id=f"{last}-{first}",
            last_name=last,
            first_names=first,
            birth_date=date(2016, 5, 1),
        )
    return Child.objects.filter(commune=commune)


def names(queryset) -> list[str]:
    return [c.last_name for c in queryset]


def test_folding_removes_case_accents_ligatures_and_separators():
    assert fold("AÏT-BEN ALI") == "aitbenali"
    assert fold("Œdipe") == "oedipe"
    assert fold("d'Arc") == "darc"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ismael", ["AÏT-BEN ALI"]),
        ("aït", ["AÏT-BEN ALI"]),
        ("ait", ["AÏT-BEN ALI"]),
        ("benali", ["AÏT-BEN ALI", "Ben Ali"]),
        ("ben ali", ["AÏT-BEN ALI", "Ben Ali"]),
        ("oedipe", ["Durand"]),
        ("EMILE zola", ["Zola"]),
        ("", ["AÏT-BEN ALI", "dupont", "Durand", "Ben Ali", "Zola"]),
    ],
)
def test_the_search_ignores_accents_case_and_spaces(children, query, expected):
    found = search_names(children, query, "last_name", "first_names").order_by("pk")
    assert sorted(names(found)) == sorted(expected)


def test_the_order_ignores_case_and_accents(children):
    ordered = children.order_by(Fold("last_name"), "pk")
    assert names(ordered) == ["AÏT-BEN ALI", "Ben Ali", "dupont", "Durand", "Zola"]


def test_the_children_list_shows_its_page_in_reading_order_with_each_status_and_link(commune_a, client_as):
    referent = make_member(commune_a, Role.REFERENT, "referent-liste")
    run = CrossingRun.objects.create(
        commune=commune_a, school_year="2026-2027", launched_by=referent, status=RunStatus.DONE
    )
    kids = {
        last: Child.objects.create(
            commune=commune_a,
            organisme="CAF",
            source_id=last,
            last_name=last,
            first_names=first,
            birth_date=date(2016, 5, 1),
        )
        for last, first in NAMES
    }
    Outcome.objects.create(run=run, child=kids["dupont"], status="non_trouve", engine_status="non_trouve")
    client = client_as(referent)
    url = reverse("children:index", kwargs={"commune": commune_a.slug})

    page = client.get(url).content.decode()
    shown = [page.index(f">{last} {first}<") for last, first in sorted(NAMES, key=lambda n: fold(n[0]))]
    assert shown == sorted(shown)
    link = reverse("children:detail", kwargs={"commune": commune_a.slug, "pk": kids["dupont"].pk})
    assert f'href="{link}">dupont Léa<' in page
    assert page.count("Pas encore croisé") == 4

    unfound = client.get(url, {"statut": "non_trouve"}).content.decode()
    assert ">dupont Léa<" in unfound and "Zola" not in unfound
