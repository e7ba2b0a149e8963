"""Pages of data protection: purge, encrypted exports, right of access, and the error page."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from veille.web.cellule.cases.models import Case
from veille.web.cellule.children.models import Child
from veille.web.common.accounts.access import CommuneRequest, member_required
from veille.web.common.accounts.roles import Capability
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action

from . import purge as purging
from .archives import EncryptedExport
from .downloads import keep_for_download, take_for_download
from .forms import ChildLookupForm, ConfirmForm
from .open_cases import export_open_cases, open_cases
from .subject_access import subject_access_export


def _show_once(request: CommuneRequest, export: EncryptedExport, what: str) -> HttpResponse:
    """The page that shows the password, the only time it is ever shown."""
    token = keep_for_download(request, export, request.commune.slug)
    download = reverse("protection:download", kwargs={"commune": request.commune.slug, "token": token})
    response = render(
        request,
        "protection/export_ready.html",
        {"export": export, "password": export.password, "download_url": download, "what": what},
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
@member_required(Capability.PURGE)
def purge(request: CommuneRequest) -> HttpResponse:
    """Preview of the children due for purge today in this commune, and the button that purges them."""
    today = timezone.localdate()
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report = purging.purge(today=today, commune=request.commune, request=request)
        if report.failed:
            messages.error(
                request,
                f"{len(report.failed)} enfant(s) n'ont pas pu être supprimés (n° "
                + ", ".join(map(str, report.failed))
                + ") : leurs données sont intactes. Prévenez l'administrateur.",
            )
        messages.success(
            request,
            f"Purge faite : {report.children} enfant(s) supprimé(s), "
            f"{report.cases} dossier(s) rendu(s) anonymes.",
        )
        return redirect("protection:purge", commune=request.commune.slug)
    items = purging.plan(today, request.commune)
    # Who will go, by name, for a role that may see the children: the person checks before the button.
    # One query for every name, and the consultation is logged like any list of children.
    names: dict[int, Child] = {}
    if items and request.membership.can(Capability.VIEW_CHILDREN):
        names = (
            Child.objects.filter(commune=request.commune)
            .only("last_name", "first_names", "birth_date")
            .in_bulk([i.child_id for i in items])
        )
        record(
            request,
            Action.VIEW,
            object_type="children.child",
            detail=f"aperçu de la purge, {len(names)} enfants nommés",
        )
    rows = sorted(
        ((item, names.get(item.child_id)) for item in items),
        key=lambda row: (str(row[1]).casefold() if row[1] else "", row[0].child_id),
    )
    return render(
        request,
        "protection/purge.html",
        {
            "items": items,
            "rows": rows,
            "named": bool(names),
            "today": today,
            "form": form,
            "cases": sum(len(i.case_ids) for i in items),
        },
    )


@require_GET
@member_required(Capability.EXPORT_DATA)
def exports(request: CommuneRequest) -> HttpResponse:
    return render(request, "protection/exports.html", {"open_cases": open_cases(request.commune).count()})


@require_POST
@member_required(Capability.EXPORT_DATA)
def export_open_cases_view(request: CommuneRequest) -> HttpResponse:
    export = export_open_cases(request.commune)
    record(
        request,
        Action.EXPORT,
        object_type=Case._meta.label_lower,
        detail=f"dossiers ouverts avec identité de l'enfant : {export.count} lignes, archive chiffrée",
    )
    return _show_once(request, export, "la liste des dossiers ouverts")


@require_GET
@never_cache
@member_required()
def download(request: CommuneRequest, token: str) -> HttpResponse:
    """The archive prepared by the previous page, once; the session keeps no copy afterwards."""
    found = take_for_download(request, token, request.commune.slug)
    if found is None:
        raise Http404("Archive déjà téléchargée ou expirée.")
    filename, content = found
    # Its creation is logged with what it holds; the download is the moment the data leave Veille.
    record(request, Action.EXPORT, object_type="archive", detail=f"téléchargement de {filename}")
    response = HttpResponse(content, content_type="application/x-7z-compressed")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@member_required(Capability.RIGHT_OF_ACCESS)
def right_of_access_search(request: CommuneRequest) -> HttpResponse:
    form = ChildLookupForm(request.GET or None)
    if request.GET and form.is_valid():
        children = Child.objects.filter(commune=request.commune)
        if form.cleaned_data["number"]:
            children = children.filter(pk=form.cleaned_data["number"])
        if form.cleaned_data["source_id"]:
            children = children.filter(source_id=form.cleaned_data["source_id"].strip())
        found = list(children[:2])
        if len(found) == 1:
            return redirect("protection:right_of_access", commune=request.commune.slug, child=found[0].pk)
        form.add_error(
            None,
            "Aucun enfant ne correspond dans cette commune."
            if not found
            else "Plusieurs enfants ont cet identifiant (CAF et MSA) : indiquez le numéro de l'enfant.",
        )
    return render(request, "protection/right_of_access_search.html", {"form": form})


@require_http_methods(["GET", "POST"])
@member_required(Capability.RIGHT_OF_ACCESS)
def right_of_access(request: CommuneRequest, child: int) -> HttpResponse:
    """Confirm the child (name shown: audited), then build the archive of everything held on them."""
    subject = get_object_or_404(Child, pk=child, commune=request.commune)
    if request.method == "POST":
        export = subject_access_export(subject)
        record(
            request, Action.EXPORT, subject, detail="droit d'accès : tout ce qui est détenu, archive chiffrée"
        )
        return _show_once(request, export, f"les données détenues sur l'enfant n° {subject.pk}")
    record(request, Action.VIEW, subject, detail="droit d'accès : vérification de l'identité")
    return render(
        request,
        "protection/right_of_access.html",
        {"child": subject, "cases": Case.objects.filter(child=subject).count()},
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: a fixed text, nothing from the request or the exception."""
    # No request context: a context processor could itself fail, or echo the user's input.
    return HttpResponseServerError(loader.get_template("500.html").render())
