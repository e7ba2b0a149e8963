"""Before anything else: the second factor checked when the person set one, a provisional password
replaced, the charter accepted."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from veille.web.common.links import cached_reverse

SECOND_FACTOR_CHECKED = "veille_totp_ok"


class CharterAndSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        open_paths = (
            settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
        )
        if user.is_authenticated and not request.path.startswith(open_paths):
            verify, charter = cached_reverse("accounts:totp_verify"), cached_reverse("accounts:charter")
            password = cached_reverse("accounts:password_change")
            exempt = {verify, charter, password, cached_reverse("accounts:logout")}
            if user.totp_enabled and not request.session.get(SECOND_FACTOR_CHECKED):
                if request.path not in exempt:
                    return redirect(f"{verify}?next={request.get_full_path()}")
            elif user.must_change_password and request.path not in exempt:
                # The provisional password went through the référent's hands: it is replaced first.
                return redirect(f"{password}?next={request.get_full_path()}")
            elif not user.has_accepted_charter and request.path not in exempt:
                return redirect(f"{charter}?next={request.get_full_path()}")
        return self.get_response(request)
