"""The pages the law asks of a public service's website: accessibility statement (RGAA 4.1, loi
2005-102 art. 47), legal notice (loi 2004-575 art. 6), personal data (RGPD art. 13 and 14). Open to
everyone, logged in or not: a person must be able to read them before logging in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .accessibility import AUDIT


def _operator() -> dict[str, str]:
    return dict(getattr(settings, "OPERATOR", {}))


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/accessibilite.html", {"operator": _operator(), "audit": AUDIT})


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/mentions_legales.html", {"operator": _operator()})


@require_GET
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "ui/donnees_personnelles.html", {"operator": _operator()})
