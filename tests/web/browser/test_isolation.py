"""A member of one commune sees nothing of another, even by typing its addresses."""

from __future__ import annotations

import re

import pytest

from veille.web.cellule.children.models import Child
from veille.web.demo.seed import COMMUNE_A, COMMUNE_B, DEMO_ACCOUNTS

from .conftest import check_accessibility, login, shoot

pytestmark = pytest.mark.browser

REFERENT_B = next(a for a in DEMO_ACCOUNTS if a.commune_slug == COMMUNE_B.slug)


def test_the_referent_of_commune_b_sees_nothing_of_commune_a(page, demo):
    login(page, REFERENT_B.username, REFERENT_B.password, accept_charter=True)
    page.wait_for_url(re.compile(rf"/communes/{COMMUNE_B.slug}/$"))
    assert COMMUNE_B.name in page.locator("h1").inner_text()
    assert COMMUNE_A.name not in page.content()
    shoot(page, "12-accueil-autre-commune")

    child_of_a = Child.objects.filter(commune=demo.communes[COMMUNE_A.slug]).first()
    addresses = [
        "",
        "journal/",
        "protection/purge/",
        "protection/exports/",
        "protection/droit-d-acces/",
        f"protection/droit-d-acces/{child_of_a.pk}/",
    ]
    for address in addresses:
        response = page.goto(f"/communes/{COMMUNE_A.slug}/{address}")
        assert response.status == 404, address
        assert page.locator("h1").inner_text() == "Page introuvable"
        html = page.content()
        assert COMMUNE_A.name not in html and child_of_a.last_name not in html
    check_accessibility(page)
    shoot(page, "13-page-introuvable")

    # The same addresses in the referent's own commune do open: the 404s above are not a broken URL.
    assert page.goto(f"/communes/{COMMUNE_B.slug}/journal/").status == 200
