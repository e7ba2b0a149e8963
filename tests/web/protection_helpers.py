"""Invented children and cases for the data-protection tests (no real person's name)."""

from __future__ import annotations

from datetime import date

from veille.web.cellule.cases.models import Case, Domain, Origin
from veille.web.cellule.children.models import Child


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


def open_archive(content: bytes, password: str | None, tmp_path) -> dict[str, bytes]:
    """The members of an archive, extracted with py7zr (raises without the right password)."""
    import io

    import py7zr

    out = tmp_path / "extrait"
    with py7zr.SevenZipFile(io.BytesIO(content), mode="r", password=password) as archive:
        archive.extractall(path=out)
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def everything_stored() -> str:
    """Every value of every row of every table, as text: to prove something was not kept."""
    from django.apps import apps

    chunks = []
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            chunks.extend(str(v) for v in row.values())
    from django.contrib.sessions.models import Session

    chunks.extend(str(s.get_decoded()) for s in Session.objects.all())
    return "\n".join(chunks)
