"""Monthly updates in the web application: a run is crossed against the commune's previous one.

The previous finished run of the commune is the reference: its model and unchanged pairs are reused
(same school year), its decisions carry over, and the run's page says what changed since.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.db.models import Count
from django.urls import reverse

from veille.matching import Agreement, Status
from veille.matching.monthly import (
    ARRIVED,
    LEFT,
    NEWLY_SCHOOLED,
    NEWLY_UNSCHOOLED,
    STATE_VERSION,
)
from veille.synth import generate_commune, write_commune
from veille.synth.monthly import next_month
from veille.web.cellule.children.models import Child
from veille.web.cellule.imports import services
from veille.web.cellule.imports.models import CrossingRun, Outcome, RunStatus, SchoolingRecord
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import Action, AuditEvent

YEAR = "2026-2027"


def _written(commune, folder: Path) -> dict[str, Path]:
    written = write_commune(commune, folder)
    return {name: path for name, path in written.items() if len(path.read_bytes().splitlines()) > 1}


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    first = generate_commune(300, seed=21, school_year=YEAR)
    folder = tmp_path_factory.mktemp("mois")
    return _written(first, folder / "mois1"), _written(next_month(first, seed=22), folder / "mois2")


def _import(commune, user, files):
    services.import_files(
        commune=commune,
        user=user,
        children_paths=[p for n, p in files.items() if n.startswith("enfants_")],
        schooling_paths=[p for n, p in files.items() if n.startswith("scolarite_")],
        school_year=YEAR,
    )


def _run(commune, user) -> CrossingRun:
    run = services.launch_crossing(commune=commune, school_year=YEAR, user=user)
    assert run.status == RunStatus.DONE, run.error
    return run


@pytest.fixture
def two_months(commune_a, member, months):
    """Month 1 imported and crossed, then month 2; the children who left are marked as moved away."""
    referent = member(Role.REFERENT)
    _import(commune_a, referent, months[0])
    first = _run(commune_a, referent)
    _import(commune_a, referent, months[1])
    # The cell records departures (the family moved): those children are not crossed any more.
    kept = {
        (row.split(";")[0], row.split(";")[1])
        for name, path in months[1].items()
        if name.startswith("enfants_")
        for row in path.read_text(encoding="cp1252" if "caf" in name else "utf-8-sig").splitlines()[1:]
    }
    for child in Child.objects.filter(commune=commune_a):
        if (child.organisme, child.source_id) not in kept:
            child.moved_away_on = first.created_at.date()
            child.save(update_fields=["moved_away_on"])
    return referent, first


def test_a_run_is_crossed_against_the_communes_previous_run(two_months, commune_a):
    referent, first = two_months

    second = _run(commune_a, referent)

    assert second.reference == first
    assert second.parameters["mise_a_jour_mensuelle"] is True
    assert second.changes[ARRIVED] and second.changes[LEFT]
    first.refresh_from_db()
    assert first.state is None and second.state  # only the latest run keeps what the next one reuses


def _of_version(data: bytes, version: int) -> bytes:
    """The same state, as a version of Veille writing state ``version`` would label it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for name in old.namelist():
            content = old.read(name)
            if name == "etat.json":
                content = json.dumps({**json.loads(content), "version": version}).encode()
            new.writestr(name, content)
    return out.getvalue()


def test_a_state_left_by_an_earlier_version_gives_a_full_crossing_instead(two_months, commune_a):
    referent, first = two_months
    first.state = _of_version(bytes(first.state), STATE_VERSION - 1)
    first.save(update_fields=["state"])

    second = _run(commune_a, referent)

    assert second.reference == first
    assert second.parameters["mise_a_jour_mensuelle"] is False
    assert second.changes[ARRIVED] and second.changes[LEFT]


def test_a_child_enrolled_since_last_month_is_reported_newly_schooled(two_months, commune_a):
    referent, first = two_months

    second = _run(commune_a, referent)

    for child_id in second.changes[NEWLY_SCHOOLED]:
        before = Outcome.objects.get(run=first, child_id=child_id)
        after = Outcome.objects.get(run=second, child_id=child_id)
        assert before.status in (Status.UNFOUND, Status.UNCERTAIN) and after.status == Status.MATCHED
    for child_id in second.changes[NEWLY_UNSCHOOLED]:
        assert Outcome.objects.get(run=second, child_id=child_id).status == Status.UNFOUND


