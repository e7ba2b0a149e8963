"""Invented children and cases for the data-protection tests (no real person's name)."""

from __future__ import annotations

from datetime import date

from veille.web.cases.models import Case, Domain, Origin
from veille.web.children.models import Child


def make_child(commune, source_id: str = "C0001", *, born: date = date(2012, 5, 3), **fields) -> Child:
    values = {
        "organisme": "CAF",
        "last_name": "Zorvanel",
        "first_names": "Ysaline Mabel",
        "sex": "F",
        "claimant_last_name": "Zorvanel",
        "claimant_first_name": "Quentinor",
        "address": "12 rue des Songes",
        "postal_code": "59999",
        "city": "Villeneuve-sur-Fictif",
    }
    values.update(fields)
    return Child.objects.create(commune=commune, source_id=source_id, birth_date=born, **values)


def make_case(child: Child, **fields) -> Case:
    values = {
        "domain": Domain.ABSENCE,
        "origin": Origin.CROSSING,
        "age_at_opening": 12,
        "sex_at_opening": child.sex,
    }
    values.update(fields)
    return Case.objects.create(commune=child.commune, child=child, **values)
