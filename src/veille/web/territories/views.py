from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from veille.web.accounts.access import member_required


@member_required()
def commune_home(request: HttpRequest) -> HttpResponse:
    return render(request, "veille/commune_home.html")
