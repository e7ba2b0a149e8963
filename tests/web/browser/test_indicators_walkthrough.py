"""Issue 4 « Done when » in a real browser: on the seeded demo, the référent opens the dashboard, sees the
seven indicators and the funnel of the current school year computed from the demo cases, downloads the
yearly report (PDF rendered to PNG and looked at, XLSX read back), and the préfecture's account sees
the department's aggregate with small counts masked « < 5 ».

The figures expected are recounted here with the ORM from the ``CaseEvent`` rows the demo wrote, not
copied from the indicators app.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.db.models import Q
from django.utils import timezone
from playwright.sync_api import expect

from veille.compulsory import SchoolYear
from veille.web.cellule.cases.models import Case, CaseEvent, Origin
from veille.web.cellule.imports.models import Outcome
from veille.web.common.accounts.models import User
from veille.web.common.audit.models import Action, AuditEvent
from veille.web.demo.seed import COMMUNE_A, COMMUNE_B, DEMO_ACCOUNTS

from .conftest import SCREENSHOTS, check_accessibility, login, render_pdf_page, shoot

pytestmark = pytest.mark.browser

ACCOUNTS = {a.username: a for a in DEMO_ACCOUNTS}


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    """Communes, accounts, 1000 children imported and crossed, the demo cases with their past dates."""
    from veille.web.demo.seed import BASE_STEPS, cross, import_files, open_cases, seed_demo

    settings.DATA_DIR = tmp_path
    return seed_demo(
        children=1000,
        school_year=str(SchoolYear.current()),
        force=True,
        say=lambda line: None,
        steps=[*BASE_STEPS, import_files, cross, open_cases],
    )


def log_in_as(page, username: str) -> None:
    page.context.clear_cookies()
    first_time = not User.objects.get(username=username).has_accepted_charter
    login(page, username, ACCOUNTS[username].password, accept_charter=first_time)


def in_year(year: SchoolYear) -> Q:
    """Events dated in the school year: the day the act happened, else the day it was recorded."""
    start, end = date(year.first, 9, 1), date(year.first + 1, 8, 31)
    return Q(effective_date__range=(start, end)) | Q(effective_date=None, at__date__range=(start, end))


def count_events(commune, year: SchoolYear, *kinds: str) -> int:
    return CaseEvent.objects.filter(in_year(year), case__commune=commune, kind__in=kinds).count()


def count_cases(commune, year: SchoolYear, *kinds: str) -> int:
    events = CaseEvent.objects.filter(in_year(year), case__commune=commune, kind__in=kinds)
    return events.values("case").distinct().count()


def row_value(table, label: str) -> str:
    """The figure of the row headed ``label`` in a table of the dashboard."""
    row = table.locator("tbody tr").filter(has=table.page.get_by_role("rowheader", name=label, exact=True))
    expect(row).to_have_count(1)
    return row.locator("td.nombre").first.inner_text().strip()


def masked(value: int) -> str:
    return "< 5" if 1 <= value <= 4 else str(value)


def test_the_referent_reads_the_indicators_and_the_prefecture_the_masked_department(page, demo):
    commune = demo.communes[COMMUNE_A.slug]
    year = SchoolYear.current(timezone.localdate())
    last_year = SchoolYear(year.first - 1)
    assert Case.objects.filter(commune=commune).count() >= 15

    # What the demo cases say, recounted from their events.
    expected = {
        "Déscolarisations constatées": count_cases(commune, year, "confirm_alert"),
        "Mises en demeure de régularisation adressées aux familles": count_events(
            commune, year, "send_formal_notice"
        ),
        # Every referral to the procureur, whatever the domain (docs/indicateurs.md, indicator 5).
        "Signalements au procureur de la République": count_events(
            commune,
            year,
            "refer_to_prosecutor",
            "refer_contravention",
            "refer_director",
            "refer_not_closed",
            "refer_place",
        ),
        "Contrôles de l'instruction dans la famille par l'Éducation nationale": count_events(
            commune, year, "control_satisfactory", "control_insufficient", "second_control_insufficient"
        ),
    }
    # The demo spreads its acts over both years: figures of zero everywhere would prove nothing.
    assert expected["Déscolarisations constatées"] >= 5
    assert expected["Mises en demeure de régularisation adressées aux familles"] >= 2
    assert count_events(commune, last_year, "refer_to_prosecutor") >= 1

    log_in_as(page, "referent")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Indicateurs").click()
    expect(page.locator("h1")).to_have_text("Indicateurs de la cellule")
    expect(page.get_by_label("Année scolaire", exact=True)).to_have_value(str(year))

    # The seven indicators (eight rows: indicator 2 has two parts), each with its definition.
    indicators = page.locator("section[aria-labelledby=t-indicateurs] table")
    rows = indicators.locator("tbody tr")
    expect(rows).to_have_count(8)
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(8)] == [
        "1", "2a", "2b", "3", "4", "5", "6", "7"
    ]  # fmt: skip
    for label, value in expected.items():
        assert row_value(indicators, label) == str(value), label

    # The funnel of the school year, against the crossing's outcomes and the cases opened from it.
    funnel = page.get_by_role("table", name=f"Entonnoir de l'année scolaire {year}", exact=False)
    crossed = (
        Outcome.objects.of_latest_run(commune)
        .filter(status__in=["rapproche", "incertain", "non_trouve"])
        .count()
    )
    opened = (
        CaseEvent.objects.filter(in_year(year), case__commune=commune, kind="opening")
        .filter(case__origin=Origin.CROSSING)
        .values("case")
        .distinct()
        .count()
    )
    alerts = (
        Case.objects.filter(commune=commune, origin=Origin.CROSSING, events__kind="confirm_alert")
        .filter(pk__in=CaseEvent.objects.filter(in_year(year), kind="opening").values("case"))
        .distinct()
        .count()
    )
    assert opened >= 5
    assert row_value(funnel, "Enfants croisés") == str(crossed)
    assert row_value(funnel, "Dossiers ouverts") == str(opened)
    assert row_value(funnel, "Alertes") == str(alerts)
    expect(funnel).to_contain_text("Issue : Rescolarisés")

    # The trend across school years shows last year's referrals to the Parquet.
    trend = page.get_by_role("table", name="Indicateurs par année scolaire")
    expect(trend.locator("thead")).to_contain_text(str(last_year))
    check_accessibility(page)
    shoot(page, "40-indicateurs-tableau-de-bord")

    # The yearly report: PDF (rendered to an image and checked), then XLSX.
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le bilan (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf[:5] == b"%PDF-" and download.value.suggested_filename.startswith(f"bilan-{commune.slug}-")
    image = render_pdf_page(pdf, SCREENSHOTS / "41-bilan-annuel-page-1.png")
    assert image.variance > 200, "la première page du bilan est blanche"
    assert image.filled_rows > 0.3, "la première page du bilan n'a que son en-tête"
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert COMMUNE_A.name in text and "Indicateurs de résultat" in text

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le bilan (tableur XLSX)").click()
    from openpyxl import load_workbook

    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    assert workbook.sheetnames == ["Indicateurs", "Entonnoir", "Délais", "Évolution"]
    cells = [c for row in workbook["Indicateurs"].iter_rows(values_only=True) for c in row]
    assert "Mises en demeure de régularisation adressées aux familles" in cells
    assert (
        AuditEvent.objects.filter(
            commune=commune, action=Action.EXPORT, object_type="indicators.report"
        ).count()
        == 2
    )

    # The préfecture: every commune of the department, small counts masked, no total that would tell.
    log_in_as(page, "prefecture")
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Indicateurs").click()
    page.get_by_role("link", name="Voir toutes les communes du département").click()
    expect(page.locator("h1")).to_contain_text(commune.department or COMMUNE_A.insee_code[:2])
    table = page.get_by_role("table", name=f"Indicateurs de résultat par commune, année scolaire {year}")
    headers = table.locator("thead th")
    expect(headers.nth(1)).to_contain_text(COMMUNE_B.name)
    expect(headers.nth(2)).to_contain_text(COMMUNE_A.name)
    notices = count_events(commune, year, "send_formal_notice")
    alerts_a = count_cases(commune, year, "confirm_alert")
    referrals = expected["Signalements au procureur de la République"]
    shown = (
        ("3. Mises en demeure", notices),
        ("1. Déscolarisations", alerts_a),
        ("5. Signalements", referrals),
    )
    for label, value in shown:
        row = table.locator("tbody tr").filter(has_text=label)
        cells = row.locator("td")
        assert cells.nth(1).inner_text().strip() == masked(value), label
        total = cells.nth(2).inner_text().strip()
        assert total == ("non donné (valeur masquée)" if masked(value) == "< 5" else str(value)), label
    # Which figure is small depends on the day of the school year the demo is seeded: one at least is.
    assert any(1 <= value <= 4 for _, value in shown), "la démonstration doit montrer un effectif masqué"
    check_accessibility(page)
    shoot(page, "42-indicateurs-departement-prefecture")
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="indicators.department").exists()
