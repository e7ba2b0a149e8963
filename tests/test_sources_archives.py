"""Reading files inside 7z archives encrypted with AES-256 (veille.sources)."""

from __future__ import annotations

import builtins
import io
import os
from pathlib import Path
from typing import Any

import openpyxl
import py7zr
import pytest

from veille.sources import (
    InMemoryFile,
    PasswordRequired,
    SourceError,
    WrongPassword,
    read_children_files,
    read_schooling_files,
)

PASSWORD = "Tr3s-s3cret!"
CHILDREN_CSV = (
    "organisme;identifiant;nom;prenoms;date_naissance;sexe\r\n"
    "CAF;0412345-01;BEN AHMED;Yanis Karim;04/11/2016;M\r\n"
    "CAF;0412345-02;BEN AHMED;Inès;22/02/2019;F\r\n"
).encode("cp1252")
MSA_CSV = b"identifiant,nom,prenoms,date_naissance\r\nM-88812-1,Vermeersch-Diallo,Louis-Marie,30/06/2012\r\n"


def make_archive(
    path: Path,
    members: dict[str, bytes],
    password: str | None = PASSWORD,
    header_encryption: bool = False,
) -> Path:
    with py7zr.SevenZipFile(path, "w", password=password, header_encryption=header_encryption) as archive:
        for name, content in members.items():
            archive.writestr(content, name)
    return path


@pytest.mark.parametrize("header_encryption", [False, True], ids=["clear-headers", "encrypted-headers"])
def test_it_reads_an_aes_archive(tmp_path: Path, header_encryption: bool) -> None:
    archive = make_archive(
        tmp_path / "envoi.7z", {"enfants.csv": CHILDREN_CSV}, header_encryption=header_encryption
    )

    result = read_children_files([archive], password=PASSWORD)

    assert result.table["prenoms"].tolist() == ["Yanis Karim", "Inès"]
    assert result.table["fichier"].tolist() == ["envoi.7z:enfants.csv", "envoi.7z:enfants.csv"]
    assert result.table["ligne"].tolist() == [2, 3]
    report = result.files[0]
    assert (report.fichier, report.format, report.encoding) == ("envoi.7z:enfants.csv", "7z:csv", "cp1252")


def test_it_reads_each_member_of_an_archive_as_its_own_file(tmp_path: Path) -> None:
    archive = make_archive(
        tmp_path / "envoi.7z", {"enfants.csv": CHILDREN_CSV, "dossier/enfants_msa.csv": MSA_CSV}
    )

    result = read_children_files([archive], password=PASSWORD)

    assert [report.fichier for report in result.files] == [
        "envoi.7z:enfants.csv",
        "envoi.7z:dossier/enfants_msa.csv",
    ]
    assert [report.path for report in result.files] == [
        f"{archive}:enfants.csv",
        f"{archive}:dossier/enfants_msa.csv",
    ]
    assert [report.given_path for report in result.files] == [str(archive), str(archive)]
    assert result.table["organisme"].tolist() == ["CAF", "CAF", "MSA"]
    assert result.files[1].inferred == {"organisme": "MSA"}
    assert result.table["ligne"].tolist() == [2, 3, 2]


def test_it_infers_the_source_from_the_archive_name_when_the_member_name_says_nothing(tmp_path: Path) -> None:
    content = b"INE;Nom;Prenom;DDN\nINE123;BENAHMED;Yannis;2016-11-04\n"
    archive = make_archive(tmp_path / "ONDE_2025.7z", {"export.csv": content}, header_encryption=True)

    result = read_schooling_files([archive], password=PASSWORD)

    assert result.table["source"].tolist() == ["ONDE"]


