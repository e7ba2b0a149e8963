"""The departmental run: all the communes crossed at once, each commune's result holding only its own.

A small synthetic department (three communes and the pupils of the rest of the department), written
as the departmental body receives it, crossed once by the library and once by the command.
"""

import json
from pathlib import Path

import pandas as pd
import pytest

from veille.cli import main
from veille.matching import CommuneChildren, Status, cross, cross_department
from veille.matching.department import TAKEN_ELSEWHERE_REASON
from veille.outputs import MATCHES_FILE, MODEL_FILE, SUMMARY_FILE, UNSCHOOLED_FILE
from veille.sources import read_children_files, read_schooling_files
from veille.synth.department import generate_department, write_department

YEAR = "2026-2027"


@pytest.fixture(scope="module")
def department(tmp_path_factory):
    made = generate_department([700, 400, 250], seed=5, department_pupils=6_000)
    root = tmp_path_factory.mktemp("departement")
    write_department(made, root)
    return made, root


@pytest.fixture(scope="module")
def tables(department):
    made, root = department
    schooling = read_schooling_files(sorted((root / "scolarite").glob("*.csv"))).table
    communes = [
        CommuneChildren(
            commune.code,
            read_children_files(sorted((root / "communes" / commune.folder).glob("*.csv"))).table,
            commune.name,
        )
        for commune in made.communes
    ]
    return communes, schooling


@pytest.fixture(scope="module")
def run(tables):
    communes, schooling = tables
    return cross_department(communes, schooling, school_year=YEAR)


def _keys(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["organisme"], frame["identifiant"], strict=True))


def test_it_gives_each_commune_only_its_own_children_in_their_order(run, tables):
    communes, _ = tables
    assert list(run.communes) == [commune.code for commune in communes]
    for commune in communes:
        result = run.communes[commune.code].result
        assert result.children["identifiant"].tolist() == commune.children["identifiant"].tolist()
        assert _keys(result.matches) <= _keys(commune.children)
        assert result.state is None


def test_it_gives_a_schooling_record_to_one_child_of_the_whole_department(run):
    matches = pd.concat([commune.result.matches for commune in run.communes.values()], ignore_index=True)
    assert len(matches) > 500
    assert not matches.duplicated(["source", "source_identifiant"]).any()
    assert run.records_matched == len(matches)


def test_it_finds_the_unschooled_children_of_every_commune(run, department):
    made, _ = department
    for commune in made.communes:
        truth = commune.truth.set_index(["organisme", "identifiant"])["statut_reel"]
        result = run.communes[commune.code].result.children
        real = truth.reindex(list(zip(result["organisme"], result["identifiant"], strict=True))).to_numpy()
        flagged = result["statut"].isin([Status.UNFOUND.value, Status.UNCERTAIN.value]).to_numpy()
        unschooled = real == "non_scolarise"
        assert unschooled.sum() >= 2
        assert (flagged & unschooled).sum() / unschooled.sum() >= 0.9
        # The matched are schooled children: no unschooled child hidden behind another's record.
        assert not (result["statut"].to_numpy() == Status.MATCHED.value)[unschooled].any()


def test_it_matches_as_well_as_crossing_each_commune_alone(run, tables):
    communes, schooling = tables
    for commune in communes:
        alone = cross(commune.children, schooling, school_year=YEAR)
        together = run.communes[commune.code].result
        differ = (alone.children["statut"].to_numpy() != together.children["statut"].to_numpy()).sum()
        assert differ <= 0.01 * len(commune.children) + 1


def test_it_learns_one_model_for_the_department(run):
    models = [json.dumps(commune.result.model, sort_keys=True) for commune in run.communes.values()]
    assert len(set(models)) == 1
    assert run.model == run.communes[next(iter(run.communes))].result.model


