"""HTML → PDF with WeasyPrint, fetching nothing from outside: the letterhead logo travels inline."""

from __future__ import annotations

import base64
import logging
from typing import Any

import weasyprint
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def html_to_pdf(html: str) -> bytes:
    """Render a full HTML page to PDF bytes.

    Only ``data:`` URLs are fetched: an edited template must not read the server's files
    (``file://``) nor call out (``http://``).
    """
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf()


def logo_type(head: bytes) -> str | None:
    """The MIME type of a PNG or JPEG file from its first bytes, else ``None``."""
    return next((mime for magic, mime in LOGO_TYPES.items() if head.startswith(magic)), None)


def logo_data_uri(commune: Any) -> str:
    """The commune's logo as a ``data:`` URI, or an empty string when there is none or it is unreadable."""
    if not commune.logo:
        return ""
    try:
        with commune.logo.open("rb") as f:
            content = f.read()
    except OSError:
        logger.warning("logo illisible pour la commune %s", commune.pk)
        return ""
    mime = logo_type(content[:8])
    if mime is None:
        return ""
    return f"data:{mime};base64,{base64.b64encode(content).decode('ascii')}"


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render one of the application's own page templates (trusted) to PDF; adds the letterhead."""
    commune = context["commune"]
    html = render_to_string(template_name, {**context, "logo": logo_data_uri(commune)})
    return html_to_pdf(html)
