"""Headers every answer carries: the Content-Security-Policy, and no caching of what pages show.

Written here rather than with django-csp: the policy is one constant (Veille has no inline script
and needs no nonce), and Django's SecurityMiddleware already does HSTS and the other headers.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

#: No inline script nor ``eval`` (htmx runs with ``allowEval`` off, see base.html); styles may be
#: inline (a few ``style`` attributes and htmx's indicator rule), which runs no code.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeaders:
    """CSP on every answer; ``Cache-Control: no-store`` on every answer of the application.

    Every page of Veille may show personal data (children, cases, a new member's password, the
    review, exports), so none may be kept by the browser's or a proxy's cache: keyed on all views,
    a new page cannot forget it. Static files are served before this middleware and stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response["Cache-Control"] = "no-store"
        return response
