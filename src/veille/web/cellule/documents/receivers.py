"""Delete what the documents app holds about a case when the child's data are purged."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from veille.web.cellule.children.signals import case_purged

from .models import GeneratedLetter


@receiver(case_purged, dispatch_uid="documents_delete_letters_of_purged_case")
def delete_letters_of_purged_case(sender: Any, case: Any, **kwargs: Any) -> None:
    """The letters carry the child's name and address: they go with the child's data."""
    GeneratedLetter.objects.filter(case=case).delete()
