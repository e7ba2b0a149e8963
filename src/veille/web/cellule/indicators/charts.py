"""Bar charts as plain SVG, drawn on the server: no script, printable, and each one paired with the table
of its figures in the page (the SVG is ``aria-hidden``; screen readers read the table)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from veille.web.common.ui.templatetags.fr import format_number

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 330
BAR_WIDTH = 300
VALUE_WIDTH = 60


def _short(label: str, limit: int = 44) -> str:
    # About 7 units per character at font size 13: longer labels ran off the left edge of the chart.
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(rows: Sequence[tuple[str, int | float | None]], *, unit: str = "") -> SafeString:
    """Horizontal bars, one per (label, value); the value is written at the end of each bar, so that
    the chart reads without colour and in black and white. ``None`` is drawn as « — » (no figure)."""
    top = max((v for _, v in rows if v is not None), default=0) or 1
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="graphique" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-hidden="true" focusable="false">'
    ]
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2 + 5
        length = 0 if value is None else max(round(BAR_WIDTH * value / top), 2 if value else 0)
        shown = "—" if value is None else format_number(value, 1) + unit.replace(" ", "\u00a0")
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" font-size="13" fill="#1e1e1e">'
            f"{escape(_short(label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" fill="#000091" '
            f'stroke="#000091"/>'
            f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" font-size="13" font-weight="bold" '
            f'fill="#1e1e1e">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text is escaped above