def test_a_record_claimed_from_two_communes_goes_to_one_child_and_is_not_shown_to_the_other(tables):
    communes, schooling = tables
    first, second = communes[0], communes[1]
    matched = cross_department(communes, schooling, school_year=YEAR).communes[first.code].result
    schooled = matched.children[matched.children["statut"] == Status.MATCHED.value].iloc[0]
    # The same child on the second commune's list too, under another CAF number and address.
    twin = first.children[first.children["identifiant"] == schooled["identifiant"]].copy()
    twin["identifiant"] = "9999999-01"
    twin["adresse"] = "1 rue de l'Autre Commune"
    twin["code_postal"] = "59902"
    moved = CommuneChildren(second.code, pd.concat([second.children, twin], ignore_index=True), second.name)
    again = cross_department([first, moved, *communes[2:]], schooling, school_year=YEAR)

    mine = again.communes[first.code].result.children
    theirs = again.communes[second.code].result.children
    rows = {
        first.code: mine[mine["identifiant"] == schooled["identifiant"]].iloc[0],
        second.code: theirs[theirs["identifiant"] == "9999999-01"].iloc[0],
    }
    winners = [code for code, row in rows.items() if row["statut"] == Status.MATCHED.value]
    assert len(winners) == 1
    loser = next(code for code in rows if code not in winners)
    other = rows[loser]
    assert other["statut"] == Status.UNFOUND.value
    assert other["motif"] == TAKEN_ELSEWHERE_REASON
    assert other["candidat_identifiant"] == "" and other["candidat_nom"] == ""
    assert pd.isna(other["score"])
    assert again.communes[loser].withheld_candidates >= 1
    everywhere = pd.concat([c.result.matches for c in again.communes.values()], ignore_index=True)
    assert not everywhere.duplicated(["source", "source_identifiant"]).any()


def test_it_counts_a_child_listed_by_two_communes(tables):
    communes, schooling = tables
    first, second = communes[0], communes[1]
    copied = first.children.iloc[:3]
    doubled = CommuneChildren(second.code, pd.concat([second.children, copied], ignore_index=True))
    again = cross_department([first, doubled], schooling, school_year=YEAR)
    assert again.shared_children == 3


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["59A01"], "n'est pas un code INSEE"),
        (["59350", "59350"], "donnée deux fois"),
        ([], "aucune commune"),
    ],
)
def test_it_refuses_communes_without_a_clear_code_in_french(tables, codes, message):
    communes, schooling = tables
    given = [CommuneChildren(code, communes[0].children) for code in codes]
    with pytest.raises(ValueError, match=message):
        cross_department(given, schooling, school_year=YEAR)


def test_it_refuses_a_commune_without_children(tables):
    communes, schooling = tables
    empty = CommuneChildren("59350", communes[0].children.iloc[0:0])
    with pytest.raises(ValueError, match="aucun enfant"):
        cross_department([communes[0], empty], schooling, school_year=YEAR)


# ------------------------------------------------------------------------------------------- CLI


@pytest.fixture(scope="module")
def crossed(department, tmp_path_factory):
    _, root = department
    out = tmp_path_factory.mktemp("resultats")
    schooling = [str(path) for path in sorted((root / "scolarite").glob("*.csv"))]
    code = main(
        [
            "croiser-departement",
            "--communes",
            str(root / "communes"),
            "--scolarite",
            *schooling,
            "--sortie",
            str(out),
            "--annee-scolaire",
            YEAR,
        ]
    )
    return code, out


def test_the_command_writes_one_folder_per_commune_with_the_files_of_croiser(crossed, department):
    code, out = crossed
    made, _ = department
    assert code == 0
    for commune in made.communes:
        folder = out / commune.folder
        for name in (UNSCHOOLED_FILE, MATCHES_FILE, SUMMARY_FILE, MODEL_FILE):
            assert (folder / name).is_file()
        synthesis = json.loads((folder / SUMMARY_FILE).read_text(encoding="utf-8"))
        assert synthesis["enfants"]["total"] == len(commune.children)
        assert synthesis["croisement_departemental"]["code_commune"] == commune.code


def test_each_commune_folder_holds_only_that_communes_children(crossed, department):
    _, out = crossed
    made, _ = department
    for commune in made.communes:
        own = set(commune.children["identifiant"])
        others = {
            ident
            for other in made.communes
            if other.code != commune.code
            for ident in other.children["identifiant"]
        }
        for name in (UNSCHOOLED_FILE, MATCHES_FILE):
            frame = pd.read_csv(out / commune.folder / name, dtype=str, keep_default_na=False)
            assert set(frame["identifiant"]) <= own
        text = "".join(path.read_text(encoding="utf-8") for path in (out / commune.folder).iterdir())
        assert not [ident for ident in others if ident in text]


