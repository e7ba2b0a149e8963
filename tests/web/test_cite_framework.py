"""The référentiel shipped with Veille: official titles (vade-mecum, partie 2) and versioning."""

from __future__ import annotations

import copy

import pytest

from veille.web.cite.framework import models as framework_models
from veille.web.cite.framework.loading import load_version, read_version
from veille.web.cite.framework.models import Framework, Objective, SubObjective

from .cite_support import make_action, make_cite


@pytest.fixture
def current(db):
    return Framework.objects.current()


def test_the_2020_referentiel_is_loaded_with_three_objectives_and_23_sub_objectives(current):
    assert current.version == "2020-10"
    assert [o.number for o in current.objectives.all()] == [1, 2, 3]
    counts = [o.sub_objectives.count() for o in current.objectives.all()]
    assert counts == [6, 10, 7]


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("1.1", "Rechercher une meilleure mixité sociale et scolaire"),
        ("1.6", "Renforcer les alliances éducatives à l’interne et avec les partenaires"),
        ("2.1", "Favoriser la socialisation précoce des enfants"),
        ("2.4", "Persévérance scolaire, PRE et lutte contre le décrochage"),
        ("2.10", "Promotion des valeurs collectives et prévention des risques"),
        ("3.1", "Stages de 3ème, découverte des filières de formation et du monde du travail"),
        ("3.2", "Linguistique et lutte contre l’illettrisme et l’illectronisme"),
        ("3.7", "« Droit à la ville »"),
    ],
)
def test_sub_objectives_carry_the_vade_mecums_official_titles(current, code, title):
    assert SubObjective.objects.current().get(code=code).title == title


def test_objectives_carry_the_official_titles_and_a_description(current):
    titles = {o.number: o.title for o in current.objectives.all()}
    assert titles == {
        1: "Conforter le rôle de l’Ecole",
        2: "Promouvoir la continuité éducative",
        3: "Ouvrir le champ des possibles",
    }
    assert all(s.description for s in SubObjective.objects.current())


def test_sub_objectives_are_ordered_as_in_the_text_not_alphabetically(current):
    codes = list(SubObjective.objects.current().filter(objective__number=2).values_list("code", flat=True))
    assert codes == [f"2.{i}" for i in range(1, 11)]


def test_a_later_version_keeps_the_old_links_of_existing_actions(current):
    cite = make_cite()
    action = make_action(cite, codes=("2.4",))
    old = action.sub_objectives.get()
    later = copy.deepcopy(read_version("2020-10"))
    later.update(version="2027-01", title="Référentiel révisé (fictif)", published_on="2027-01-15")
    later["objectives"][1]["sub_objectives"][3]["title"] = "Persévérance scolaire (intitulé révisé)"
    load_version(later, models=framework_models)
    assert Framework.objects.current().version == "2027-01"
    assert Framework.objects.count() == 2
    action.refresh_from_db()
    assert action.sub_objectives.get() == old
    old.refresh_from_db()
    assert old.title == "Persévérance scolaire, PRE et lutte contre le décrochage"
    assert old.objective.framework.version == "2020-10"
    assert SubObjective.objects.current().get(code="2.4").title == "Persévérance scolaire (intitulé révisé)"
    assert Objective.objects.filter(number=2).count() == 2


def test_loading_the_same_version_twice_changes_nothing(current):
    before = SubObjective.objects.count()
    load_version(read_version("2020-10"), models=framework_models)
    assert SubObjective.objects.count() == before
    assert Framework.objects.count() == 1
