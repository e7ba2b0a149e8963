"""The synthetic commune: deterministic, well-formed files, and the hard cases it promises."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from veille.columns import CHILD_COLUMNS, SCHOOLING_COLUMNS
from veille.synth import SyntheticCommune, generate_commune, write_commune
from veille.synth.scoring import score_flags
from veille.synth.writer import SCHOOLING_FILES


@pytest.fixture(scope="module")
def commune() -> SyntheticCommune:
    return generate_commune(5000, seed=7)


@pytest.fixture(scope="module")
def written(commune: SyntheticCommune, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_commune(commune, tmp_path_factory.mktemp("commune"))


def _tags(commune: SyntheticCommune) -> pd.Series:
    return commune.truth.set_index("identifiant")["difficultes"].str.split("|")


def test_it_is_deterministic_for_a_seed(commune: SyntheticCommune) -> None:
    again = generate_commune(5000, seed=7)
    pd.testing.assert_frame_equal(commune.children, again.children)
    pd.testing.assert_frame_equal(commune.truth, again.truth)
    for source, frame in commune.schooling.items():
        pd.testing.assert_frame_equal(frame, again.schooling[source])


def test_another_seed_gives_another_commune(commune: SyntheticCommune) -> None:
    other = generate_commune(5000, seed=8)
    assert not commune.children["nom"].equals(other.children["nom"])


def test_it_has_the_requested_number_of_children_mostly_caf(commune: SyntheticCommune) -> None:
    assert len(commune.children) == 5000
    assert list(commune.children.columns) == list(CHILD_COLUMNS)
    msa_share = (commune.children["organisme"] == "MSA").mean()
    assert 0.04 < msa_share < 0.10


def test_the_truth_covers_every_child_exactly_once(commune: SyntheticCommune) -> None:
    truth = commune.truth
    assert len(truth) == len(commune.children)
    assert set(zip(truth.organisme, truth.identifiant, strict=True)) == set(
        zip(commune.children.organisme, commune.children.identifiant, strict=True)
    )
    assert set(truth["statut_reel"]) == {"scolarise", "non_scolarise", "hors_obligation"}


def test_unschooled_children_are_one_to_two_percent_of_compulsory_age(commune: SyntheticCommune) -> None:
    status = commune.truth["statut_reel"]
    share = (status == "non_scolarise").sum() / (status != "hors_obligation").sum()
    assert 0.01 <= share <= 0.02


def test_unschooled_children_have_no_record_and_schooled_ones_have_one(commune: SyntheticCommune) -> None:
    truth = commune.truth
    assert (truth.loc[truth.statut_reel == "non_scolarise", "identifiants_scolarite"] == "").all()
    assert (truth.loc[truth.statut_reel == "scolarise", "identifiants_scolarite"] != "").all()
    all_ids = set(pd.concat([frame["identifiant"] for frame in commune.schooling.values()]))
    claimed = {i for ids in truth["identifiants_scolarite"] for i in ids.split("|") if i}
    assert claimed <= all_ids


def test_children_outside_compulsory_instruction_are_present(commune: SyntheticCommune) -> None:
    share = (commune.truth["statut_reel"] == "hors_obligation").mean()
    assert 0.08 <= share <= 0.17
    years = commune.children["date_naissance"].str[-4:].astype(int)
    assert (years == 2024).any() and (years <= 2010).any()


def test_twins_are_present_with_one_unschooled_twin_somewhere(commune: SyntheticCommune) -> None:
    tags = _tags(commune)
    assert tags.map(lambda t: "jumeau" in t).sum() >= 50
    alone = commune.truth[tags.map(lambda t: "jumeau_seul_non_scolarise" in t).to_numpy()]
    assert len(alone) >= 1
    assert (alone["statut_reel"] == "non_scolarise").all()


def test_records_of_children_of_other_communes_are_present(commune: SyntheticCommune) -> None:
    claimed = {i for ids in commune.truth["identifiants_scolarite"] for i in ids.split("|") if i}
    records = pd.concat(commune.schooling.values())
    others = records[~records["identifiant"].isin(claimed)]
    assert 0.08 <= len(others) / len(records) <= 0.17
    assert (_tags(commune).map(lambda t: "homonyme_autre_commune" in t)).sum() >= 10


def test_identifiers_are_unique_per_file_and_across_schooling_files(commune: SyntheticCommune) -> None:
    for organisme in ("CAF", "MSA"):
        ids = commune.children.loc[commune.children.organisme == organisme, "identifiant"]
        assert ids.is_unique
    all_ids = pd.concat([frame["identifiant"] for frame in commune.schooling.values()])
    assert all_ids.is_unique


def test_every_source_has_records_with_consistent_levels(commune: SyntheticCommune) -> None:
    for source, frame in commune.schooling.items():
        assert len(frame) > 0, source
        assert list(frame.columns) == list(SCHOOLING_COLUMNS)
        assert (frame["source"] == source).all()
    assert (commune.schooling["IEF"]["uai"] == "").all()
    onde = commune.schooling["ONDE"]["niveau"]
    assert set(onde) <= {"", "TPS", "PS", "MS", "GS", "CP", "CE1", "CE2", "CM1", "CM2"}
    assert commune.schooling["ONDE"]["uai"].str.fullmatch(r"\d{7}[A-Z]").all()


def test_files_have_the_announced_encodings_separators_and_headers(written: dict[str, Path]) -> None:
    caf = written["enfants_caf.csv"].read_bytes()
    caf.decode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        caf.decode("utf-8")  # accented names make a Windows-1252 file invalid UTF-8
    assert caf.split(b"\r\n")[0].decode() == ";".join(CHILD_COLUMNS)
    msa = written["enfants_msa.csv"].read_bytes()
    assert msa.startswith(b"\xef\xbb\xbf")
    assert msa[3:].split(b"\r\n")[0].decode() == ";".join(CHILD_COLUMNS)
    for name in SCHOOLING_FILES.values():
        text = written[name].read_text(encoding="utf-8")
        assert text.splitlines()[0] == ",".join(SCHOOLING_COLUMNS)
    assert (
        written["verite.csv"]
        .read_text(encoding="utf-8")
        .startswith("organisme,identifiant,statut_reel,sources,identifiants_scolarite,difficultes")
    )


def test_files_read_back_as_the_frames_with_only_two_date_forms(
    commune: SyntheticCommune, written: dict[str, Path]
) -> None:
    caf = pd.read_csv(
        written["enfants_caf.csv"], sep=";", encoding="cp1252", dtype=str, keep_default_na=False
    )
    expected = commune.children[commune.children.organisme == "CAF"].reset_index(drop=True)
    pd.testing.assert_frame_equal(caf, expected)
    assert caf["date_naissance"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    for source, name in SCHOOLING_FILES.items():
        rows = list(csv.DictReader(io.StringIO(written[name].read_text(encoding="utf-8"))))
        assert len(rows) == len(commune.schooling[source])
        dates = pd.Series([row["date_naissance"] for row in rows])
        assert dates.str.fullmatch(r"\d{4}-\d\d-\d\d|\d\d/\d\d/\d{4}").all(), source


def test_scoring_counts_recall_and_precision_on_compulsory_children(
    commune: SyntheticCommune, tmp_path: Path
) -> None:
    truth = commune.truth
    unschooled = truth.loc[truth.statut_reel == "non_scolarise", "identifiant"].tolist()
    schooled = truth.loc[truth.statut_reel == "scolarise", "identifiant"].tolist()[:10]
    outside = truth.loc[truth.statut_reel == "hors_obligation", "identifiant"].tolist()[:5]
    flags = tmp_path / "flags.csv"
    lines = ["identifiant,statut"]
    lines += [f"{i},non_trouve" for i in unschooled[1:] + schooled + outside]
    lines.append(f"{unschooled[0]},incertain")
    flags.write_text("\n".join(lines) + "\n", encoding="utf-8")
    score = score_flags(flags, truth)
    assert score["recall"] == 1.0
    assert score["non_trouve"] == len(unschooled) - 1 + 10
    assert score["precision_non_trouve"] == pytest.approx((len(unschooled) - 1) / (len(unschooled) + 9))
    assert score["incertain"] == 1


def test_some_rates_can_be_replaced_for_a_harder_commune_and_an_unknown_one_is_refused():
    from veille.synth import RATES

    default = generate_commune(200, seed=3)
    harder = generate_commune(200, seed=3, rates={"digit_typo": 0.5})
    tagged = [
        t.str.contains("chiffre_date").sum()
        for t in (default.truth["difficultes"], harder.truth["difficultes"])
    ]
    assert tagged[1] > 5 * max(tagged[0], 1)
    assert RATES["digit_typo"] == 0.015  # the calibrated rates are left as they were
    with pytest.raises(ValueError, match="taux inconnus : faute_de_frappe"):
        generate_commune(50, seed=3, rates={"faute_de_frappe": 0.1})


def test_a_commune_with_more_schools_than_a_department_has_codes_gets_codes_from_the_next():
    import random

    from veille.synth.generator import _uai

    rng = random.Random(1)
    used: set[str] = set()
    codes = [_uai(rng, used) for _ in range(12_000)]
    assert len(set(codes)) == 12_000
    assert {code[:3] for code in codes} == {"059", "060"}
    assert all(code[:3] == "059" for code in codes[:9_000])


def test_month_after_month_the_identifiers_stay_unique():
    from veille.synth.monthly import MonthlyRates, next_month

    # Many enrolments each month, so that a month numbering its records as the last one did collides.
    months = [generate_commune(1_000, seed=5)]
    for seed in (6, 7):
        months.append(next_month(months[-1], seed=seed, rates=MonthlyRates(enrolled=0.5)))

    enrolled = [
        set(pd.concat([frame["identifiant"] for frame in month.schooling.values()])) for month in months
    ]
    assert enrolled[2] - enrolled[1] and enrolled[1] - enrolled[0]
    for month in months:
        all_ids = pd.concat([frame["identifiant"] for frame in month.schooling.values()])
        assert all_ids.is_unique
        for organisme in ("CAF", "MSA"):
            assert month.children.loc[month.children.organisme == organisme, "identifiant"].is_unique
