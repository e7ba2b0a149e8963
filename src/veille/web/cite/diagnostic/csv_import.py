"""Import territorial indicators from a CSV file (the observatory's yearly figures).

Columns (header line, ``;`` or ``,`` separated, UTF-8):
``indicateur;unité;année;source;quartier;commune;agglomération`` and optionally
``objectif`` (1, 2 or 3). Decimal commas are accepted. A line for an indicator and a
year already present replaces the values of the columns the file has.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from veille.web.cite.framework.models import Framework

from .models import TerritorialIndicator

COLUMNS = ("indicateur", "unité", "année", "source", "quartier", "commune", "agglomération")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


def _decimal(raw: str) -> Decimal | None:
    raw = raw.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    if not raw:
        return None
    return Decimal(raw)


def import_indicators(*, cite: object, content: bytes) -> ImportResult:
    """Create or update the indicators of ``content``; lines in error are reported, not imported."""
    result = ImportResult()
    text = content.decode("utf-8-sig")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ";", delimiters=";,")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    headers = {(h or "").strip().lower() for h in reader.fieldnames or []}
    missing = [c for c in ("indicateur", "année") if c not in headers]
    if missing:
        result.errors.append("Colonnes manquantes : " + ", ".join(missing) + ".")
        return result
    framework = Framework.objects.current()
    objectives = {o.number: o for o in framework.objectives.all()} if framework else {}
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        try:
            year = int(row["année"])
            # Only the columns the file has: a file of neighbourhood figures keeps the commune's.
            columns: dict[str, tuple[str, Callable[[str], object]]] = {
                "unité": ("unit", str),
                "source": ("source", str),
                "quartier": ("neighbourhood", _decimal),
                "commune": ("commune", _decimal),
                "agglomération": ("agglomeration", _decimal),
            }
            values = {name: parse(row[col]) for col, (name, parse) in columns.items() if col in headers}
            if row.get("objectif"):
                values["objective"] = objectives[int(row["objectif"])]
        except (ValueError, InvalidOperation, KeyError):
            result.errors.append(f"Ligne {number} : année, objectif ou valeur illisible.")
            continue
        if not row["indicateur"]:
            result.errors.append(f"Ligne {number} : intitulé de l'indicateur manquant.")
            continue
        _, created = TerritorialIndicator.objects.update_or_create(
            cite=cite, label=row["indicateur"][:200], year=year, defaults=values
        )
        if created:
            result.created += 1
        else:
            result.updated += 1
    return result
