import datetime

import pandas as pd
import pytest

from veille.compulsory import SchoolYear, compulsory_mask

YEAR = SchoolYear.parse("2026-2027")


@pytest.mark.parametrize(
    ("birth_date", "subject"),
    [
        ("2023-12-31", True),  # turns 3 in the calendar year of the rentrée
        ("2024-01-01", False),  # turns 3 only in 2027: next rentrée
        ("2010-09-02", True),  # turns 16 during the school year: still subject at the rentrée
        ("2010-09-01", False),  # 16 on the day of the rentrée
        ("2005-05-05", False),
        ("2016-02-29", True),
        ("", False),
    ],
)
def test_it_applies_the_age_window_of_compulsory_instruction(birth_date, subject):
    assert compulsory_mask(pd.Series([birth_date]), YEAR).tolist() == [subject]


@pytest.mark.parametrize("text", ["2026", "2026-2028", "26-27", "année 2026-2027"])
def test_it_rejects_a_malformed_school_year_in_french(text):
    with pytest.raises(ValueError, match="n'est pas une année scolaire"):
        SchoolYear.parse(text)


def test_it_starts_the_school_year_on_the_first_of_september():
    assert YEAR.start == datetime.date(2026, 9, 1)
    assert str(YEAR) == "2026-2027"


@pytest.mark.parametrize(
    ("today", "expected"),
    [(datetime.date(2026, 11, 23), "2026-2027"), (datetime.date(2027, 6, 30), "2026-2027")],
)
def test_it_knows_the_current_school_year(today, expected):
    assert str(SchoolYear.current(today)) == expected
