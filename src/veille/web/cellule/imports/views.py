"""Pages of the imports: upload and validation report, crossing runs, review of uncertain matches."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import IO, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from veille.pprl import EncodedFileError
from veille.sources import InMemoryFile, SourceError
from veille.web.common.accounts.access import CommuneRequest, member_required
from veille.web.common.accounts.roles import Capability
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action

from . import encrypted, services
from .forms import (
    ENCODED_TOO_LARGE,
    MAX_ENCODED_BYTES,
    MAX_UPLOAD_BYTES,
    TOO_LARGE,
    EncryptedLaunchForm,
    LaunchForm,
    RevelationForm,
    UploadForm,
)
from .models import CrossingRun, Import, Outcome, RunStatus, SchoolingRecord


class _InMemoryUploadHandler(MemoryFileUploadHandler):
    """Keep every uploaded file in memory (never a temporary file on disk), up to the size limit."""

    limit = MAX_UPLOAD_BYTES

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.activated = content_length is not None and content_length <= self.limit + 1024 * 1024
        # A larger body is read and thrown away chunk by chunk: the view says why no file arrived.
        self.too_large = not self.activated


class _EncodedUploadHandler(_InMemoryUploadHandler):
    """The holders' encoded files (no identity in them) are larger than a clear file: about 1 kB a row."""

    limit = MAX_ENCODED_BYTES


