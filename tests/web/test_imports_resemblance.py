"""The reviewer reads the candidate's evidence in words, against the automatic threshold (16 bits)."""

from __future__ import annotations

import pytest

from veille.web.cellule.imports.models import Outcome


@pytest.mark.parametrize(
    ("weight", "words"),
    [
        (None, ""),
        (16.0, "très forte (rapprochement automatique)"),
        (15.9, "forte"),
        (11.0, "forte"),
        (10.9, "moyenne"),
        (6.0, "moyenne"),
        (5.9, "faible"),
        (3.0, "faible"),
    ],
)
def test_it_says_how_much_a_candidate_resembles_the_child(weight, words):
    assert Outcome(weight=weight).resemblance == words
