"""What every page shares: help texts and errors read with their field, the legal pages, the formats."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse

from veille.web.cellule.cases.models import Domain, Origin
from veille.web.cellule.cases.services import open_case
from veille.web.common.accounts.roles import Role

from .conftest import make_member
from .protection_helpers import make_child

pytestmark = pytest.mark.django_db


def dangling_descriptions(html: str) -> list[str]:
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    wanted = [i for value in re.findall(r'aria-describedby="([^"]*)"', html) for i in value.split()]
    return [i for i in wanted if i not in ids]


def test_every_aria_describedby_of_the_forms_points_at_a_printed_id(commune_a, client_as):
    referent = make_member(commune_a, Role.REFERENT, "referent-aide")
    child = make_child(commune_a)
    case = open_case(
        commune=commune_a, user=referent, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )
    client = client_as(referent)
    slug = {"commune": commune_a.slug}
    pages = [
        reverse("imports:upload", kwargs=slug),
        reverse("cases:open", kwargs=slug),
        reverse("cases:detail", kwargs={**slug, "pk": case.pk}),
        reverse("documents:case_letters", kwargs={**slug, "case": case.pk}),
        reverse("meetings:create", kwargs=slug),
        reverse("indicators:index", kwargs=slug),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "aria-describedby" in html or url.endswith(("/indicateurs/", "/nouvelle/")), url
        assert not dangling_descriptions(html), (url, dangling_descriptions(html))
    # With errors too: the refused upload prints its errors with the ids the fields point at.
    refused = client.post(reverse("imports:upload", kwargs=slug), {"kind": "inconnu"}).content.decode()
    assert not dangling_descriptions(refused), dangling_descriptions(refused)


@pytest.mark.parametrize(
    ("url", "heading", "must"),
    [
        (
            "/accessibilite/",
            "Déclaration d'accessibilité",
            ["partiellement conforme", "RGAA 4.1", "Défenseur des droits"],
        ),
        (
            "/mentions-legales/",
            "Mentions légales",
            ["Hébergement", "Directeur ou directrice de la publication"],
        ),
        ("/donnees-personnelles/", "Données personnelles", ["16 ans", "droit d'accès", "CNIL", "R131-10-1"]),
    ],
)
def test_the_legal_pages_are_open_to_everyone_and_linked_from_every_footer(client, url, heading, must):
    page = client.get(url).content.decode()
    assert f"<h1>{heading}</h1>".replace("'", "&#x27;") in page or f"<h1>{heading}</h1>" in page
    for text in must:
        assert text.replace("'", "&#x27;") in page or text in page, text
    login = client.get(reverse("accounts:login")).content.decode()
    assert f'href="{url}"' in login


def test_the_legal_pages_print_the_operator_from_the_settings_and_invent_none(client, settings):
    assert "à renseigner par l'exploitant" in client.get("/mentions-legales/").content.decode()
    settings.OPERATOR = {**settings.OPERATOR, "name": "Commune d'Essai-sur-Mer", "host": "Hébergeur d'essai"}
    page = client.get("/mentions-legales/").content.decode()
    assert "Commune d&#x27;Essai-sur-Mer" in page and "Hébergeur d&#x27;essai" in page


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


def test_numbers_dates_and_codes_read_in_french_on_every_page():
    assert render("{{ n|nombre }} enfants", n=1000) == "1\u202f000 enfants"
    assert render("{{ n|nombre }} j", n=19.5) == "19,5 j"
    assert render('{{ d|date:"j F Y" }}', d=date(2026, 12, 1)) == "1er décembre 2026"
    assert render('{{ d|date:"l j F Y" }}', d=date(2026, 12, 2)) == "mercredi 2 décembre 2026"
    assert render('{{ d|date:"d/m/Y" }}', d=date(2026, 12, 1)) == "01/12/2026"
    assert render("{{ s|jour }}", s="2023-01-24") == "24/01/2023"
    assert render("{{ c|libelle }}", c="MEDICO_SOCIAL") == "Établissement médico-social"
    assert render("{{ c|libelle }}", c="PRIVE") == "Établissement privé hors contrat"
    assert render("{{ c|libelle }}", c="confirm_alert") != "confirm_alert"
    assert render("{{ d|journal }}", d="2026-09-01..2027-08-31") == "du 01/09/2026 au 31/08/2027"


def test_each_section_of_the_open_form_names_origins_that_exist(commune_a, client_as):
    html = client_as(make_member(commune_a, Role.REFERENT, "referent-origines")).get(
        reverse("cases:open", kwargs={"commune": commune_a.slug})
    )
    sections = re.findall(r'data-selon="origin" data-valeurs="([^"]+)"', html.content.decode())
    assert len(sections) == 5
    named = {value for values in sections for value in values.split()}
    assert named == {o.value for o in Origin if o != Origin.LINKED}
