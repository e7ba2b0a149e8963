"""The dashboard, the yearly report (PDF, XLSX), the anonymous export and the préfecture's page."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from veille.web.cellule.indicators import aggregates
from veille.web.cellule.indicators.models import AggregateReport
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import Action, AuditEvent
from veille.web.common.territories.models import Commune

from .cases_support import quick_member
from .indicators_support import build_history

YEAR_2024 = {"annee": "2024-2025"}
WITHOUT_INDICATORS = [Role.CAF, Role.PROSECUTOR, Role.AUDITOR]
WITH_INDICATORS = [Role.REFERENT, Role.AGENT, Role.EDUCATION, Role.PREFECTURE, Role.DEPARTMENT, Role.READER]
PAGES = ["index", "report_pdf", "report_xlsx", "export_json", "export_csv"]


def url(name, commune):
    return reverse(f"indicators:{name}", kwargs={"commune": commune.slug})


@pytest.fixture
def history(commune_a):
    return build_history(commune_a)


@pytest.mark.parametrize("role", WITHOUT_INDICATORS)
@pytest.mark.parametrize("page", PAGES)
def test_roles_without_the_indicators_get_a_403(commune_a, client_as, role, page):
    response = client_as(quick_member(commune_a, role)).get(url(page, commune_a), YEAR_2024)
    assert response.status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_a_member_of_another_commune_gets_a_404(commune_a, commune_b, client_as, page):
    stranger = quick_member(commune_b, Role.REFERENT)
    assert client_as(stranger).get(url(page, commune_a), YEAR_2024).status_code == 404


@pytest.mark.parametrize("role", WITH_INDICATORS)
def test_the_dashboard_shows_the_indicators_with_their_definitions(commune_a, client_as, history, role):
    response = client_as(quick_member(commune_a, role)).get(url("index", commune_a), YEAR_2024)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mises en demeure de régularisation adressées aux familles" in page
    # The definition names the step counted in words, never by its code (issue 13).
    assert (
        "Mise en demeure de la DASEN d&#x27;inscrire l&#x27;enfant (15 jours)" in page
        and "send_formal_notice" not in page
    )
    assert "<svg" in page and "<caption>" in page
    rows = {i.key: n for i, n in response.context["d"].rows}
    assert rows["descolarisations"] == 3 and rows["stages_parentalite"] == 1
    entry = AuditEvent.objects.get(action=Action.VIEW, object_type="indicators.dashboard")
    assert entry.detail.startswith("2024-09-01..2025-08-31")


def test_the_dashboard_follows_the_filters_of_the_form(commune_a, client_as, history):
    client = client_as(quick_member(commune_a, Role.AGENT))
    response = client.get(url("index", commune_a), {**YEAR_2024, "trimestre": "1", "tranche": "11-15"})
    rows = {i.key: n for i, n in response.context["d"].rows}
    assert rows["descolarisations"] == 1 and rows["enquetes"] == 0  # case6's enquiry is in January
    response = client.get(url("index", commune_a), {**YEAR_2024, "du": "2025-03-01", "au": "2025-03-01"})
    assert {i.key: n for i, n in response.context["d"].rows}["rescolarisations"] == 1


def test_a_period_ending_before_it_starts_is_refused_in_french(commune_a, client_as, history):
    client = client_as(quick_member(commune_a, Role.AGENT))
    response = client.get(url("index", commune_a), {**YEAR_2024, "du": "2025-03-01", "au": "2025-01-01"})
    assert response.context["d"] is None
    assert "La fin de la période est avant son début." in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="indicators.dashboard").exists()


def test_the_menu_links_the_dashboard_for_the_roles_that_see_it(commune_a, client_as):
    home = reverse("cellule:home", kwargs={"commune": commune_a.slug})
    assert (
        url("index", commune_a) in client_as(quick_member(commune_a, Role.READER)).get(home).content.decode()
    )
    caf_page = client_as(quick_member(commune_a, Role.CAF)).get(home).content.decode()
    assert url("index", commune_a) not in caf_page


def test_the_yearly_report_is_a_pdf_with_the_letterhead_and_the_indicators(commune_a, client_as, history):
    commune_a.address = "1 place de la Mairie\n59999 Villeneuve-sur-Fictif"
    commune_a.save()
    response = client_as(quick_member(commune_a, Role.REFERENT)).get(url("report_pdf", commune_a), YEAR_2024)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    assert "Mairie de Villeneuve-sur-Fictif" in text
    assert "1 place de la Mairie" in text
    assert "Bilan de la cellule" in text and "année scolaire 2024-2025" in text
    assert "Signalements au procureur de la République" in text
    assert "Enfants croisés" in text
    entry = AuditEvent.objects.get(action=Action.EXPORT, object_type="indicators.report")
    assert entry.detail.startswith("pdf ")


def test_the_yearly_report_workbook_holds_the_figures(commune_a, client_as, history):
    response = client_as(quick_member(commune_a, Role.EDUCATION)).get(
        url("report_xlsx", commune_a), YEAR_2024
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Indicateurs", "Entonnoir", "Délais", "Évolution"]
    figures = {row[1]: row[2] for row in book["Indicateurs"].iter_rows(min_row=2, values_only=True) if row[0]}
    assert figures["Mises en demeure de régularisation adressées aux familles"] == 4
    assert figures["Déscolarisations constatées"] == 3
    trend = [row for row in book["Évolution"].iter_rows(values_only=True)]
    assert trend[0][2:] == ("2023-2024", "2024-2025")
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="indicators.report").count() == 1


def test_the_anonymous_export_masks_small_counts(commune_a, client_as, history):
    response = client_as(quick_member(commune_a, Role.AGENT)).get(url("export_json", commune_a), YEAR_2024)
    document = json.loads(response.content)
    assert document["format"] == "veille-indicateurs" and document["version"] == 1
    assert document["code_insee"] == "59999"
    assert document["periode"] == {"debut": "2024-09-01", "fin": "2025-08-31"}
    values = {v["indicateur"]: v["valeur"] for v in document["valeurs"]}
    assert values == dict.fromkeys(values, "< 5")  # every figure of the history is 1 to 4
    assert AuditEvent.objects.get(action=Action.EXPORT, object_type="indicators.aggregate")


def test_the_csv_export_keeps_zeros_and_masks_the_rest(commune_a, client_as, history):
    response = client_as(quick_member(commune_a, Role.AGENT)).get(
        url("export_csv", commune_a), {"annee": "2023-2024"}
    )
    lines = response.content.decode().splitlines()
    assert lines[0] == "format;version;code_insee;commune;debut;fin;indicateur;valeur"
    assert (
        "veille-indicateurs;1;59999;Villeneuve-sur-Fictif;2023-09-01;2024-08-31;descolarisations;< 5" in lines
    )
    assert "veille-indicateurs;1;59999;Villeneuve-sur-Fictif;2023-09-01;2024-08-31;signalements;0" in lines


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_export_imported_again_gives_the_same_figures(commune_a, client_as, history, fmt):
    response = client_as(quick_member(commune_a, Role.AGENT)).get(url(f"export_{fmt}", commune_a), YEAR_2024)
    read = aggregates.parse(response.content)
    assert read.insee_code == "59999" and read.period_start == date(2024, 9, 1)
    report = aggregates.store(read, user=None)
    assert report.department == "59"
    assert report.values_by_key() == read.values
    again = aggregates.store(aggregates.parse(response.content), user=None)  # a newer export replaces it
    assert list(AggregateReport.objects.all()) == [again]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": "autre", "version": 1}', "pas un export d'indicateurs"),
        (b'{"format": "veille-indicateurs", "version": 2}', "Version du format"),
        (
            b"format;version;code_insee;commune;debut;fin;indicateur;valeur\n"
            b"veille-indicateurs;1;59001;X;2024-09-01;2025-08-31;signalements;3\n",
            "doit être masqué",
        ),
        (
            b"format;version;code_insee;commune;debut;fin;indicateur;valeur\n"
            b"veille-indicateurs;1;59001;X;2024-09-01;2025-08-31;inconnu;7\n",
            "Indicateur inconnu",
        ),
        (b"a;b\n1;2\n", "colonnes attendues"),
    ],
)
def test_an_unsafe_or_unreadable_aggregate_is_refused(content, message):
    with pytest.raises(aggregates.AggregateFormatError, match=message):
        aggregates.parse(content)


# The préfecture's page


def department_export(insee: str, name: str, values: dict) -> bytes:
    document = {
        "format": "veille-indicateurs",
        "version": 1,
        "code_insee": insee,
        "commune": name,
        "periode": {"debut": "2024-09-01", "fin": "2025-08-31"},
        "valeurs": [{"indicateur": k, "valeur": v} for k, v in values.items()],
    }
    return json.dumps(document).encode()


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_the_prefecture_sees_every_commune_of_the_department_masked(commune_a, client_as, history):
    Commune.objects.create(name="Hors-Département", slug="ailleurs", insee_code="62001")
    prefecture = quick_member(commune_a, Role.PREFECTURE)
    client = client_as(prefecture)
    department_url = reverse("indicators_department:index")
    near = department_export("59002", "Lointaine", {"descolarisations": 12, "signalements": "< 5"})
    far = department_export("62002", "Autre-Département", {"descolarisations": 9})
    files = [upload("lointaine.json", near), upload("autre.json", far)]
    response = client.post(reverse("indicators_department:import"), {"fichiers": files})
    assert response.status_code == 302
    assert list(AggregateReport.objects.values_list("insee_code", flat=True)) == ["59002"]
    assert (
        AuditEvent.objects.filter(action=Action.CREATE, object_type="indicators.aggregatereport").count() == 1
    )
    response = client.get(department_url, YEAR_2024)
    assert response.status_code == 200
    assert [c["name"] for c in response.context["columns"]] == ["Lointaine", "Villeneuve-sur-Fictif"]
    rows = {row["indicator"].key: row for row in response.context["rows"]}
    assert rows["descolarisations"]["cells"] == [12, "< 5"]
    assert rows["descolarisations"]["total"] is None  # 12 + a masked 3 would give the 3 away
    assert rows["stages_parentalite"]["cells"] == [None, "< 5"]
    assert rows["controles_ief_mairie"]["total"] is None
    page = response.content.decode()
    assert "Hors-Département" not in page and "Autre-Département" not in page
    assert "&lt; 5" in page
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="indicators.department").count() == 1


def test_the_department_total_is_given_when_nothing_is_masked(commune_a, client_as):
    client = client_as(quick_member(commune_a, Role.PREFECTURE))
    content = department_export("59002", "Lointaine", {"signalements": 7})
    client.post(reverse("indicators_department:import"), {"fichiers": [upload("a.json", content)]})
    response = client.get(reverse("indicators_department:index"), YEAR_2024)
    rows = {row["indicator"].key: row for row in response.context["rows"]}
    assert rows["signalements"]["cells"] == [7, 0] and rows["signalements"]["total"] == 7


@pytest.mark.parametrize("role", [r for r in Role if r != Role.PREFECTURE])
def test_only_the_prefecture_sees_the_department(commune_a, client_as, role):
    client = client_as(quick_member(commune_a, role))
    assert client.get(reverse("indicators_department:index")).status_code == 403
    post = client.post(reverse("indicators_department:import"), {"fichiers": [upload("a.json", b"{}")]})
    assert post.status_code == 403
    assert not AggregateReport.objects.exists()


def test_the_prefecture_cannot_import_a_file_with_small_counts(commune_a, client_as):
    client = client_as(quick_member(commune_a, Role.PREFECTURE))
    content = department_export("59002", "Lointaine", {"signalements": 2})
    response = client.post(reverse("indicators_department:import"), {"fichiers": [upload("a.json", content)]},
                           follow=True)  # fmt: skip
    assert "doit être masqué" in response.content.decode()
    assert not AggregateReport.objects.exists()
