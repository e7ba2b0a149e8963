"""The ``veille`` command end to end, on a small synthetic commune."""

import csv
import json

import pytest

from veille.cli import main
from veille.outputs import UNSCHOOLED_COLUMNS
from veille.synth.scoring import score_flags


@pytest.fixture(scope="module")
def commune(tmp_path_factory):
    folder = tmp_path_factory.mktemp("commune")
    assert main(["demo-donnees", str(folder), "--enfants", "4000", "--graine", "5"]) == 0
    return folder


@pytest.fixture(scope="module")
def crossed(commune, tmp_path_factory):
    out = tmp_path_factory.mktemp("resultats")
    return _croiser_commune(commune, out), out


def test_it_exits_with_zero_and_writes_every_result_file(crossed):
    code, out = crossed
    assert code == 0
    for name in ("enfants_sans_scolarite.csv", "rapprochements.csv", "synthese.json", "modele.json"):
        assert (out / name).stat().st_size > 0


def test_it_writes_the_columns_the_cell_expects(crossed):
    _, out = crossed
    with open(out / "enfants_sans_scolarite.csv", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == list(UNSCHOOLED_COLUMNS)


def test_it_finds_the_unschooled_children_without_flooding_the_agents(crossed, commune):
    _, out = crossed
    scores = score_flags(out / "enfants_sans_scolarite.csv", commune / "verite.csv")
    # Floors for a 4,000-child commune (the benchmark measures the targets at full size).
    assert scores["recall"] >= 0.97, scores
    assert scores["precision_non_trouve"] >= 0.85, scores
    assert scores["incertain_share"] <= 0.01, scores


def test_it_summarises_counts_by_status_source_and_age(crossed):
    _, out = crossed
    synthesis = json.loads((out / "synthese.json").read_text(encoding="utf-8"))
    statuses = synthesis["enfants"]["par_statut"]
    assert sum(statuses.values()) == synthesis["enfants"]["total"] == 4000
    assert statuses["hors_obligation"] > 0
    assert "ONDE" in synthesis["scolarite"]["par_source"]
    assert synthesis["enfants"]["par_age_au_1er_septembre"]
    assert synthesis["durees_secondes"]["total"] > 0


def test_it_prints_a_french_summary_with_the_result_paths(crossed, capsys, commune, tmp_path):
    code = main(
        [
            "croiser",
            "--enfants",
            str(commune / "enfants_caf.csv"),
            "--scolarite",
            str(commune / "scolarite_onde.csv"),
            "--sortie",
            str(tmp_path),
            "--annee-scolaire",
            "2026-2027",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Croisement terminé" in printed
    assert str(tmp_path / "enfants_sans_scolarite.csv") in printed


def test_it_exits_with_two_and_a_french_message_on_a_bad_date(tmp_path, capsys):
    children = tmp_path / "enfants.csv"
    children.write_text(
        "organisme;identifiant;nom;prenoms;date_naissance;sexe\nCAF;1;DUPONT;Léa;31/02/2015;F\n",
        encoding="utf-8",
    )
    schooling = tmp_path / "onde.csv"
    schooling.write_text("source,identifiant,nom,prenoms,date_naissance\nONDE,A1,DUPONT,Lea,2015-02-03\n")
    code = main(
        [
            "croiser",
            "--enfants",
            str(children),
            "--scolarite",
            str(schooling),
            "--sortie",
            str(tmp_path / "o"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "ligne 2" in err and "date_naissance" in err and "31/02/2015" in err
    assert "Traceback" not in err


def test_it_exits_with_two_on_a_missing_file(tmp_path, capsys):
    code = main(
        [
            "croiser",
            "--enfants",
            str(tmp_path / "absent.csv"),
            "--scolarite",
            str(tmp_path / "x.csv"),
            "--sortie",
            str(tmp_path / "o"),
        ]
    )
    assert code == 2
    assert "absent.csv" in capsys.readouterr().err


def test_it_rejects_a_malformed_school_year(tmp_path, capsys):
    code = main(
        [
            "croiser",
            "--enfants",
            "a.csv",
            "--scolarite",
            "b.csv",
            "--sortie",
            str(tmp_path),
            "--annee-scolaire",
            "2026",
        ]
    )
    assert code == 2
    assert "année scolaire" in capsys.readouterr().err


def test_it_speaks_french_when_an_option_is_missing(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["croiser", "--enfants", "a.csv"])
    assert exit_info.value.code == 2
    assert "arguments obligatoires manquants" in capsys.readouterr().err


def test_it_replays_a_crossing_with_a_saved_model(crossed, commune, tmp_path):
    _, out = crossed
    args = ["croiser", "--enfants", *map(str, sorted(commune.glob("enfants_*.csv")))]
    args += [
        "--scolarite",
        *map(str, sorted(commune.glob("scolarite_*.csv"))),
        "--annee-scolaire",
        "2026-2027",
    ]
    assert main([*args, "--sortie", str(tmp_path), "--modele", str(out / "modele.json")]) == 0
    replayed = (tmp_path / "enfants_sans_scolarite.csv").read_text(encoding="utf-8")
    assert replayed == (out / "enfants_sans_scolarite.csv").read_text(encoding="utf-8")


def test_it_refuses_an_unreadable_model_in_french(commune, tmp_path, capsys):
    broken = tmp_path / "modele.json"
    broken.write_text("{pas du json", encoding="utf-8")
    code = main(
        [
            "croiser",
            "--enfants",
            str(commune / "enfants_caf.csv"),
            "--scolarite",
            str(commune / "scolarite_onde.csv"),
            "--sortie",
            str(tmp_path / "o"),
            "--modele",
            str(broken),
        ]
    )
    assert code == 2
    assert "illisible" in capsys.readouterr().err


@pytest.mark.parametrize(
    "command", [[], ["croiser"], ["demo-donnees"], ["purger"], ["demo-web"], ["serveur"]]
)
def test_its_help_is_entirely_french(command, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])

    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("utilisation : veille")
    assert "afficher cette aide et quitter" in out
    for english in ("usage:", "show this help", "positional arguments", "optional arguments", "default:"):
        assert english not in out


def _croiser_commune(commune, out):
    return main(
        [
            "croiser",
            "--enfants",
            *map(str, sorted(commune.glob("enfants_*.csv"))),
            "--scolarite",
            *map(str, sorted(commune.glob("scolarite_*.csv"))),
            "--sortie",
            str(out),
            "--annee-scolaire",
            "2026-2027",
        ]
    )


def test_a_crossing_short_of_memory_says_how_to_give_it_more_and_exits_with_one(
    commune, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("VEILLE_MEMOIRE_DUCKDB", "5MB")
    assert _croiser_commune(commune, tmp_path / "sortie") == 1
    error = capsys.readouterr().err
    assert "Erreur : le croisement a manqué de mémoire : DuckDB peut en prendre 5MB" in error
    assert "VEILLE_MEMOIRE_DUCKDB=8GB" in error
    assert "Erreur interne" not in error


def test_a_memory_setting_that_is_not_a_size_is_refused_in_french(commune, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("VEILLE_MEMOIRE_DUCKDB", "huit gigas")
    assert _croiser_commune(commune, tmp_path / "sortie") == 2
    assert "la variable VEILLE_MEMOIRE_DUCKDB vaut « huit gigas »" in capsys.readouterr().err


def test_a_larger_memory_setting_is_what_duckdb_is_given(monkeypatch):
    from veille.matching.backends import DuckDBBackend

    monkeypatch.setenv("VEILLE_MEMOIRE_DUCKDB", "3GB")
    backend = DuckDBBackend()
    try:
        limit = backend.rows("SELECT current_setting('memory_limit')")[0][0]
    finally:
        backend.close()
    assert limit.replace(" ", "") in {"3.0GB", "2.7GiB", "2.79GiB", "3GB"}, limit


def _encrypted_schooling(tmp_path):
    from .malformed import PASSWORD, seven_zip

    archive = tmp_path / "onde.7z"
    onde = "source,identifiant,nom,prenoms,date_naissance\nONDE,A1,DUPONT,Léa,2015-02-03\n"
    archive.write_bytes(seven_zip({"onde.csv": onde.encode()}))
    return archive, PASSWORD


def _asked(monkeypatch, password):
    """Answer the command's password question at a terminal; returns the archives it asked for."""
    import veille.cli

    asked = []
    monkeypatch.delenv(veille.cli.PASSWORD_ENV, raising=False)
    monkeypatch.setattr(veille.cli.sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(veille.cli.getpass, "getpass", lambda prompt: asked.append(prompt) or password)
    return asked


def _cross_with_encrypted_schooling(tmp_path, monkeypatch, birth_date):
    """Cross one child (born ``birth_date``, as typed) against an encrypted ONDE archive whose password
    is answered at a terminal; returns the exit code and the archives the command asked for."""
    archive, password = _encrypted_schooling(tmp_path)
    children = tmp_path / "enfants.csv"
    children.write_text(
        f"organisme;identifiant;nom;prenoms;date_naissance;sexe\nCAF;1;DUPONT;Léa;{birth_date};F\n",
        encoding="utf-8",
    )
    asked = _asked(monkeypatch, password)
    code = main(
        ["croiser", "--enfants", str(children), "--scolarite", str(archive), "--sortie", str(tmp_path / "o")]
    )
    return code, asked


def test_it_asks_once_for_the_password_of_a_schooling_archive(tmp_path, monkeypatch, capsys):
    code, asked = _cross_with_encrypted_schooling(tmp_path, monkeypatch, "2015-02-03")

    assert code == 0, capsys.readouterr().err
    assert len(asked) == 1 and "onde.7z" in asked[0]
    assert "DUPONT" in (tmp_path / "o" / "rapprochements.csv").read_text(encoding="utf-8")


def test_a_bad_children_file_is_told_without_asking_the_password_of_a_schooling_archive(
    tmp_path, monkeypatch, capsys
):
    code, asked = _cross_with_encrypted_schooling(tmp_path, monkeypatch, "31/02/2015")

    assert code == 2 and "31/02/2015" in capsys.readouterr().err
    assert asked == []


def test_a_crossing_runs_without_the_cycle_collector_and_gives_it_back(commune, tmp_path, monkeypatch):
    import gc

    import veille.matching

    seen = []
    real_cross = veille.matching.cross

    def cross(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_cross(*args, **kwargs)

    monkeypatch.setattr(veille.matching, "cross", cross)
    assert gc.isenabled()
    assert _croiser_commune(commune, tmp_path / "sortie") == 0
    assert seen == [False]
    assert gc.isenabled()


def test_a_failed_crossing_gives_the_cycle_collector_back_too(tmp_path, capsys):
    import gc

    missing = str(tmp_path / "absent.csv")
    assert main(["croiser", "--enfants", missing, "--scolarite", missing, "--sortie", str(tmp_path)]) == 2
    assert gc.isenabled()


def test_a_command_run_with_the_collector_off_leaves_it_off():
    import argparse
    import gc

    from veille.cli import without_cycle_collection

    gc.disable()
    try:
        assert without_cycle_collection(lambda args: 7)(argparse.Namespace()) == 7
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_program_exits_with_its_commands_status_and_leaves_its_objects_to_the_exit(monkeypatch, capsys):
    import gc

    from veille.cli import script

    monkeypatch.setattr("sys.argv", ["veille", "droit"])
    try:
        with pytest.raises(SystemExit) as exit_info:
            script()
        assert exit_info.value.code == 0
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert "L131-1" in capsys.readouterr().out