def test_it_reads_a_spreadsheet_inside_an_archive(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["organisme", "identifiant", "nom", "prenoms", "date_naissance"])
    sheet.append(["MSA", 412345, "DIALLO", "Awa", "30/06/2012"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    archive = make_archive(tmp_path / "envoi.7z", {"enfants.xlsx": buffer.getvalue()})

    result = read_children_files([archive], password=PASSWORD)

    assert result.table["identifiant"].tolist() == ["412345"]
    assert result.files[0].format == "7z:xlsx"


def test_it_reads_an_archive_without_encryption_and_asks_no_password(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "envoi.7z", {"enfants.csv": CHILDREN_CSV}, password=None)
    asked: list[str] = []

    def ask(name: str) -> str:
        asked.append(name)
        return PASSWORD

    result = read_children_files([archive], password=ask)

    assert len(result.table) == 2
    assert asked == []


@pytest.mark.parametrize("header_encryption", [False, True], ids=["clear-headers", "encrypted-headers"])
def test_it_asks_for_the_password_lazily_with_the_archive_name(
    tmp_path: Path, header_encryption: bool
) -> None:
    archive = make_archive(
        tmp_path / "envoi.7z", {"enfants.csv": CHILDREN_CSV}, header_encryption=header_encryption
    )
    asked: list[str] = []

    def ask(name: str) -> str:
        asked.append(name)
        return PASSWORD

    result = read_children_files([archive], password=ask)

    assert len(result.table) == 2
    assert asked == ["envoi.7z"]


@pytest.mark.parametrize("header_encryption", [False, True], ids=["clear-headers", "encrypted-headers"])
@pytest.mark.parametrize("password", [None, ""], ids=["none", "empty"])
def test_it_requires_a_password_for_an_encrypted_archive(
    tmp_path: Path, header_encryption: bool, password: str | None
) -> None:
    archive = make_archive(
        tmp_path / "envoi.7z", {"enfants.csv": CHILDREN_CSV}, header_encryption=header_encryption
    )

    with pytest.raises(PasswordRequired) as error:
        read_children_files([archive], password=password)

    assert "L'archive « envoi.7z » est chiffrée : il faut son mot de passe pour la lire" in str(error.value)
    assert error.value.problems[0].fichier == "envoi.7z"
    assert error.value.__cause__ is None


@pytest.mark.parametrize("header_encryption", [False, True], ids=["clear-headers", "encrypted-headers"])
@pytest.mark.parametrize("wrong", ["mauvais", PASSWORD.upper(), PASSWORD + " "])
def test_it_says_when_the_password_is_wrong(tmp_path: Path, header_encryption: bool, wrong: str) -> None:
    archive = make_archive(
        tmp_path / "envoi.7z", {"enfants.csv": CHILDREN_CSV}, header_encryption=header_encryption
    )

    with pytest.raises(WrongPassword) as error:
        read_children_files([archive], password=wrong)

    assert str(error.value).startswith("Mot de passe incorrect pour l'archive « envoi.7z »")
    assert isinstance(error.value, SourceError)
    assert error.value.__cause__ is None
    assert error.value.__suppress_context__


def test_the_callable_password_can_be_wrong_too(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "envoi.7z", {"enfants.csv": CHILDREN_CSV}, header_encryption=True)

    with pytest.raises(WrongPassword):
        read_children_files([archive], password=lambda name: "mauvais")


@pytest.mark.parametrize("cut", [40, 200], ids=["headers-cut", "payload-cut"])
def test_it_refuses_a_damaged_archive_in_french(tmp_path: Path, cut: int) -> None:
    archive = make_archive(tmp_path / "envoi.7z", {"enfants.csv": CHILDREN_CSV * 20}, password=None)
    data = archive.read_bytes()
    archive.write_bytes(data[:cut] if cut < len(data) // 2 else data[: len(data) // 2])

    with pytest.raises(SourceError) as error:
        read_children_files([archive])

    assert "L'archive « envoi.7z »" in str(error.value)


def test_it_refuses_an_empty_archive(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "envoi.7z", {}, password=None)

    with pytest.raises(SourceError, match="ne contient aucun fichier"):
        read_children_files([archive])


def test_it_refuses_an_empty_member_by_name(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "envoi.7z", {"enfants.csv": CHILDREN_CSV, "vide_caf.csv": b""})

    with pytest.raises(SourceError, match=r"« envoi\.7z:vide_caf\.csv » ne contient aucune ligne"):
        read_children_files([archive], password=PASSWORD)


def test_invalid_rows_of_a_member_name_the_archive_and_the_member(tmp_path: Path) -> None:
    content = CHILDREN_CSV.replace(b"22/02/2019", b"31/02/2019")
    archive = make_archive(tmp_path / "envoi.7z", {"enfants.csv": content})

    with pytest.raises(SourceError) as error:
        read_children_files([archive], password=PASSWORD)

    assert [str(problem) for problem in error.value.problems] == [
        "envoi.7z:enfants.csv, ligne 3, colonne date_naissance : « 31/02/2019 » n'est pas une date "
        "(formats acceptés : JJ/MM/AAAA, AAAA-MM-JJ, JJ-MM-AAAA, JJ.MM.AAAA)"
    ]


def _listing(root: Path) -> set[str]:
    return {str(path.relative_to(root)) for path in root.rglob("*")}


@pytest.mark.parametrize("header_encryption", [False, True], ids=["clear-headers", "encrypted-headers"])
def test_reading_an_archive_writes_nothing_to_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, header_encryption: bool
) -> None:
    archive = make_archive(
        tmp_path / "envoi.7z",
        {"enfants.csv": CHILDREN_CSV, "dossier/enfants_msa.csv": MSA_CSV},
        header_encryption=header_encryption,
    )
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    before = _listing(tmp_path)
    writes: list[str] = []
    real_open = builtins.open
    real_os_open = os.open

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            writes.append(f"open({file!r}, {mode!r})")
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            writes.append(f"os.open({path!r})")
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)

    result = read_children_files([archive], password=PASSWORD)

    assert len(result.table) == 3
    assert writes == []
    assert _listing(tmp_path) == before


def test_it_reads_an_archive_given_in_memory_as_it_reads_it_from_a_path(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "envoi_caf.7z", {"enfants.csv": CHILDREN_CSV}, header_encryption=True)

    from_path = read_children_files([archive], password=PASSWORD)
    in_memory = read_children_files([InMemoryFile("envoi_caf.7z", archive.read_bytes())], password=PASSWORD)

    assert in_memory.table.equals(from_path.table)
    assert in_memory.files[0].fichier == "envoi_caf.7z:enfants.csv"


def test_it_reads_a_plain_file_given_in_memory(tmp_path: Path) -> None:
    result = read_children_files([InMemoryFile("enfants_msa.csv", MSA_CSV)])

    assert result.table["organisme"].tolist() == ["MSA"]
    assert result.files[0].fichier == "enfants_msa.csv"
    assert result.files[0].rows_read == 1


def test_a_wrong_password_for_an_archive_in_memory_is_said_in_french(tmp_path: Path) -> None:
    archive = make_archive(tmp_path / "envoi.7z", {"enfants_caf.csv": CHILDREN_CSV})

    with pytest.raises(WrongPassword, match="Mot de passe incorrect"):
        read_children_files([InMemoryFile("envoi.7z", archive.read_bytes())], password="faux")


@pytest.mark.parametrize("header_encryption", [False, True])
def test_it_refuses_a_7z_whose_member_climbs_out_of_the_archive(tmp_path, header_encryption):
    path = tmp_path / "envoi.7z"
    with py7zr.SevenZipFile(path, "w", password=PASSWORD, header_encryption=header_encryption) as archive:
        # py7zr refuses to write such a name: its unchecked writer crafts the archive a forger would send
        archive._writestr(CHILDREN_CSV, "../../enfants_caf.csv")

    with pytest.raises(SourceError) as error:
        read_children_files([path], password=PASSWORD)

    message = str(error.value)
    assert "chemin dangereux" in message and "../../enfants_caf.csv" in message
    assert "mot de passe" not in message.lower()
    assert not (tmp_path.parent / "enfants_caf.csv").exists()
