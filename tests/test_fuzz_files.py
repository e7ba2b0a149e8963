"""Fuzz: malformed files of every accepted format through the readers and the command line.

Every variant is read; a refused one must be refused with a :class:`SourceError` whose French message
names the file (never another exception, never a traceback), and the command line must say the same
and write nothing. ``make test`` runs the hand-made hostile files and ``VEILLE_FUZZ_VARIANTS`` (300 by
default) generated variants; the nightly-size run sets it to 10 000 (see docs/exploitation.md):

    VEILLE_FUZZ_VARIANTS=10000 .venv/bin/pytest tests/test_fuzz_files.py tests/web/test_fuzz_uploads.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from veille import cli
from veille.sources import InMemoryFile, SourceError, read_children_files

from .malformed import PASSWORD, mutations, named_cases

VARIANTS = int(os.environ.get("VEILLE_FUZZ_VARIANTS", "300"))
SCHOOLING = b"source;identifiant;nom;prenoms;date_naissance\nONDE;E1;Martin;Noa;01/05/2015\n"


@pytest.fixture(scope="module")
def hostile() -> list[tuple[str, str, bytes]]:
    return list(named_cases())


def read(name: str, data: bytes) -> SourceError | None:
    """None if the file is read; the error if it is refused; any other exception fails the test."""
    try:
        read_children_files([InMemoryFile(name, data)], password=PASSWORD)
    except SourceError as error:
        return error
    return None


def assert_refused_well(error: SourceError, name: str) -> None:
    message = str(error)
    assert name in message, message
    assert "Traceback" not in message


def test_every_hand_made_hostile_file_is_refused_with_a_french_message_naming_it(hostile):
    for what, name, data in hostile:
        error = read(name, data)
        assert error is not None, what
        assert_refused_well(error, name)


def test_generated_variants_are_read_or_refused_with_a_message_naming_the_file():
    counts = {"lus": 0, "refusés": 0}
    for what, name, data in mutations(VARIANTS):
        try:
            error = read(name, data)
        except Exception as unexpected:  # pragma: no cover - the failure message says which variant
            pytest.fail(f"{what} ({name}) : {type(unexpected).__name__} : {unexpected}")
        if error is None:
            counts["lus"] += 1
        else:
            counts["refusés"] += 1
            assert_refused_well(error, name)
    assert counts["lus"] and counts["refusés"]  # the generator makes both kinds


def test_the_command_line_refuses_each_hostile_file_in_french_and_writes_nothing(
    hostile, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORD)
    schooling = tmp_path / "scolarite_onde.csv"
    schooling.write_bytes(SCHOOLING)
    for number, (what, name, data) in enumerate(hostile):
        folder = tmp_path / str(number)
        folder.mkdir()
        path = folder / name
        path.write_bytes(data)
        out = folder / "resultats"
        status = cli.main(
            ["croiser", "--enfants", str(path), "--scolarite", str(schooling), "--sortie", str(out)]
        )
        err = capsys.readouterr().err
        assert status == cli.EXIT_BAD_INPUT, (what, err)
        assert name in err and "Erreur : " in err and "Traceback" not in err, what
        assert "Erreur interne" not in err, what
        assert not out.exists() or not any(Path(out).iterdir()), what


def test_the_command_line_refuses_generated_variants_the_readers_refuse(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(cli.PASSWORD_ENV, PASSWORD)
    schooling = tmp_path / "scolarite_onde.csv"
    schooling.write_bytes(SCHOOLING)
    refused = [v for v in mutations(min(VARIANTS, 100), seed=7) if read(v[1], v[2]) is not None]
    assert refused
    for number, (what, name, data) in enumerate(refused):
        path = tmp_path / f"{number}-{name}"
        path.write_bytes(data)
        out = tmp_path / f"resultats-{number}"
        status = cli.main(
            ["croiser", "--enfants", str(path), "--scolarite", str(schooling), "--sortie", str(out)]
        )
        err = capsys.readouterr().err
        assert status == cli.EXIT_BAD_INPUT and path.name in err and "Traceback" not in err, (what, err)
        assert not out.exists(), what
