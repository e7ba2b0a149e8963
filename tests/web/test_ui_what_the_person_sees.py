"""Issue 13, « ce que voit la personne »: the points found by the demo that no other test pins down."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from veille.compulsory import SchoolYear
from veille.web.cellule.cases.models import Case
from veille.web.cellule.imports.forms import NO_FILE
from veille.web.cellule.imports.models import (
    CrossingRun,
    Import,
    ImportStatus,
    Kind,
    Outcome,
    RunStatus,
    SchoolingRecord,
)
from veille.web.common.accounts.roles import Role

from .conftest import make_member
from .protection_helpers import make_case, make_child

pytestmark = pytest.mark.django_db


@pytest.fixture
def referent(commune_a):
    return make_member(commune_a, Role.REFERENT, "referent-voit")


def page_of(client, name: str, commune, **kwargs) -> str:
    response = client.get(reverse(name, kwargs={"commune": commune.slug, **kwargs}))
    assert response.status_code == 200
    return response.content.decode()


def test_an_upload_without_a_file_is_refused_and_nothing_is_kept(commune_a, referent, client_as):
    response = client_as(referent).post(
        reverse("imports:upload", kwargs={"commune": commune_a.slug}),
        {"kind": Kind.CHILDREN, "school_year": str(SchoolYear.current())},
    )
    assert response.status_code in (200, 400)
    assert NO_FILE.replace("'", "&#x27;") in response.content.decode()
    assert not Import.objects.exists()


def test_the_year_list_runs_in_the_order_of_time_with_this_year_selected(commune_a, referent, client_as):
    html = page_of(client_as(referent), "imports:upload", commune_a)
    select = re.search(r'<select name="school_year".*?</select>', html, re.S).group(0)
    values = re.findall(r'<option value="([^"]+)"', select)
    assert values == sorted(values) and len(values) == 3
    current = str(SchoolYear.current())
    assert re.search(rf'<option value="{current}" selected>{current} \(année en cours\)</option>', select)


def crossed_with_uncertain(commune, referent, count: int) -> tuple[CrossingRun, list[Outcome]]:
    imported = Import.objects.create(
        commune=commune,
        kind=Kind.SCHOOLING,
        school_year="2026-2027",
        uploaded_by=referent,
        status=ImportStatus.CONFIRMED,
        expires_at=timezone.now() + timedelta(days=1),
    )
    run = CrossingRun.objects.create(
        commune=commune, school_year="2026-2027", launched_by=referent, status=RunStatus.DONE
    )
    outcomes = []
    for n in range(count):
        child = make_child(commune, f"C{n:04d}", last_name=f"Nom{n:02d}", born=date(2015, 12, 1))
        SchoolingRecord.objects.create(
            commune=commune,
            imported=imported,
            source="MEDICO_SOCIAL",
            source_id=f"R{n}",
            last_name=f"NOM{n:02d}",
            first_names="Ysaline",
            birth_date="2015-01-12",
            sex="F",
            address="3 R DES LILAS",
            postal_code="99100",
        )
        candidate = {
            "source": "MEDICO_SOCIAL",
            "identifiant": f"R{n}",
            "nom": f"NOM{n:02d}",
            "prenoms": "Ysaline",
            "date_naissance": "2015-01-12",
        }
        outcomes.append(
            Outcome.objects.create(
                run=run, child=child, status="incertain", engine_status="incertain", candidate=candidate
            )
        )
    return run, outcomes


def test_the_review_page_shows_the_place_in_the_list_dates_sex_and_address_in_words(
    commune_a, referent, client_as
):
    _, outcomes = crossed_with_uncertain(commune_a, referent, 12)
    html = page_of(client_as(referent), "imports:review_item", commune_a, pk=outcomes[2].pk)
    assert "Rapprochement 3 sur 12 à vérifier" in html
    assert "01/12/2015" in html and "12/01/2015" in html  # both birth dates, the French way
    assert html.count("<dt>Sexe</dt><dd>féminin</dd>") == 2
    assert "3 R DES LILAS 99100" in html
    assert "Établissement médico-social" in html and "MEDICO_SOCIAL" not in html
    # The list and, once decided, the child's page name the source in words too.
    client = client_as(referent)
    listing = page_of(client, "imports:review", commune_a)
    assert "Établissement médico-social : NOM00" in listing and "MEDICO_SOCIAL" not in listing
    client.post(
        reverse("imports:decide", kwargs={"commune": commune_a.slug, "pk": outcomes[0].pk}),
        {"decision": "meme"},
    )
    child_page = page_of(client, "children:detail", commune_a, pk=outcomes[0].child_id)
    assert "dossier Établissement médico-social R0" in child_page and "MEDICO_SOCIAL" not in child_page


def test_the_home_and_the_files_page_give_the_same_figures_of_a_crossing(commune_a, referent, client_as):
    run, outcomes = crossed_with_uncertain(commune_a, referent, 4)
    # What the engine wrote when the run ended is stale once a person decided: never shown.
    CrossingRun.objects.filter(pk=run.pk).update(counts={"statut": {"incertain": 99}})
    client = client_as(referent)
    client.post(
        reverse("imports:decide", kwargs={"commune": commune_a.slug, "pk": outcomes[0].pk}),
        {"decision": "different"},
    )
    # One decided « enfant différent »: 3 left to review, 1 not found, on both pages.
    expected = {
        "cellule:home": r"\b3 rapprochements incertains à vérifier 1 enfant non trouvé",
        "imports:index": r"Non trouvés À vérifier .* Terminé 1 3\b",
    }
    for name, figures in expected.items():
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_of(client, name, commune_a)))
        assert re.search(figures, text), name
        assert "99" not in text, name


def test_the_cases_list_runs_by_the_date_shown_and_keeps_closed_cases_apart(commune_a, referent, client_as):
    now = timezone.now()
    cases = []
    for n, days in enumerate((30, 2, 200)):
        case = make_case(make_child(commune_a, f"D{n:03d}", last_name=f"Dossier{n}"))
        Case.objects.filter(pk=case.pk).update(opened_at=now - timedelta(days=days))
        cases.append(case)
    closed = make_case(make_child(commune_a, "D999", last_name="Clos"))
    Case.objects.filter(pk=closed.pk).update(state="clos", opened_at=now)
    client = client_as(referent)
    html = page_of(client, "cases:index", commune_a)
    order = [html.index(f"Dossier{n}") for n in (1, 0, 2)]
    assert order == sorted(order), "du plus récemment ouvert au plus ancien"
    assert "Clos" not in re.sub(r"<(select|option)[^>]*>.*?</\1>", "", html, flags=re.S).split("<table")[1]
    response = client.get(reverse("cases:index", kwargs={"commune": commune_a.slug}), {"etape": "clos"})
    assert "Clos" in response.content.decode().split("<table")[1]


def test_the_case_page_puts_the_next_steps_first_and_the_closures_apart(commune_a, referent, client_as):
    case = make_case(make_child(commune_a))
    html = page_of(client_as(referent), "cases:detail", commune_a, pk=case.pk)
    next_steps, closing = html.index("Étapes suivantes possibles"), html.index("Clore le dossier")
    assert next_steps < closing
    assert "<summary>Clore" not in html[next_steps:closing]
    assert "<summary>Signaler l&#x27;enfant à la DASEN" in html[next_steps:closing]
    assert "<summary>Clore" in html[closing:]


def test_the_children_list_tells_not_found_from_schooled_and_pages_through_every_child(
    commune_a, referent, client_as
):
    run = CrossingRun.objects.create(
        commune=commune_a, school_year="2026-2027", launched_by=referent, status=RunStatus.DONE
    )
    for n in range(65):
        child = make_child(commune_a, f"P{n:04d}", last_name=f"Page{n:02d}")
        status = "non_trouve" if n % 6 == 0 else "rapproche"
        Outcome.objects.create(run=run, child=child, status=status, engine_status=status)
    client = client_as(referent)
    first = page_of(client, "children:index", commune_a)
    assert "65 enfants, 1 à 50 affichés" in first
    assert 'class="badge statut-non_trouve"><span aria-hidden="true">⚠ </span>Non trouvé' in first
    assert (
        'class="badge statut-rapproche">' in first
        and "Non trouvé" not in first.split("statut-rapproche")[1][:40]
    )
    assert 'href="?page=2"' in first and "Page 1 sur 2" in first
    second = client.get(reverse("children:index", kwargs={"commune": commune_a.slug}), {"page": 2})
    assert "Page64" in second.content.decode() and "Page00" not in second.content.decode()
    # A filter is kept from page to page.
    filtered = client.get(
        reverse("children:index", kwargs={"commune": commune_a.slug}), {"statut": "rapproche"}
    ).content.decode()
    assert "54 enfants, 1 à 50 affichés" in filtered and "statut=rapproche&amp;page=2" in filtered