def test_the_departmental_summary_has_counts_and_no_personal_data(crossed, department):
    _, out = crossed
    made, _ = department
    text = (out / "synthese_departement.json").read_text(encoding="utf-8")
    table = pd.read_csv(out / "synthese_departement.csv", dtype={"code_commune": str})
    synthesis = json.loads(text)
    assert [item["code_commune"] for item in synthesis["communes"]] == [c.code for c in made.communes]
    assert table["enfants"].tolist() == [len(c.children) for c in made.communes]
    assert synthesis["enfants"]["total"] == made.n_children
    assert synthesis["scolarite"]["total"] == made.n_records
    csv_text = (out / "synthese_departement.csv").read_text(encoding="utf-8")
    for commune in made.communes:
        children = commune.children
        for value in (*children["identifiant"], *(children["nom"] + " " + children["prenoms"])):
            assert value not in text and value not in csv_text


def test_the_command_prints_a_french_table_per_commune(department, tmp_path, capsys):
    _, root = department
    code = main(
        [
            "croiser-departement",
            "--communes",
            str(root / "communes"),
            "--scolarite",
            *[str(path) for path in sorted((root / "scolarite").glob("*.csv"))],
            "--sortie",
            str(tmp_path),
            "--annee-scolaire",
            YEAR,
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "Croisement départemental terminé" in out
    assert "59901" in out and "non trouvés" in out


def _layout(root: Path, folders: dict[str, list[str]]) -> Path:
    for folder, files in folders.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        for name in files:
            (root / folder / name).write_text(
                "organisme;identifiant;nom;prenoms;date_naissance;sexe;adresse;code_postal;commune\n"
                "CAF;1;DUPONT;Léa;03/02/2015;F;1 rue A;59350;LILLE\n",
                encoding="utf-8",
            )
    return root


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda root: root / "absent", "est introuvable"),
        (lambda root: _layout(root, {"Lille": ["enfants_caf.csv"]}), "ne commence pas par le code INSEE"),
        (
            lambda root: _layout(root, {"59350_Lille": ["enfants_caf.csv"], "59350": ["enfants_msa.csv"]}),
            "désignent la même commune (59350)",
        ),
        (lambda root: _layout(root, {"59350_Lille": []}), "ne contient aucun fichier enfants"),
        (lambda root: _layout(root, {"59350_Lille/vieux": ["enfants_caf.csv"]}), "contient un sous-dossier"),
        (
            lambda root: _layout(root, {".": ["enfants_caf.csv"]}),
            "est directement dans le dossier des communes",
        ),
        (lambda root: _layout(root, {}), "ne contient aucun dossier de commune"),
    ],
)
def test_the_command_explains_a_wrong_layout_of_communes_in_french(
    department, tmp_path, capsys, build, message
):
    _, root = department
    communes = build(tmp_path / "communes")
    (tmp_path / "communes").mkdir(exist_ok=True)
    code = main(
        [
            "croiser-departement",
            "--communes",
            str(communes),
            "--scolarite",
            str(root / "scolarite" / "scolarite_onde.csv"),
            "--sortie",
            str(tmp_path / "sortie"),
        ]
    )
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "sortie").exists()


