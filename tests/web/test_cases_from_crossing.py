"""A case « enfant non trouvé » opens only for a child the latest crossing did not find."""

from __future__ import annotations

from datetime import date

import pytest

from veille.web.cellule.cases.models import Domain, Origin, TransitionError
from veille.web.cellule.cases.services import open_case
from veille.web.cellule.imports.models import CrossingRun, Outcome, RunStatus
from veille.web.common.accounts.roles import Role

from .cases_support import make_child, quick_member


def crossed(child, user, *statuses):
    for status in statuses:
        run = CrossingRun.objects.create(
            commune=child.commune, school_year="2026-2027", launched_by=user, status=RunStatus.DONE
        )
        Outcome.objects.create(run=run, child=child, status=status, engine_status=status)


@pytest.fixture
def agent(commune_a):
    return quick_member(commune_a, Role.AGENT)


def open_from_crossing(child, user):
    return open_case(
        commune=child.commune, user=user, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )


def test_it_opens_a_case_for_a_child_the_latest_crossing_did_not_find(commune_a, agent):
    child = make_child(commune_a)
    crossed(child, agent, "rapproche", "non_trouve")
    assert open_from_crossing(child, agent).child == child


def test_it_refuses_a_case_for_a_child_the_latest_crossing_found_schooled(commune_a, agent):
    child = make_child(commune_a)
    crossed(child, agent, "non_trouve", "rapproche")
    with pytest.raises(TransitionError, match="retrouvé cet enfant"):
        open_from_crossing(child, agent)


def test_a_child_schooled_can_still_have_an_absenteeism_case(commune_a, agent):
    child = make_child(commune_a)
    crossed(child, agent, "rapproche")
    case = open_case(
        commune=commune_a,
        user=agent,
        child=child,
        origin=Origin.ABSENTEEISM_REPORT,
        domain=Domain.ABSENTEEISM,
        report_school="École des Tilleuls",
        report_month=date(2026, 10, 1),
        report_half_days=5,
    )
    assert case.origin == Origin.ABSENTEEISM_REPORT
