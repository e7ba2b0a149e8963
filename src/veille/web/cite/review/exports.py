"""The revue de projet as PDF (WeasyPrint) and DOCX (python-docx): the edited text and the figures."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, TypedDict

from django.template.loader import render_to_string
from docx import Document
from docx.document import Document as DocxDocument

from veille.web.cite.cites.templatetags.cites import euros, number_fr
from veille.web.common.pdf import html_to_pdf

from .figures import ReviewFigures, review_figures
from .models import Review

if TYPE_CHECKING:
    from veille.web.cite.cites.models import Cite

    from .models import ReviewSection


class _Context(TypedDict):
    """What both exports read: the PDF's template, and the DOCX built here."""

    review: Review
    cite: Cite
    sections: list[ReviewSection]
    f: ReviewFigures


def _context(review: Review) -> _Context:
    return {
        "review": review,
        "cite": review.cite,
        "sections": list(review.sections.all()),
        "f": review_figures(review.cite, review.year),
    }


def review_pdf(review: Review) -> bytes:
    return html_to_pdf(render_to_string("review/review_pdf.html", _context(review)))


def _fmt(value: object) -> str:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return euros(value) if value == value.quantize(Decimal("0.01")) else number_fr(value)
    return "—" if value is None else str(value)


def _table(doc: DocxDocument, header: list[str], rows: list[list[object]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = _fmt(value) if not isinstance(value, str) else value


def _figures_for(doc: DocxDocument, key: str, f: ReviewFigures) -> None:
    if key == "synthese":
        _table(
            doc,
            ["", str(f.year), str(f.year - 1)],
            [list(row) for row in f.comparison_rows()],
        )
    elif key == "gouvernance":
        _table(
            doc,
            ["Date", "Instance", "Décisions"],
            [[m.held_on.strftime("%d/%m/%Y"), str(m.instance), str(m.decisions.count())] for m in f.meetings],
        )
    elif key == "deploiement":
        for block in f.blocks:
            doc.add_heading(block.title, level=3)
            _table(
                doc,
                ["Action", "État", "Prévu", "Engagé", "Payé"],
                [
                    [str(r.action), r.action.get_status_display(), r.planned, r.committed, r.paid]
                    for r in block.rows
                ],
            )
    elif key == "finances":
        _table(
            doc, ["Financeur", f"Budget prévu {f.year}"], [[label, amount] for label, amount in f.by_funder]
        )
        share = f.co_financing.state_percent
        doc.add_paragraph(
            f"Fonds : contributions {euros(f.fund.contributions)}, engagé {euros(f.fund.committed)}, "
            f"payé {euros(f.fund.paid)}. État {euros(f.co_financing.state)}, collectivités "
            f"{euros(f.co_financing.collectivities)}, part de l'État "
            f"{number_fr(share) + ' %' if share is not None else '—'}."
        )
    elif key == "evaluation":
        _table(
            doc,
            ["Indicateur", "Cible", str(f.year), "Atteint", str(f.year - 1)],
            [
                [
                    f"{r.indicator.label} (action {r.indicator.action.number})",
                    number_fr(r.indicator.target),
                    number_fr(r.value),
                    f"{r.reached_percent} %" if r.reached_percent is not None else "—",
                    number_fr(r.previous),
                ]
                for r in f.indicators
            ],
        )
    elif key == "cellule":
        for title, values in f.cell:
            doc.add_heading(title, level=3)
            _table(doc, ["Indicateur", "Valeur"], [[label, str(v)] for label, v in values])


def review_docx(review: Review) -> bytes:
    context = _context(review)
    f = context["f"]
    doc = Document()
    doc.add_heading(f"{review.cite.name} — revue de projet {review.year}", level=0)
    for section in context["sections"]:
        doc.add_heading(section.title, level=1)
        for paragraph in section.text.split("\n"):
            if paragraph.strip():
                doc.add_paragraph(paragraph.strip())
        _figures_for(doc, section.key, f)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
