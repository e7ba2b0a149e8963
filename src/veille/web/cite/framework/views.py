"""The référentiel as the cité's members read it, with the cité's actions under each sub-objective."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse

from veille.web.cite.cites.access import CiteRequest, cite_member_required
from veille.web.cite.cites.rendering import render_cite
from veille.web.cite.cites.roles import CiteCapability

from .models import Framework


@cite_member_required(CiteCapability.VIEW)
def index(request: CiteRequest) -> HttpResponse:
    cite = request.cite
    frameworks = Framework.objects.all()
    version = request.GET.get("version")
    framework = frameworks.filter(version=version).first() if version else Framework.objects.current()
    objectives = []
    if framework:
        for objective in framework.objectives.all():
            subs = objective.sub_objectives.annotate(n=Count("actions", filter=Q(actions__cite=cite)))
            objectives.append((objective, subs))
    return render_cite(
        request,
        "framework/index.html",
        {"framework": framework, "frameworks": frameworks, "objectives": objectives},
    )