def _in_memory_upload(
    handler: type[_InMemoryUploadHandler] = _InMemoryUploadHandler,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate an upload view: its files stay in memory, CSRF is checked once the handlers are set.

    Example:
        >>> @_in_memory_upload(_EncodedUploadHandler)
        ... @member_required(Capability.RUN_CROSSING)
        ... def encrypted_new(request): ...
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        protected = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            # The upload handlers must be set before anything reads the body, CSRF checking included.
            request.upload_handlers = [handler(request)]
            return protected(request, *args, **kwargs)

        return wrapper

    return decorator


def _valid_upload(request: HttpRequest, form: Form, field: str, too_large: str) -> bool:
    """Whether the form was posted and is valid; a body over the size limit is refused on ``field``.

    The handler threw such a body away, so the form would only say the files are missing.
    """
    if request.method != "POST":
        return False
    if any(getattr(handler, "too_large", False) for handler in request.upload_handlers):
        form.is_valid()
        form.errors.pop(field, None)
        form.add_error(field, too_large)
        return False
    return form.is_valid()


def _commune_kwargs(request: CommuneRequest, **kwargs: int) -> dict[str, Any]:
    return {"commune": request.commune.slug, **kwargs}


@member_required(Capability.IMPORT_FILES)
def index(request: CommuneRequest) -> HttpResponse:
    """The imports one may see, the runs and the button to launch one."""
    services.recover_interrupted()
    Import.objects.expire_pending()
    membership = request.membership
    imports = Import.objects.visible_to(membership).select_related("uploaded_by")[:50]
    sees_runs = membership.can(Capability.VIEW_CHILDREN) or membership.can(Capability.RUN_CROSSING)
    runs = list(CrossingRun.objects.listed().filter(commune=request.commune)[:20]) if sees_runs else []
    counts = Outcome.objects.counts_by_run(runs)
    for crossing in runs:
        crossing.now = counts.get(crossing.pk, {})
    return render(
        request,
        "imports/index.html",
        {
            "imports": imports,
            "runs": runs,
            "sees_runs": sees_runs,
            "launch_form": LaunchForm() if membership.can(Capability.RUN_CROSSING) else None,
        },
    )


@_in_memory_upload()
@member_required(Capability.IMPORT_FILES)
def upload(request: CommuneRequest) -> HttpResponse:
    """Upload files; they are read and validated in memory, then shown for confirmation."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if _valid_upload(request, form, "files", TOO_LARGE):
        data = form.cleaned_data
        files = [InMemoryFile(f.name, f.read()) for f in data["files"]]
        try:
            imported = services.validate_upload(
                commune=request.commune,
                user=request.user,
                kind=data["kind"],
                school_year=data["school_year"],
                files=files,
                password=data["password"],
                skip_invalid=data["skip_invalid"],
            )
        except SourceError as error:
            form.add_error(None, services.web_message(error))
        else:
            record(request, Action.CREATE, imported, detail=f"dépôt en attente, {imported.rows_kept} lignes")
            return redirect("imports:detail", **_commune_kwargs(request, pk=imported.pk))
    return render(request, "imports/upload.html", {"form": form}, status=400 if form.errors else 200)


def _visible_import(request: CommuneRequest, pk: int) -> Import:
    return get_object_or_404(Import.objects.visible_to(request.membership), pk=pk)


@member_required(Capability.IMPORT_FILES)
def detail(request: CommuneRequest, pk: int) -> HttpResponse:
    """The validation report of an import, with Confirm and Cancel while it is pending."""
    services.recover_interrupted()
    Import.objects.expire_pending()
    imported = _visible_import(request, pk)
    record(request, Action.VIEW, imported, detail=f"rapport de validation, {len(imported.rejects)} rejets")
    return render(request, "imports/detail.html", {"imported": imported})


@require_POST
@member_required(Capability.IMPORT_FILES)
def confirm(request: CommuneRequest, pk: int) -> HttpResponse:
    Import.objects.expire_pending()
    imported = _visible_import(request, pk)
    try:
        imported = services.confirm_import(imported=imported)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        record(
            request, Action.CREATE, imported, detail=f"dépôt confirmé, {imported.rows_kept} lignes gardées"
        )
        messages.success(request, f"Dépôt confirmé : {imported.rows_kept} lignes enregistrées.")
    return redirect("imports:detail", **_commune_kwargs(request, pk=imported.pk))


@require_POST
@member_required(Capability.IMPORT_FILES)
def cancel(request: CommuneRequest, pk: int) -> HttpResponse:
    imported = services.cancel_import(imported=_visible_import(request, pk))
    record(request, Action.DELETE, imported, detail="dépôt annulé avant confirmation")
    messages.info(request, "Dépôt annulé : rien n'a été enregistré.")
    return redirect("imports:index", **_commune_kwargs(request))


@require_POST
@member_required(Capability.RUN_CROSSING)
def launch(request: CommuneRequest) -> HttpResponse:
    form = LaunchForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez une année scolaire dans la liste.")
        return redirect("imports:index", **_commune_kwargs(request))
    run = services.launch_crossing(
        commune=request.commune,
        school_year=form.cleaned_data["school_year"],
        user=request.user,
    )
    record(request, Action.CREATE, run, detail=f"croisement {run.school_year} lancé")
    return redirect("imports:run", **_commune_kwargs(request, pk=run.pk))


def _run_for(request: CommuneRequest, pk: int) -> CrossingRun:
    membership = request.membership
    if not (membership.can(Capability.VIEW_CHILDREN) or membership.can(Capability.RUN_CROSSING)):
        raise PermissionDenied("Votre rôle ne permet pas de voir les croisements.")
    return get_object_or_404(CrossingRun, pk=pk, commune=request.commune)


def _run_context(request: CommuneRequest, crossing: CrossingRun) -> dict[str, object]:
    """The run and, once it is done, what changed since the commune's previous run (audited if it names
    children: only for who may see them)."""
    membership = request.membership
    groups = crossing.change_groups() if crossing.status == RunStatus.DONE and crossing.reference_id else []
    names = membership.can(Capability.VIEW_CHILDREN)
    shown = sum(len(group["children"]) for group in groups) if names else 0
    if shown:
        record(
            request,
            Action.VIEW,
            crossing,
            detail=f"changements depuis le croisement {crossing.reference_id}, {shown} enfants affichés",
        )
    holders = encrypted.holders(crossing) if crossing.encrypted and crossing.status == RunStatus.DONE else []
    return {"run": crossing, "change_groups": groups, "change_names": names, "holders": holders}


@member_required()
def run(request: CommuneRequest, pk: int) -> HttpResponse:
    """A run's progress (refreshed by htmx until it ends), then its counts and what changed."""
    services.recover_interrupted()
    return render(request, "imports/run.html", _run_context(request, _run_for(request, pk)))


