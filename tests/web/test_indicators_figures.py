"""The seven indicators, the funnel and the masking rule, on a hand-built history (``indicators_support``)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from veille.compulsory import SchoolYear
from veille.web.cellule.cases.models import Domain, Origin
from veille.web.cellule.indicators.computations import (
    MASKED,
    age_band,
    custom_period,
    mask,
    masked_total,
    school_year_period,
    term_period,
)
from veille.web.cellule.indicators.queries import Filters, funnel, indicator_values, overdue_cases, trends
from veille.web.common.accounts.roles import Role

from .cases_support import quick_member
from .indicators_support import build_history, done_run, opened

Y2024 = school_year_period(SchoolYear(2024))
Y2023 = school_year_period(SchoolYear(2023))
TODAY = date(2026, 11, 23)
ZERO = dict.fromkeys(
    [
        "descolarisations",
        "controles_ief_mairie",
        "controles_ief_education",
        "mises_en_demeure",
        "rescolarisations",
        "signalements",
        "enquetes",
        "stages_parentalite",
    ],
    0,
)


@pytest.fixture
def history(commune_a, commune_b):
    cases = build_history(commune_a)
    other = opened(commune_b, date(2024, 9, 10))  # another commune's alert never counts here
    other.fire("confirm_alert", user=None, note="alerte", effective_date=date(2024, 9, 11), check_role=False)
    return cases


def test_it_counts_each_indicator_of_a_school_year_from_the_case_events(commune_a, history):
    assert indicator_values(commune_a, Y2024) == {
        "descolarisations": 3,  # case1, case2, case6
        "controles_ief_mairie": 1,  # case4's enquiry sent to the DSDEN
        "controles_ief_education": 2,  # case4's two insufficient controls
        "mises_en_demeure": 4,  # case1, case2, case4, case6 (a signalement needs one since table v2)
        "rescolarisations": 2,  # case1, case4; case6 went back without a formal notice
        "signalements": 2,  # case2, case6
        "enquetes": 2,  # case2 police, case6 social
        "stages_parentalite": 1,  # case2
    }


def test_it_counts_the_previous_school_year_apart(commune_a, history):
    assert indicator_values(commune_a, Y2023) == ZERO | {"descolarisations": 1, "mises_en_demeure": 1}


def test_it_counts_a_term_of_the_school_year(commune_a, history):
    autumn = term_period(SchoolYear(2024), 1)  # September to November 2024
    assert indicator_values(commune_a, autumn) == ZERO | {
        "descolarisations": 3,
        "controles_ief_mairie": 1,
        "mises_en_demeure": 3,  # case1, case2, case6
        "rescolarisations": 1,
        "signalements": 1,
    }


def test_it_counts_a_custom_period_by_the_day_of_the_act(commune_a, history):
    october = custom_period(date(2024, 10, 1), date(2024, 10, 20))
    assert indicator_values(commune_a, october) == ZERO | {"mises_en_demeure": 2, "rescolarisations": 1}
    day_after = custom_period(date(2024, 10, 21), date(2024, 10, 31))
    assert indicator_values(commune_a, day_after) == ZERO


def test_it_filters_by_domain_origin_and_age_band(commune_a, history):
    home = indicator_values(commune_a, Y2024, Filters(domain=Domain.HOME_INSTRUCTION))
    assert home == ZERO | {
        "controles_ief_mairie": 1,
        "controles_ief_education": 2,
        "mises_en_demeure": 1,
        "rescolarisations": 1,
    }
    crossing = indicator_values(commune_a, Y2024, Filters(origin=Origin.CROSSING))
    assert crossing["mises_en_demeure"] == 3 and crossing["controles_ief_mairie"] == 0
    teenagers = indicator_values(commune_a, Y2024, Filters(age_band="11-15"))
    assert teenagers == ZERO | {
        "descolarisations": 1,
        "mises_en_demeure": 1,
        "signalements": 1,
        "enquetes": 1,
    }
    unknown_age = indicator_values(commune_a, Y2024, Filters(age_band="inconnu"))
    assert unknown_age["mises_en_demeure"] == 1 and unknown_age["descolarisations"] == 0


def test_a_purged_case_still_counts(commune_a, history):
    case = history["case2"]
    case.child.delete()  # the purge empties the child, the case stays with its anonymous fields
    assert indicator_values(commune_a, Y2024)["stages_parentalite"] == 1
    assert indicator_values(commune_a, Y2024, Filters(age_band="6-10"))["stages_parentalite"] == 1


def test_the_funnel_follows_the_crossing_cases_of_the_year(commune_a, history):
    user = quick_member(commune_a, Role.REFERENT)
    done_run(
        commune_a,
        user,
        "2024-2025",
        {"rapproche": 100, "non_trouve": 3, "incertain": 2, "hors_obligation": 7},
    )
    result = funnel(commune_a, SchoolYear(2024), TODAY)
    assert result.as_dict() == {
        "enfants_croises": 105,
        "enfants_signales": 5,
        "dossiers_ouverts": 4,  # case1, case2, case3, case6 (case4 is not from the crossing)
        "verifies": 4,
        "alertes": 3,
        "actions": 3,
        "rescolarise": 2,  # case1, case6
        "regularise": 1,  # case1
        "demenage": 0,
        "transmis": 2,  # case2, case6
        "en_retard": 2,  # case2 and case6 await their enquiry or course follow-up since early 2025
    }
    delays = {label: (median, n) for label, median, n in result.delays}
    assert delays["De l'ouverture à la fin de la vérification"] == (9, 4)  # 10, 10, 4, 8 days
    assert delays["De l'alerte à la première action"] == (11, 3)  # 11, 10, 72 days


def test_the_funnel_says_when_no_crossing_ran(commune_a, history):
    result = funnel(commune_a, SchoolYear(2024), TODAY)
    assert result.as_dict()["enfants_croises"] is None
    assert result.notes


def test_overdue_cases_of_the_commune(commune_a, history):
    # case2 and case6 (3 months), case4 (attendance checked 1 month after March 2025), case5 (15 days)
    assert overdue_cases(commune_a, TODAY) == 4


def test_trends_run_from_the_first_school_year_with_events(commune_a, history):
    rows = trends(commune_a, SchoolYear(2025))
    assert [str(year) for year, _ in rows] == ["2023-2024", "2024-2025", "2025-2026"]
    assert [values["mises_en_demeure"] for _, values in rows] == [1, 4, 0]


@pytest.mark.parametrize(
    ("value", "shown"), [(0, 0), (1, MASKED), (2, MASKED), (4, MASKED), (5, 5), (6, 6), (130, 130)]
)
def test_small_counts_are_masked(value, shown):
    assert mask(value) == shown


def test_a_negative_count_is_refused():
    with pytest.raises(ValueError):
        mask(-1)


@pytest.mark.parametrize(
    ("cells", "total"),
    [
        ([0, 0], 0),
        ([5, 7, 0], 12),
        ([5, MASKED], None),  # 5 + x would give x away
        ([MASKED, MASKED], None),
        ([None, 6], 6),  # a commune without the figure
        ([], 0),
    ],
)
def test_no_total_gives_a_masked_count_away(cells, total):
    assert masked_total(cells) == total


@pytest.mark.parametrize(("age", "band"), [(3, "3-5"), (5, "3-5"), (6, "6-10"), (10, "6-10"), (15, "11-15"),
                                           (16, "16+"), (None, "inconnu")])  # fmt: skip
def test_age_bands(age, band):
    assert age_band(age) == band


def test_terms_cover_the_school_year_without_gap():
    year = SchoolYear(2023)
    terms = [term_period(year, n) for n in (1, 2, 3, 4)]
    assert terms[0].start == year.start and terms[-1].end == year.end
    assert terms[1].end == date(2024, 2, 29)  # leap year
    for before, after in itertools.pairwise(terms):
        assert (after.start - before.end).days == 1


def test_the_docs_define_every_indicator_and_outcome():
    from pathlib import Path

    from veille.web.cellule.indicators.definitions import INDICATORS, OUTCOMES

    docs = (Path(__file__).resolve().parents[2] / "docs" / "indicateurs.md").read_text(encoding="utf-8")
    for indicator in INDICATORS:
        assert f"(`{indicator.key}`)" in docs and indicator.definition in docs
    for key in OUTCOMES:
        assert f"(`{key}`)" in docs


def test_each_step_a_definition_quotes_is_named_as_the_case_page_names_it():
    import re

    from veille import law
    from veille.web.cellule.indicators.definitions import INDICATORS

    labels = {act.label for act in law.ACTS}
    for indicator in INDICATORS:
        quoted = re.findall(r"étape « ([^»]+) »", indicator.definition)
        assert set(quoted) <= labels, indicator.key
        names = {act.name for act in law.ACTS if act.label in quoted}
        assert names <= set(indicator.kinds), indicator.key
