"""An idle session ends: its expiry is pushed back as the person works, at most once a minute.

Saving the session on every request (``SESSION_SAVE_EVERY_REQUEST``) would do the same with one
database write per page: on SQLite, every page of every worker would then wait for the single write
lock, and under 50 people the pages queued behind it (``bench/load.py``). Refreshed once a minute, a
session still ends between ``SESSION_COOKIE_AGE`` less a minute and ``SESSION_COOKIE_AGE`` after the
last request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

#: how often, at most, a working session's expiry is pushed back (seconds)
REFRESH_EVERY = 60
REFRESHED_AT = "veille_session_refreshed_at"


class IdleSessionRefresh:
    """Placed below ``SessionMiddleware``: it marks the session changed, which saves it with a new
    expiry, when its last refresh is more than :data:`REFRESH_EVERY` seconds old."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session that exists: an anonymous visit must not create one.
        if session is not None and session.session_key and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(REFRESHED_AT, 0)) >= REFRESH_EVERY:
                session[REFRESHED_AT] = now
        return response
