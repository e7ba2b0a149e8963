"""Delete what the meetings app holds about a case when the child's data are purged."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from veille.web.cellule.children.signals import case_purged

from .models import AgendaItem


@receiver(case_purged, dispatch_uid="meetings_clear_decisions_of_purged_case")
def clear_decisions_of_purged_case(sender: Any, case: Any, **kwargs: Any) -> None:
    """Decisions are free text and may describe the family: the text goes, the agenda line stays."""
    AgendaItem.objects.filter(case=case).update(decision="", next_step="", purged_at=timezone.now())