def test_the_command_names_the_commune_whose_file_is_wrong(department, tmp_path, capsys):
    _, root = department
    communes = tmp_path / "communes"
    good = communes / "59901_Bonne"
    good.mkdir(parents=True)
    (good / "enfants_caf.csv").write_bytes(
        (root / "communes" / "59901_COMMUNE-FICTIVE-01" / "enfants_caf.csv").read_bytes()
    )
    bad = communes / "59902_Mauvaise"
    bad.mkdir()
    (bad / "enfants_caf.csv").write_text(
        "organisme;identifiant;nom;prenoms;date_naissance;sexe;adresse;code_postal;commune\n"
        "CAF;1;DUPONT;Léa;31/02/2015;F;1 rue A;59902;X\n",
        encoding="utf-8",
    )
    code = main(
        [
            "croiser-departement",
            "--communes",
            str(communes),
            "--scolarite",
            str(root / "scolarite" / "scolarite_onde.csv"),
            "--sortie",
            str(tmp_path / "sortie"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "commune 59902 (dossier « 59902_Mauvaise »)" in err
    assert "ligne 2" in err and "date_naissance" in err


def test_its_help_is_entirely_french(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["croiser-departement", "--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0
    assert out.startswith("utilisation : veille croiser-departement")
    assert "--communes DOSSIER" in out
    for english in ("usage:", "show this help", "positional arguments", "default:"):
        assert english not in out


def test_demo_donnees_writes_a_department_the_command_reads(tmp_path):
    assert main(["demo-donnees", str(tmp_path / "dep"), "--communes", "2", "--enfants", "300"]) == 0
    folders = sorted(path.name for path in (tmp_path / "dep" / "communes").iterdir())
    assert folders == ["59901_COMMUNE-FICTIVE-01", "59902_COMMUNE-FICTIVE-02"]
    truth = pd.read_csv(tmp_path / "dep" / "verite.csv", dtype=str)
    assert len(truth) == 300 and set(truth["code_commune"]) == {"59901", "59902"}


# ----------------------------------------------------------------------------------------- Spark


def test_the_departmental_run_on_spark_gives_every_child_the_status_duckdb_gives(spark, tmp_path):
    made = generate_department([120, 80], seed=12, department_pupils=800)
    write_department(made, tmp_path)
    schooling = [str(path) for path in sorted((tmp_path / "scolarite").glob("*.csv"))]
    statuses = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / engine
        options = ["--sortie", str(out), "--annee-scolaire", YEAR, "--moteur", engine]
        code = main(
            [
                "croiser-departement",
                "--communes",
                str(tmp_path / "communes"),
                "--scolarite",
                *schooling,
                *options,
            ]
        )
        assert code == 0
        statuses[engine] = {
            commune.code: pd.read_csv(out / commune.folder / UNSCHOOLED_FILE, dtype=str)[
                ["identifiant", "statut"]
            ]
            for commune in made.communes
        }
        summary = json.loads((out / "synthese_departement.json").read_text(encoding="utf-8"))
        assert summary["moteur"] == engine
    for code, frame in statuses["duckdb"].items():
        assert len(frame) > 0
        pd.testing.assert_frame_equal(frame, statuses["spark"][code])


def test_without_java_the_departmental_run_on_spark_says_so_in_french(
    department, monkeypatch, tmp_path, capsys
):
    from veille.matching import backends

    _, root = department
    monkeypatch.setattr(backends, "java_available", lambda: False)
    schooling = str(root / "scolarite" / "scolarite_onde.csv")
    options = ["--sortie", str(tmp_path / "sortie"), "--moteur", "spark"]
    code = main(
        ["croiser-departement", "--communes", str(root / "communes"), "--scolarite", schooling, *options]
    )
    assert code == 2
    assert "Erreur : le moteur Spark a besoin de Java" in capsys.readouterr().err
    assert not (tmp_path / "sortie").exists()


def test_the_command_passes_over_hidden_files(department, tmp_path):
    import shutil

    made, root = department
    communes = tmp_path / "communes"
    shutil.copytree(root / "communes" / made.communes[2].folder, communes / made.communes[2].folder)
    (communes / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (communes / made.communes[2].folder / ".~lock.enfants_caf.csv#").write_text("verrou", encoding="utf-8")
    schooling = [str(path) for path in sorted((root / "scolarite").glob("*.csv"))]
    options = ["--sortie", str(tmp_path / "sortie"), "--annee-scolaire", YEAR]
    assert (
        main(["croiser-departement", "--communes", str(communes), "--scolarite", *schooling, *options]) == 0
    )
    written = pd.read_csv(tmp_path / "sortie" / "synthese_departement.csv", dtype=str)
    assert written["enfants"].tolist() == [str(len(made.communes[2].children))]


def test_a_department_of_one_commune_is_that_communes_own_crossing(tables):
    communes, schooling = tables
    alone = cross(communes[1].children, schooling, school_year=YEAR)
    run = cross_department([communes[1]], schooling, school_year=YEAR).communes[communes[1].code].result
    pd.testing.assert_frame_equal(alone.children, run.children)
    pd.testing.assert_frame_equal(alone.matches, run.matches)


def test_each_commune_keeps_the_size_offset_of_its_own_share_of_the_files(tables):
    from veille.matching.department import _commune_offsets

    communes, schooling = tables
    extra = _commune_offsets(communes, schooling)
    # Each commune's share of the department's files is smaller than the three communes' together.
    assert (extra > 0.5).all()
    assert extra[2] > extra[0]  # the smallest commune is the farthest from the files' width
    assert _commune_offsets(communes[:1], schooling).tolist() == [0.0]
