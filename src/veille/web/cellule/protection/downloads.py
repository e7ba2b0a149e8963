"""Hand an encrypted archive to the browser once, without keeping its password anywhere.

The archive (encrypted, so harmless alone) waits in the user's session until it is downloaded,
then leaves the session; the password is only ever in the response that announces the archive.
"""

from __future__ import annotations

import base64
import secrets

from django.http import HttpRequest

from .archives import EncryptedExport

SESSION_KEY = "protection_exports"


def keep_for_download(request: HttpRequest, export: EncryptedExport, commune_slug: str) -> str:
    """Put the archive in the session and return the token of its download address."""
    token = secrets.token_urlsafe(16)
    waiting = dict(request.session.get(SESSION_KEY, {}))
    waiting[token] = {
        "commune": commune_slug,
        "filename": export.filename,
        "content": base64.b64encode(export.content).decode("ascii"),
    }
    request.session[SESSION_KEY] = waiting
    return token


def take_for_download(request: HttpRequest, token: str, commune_slug: str) -> tuple[str, bytes] | None:
    """The archive waiting under ``token`` in this commune, removed from the session; else ``None``."""
    waiting = dict(request.session.get(SESSION_KEY, {}))
    item = waiting.get(token)
    if item is None or item["commune"] != commune_slug:
        return None
    del waiting[token]
    request.session[SESSION_KEY] = waiting
    return item["filename"], base64.b64decode(item["content"])