@member_required()
def run_progress(request: CommuneRequest, pk: int) -> HttpResponse:
    """The progress fragment polled by htmx; once the run has ended, htmx stops polling (status 286).

    A run whose worker died is found here too: the page stops waiting within seconds of the crash.
    """
    services.recover_interrupted()
    crossing = _run_for(request, pk)
    response = render(request, "imports/_progress.html", _run_context(request, crossing))
    if crossing.is_finished and request.headers.get("HX-Request"):
        response.status_code = 286
    return response


# ---------------------------------------------------------------------------------------------
# The encrypted crossing (``encrypted``, docs/croisement-chiffre.md)


@_in_memory_upload(_EncodedUploadHandler)
@member_required(Capability.RUN_CROSSING)
def encrypted_new(request: CommuneRequest) -> HttpResponse:
    """Upload the holders' encoded files and queue the encrypted crossing."""
    form = EncryptedLaunchForm(request.POST or None, request.FILES or None)
    if _valid_upload(request, form, "children_files", ENCODED_TOO_LARGE):
        data = form.cleaned_data
        try:
            crossing = encrypted.launch_encrypted(
                commune=request.commune,
                user=request.user,
                school_year=data["school_year"],
                children=[InMemoryFile(f.name, f.read()) for f in data["children_files"]],
                schooling=[InMemoryFile(f.name, f.read()) for f in data["schooling_files"]],
            )
        except EncodedFileError as error:
            form.add_error(None, f"Fichiers refusés, rien n'a été lancé : {error}")
        else:
            record(
                request,
                Action.CREATE,
                crossing,
                detail=f"croisement chiffré {crossing.school_year} lancé, campagne {crossing.campaign}",
            )
            return redirect("imports:run", **_commune_kwargs(request, pk=crossing.pk))
    return render(request, "imports/encrypted_new.html", {"form": form}, status=400 if form.errors else 200)


def _encrypted_run(request: CommuneRequest, pk: int) -> CrossingRun:
    return get_object_or_404(
        CrossingRun.objects.listed(), pk=pk, commune=request.commune, encrypted=True, status=RunStatus.DONE
    )


@require_GET
@member_required(Capability.RUN_CROSSING)
def reveal_list(request: CommuneRequest, pk: int, holder: str) -> HttpResponse:
    """The list of identifiers a holder must reveal, as ``veille reveler --liste`` reads it."""
    crossing = _encrypted_run(request, pk)
    count = crossing.reveal_items.filter(holder=holder).count()
    if not count:
        raise Http404("Ce croisement ne demande rien à révéler à ce détenteur.")
    content = encrypted.reveal_list(crossing, holder)
    record(request, Action.EXPORT, crossing, detail=f"liste à révéler de {holder}, {count} identifiants")
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="a_reveler_{holder}.csv"'
    return response


@_in_memory_upload()
@member_required(Capability.RUN_CROSSING, Capability.VIEW_CHILDREN)
def reveal_upload(request: CommuneRequest, pk: int) -> HttpResponse:
    """Import a holder's revealed archive: its children enter the lists as the crossing said."""
    crossing = _encrypted_run(request, pk)
    holders = sorted(set(crossing.reveal_items.values_list("holder", flat=True)))
    form = RevelationForm(
        request.POST or None,
        request.FILES or None,
        holders=holders,
        initial={"holder": request.GET.get("detenteur")},
    )
    if _valid_upload(request, form, "file", TOO_LARGE):
        data = form.cleaned_data
        try:
            imported, rows = encrypted.import_revelation(
                run=crossing,
                user=request.user,
                holder=data["holder"],
                upload=InMemoryFile(data["file"].name, data["file"].read()),
                password=data["password"],
            )
        except (encrypted.RevelationError, SourceError, ValueError) as error:
            message = services.web_message(error) if isinstance(error, SourceError) else str(error)
            form.add_error(None, message)
        else:
            record(
                request,
                Action.CREATE,
                imported,
                detail=(
                    f"identités révélées par {data['holder']} pour le croisement {crossing.pk}, {rows} lignes"
                ),
            )
            messages.success(request, f"Archive de {data['holder']} importée : {rows} lignes révélées.")
            return redirect("imports:run", **_commune_kwargs(request, pk=crossing.pk))
    return render(
        request,
        "imports/reveal_upload.html",
        {"form": form, "run": crossing},
        status=400 if form.errors else 200,
    )


