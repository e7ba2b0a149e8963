"""What the dashboard shows, once, for the page, the yearly report (PDF) and its workbook (XLSX)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from veille.compulsory import SchoolYear
from veille.spreadsheet_safety import neutralise_row
from veille.web.common.pdf import render_pdf

from .charts import bar_chart
from .computations import Period, school_year_period
from .definitions import INDICATORS, Indicator
from .queries import (
    NO_FILTER,
    Filters,
    Funnel,
    funnel,
    indicator_values_by_period,
    overdue_cases,
    trend_years,
)


@dataclass
class Dashboard:
    commune: Any
    period: Period
    year: SchoolYear
    filters: Filters
    today: date
    rows: list[tuple[Indicator, int]]
    funnel: Funnel
    trends: list[tuple[SchoolYear, dict[str, int]]]
    overdue: int

    @property
    def indicators_chart(self) -> str:
        return bar_chart([(f"{i.number}. {i.label}", n) for i, n in self.rows])

    @property
    def funnel_chart(self) -> str:
        return bar_chart([(s.label, s.value) for s in [*self.funnel.steps, *self.funnel.outcomes]])

    @property
    def delays_chart(self) -> str:
        return bar_chart([(label, value) for label, value, _ in self.funnel.delays], unit=" j")

    def trend_charts(self) -> list[tuple[Indicator, str, list[tuple[str, int]]]]:
        """Per indicator: its chart across school years and the (year, value) rows of its table."""
        charts: list[tuple[Indicator, str, list[tuple[str, int]]]] = []
        for indicator in INDICATORS:
            rows = [(str(year), values[indicator.key]) for year, values in self.trends]
            charts.append((indicator, bar_chart(rows), rows))
        return charts

    @property
    def trend_years(self) -> list[str]:
        return [str(year) for year, _ in self.trends]

    def trend_table(self) -> list[tuple[Indicator, list[int]]]:
        return [(i, [values[i.key] for _, values in self.trends]) for i in INDICATORS]


def build_dashboard(
    commune: Any, *, period: Period, year: SchoolYear, today: date, filters: Filters = NO_FILTER
) -> Dashboard:
    """Everything the dashboard and the yearly report show; the funnel and trends follow ``year``."""
    # The period and the trends' school years counted together: one reading of the events.
    years = trend_years(commune, year)
    values, *yearly = indicator_values_by_period(
        commune, [period, *(school_year_period(y) for y in years)], filters
    )
    return Dashboard(
        commune=commune,
        period=period,
        year=year,
        filters=filters,
        today=today,
        rows=[(i, values[i.key]) for i in INDICATORS],
        funnel=funnel(commune, year, today, filters),
        trends=list(zip(years, yearly, strict=True)),
        overdue=overdue_cases(commune, today, filters),
    )


def report_pdf(dashboard: Dashboard) -> bytes:
    """The *bilan annuel de la cellule* as PDF, on the commune's letterhead."""
    return render_pdf("indicators/report_pdf.html", {"commune": dashboard.commune, "d": dashboard})


def report_xlsx(dashboard: Dashboard) -> bytes:
    """The same figures as a workbook: indicators, funnel, delays and trends, one sheet each."""
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list[Any]], *, first: bool = False) -> None:
        ws = book.active if first else book.create_sheet()
        ws.title = title
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            # openpyxl stores a text beginning with "=" as a formula: every text cell is neutralised.
            ws.append(neutralise_row(row))
        ws.column_dimensions["A"].width = 10
        ws.column_dimensions["B"].width = 60

    commune, period = dashboard.commune, dashboard.period
    filters = ", ".join(dashboard.filters.describe()) or "aucun"
    sheet(
        "Indicateurs",
        ["n°", "indicateur", "valeur", "définition"],
        [[i.number, i.label, n, i.definition] for i, n in dashboard.rows]
        + [
            [],
            ["", f"Commune : {commune.name} ({commune.insee_code})"],
            ["", f"Période : {period.label}"],
            ["", f"Filtres : {filters}"],
            ["", f"Dossiers en retard sur leur échéance le {dashboard.today:%d/%m/%Y} : {dashboard.overdue}"],
        ],
        first=True,
    )  # fmt: skip
    sheet(
        "Entonnoir",
        ["clé", "étape", "valeur", "définition"],
        [
            [s.key, s.label, s.value, s.definition]
            for s in [*dashboard.funnel.steps, *dashboard.funnel.outcomes]
        ]
        + [["en_retard", "Dossiers de l'année en retard sur leur échéance", dashboard.funnel.overdue, ""]],
    )
    sheet(
        "Délais",
        ["", "délai", "médiane (jours)", "dossiers mesurés"],
        [["", label, value, count] for label, value, count in dashboard.funnel.delays],
    )
    sheet(
        "Évolution",
        ["n°", "indicateur", *dashboard.trend_years],
        [[i.number, i.label, *values] for i, values in dashboard.trend_table()],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
