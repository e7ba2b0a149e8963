"""Load a version of the référentiel from its data file (``framework/data/<version>.json``).

Loading is idempotent and never touches another version, so a data migration can add a later
national text next to the old one.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_version(version: str) -> dict[str, Any]:
    """The parsed data file of one version."""
    return json.loads((DATA_DIR / f"{version}.json").read_text(encoding="utf-8"))


def load_version(data: dict[str, Any], *, models: Any, make_current: bool = True) -> Any:
    """Create or update one version from ``data``; ``models`` is a module or app registry view.

    Args:
        data: the parsed data file.
        models: an object with ``Framework``, ``Objective`` and ``SubObjective`` attributes (the
            real models, or the historical ones in a migration).
        make_current: mark this version as the one new actions use.
    """
    framework, _ = models.Framework.objects.update_or_create(
        version=data["version"],
        defaults={
            "title": data["title"],
            "source": data["source"],
            "published_on": date.fromisoformat(data["published_on"]),
        },
    )
    if make_current:
        models.Framework.objects.exclude(pk=framework.pk).update(is_current=False)
        models.Framework.objects.filter(pk=framework.pk).update(is_current=True)
    for obj in data["objectives"]:
        objective, _ = models.Objective.objects.update_or_create(
            framework=framework,
            number=obj["number"],
            defaults={"title": obj["title"], "description": obj["description"]},
        )
        for position, sub in enumerate(obj["sub_objectives"], start=1):
            models.SubObjective.objects.update_or_create(
                objective=objective,
                code=sub["code"],
                defaults={"title": sub["title"], "description": sub["description"], "position": position},
            )
    return framework