@member_required(Capability.REVIEW_MATCHES)
def review(request: CommuneRequest) -> HttpResponse:
    """The uncertain children of the latest finished run, still undecided."""
    commune = request.commune
    latest = CrossingRun.objects.filter(commune=commune, status=RunStatus.DONE).first()
    pending = Outcome.objects.to_review(commune).select_related("child").order_by("child__last_name", "pk")
    page = Paginator(pending, 50).get_page(request.GET.get("page"))
    record(
        request,
        Action.VIEW,
        object_type="imports.outcome",
        detail=f"liste à vérifier, {len(page.object_list)} enfants affichés",
        shown=[outcome.child_id for outcome in page.object_list],
    )
    return render(request, "imports/review.html", {"page": page, "latest": latest})


def _outcome_for(request: CommuneRequest, pk: int) -> Outcome:
    return get_object_or_404(
        Outcome.objects.select_related("child", "run", "decision"),
        pk=pk,
        run__commune=request.commune,
    )


@member_required(Capability.REVIEW_MATCHES)
def review_item(request: CommuneRequest, pk: int) -> HttpResponse:
    """One uncertain child and its candidate record side by side, with what agreed and what differed."""
    outcome = _outcome_for(request, pk)
    record(request, Action.VIEW, outcome.child, detail=f"vérification du résultat {outcome.pk}")
    queue = Outcome.objects.to_review(request.commune)
    following = queue.exclude(pk=outcome.pk).order_by("child__last_name", "pk").first()
    # « 3 sur 12 »: this child's place in the list to review, in the list's order.
    name = outcome.child.last_name
    before = queue.filter(Q(child__last_name__lt=name) | Q(child__last_name=name, pk__lt=outcome.pk))
    total = queue.count() + (0 if outcome.decision_id is None else 1)
    # The school record itself: its sex and address, which the comparison rates, are shown beside it.
    school_record = None
    if outcome.candidate:
        school_record = (
            SchoolingRecord.objects.filter(
                commune=request.commune,
                source=outcome.candidate.get("source", ""),
                source_id=outcome.candidate.get("identifiant", ""),
            )
            .order_by("-pk")
            .first()
        )
    return render(
        request,
        "imports/review_item.html",
        {
            "outcome": outcome,
            "following": following,
            "position": before.count() + 1,
            "total": max(total, 1),
            "school_record": school_record,
        },
    )


@require_POST
@member_required(Capability.REVIEW_MATCHES)
def decide(request: CommuneRequest, pk: int) -> HttpResponse:
    """Même enfant / Enfant différent. With htmx, answers the updated decision block."""
    outcome = _outcome_for(request, pk)
    verdict = request.POST.get("decision")
    if verdict not in ("meme", "different") or not outcome.candidate:
        return HttpResponse("Décision inconnue.", status=400)
    decision = services.decide(outcome=outcome, same=verdict == "meme", user=request.user)
    record(
        request,
        Action.CHANGE,
        outcome.child,
        detail=f"décision {decision.pk} : {'même enfant' if decision.same else 'enfant différent'}",
    )
    following = Outcome.objects.to_review(request.commune).order_by("child__last_name", "pk").first()
    if request.headers.get("HX-Request"):
        return render(request, "imports/_decision.html", {"outcome": outcome, "following": following})
    if following is not None:
        return redirect("imports:review_item", **_commune_kwargs(request, pk=following.pk))
    return redirect(reverse("imports:review", kwargs=_commune_kwargs(request)))
