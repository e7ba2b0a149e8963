"""The right of access (RGPD art. 15): everything held about one child, in one encrypted archive.

The child's related objects are found through Django's model meta, not by naming other apps'
models, so that what the imports, cases, letters and meetings apps add later is exported too.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.apps import apps
from django.db import models
from django.utils import timezone

from veille.web.cellule.cases.models import Case
from veille.web.cellule.children.models import Child
from veille.web.common.audit.models import AuditEvent

from .archives import EncryptedExport, csv_bytes, encrypted_archive, generate_password


def plain(value: Any) -> Any:
    """A value JSON and CSV can hold."""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} octets>"
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    return value


def as_dict(obj: models.Model) -> dict[str, Any]:
    """Every concrete field of a row, foreign keys as identifiers, choices with their label."""
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        row[f.attname] = plain(value)
        if f.choices and value not in (None, ""):
            row[f"{f.name}_libelle"] = str(getattr(obj, f"get_{f.name}_display")())
    return row


def related_rows(obj: models.Model, *, skip: tuple[type[models.Model], ...] = ()) -> dict[str, list[dict]]:
    """The rows of other tables pointing to ``obj`` (reverse FK, one-to-one, many-to-many).

    Returns:
        ``{model label: [row, …]}``, only for tables that hold something.
    """
    found: dict[str, list[dict]] = {}
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if model in skip or model is AuditEvent or model is None or isinstance(model, str):
            continue  # ("self" only names the model of a recursive relation, never one of these)
        if model._meta.auto_created:
            continue  # the hidden table of a many-to-many: its other side is read instead
        rows = list(model._default_manager.filter(**{relation.field.name: obj}).distinct().order_by("pk"))
        if rows:
            found.setdefault(model._meta.label_lower, []).extend(as_dict(row) for row in rows)
    return found


def audit_rows(child: Child, case_ids: list[int]) -> list[dict[str, Any]]:
    """The audit entries about the child and its cases, oldest first."""
    about = models.Q(object_type=Child._meta.label_lower, object_id=str(child.pk)) | models.Q(
        object_type=Case._meta.label_lower, object_id__in=[str(pk) for pk in case_ids]
    )
    events = (
        AuditEvent.objects.filter(about, commune=child.commune).select_related("user").order_by("at", "pk")
    )
    return [
        {
            "date": plain(event.at),
            "utilisateur": event.user.username if event.user else "",
            "action": event.get_action_display(),
            "type": event.object_type,
            "identifiant": event.object_id,
            "precision": event.detail,
        }
        for event in events
    ]


def field_labels(labels: list[str]) -> dict[str, dict[str, str]]:
    """For each table, the French name of each column, so that a family can read the export."""
    described: dict[str, dict[str, str]] = {}
    for label in labels:
        model = apps.get_model(label)
        described[label] = {f.attname: str(f.verbose_name) for f in model._meta.concrete_fields}
    return described


def subject_access_data(child: Child) -> dict[str, Any]:
    """Everything held about ``child``: the row, its related rows, its cases and theirs, the log."""
    cases = list(Case.objects.filter(child=child).order_by("pk"))
    related = related_rows(child, skip=(Case,))
    case_rows = [{**as_dict(case), "donnees_liees": related_rows(case)} for case in cases]
    tables = {Child._meta.label_lower, Case._meta.label_lower, *related}
    for row in case_rows:
        tables.update(row["donnees_liees"])
    return {
        "produit_le": plain(timezone.now()),
        "enfant": as_dict(child),
        "donnees_liees": related,
        "dossiers": case_rows,
        "journal_des_acces": audit_rows(child, [case.pk for case in cases]),
        "description_des_colonnes": field_labels(sorted(tables)),
    }


def _table_csv(rows: list[dict[str, Any]]) -> bytes:
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys and not isinstance(row[k], dict | list))
    return csv_bytes(rows, [(k, k) for k in keys])


def subject_access_export(child: Child) -> EncryptedExport:
    """The right-of-access archive: ``droit_d_acces.json`` and one CSV per table, AES-256 encrypted."""
    data = subject_access_data(child)
    members = {
        "droit_d_acces.json": json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
        "enfant.csv": _table_csv([data["enfant"]]),
    }
    if data["dossiers"]:
        members["dossiers.csv"] = _table_csv(data["dossiers"])
    related: dict[str, list[dict]] = {}
    for label, rows in data["donnees_liees"].items():
        related.setdefault(label, []).extend(rows)
    for case in data["dossiers"]:
        for label, rows in case["donnees_liees"].items():
            related.setdefault(label, []).extend(rows)
    for label, rows in related.items():
        members[f"{label.replace('.', '_')}.csv"] = _table_csv(rows)
    members["journal_des_acces.csv"] = _table_csv(data["journal_des_acces"])
    password = generate_password()
    content = encrypted_archive(members, password)
    return EncryptedExport(f"droit-d-acces-enfant-{child.pk}.7z", content, password, 1)
