"""A meeting's minutes as PDF, in the shape the regional networks use."""

from __future__ import annotations

from django.template.loader import render_to_string

from veille.web.common.pdf import html_to_pdf

from .models import Meeting


def minutes_pdf(meeting: Meeting) -> bytes:
    """Météo du jour, actualités nationales / régionales / locales, actions, décisions, prochaine réunion."""
    html = render_to_string(
        "governance/minutes_pdf.html",
        {
            "meeting": meeting,
            "cite": meeting.cite,
            "attendances": meeting.attendances.select_related("member__user", "partner"),
            "decisions": meeting.decisions.select_related("action", "commitment"),
            "actions": meeting.presented_actions.all(),
        },
    )
    return html_to_pdf(html)
