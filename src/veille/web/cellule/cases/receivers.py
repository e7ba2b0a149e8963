"""What the cases app deletes when a child's personal data are purged."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from veille.web.cellule.children.signals import case_purged

from .models import Case, CaseEvent


@receiver(case_purged)
def forget_case_notes(sender: type, case: Case, **kwargs: Any) -> None:
    """Free text may name the family: empty it, keep the steps and dates for the indicators."""
    CaseEvent.objects.filter(case=case).update(note="")
    Case.objects.filter(pk=case.pk).update(description="", reporter="")
