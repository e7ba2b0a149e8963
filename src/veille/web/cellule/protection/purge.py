"""The regulatory purge of children's personal data (R131-10-4 and the cell's charter).

A child's data go the day after the end of the school year in which they turn 16
(``Child.retention_until``), and at once when the family has moved away (``Child.moved_away_on``
reached, or a case closed with the reason ``demenagement``). For each case of the child: the
anonymous fields stay (age and sex at opening, domain, origin, state, dates) so that the indicators
still count it, free-text fields are emptied, ``case_purged`` lets the other apps delete what they
hold (letters, notes), then the child row is deleted with everything that cascades from it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from veille.web.cellule.cases.models import Case
from veille.web.cellule.children.models import MOVED_AWAY, Child
from veille.web.cellule.children.signals import case_purged
from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action
from veille.web.common.territories.models import Commune

logger = logging.getLogger(__name__)


class Reason(models.TextChoices):
    AGE = "fin_annee_16_ans", "fin de l'année scolaire des 16 ans"
    MOVED_AWAY = "demenagement", "famille partie de la commune"


@dataclass(frozen=True)
class PurgeItem:
    """One child due for purge: identifiers only, so that it can be printed anywhere."""

    child_id: int
    commune_id: int
    reason: Reason
    case_ids: tuple[int, ...]


@dataclass
class PurgeReport:
    """What a purge did (or, in a simulation, would do)."""

    today: date
    simulation: bool
    items: list[PurgeItem] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def children(self) -> int:
        return len(self.items) - len(self.failed)

    @property
    def cases(self) -> int:
        failed = set(self.failed)
        return sum(len(item.case_ids) for item in self.items if item.child_id not in failed)


def due_children(today: date, commune: Commune | None = None) -> models.QuerySet[Child]:
    """Children whose personal data must be deleted on ``today``."""
    children = Child.objects.due_for_purge(today)
    if commune is not None:
        children = children.filter(commune=commune)
    return children.order_by("commune_id", "pk")


def reason_for(child: Child, today: date, moved_case_child_ids: set[int]) -> Reason:
    moved = (child.moved_away_on is not None and child.moved_away_on <= today) or (
        child.pk in moved_case_child_ids
    )
    return Reason.MOVED_AWAY if moved else Reason.AGE


def plan(today: date, commune: Commune | None = None) -> list[PurgeItem]:
    """The children due for purge and their cases, without changing anything (the dry run)."""
    children = list(due_children(today, commune).only("pk", "commune_id", "moved_away_on"))
    ids = [child.pk for child in children]
    moved_case_child_ids = set(
        Case.objects.filter(child_id__in=ids, closure_reason=MOVED_AWAY).values_list("child_id", flat=True)
    )
    cases: dict[int, list[int]] = {}
    for case_id, child_id in (
        Case.objects.filter(child_id__in=ids).order_by("pk").values_list("pk", "child_id")
    ):
        cases.setdefault(child_id, []).append(case_id)
    return [
        PurgeItem(
            child.pk,
            child.commune_id,
            reason_for(child, today, moved_case_child_ids),
            tuple(cases.get(child.pk, ())),
        )
        for child in children
    ]


def free_text_fields(model: type[models.Model]) -> list[str]:
    """The fields that may hold free text about a person: every ``TextField`` of the model."""
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.TextField)]


def anonymise_case(case: Case, *, now: datetime) -> None:
    """Keep the case for the indicators, without anything that points to the child."""
    for name in free_text_fields(Case):
        setattr(case, name, "")
    case.purged_at = now
    # Receivers (letters, notes) delete their data while the case still points to the child.
    case_purged.send(sender=Case, case=case)
    case.child = None
    case.save()


def purge_child(item: PurgeItem, *, request: HttpRequest | None = None) -> None:
    """Delete one child's personal data, in one transaction, and write the audit entry."""
    now = timezone.now()
    with transaction.atomic():
        child = Child.objects.select_for_update().select_related("commune").get(pk=item.child_id)
        for case in Case.objects.filter(child=child).order_by("pk"):
            anonymise_case(case, now=now)
        commune = child.commune
        child.delete()
        cases = ", ".join(str(pk) for pk in item.case_ids) or "aucun"
        record(
            request,
            Action.PURGE,
            object_type=Child._meta.label_lower,
            object_id=str(item.child_id),
            commune=commune,
            detail=f"motif : {item.reason.value} ; dossiers rendus anonymes : {cases}",
        )


def purge(
    *,
    today: date,
    commune: Commune | None = None,
    simulation: bool = False,
    request: HttpRequest | None = None,
) -> PurgeReport:
    """Purge every child due on ``today`` (or only list them when ``simulation`` is true).

    Args:
        today: the day of the purge (``--date`` lets a catch-up pretend another day).
        commune: only this commune; all communes when ``None``.
        simulation: list what would go, delete nothing, write no audit entry.
        request: the référent's request when run from the page (the audit entry names the user).

    Returns:
        The children and cases concerned; ``failed`` lists the children left intact after an error.
    """
    report = PurgeReport(today=today, simulation=simulation, items=plan(today, commune))
    if simulation:
        return report
    for item in report.items:
        try:
            purge_child(item, request=request)
        except Child.DoesNotExist:
            continue  # purged meanwhile by another run
        except Exception as error:
            # One failing receiver must not stop the others' purge; the child is left whole.
            report.failed.append(item.child_id)
            logger.error("Purge de l'enfant n° %s impossible (%s)", item.child_id, type(error).__name__)
    logger.info("Purge du %s : %s enfants, %s dossiers", today, report.children, report.cases)
    return report
