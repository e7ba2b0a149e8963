"""Revue de projet: figures on a hand-built cité, the editable draft, PDF and DOCX exports, permissions."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from pypdf import PdfReader

from veille.web.cite.actions.models import Execution, Indicator, IndicatorValue, Status
from veille.web.cite.cites.models import Trace
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.funds.models import Contribution, Contributor
from veille.web.cite.governance.models import Instance, Meeting
from veille.web.cite.review.figures import review_figures
from veille.web.cite.review.models import ProtocolEntry, Review

from .cite_support import make_action, make_cite, make_cite_member, url


@pytest.fixture
def cite(db):
    cite = make_cite()
    action = make_action(
        cite,
        status=Status.IN_PROGRESS,
        title="Club lecture du mercredi",
        budget={
            (2025, "etat_147"): "20000",
            (2025, "fonds_cite"): "8000",
            (2025, "commune"): "9000",
            (2025, "departement"): "3000",
            (2025, "caf"): "5000",
            (2024, "commune"): "1000",
        },
    )
    for contributor, amount in (
        (Contributor.MINISTRY_CITY, 15000),
        (Contributor.EDUCATION, 15000),
        (Contributor.COMMUNE, 10000),
    ):
        Contribution.objects.create(cite=cite, year=2025, contributor=contributor, amount=Decimal(amount))
    Execution.objects.create(action=action, year=2025, committed=Decimal("30000"), paid=Decimal("12000.40"))
    indicator = Indicator.objects.create(
        action=action, kind="resultats", label="Lecteurs inscrits", target=Decimal(60)
    )
    IndicatorValue.objects.create(indicator=indicator, year=2025, value=Decimal(45))
    IndicatorValue.objects.create(indicator=indicator, year=2024, value=Decimal(30))
    make_action(cite, status=Status.PROPOSED, budget={(2025, "etat_147"): "99999"})  # not counted
    instance = Instance.objects.create(cite=cite, kind=Instance.Kind.STEERING, name="Comité de pilotage")
    Meeting.objects.create(cite=cite, instance=instance, held_on=dt.date(2025, 5, 20))
    Meeting.objects.create(cite=cite, instance=instance, held_on=dt.date(2024, 5, 20))
    return cite


def test_the_review_figures_match_the_hand_computed_ones(cite):
    f = review_figures(cite, 2025)
    assert f.co_financing.state == Decimal("26000.00")
    assert f.co_financing.collectivities == Decimal("14000.00")
    assert f.co_financing.state_percent == Decimal("65.0")
    assert dict(f.by_funder)["Crédits État (programme 147)"] == Decimal("20000")
    assert sum(amount for _, amount in f.by_funder) == Decimal("45000")
    assert f.fund.contributions == Decimal("40000")
    [row] = f.indicators
    assert (row.value, row.previous, row.reached_percent) == (Decimal(45), Decimal(30), Decimal(75))
    assert f.this_year.planned == Decimal("45000") and f.last_year.planned == Decimal("1000")
    assert f.this_year.paid == Decimal("12000.40")
    assert (f.this_year.meetings, f.last_year.meetings) == (1, 1)
    [block] = f.blocks
    assert block.title.startswith("Objectif 1") and block.planned == Decimal("45000")


def test_the_cpo_drafts_edits_and_exports_the_review(cite, client_as):
    client = client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD))
    response = client.post(url("review:create"), {"year": 2025})
    assert response.status_code == 302
    review = Review.objects.get(cite=cite, year=2025)
    finances = review.sections.get(key="finances")
    assert "collectivités : 65 %" in finances.text
    page = client.get(url("review:detail", year=2025))
    assert page.status_code == 200 and "Club lecture du mercredi" in page.content.decode()
    client.post(url("review:detail", year=2025), {"section-perspectives": "Ouvrir un second club en 2026."})
    assert review.sections.get(key="perspectives").text == "Ouvrir un second club en 2026."
    assert Trace.objects.filter(cite=cite, object_type="review.review", verb="modification").exists()

    pdf = client.get(url("review:pdf", year=2025))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Ouvrir un second club en 2026." in text and "Lecteurs inscrits" in text and "75 %" in text

    word = client.get(url("review:docx", year=2025))
    document = docx.Document(io.BytesIO(word.content))
    paragraphs = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "Ouvrir un second club en 2026." in paragraphs
    assert "Lecteurs inscrits (action 1)" in cells and "75 %" in cells


def test_the_protocol_is_prefilled_from_the_validated_actions(cite, client_as):
    client = client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD))
    client.post(url("review:protocol_prefill"))
    client.post(url("review:protocol_prefill"))  # twice adds nothing
    [entry] = ProtocolEntry.objects.filter(cite=cite)
    assert entry.indicator.label == "Lecteurs inscrits" and entry.kind == "resultats"
    client.post(
        url("review:protocol_add"),
        {
            "kind": "territorial",
            "territorial_label": "Retard à l'entrée en 6e",
            "source": "DEPP",
            "frequency": "annee_scolaire",
        },
    )
    assert ProtocolEntry.objects.filter(cite=cite, kind="territorial").count() == 1


@pytest.mark.parametrize("role", [CiteRole.TROIKA, CiteRole.PARTNER, CiteRole.OBSERVER])
def test_only_the_cpo_writes_the_review(cite, client_as, role):
    Review.objects.create(cite=cite, year=2025)
    client = client_as(make_cite_member(cite, role))
    assert client.post(url("review:create"), {"year": 2025}).status_code == 403
    assert client.post(url("review:protocol_prefill")).status_code == 403
    assert client.post(url("review:detail", year=2025), {"section-synthese": "x"}).status_code == 403
    assert client.get(url("review:detail", year=2025)).status_code == 200


def test_a_member_of_another_cite_gets_404(cite, client_as):
    Review.objects.create(cite=cite, year=2025)
    other = make_cite("autre-cite", "Cité des Acacias")
    client = client_as(make_cite_member(other, CiteRole.PROJECT_LEAD))
    assert client.get(url("review:detail", year=2025)).status_code == 404
    assert client.get(url("review:pdf", cite="autre-cite", year=2025)).status_code == 404