def test_a_pair_decided_last_month_is_not_asked_again(two_months, commune_a):
    referent, first = two_months
    outcome = (
        Outcome.objects.filter(run=first, status__in=[Status.UNCERTAIN, Status.UNFOUND])
        .exclude(candidate=None)
        .first()
    )
    services.decide(outcome=outcome, same=True, user=referent)

    second = _run(commune_a, referent)

    again = Outcome.objects.get(run=second, child=outcome.child)
    assert again.status == Status.MATCHED and again.decision == outcome.decision
    assert not Outcome.objects.to_review(commune_a).filter(child=outcome.child).exists()
    # Matched by the decision last month and again now: not "newly schooled".
    assert outcome.child_id not in second.changes[NEWLY_SCHOOLED]


def test_the_run_page_shows_the_changes_since_last_month_and_audits_the_names(
    two_months, commune_a, client_as
):
    referent, _ = two_months
    second = _run(commune_a, referent)
    arrived = Child.objects.get(pk=second.changes[ARRIVED][0])

    page = client_as(referent).get(
        reverse("imports:run", kwargs={"commune": commune_a.slug, "pk": second.pk})
    )

    text = page.content.decode()
    assert "Changements depuis le mois dernier" in text and arrived.last_name in text
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="imports.crossingrun", object_id=str(second.pk)
    ).exists()


def test_the_run_page_warns_of_a_school_whose_records_vanished_since_last_month(
    two_months, commune_a, client_as
):
    referent, _ = two_months
    # An import withdrawn since: the records of one school are no longer the commune's.
    records = SchoolingRecord.objects.filter(commune=commune_a, source="ONDE").exclude(uai="")
    uai = records.values("uai").annotate(n=Count("pk")).order_by("-n")[0]["uai"]
    records.filter(uai=uai).delete()

    second = _run(commune_a, referent)
    page = client_as(referent).get(
        reverse("imports:run", kwargs={"commune": commune_a.slug, "pk": second.pk})
    )

    assert [school["uai"] for school in second.parameters["etablissements_en_baisse"]] == [uai]
    assert f"Attention : L&#x27;établissement {uai}" in page.content.decode()


def test_the_run_page_warns_of_no_school_when_each_keeps_its_pupils(two_months, commune_a, client_as):
    referent, _ = two_months

    second = _run(commune_a, referent)
    page = client_as(referent).get(
        reverse("imports:run", kwargs={"commune": commune_a.slug, "pk": second.pk})
    )

    assert second.parameters["etablissements_en_baisse"] == []
    assert "Un fichier de scolarité manque peut-être" not in page.content.decode()


def test_the_review_page_reads_each_levels_agreement_as_stored(two_months):
    _, first = two_months
    outcome = Outcome.objects.filter(run=first, status=Status.MATCHED).first()

    rows = outcome.comparison_rows()

    assert rows and {row["agreement"] for row in rows} <= {a.value for a in Agreement}
    assert rows[0]["name"] == "Nom"


def test_existing_outcomes_get_their_levels_agreement_from_their_runs_model(commune_a, member):
    import importlib
    from datetime import date

    from django.apps import apps

    migration = importlib.import_module("veille.web.cellule.imports.migrations.0002_mensuel_et_niveaux_types")
    child = Child.objects.create(
        commune=commune_a,
        organisme="CAF",
        source_id="0000001-01",
        last_name="FICTIF",
        first_names="Camille",
        birth_date=date(2016, 5, 4),
        retention_until=date(2033, 8, 31),
    )
    levels = [{"label_for_charts": "valeur absente", "is_null_level": True}]
    levels += [{"label_for_charts": label} for label in ("nom identique", "nom proche", "nom différent")]
    model = {"comparisons": [{"output_column_name": "nom", "comparison_levels": levels}]}
    run = CrossingRun.objects.create(
        commune=commune_a, school_year=YEAR, launched_by=member(Role.REFERENT), model=model
    )
    outcome = Outcome.objects.create(
        run=run, child=child, status="incertain", engine_status="incertain", levels={"nom": "nom proche"}
    )

    migration.levels_to_list(apps, None)

    outcome.refresh_from_db()
    assert outcome.levels == [{"comparison": "nom", "label": "nom proche", "agreement": "partiel"}]
    migration.levels_to_dict(apps, None)
    outcome.refresh_from_db()
    assert outcome.levels == {"nom": "nom proche"}
