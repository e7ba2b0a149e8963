"""The list of the open cases with the child's identity, for a partner of the cell."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from veille.web.cellule.cases.models import Case
from veille.web.common.territories.models import Commune

from .archives import EncryptedExport, export_rows

OPEN_CASES_COLUMNS: list[tuple[str, str]] = [
    ("case", "dossier"),
    ("domain", "domaine"),
    ("origin", "origine"),
    ("state", "étape"),
    ("opened_at", "ouvert le"),
    ("organisme", "organisme"),
    ("source_id", "identifiant CAF/MSA"),
    ("last_name", "nom"),
    ("first_names", "prénoms"),
    ("birth_date", "date de naissance"),
    ("sex", "sexe"),
    ("claimant", "allocataire"),
    ("address", "adresse"),
    ("postal_code", "code postal"),
    ("city", "commune"),
]


def open_cases(commune: Commune) -> models.QuerySet[Case]:
    """Cases of the commune neither closed nor purged, oldest first."""
    return (
        Case.objects.filter(commune=commune, closed_at__isnull=True, purged_at__isnull=True)
        .select_related("child")
        .order_by("opened_at", "pk")
    )


def open_case_rows(commune: Commune) -> list[dict[str, object]]:
    rows = []
    for case in open_cases(commune):
        child = case.child
        row: dict[str, object] = {
            "case": case.pk,
            "domain": case.get_domain_display(),
            "origin": case.get_origin_display(),
            "state": case.state,
            "opened_at": timezone.localtime(case.opened_at).strftime("%d/%m/%Y"),
        }
        if child is not None:
            row.update(
                organisme=child.organisme,
                source_id=child.source_id,
                last_name=child.last_name,
                first_names=child.first_names,
                birth_date=child.birth_date.strftime("%d/%m/%Y"),
                sex=child.sex,
                claimant=f"{child.claimant_last_name} {child.claimant_first_name}".strip(),
                address=child.address,
                postal_code=child.postal_code,
                city=child.city,
            )
        rows.append(row)
    return rows


def export_open_cases(commune: Commune) -> EncryptedExport:
    """The open cases of ``commune`` with each child's identity, in an encrypted archive."""
    day = timezone.localdate().isoformat()
    return export_rows(open_case_rows(commune), OPEN_CASES_COLUMNS, f"dossiers-ouverts-{day}")
