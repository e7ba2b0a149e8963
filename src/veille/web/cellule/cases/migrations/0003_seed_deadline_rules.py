"""Seed the national deadline rules, version 1, from cases/data/deadlines_v1.csv."""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parents[1] / "data" / "deadlines_v1.csv"


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("cases", "DeadlineRule")
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            DeadlineRule.objects.update_or_create(
                commune=None,
                key=row["cle"],
                version=1,
                defaults={
                    "label": row["libelle"],
                    "days": int(row["jours"]),
                    "months": int(row["mois"]),
                    "legal_basis": row["base_legale"],
                    "source": row["source"],
                    "to_verify": row["a_verifier"] == "oui",
                    "valid_from": date(2025, 9, 1),
                    "active": True,
                },
            )


def unseed(apps, schema_editor):
    apps.get_model("cases", "DeadlineRule").objects.filter(commune=None, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_procedure")]

    operations = [migrations.RunPython(seed, unseed)]
