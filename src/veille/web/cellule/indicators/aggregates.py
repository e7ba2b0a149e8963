"""The anonymous aggregate export (format ``veille-indicateurs``, version 1) and its import.

One commune, one period, counts only; counts from 1 to 4 are written « < 5 ». The format is described in
``docs/indicateurs.md``; never change a field's meaning without raising ``FORMAT_VERSION``.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from veille.spreadsheet_safety import neutralise_row

from .computations import MASKED, Period, mask
from .definitions import BY_KEY, INDICATORS
from .models import AggregateReport, AggregateValue
from .queries import indicator_values

FORMAT_NAME = "veille-indicateurs"
FORMAT_VERSION = 1
CSV_COLUMNS = ("format", "version", "code_insee", "commune", "debut", "fin", "indicateur", "valeur")


class AggregateFormatError(ValueError):
    """An aggregate file this instance cannot read; the message is French and shown as is."""


def department_of(insee_code: str, department: str = "") -> str:
    """The department of a commune: its own field, else from its INSEE code (3 digits overseas).

    Example:
        >>> department_of("59350"), department_of("97411"), department_of("2A004")
        ('59', '974', '2A')
    """
    if department:
        return department
    return insee_code[:3] if insee_code.startswith("97") else insee_code[:2]


@dataclass(frozen=True)
class Aggregate:
    """What one export holds."""

    insee_code: str
    commune_name: str
    period_start: date
    period_end: date
    values: dict[str, int | str]
    generated_at: datetime | None = None
    version: int = FORMAT_VERSION


def commune_aggregate(commune: Any, period: Period) -> Aggregate:
    """The masked figures of a commune for a period: all its cases, no breakdown (a breakdown by
    domain or age would make small groups, hence recognisable children)."""
    values = {key: mask(n) for key, n in indicator_values(commune, period).items()}
    return Aggregate(
        insee_code=commune.insee_code,
        commune_name=commune.name,
        period_start=period.start,
        period_end=period.end,
        values=values,
        generated_at=timezone.now().replace(microsecond=0),
    )


def to_json(aggregate: Aggregate) -> str:
    document = {
        "format": FORMAT_NAME,
        "version": aggregate.version,
        "code_insee": aggregate.insee_code,
        "commune": aggregate.commune_name,
        "periode": {"debut": aggregate.period_start.isoformat(), "fin": aggregate.period_end.isoformat()},
        "produit_le": aggregate.generated_at.isoformat() if aggregate.generated_at else None,
        "valeurs": [{"indicateur": key, "valeur": value} for key, value in aggregate.values.items()],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_csv(aggregate: Aggregate) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for key, value in aggregate.values.items():
        writer.writerow(
            neutralise_row(
                [
                    FORMAT_NAME,
                    aggregate.version,
                    aggregate.insee_code,
                    aggregate.commune_name,
                    aggregate.period_start.isoformat(),
                    aggregate.period_end.isoformat(),
                    key,
                    value,
                ]
            )
        )
    return out.getvalue()


def _value(raw: object, key: str) -> int | str:
    if raw == MASKED:
        return MASKED
    try:
        value = int(str(raw))
    except ValueError:
        raise AggregateFormatError(f"Valeur illisible pour l'indicateur « {key} ».") from None
    if value < 0:
        raise AggregateFormatError(f"Valeur négative pour l'indicateur « {key} ».")
    if mask(value) == MASKED:
        raise AggregateFormatError(
            f"L'indicateur « {key} » vaut {value} : un effectif de 1 à 4 doit être masqué (« < 5 »). "
            "Le fichier est refusé pour ne pas conserver de petits effectifs."
        )
    return value


def _date(raw: object) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise AggregateFormatError(f"Date illisible : « {raw} » (attendu : AAAA-MM-JJ).") from None


def _check_header(name: object, version: object) -> None:
    if name != FORMAT_NAME:
        raise AggregateFormatError("Ce fichier n'est pas un export d'indicateurs de Veille.")
    if str(version) != str(FORMAT_VERSION):
        raise AggregateFormatError(f"Version du format non prise en charge : {version} (attendu : 1).")


def _build(
    insee: object, name: object, start: object, end: object, values: dict[str, int | str], **kw: Any
) -> Aggregate:
    insee = str(insee or "").strip()
    if len(insee) != 5:
        raise AggregateFormatError("Code INSEE absent ou invalide (5 caractères attendus).")
    unknown = set(values) - set(BY_KEY)
    if unknown:
        raise AggregateFormatError(f"Indicateur inconnu : {', '.join(sorted(unknown))}.")
    period_start, period_end = _date(start), _date(end)
    if period_end < period_start:
        raise AggregateFormatError("La fin de la période est avant son début.")
    return Aggregate(insee, str(name or insee), period_start, period_end, values, **kw)


def parse_json(text: str) -> Aggregate:
    try:
        document = json.loads(text)
        _check_header(document.get("format"), document.get("version"))
        values = {
            str(v["indicateur"]): _value(v["valeur"], str(v["indicateur"])) for v in document["valeurs"]
        }
        period = document["periode"]
        produced = document.get("produit_le")
        return _build(
            document.get("code_insee"),
            document.get("commune"),
            period["debut"],
            period["fin"],
            values,
            generated_at=datetime.fromisoformat(produced) if produced else None,
        )
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError):
        raise AggregateFormatError("Fichier JSON incomplet ou illisible.") from None


def parse_csv(text: str) -> Aggregate:
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    if not rows or set(CSV_COLUMNS) - set(rows[0]):
        raise AggregateFormatError(
            "Fichier CSV incomplet : colonnes attendues " + ", ".join(CSV_COLUMNS) + "."
        )
    head = rows[0]
    for row in rows:
        _check_header(row["format"], row["version"])
        if (row["code_insee"], row["debut"], row["fin"]) != (head["code_insee"], head["debut"], head["fin"]):
            raise AggregateFormatError("Un fichier ne doit contenir qu'une commune et une période.")
    values = {row["indicateur"]: _value(row["valeur"], row["indicateur"]) for row in rows}
    return _build(head["code_insee"], head["commune"], head["debut"], head["fin"], values)


def parse(content: bytes) -> Aggregate:
    """Read an export, JSON or CSV (UTF-8), whichever it is."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AggregateFormatError("Le fichier n'est pas encodé en UTF-8.") from None
    return parse_json(text) if text.lstrip().startswith("{") else parse_csv(text)


def store(aggregate: Aggregate, *, user: Any) -> AggregateReport:
    """Keep an imported aggregate; a newer export of the same commune and period replaces the older."""
    with transaction.atomic():
        AggregateReport.objects.filter(
            insee_code=aggregate.insee_code,
            period_start=aggregate.period_start,
            period_end=aggregate.period_end,
        ).delete()
        report = AggregateReport.objects.create(
            insee_code=aggregate.insee_code,
            commune_name=aggregate.commune_name,
            department=department_of(aggregate.insee_code),
            period_start=aggregate.period_start,
            period_end=aggregate.period_end,
            format_version=aggregate.version,
            generated_at=aggregate.generated_at,
            imported_by=user,
        )
        AggregateValue.objects.bulk_create(
            AggregateValue(
                report=report,
                indicator=key,
                value=None if value == MASKED else int(value),
                masked=value == MASKED,
            )
            for key, value in aggregate.values.items()
        )
    return report


def ordered_keys() -> list[str]:
    return [i.key for i in INDICATORS]
