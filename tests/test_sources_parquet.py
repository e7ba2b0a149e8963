"""Parquet files are read like CSV, XLSX and ODS: same columns, same validation, same French errors."""

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from veille.cli import main
from veille.sources import SourceError, limits, read_children_files, read_schooling_files
from veille.synth import generate_commune, write_commune

HEADER = "organisme;identifiant;nom;prenoms;date_naissance;sexe;adresse;code_postal;commune\n"


@pytest.fixture(scope="module")
def commune(tmp_path_factory):
    return write_commune(generate_commune(300, seed=23), tmp_path_factory.mktemp("commune"))


def _as_parquet(csv_path, parquet_path, **read):
    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False, **read)
    frame.to_parquet(parquet_path, index=False)
    return parquet_path


def _without_file_column(table: pd.DataFrame) -> pd.DataFrame:
    return table.drop(columns=["fichier"]).reset_index(drop=True)


def test_it_reads_a_children_file_in_parquet_as_the_same_csv(commune, tmp_path):
    csv_path = commune["enfants_caf.csv"]
    parquet = _as_parquet(csv_path, tmp_path / "enfants_caf.parquet", sep=";", encoding="cp1252")
    from_parquet = read_children_files([parquet])
    from_csv = read_children_files([csv_path])
    assert from_parquet.files[0].format == "parquet"
    pd.testing.assert_frame_equal(
        _without_file_column(from_parquet.table), _without_file_column(from_csv.table)
    )


def test_it_reads_schooling_files_in_parquet_as_the_same_csv(commune, tmp_path):
    names = ["scolarite_onde.csv", "scolarite_siecle.csv", "scolarite_prive.csv"]
    parquets = [_as_parquet(commune[n], tmp_path / n.replace(".csv", ".parquet")) for n in names]
    from_parquet = read_schooling_files(parquets).table
    from_csv = read_schooling_files([commune[n] for n in names]).table
    pd.testing.assert_frame_equal(_without_file_column(from_parquet), _without_file_column(from_csv))


def test_it_writes_typed_values_as_the_exchange_format_does(tmp_path):
    table = pa.table(
        {
            "identifiant": pa.array([1234567, 7654321], pa.int64()),
            "nom": pa.array(["DUPONT", None]),
            "prenoms": pa.array(["Léa", "Noé"]).dictionary_encode(),
            "date_naissance": pa.array(pd.to_datetime(["2015-02-03", "2016-11-30"]).date, pa.date32()),
            "sexe": pa.array([b"F", b"M"], pa.binary()),
            "adresse": pa.array(["1 rue A", "2 rue B"]),
            "code_postal": pa.array([59350.0, 59000.0]),
            "commune": pa.array(["LILLE", "LILLE"]),
        }
    )
    path = tmp_path / "enfants_caf.parquet"
    pq.write_table(table, path)
    with pytest.raises(SourceError) as error:
        read_children_files([path])
    # The empty surname is refused as in a CSV, at the spreadsheet's line of that row (header = line 1).
    assert "enfants_caf.parquet, ligne 3, colonne nom" in str(error.value)

    read = read_children_files([path], skip_invalid=True)
    row = read.table.iloc[0]
    assert read.files[0].inferred == {"organisme": "CAF"}
    assert (row["identifiant"], row["prenoms"], row["date_naissance"]) == ("1234567", "Léa", "2015-02-03")
    assert (row["sexe"], row["code_postal"], row["ligne"]) == ("F", "59350", 2)


def test_it_finds_a_parquet_file_by_its_content_whatever_its_name(commune, tmp_path):
    parquet = _as_parquet(
        commune["enfants_msa.csv"], tmp_path / "enfants_msa.csv", sep=";", encoding="utf-8-sig"
    )
    assert read_children_files([parquet]).files[0].format == "parquet"


def test_it_refuses_a_parquet_file_without_a_required_column_in_french(tmp_path):
    path = tmp_path / "enfants_caf.parquet"
    pd.DataFrame({"identifiant": ["1"], "nom": ["DUPONT"], "prenoms": ["Léa"]}).to_parquet(path)
    with pytest.raises(SourceError) as error:
        read_children_files([path])
    assert "colonne obligatoire manquante : date_naissance" in str(error.value)


def test_it_refuses_a_truncated_parquet_file_in_french(commune, tmp_path):
    parquet = _as_parquet(commune["enfants_caf.csv"], tmp_path / "full.parquet", sep=";", encoding="cp1252")
    broken = tmp_path / "enfants_caf.parquet"
    broken.write_bytes(parquet.read_bytes()[:400])
    with pytest.raises(SourceError) as error:
        read_children_files([broken])
    assert "commence comme un fichier Parquet mais n'a pas pu être lu" in str(error.value)
    assert "incomplet" in str(error.value)


def test_it_refuses_nested_columns_in_french(tmp_path):
    path = tmp_path / "enfants_caf.parquet"
    table = pa.table({"identifiant": ["1"], "nom": ["DUPONT"], "prenoms": pa.array([["Léa", "Marie"]])})
    pq.write_table(table, path)
    with pytest.raises(SourceError) as error:
        read_children_files([path])
    assert "colonnes imbriquées (« prenoms »)" in str(error.value)


def test_it_refuses_a_parquet_file_longer_than_a_file_may_be(tmp_path):
    path = tmp_path / "enfants_caf.parquet"
    pq.write_table(pa.table({"nom": pa.array(["A"] * (limits.MAX_ROWS + 1))}), path)
    with pytest.raises(SourceError) as error:
        read_children_files([path])
    assert "compte plus de 500 000 lignes" in str(error.value)


def test_it_refuses_an_empty_parquet_file_in_french(tmp_path):
    path = tmp_path / "enfants_caf.parquet"
    buffer = io.BytesIO()
    pq.write_table(pa.table({"nom": pa.array([], pa.string())}), buffer)
    path.write_bytes(buffer.getvalue())
    with pytest.raises(SourceError) as error:
        read_children_files([path])
    assert "ne contient aucune ligne de données" in str(error.value)


def test_veille_croiser_gives_the_same_results_from_parquet_files(commune, tmp_path):
    children = [commune["enfants_caf.csv"], commune["enfants_msa.csv"]]
    schooling = [path for name, path in commune.items() if name.startswith("scolarite")]
    schooling = [path for path in schooling if len(path.read_bytes().splitlines()) > 1]
    parquet_children = [
        _as_parquet(path, tmp_path / path.name.replace(".csv", ".parquet"), sep=";", encoding=encoding)
        for path, encoding in zip(children, ("cp1252", "utf-8-sig"), strict=True)
    ]
    parquet_schooling = [
        _as_parquet(path, tmp_path / path.name.replace(".csv", ".parquet")) for path in schooling
    ]

    def run(enfants, scolarite, out):
        options = ["--sortie", str(out), "--annee-scolaire", "2026-2027"]
        code = main(
            ["croiser", "--enfants", *map(str, enfants), "--scolarite", *map(str, scolarite), *options]
        )
        assert code == 0
        return pd.read_csv(out / "enfants_sans_scolarite.csv", dtype=str, keep_default_na=False)

    from_csv = run(children, schooling, tmp_path / "csv")
    from_parquet = run(parquet_children, parquet_schooling, tmp_path / "parquet")
    assert len(from_csv) > 0
    pd.testing.assert_frame_equal(from_csv, from_parquet)


def test_veille_croiser_departement_reads_parquet_children_and_schooling(tmp_path):
    from veille.synth.department import generate_department, write_department

    made = generate_department([250, 150], seed=8, department_pupils=2_000)
    write_department(made, tmp_path / "csv")
    root = tmp_path / "parquet"
    for commune in made.communes:
        folder = root / "communes" / commune.folder
        folder.mkdir(parents=True)
        for path in sorted((tmp_path / "csv" / "communes" / commune.folder).glob("*.csv")):
            encoding = "cp1252" if "caf" in path.name else "utf-8-sig"
            _as_parquet(path, folder / path.name.replace(".csv", ".parquet"), sep=";", encoding=encoding)
    (root / "scolarite").mkdir()
    schooling = [
        _as_parquet(path, root / "scolarite" / path.name.replace(".csv", ".parquet"))
        for path in sorted((tmp_path / "csv" / "scolarite").glob("*.csv"))
    ]

    def run(base, files, out):
        options = ["--sortie", str(out), "--annee-scolaire", "2026-2027"]
        code = main(
            ["croiser-departement", "--communes", str(base / "communes"), "--scolarite", *files, *options]
        )
        assert code == 0
        return {
            commune.code: pd.read_csv(out / commune.folder / "enfants_sans_scolarite.csv", dtype=str)
            for commune in made.communes
        }

    from_csv = run(
        tmp_path / "csv", map(str, sorted((tmp_path / "csv" / "scolarite").glob("*.csv"))), tmp_path / "a"
    )
    from_parquet = run(root, map(str, schooling), tmp_path / "b")
    for code, frame in from_csv.items():
        pd.testing.assert_frame_equal(frame, from_parquet[code])


def test_it_reads_a_parquet_file_inside_an_encrypted_archive(commune, tmp_path):
    import py7zr

    parquet = _as_parquet(
        commune["enfants_caf.csv"], tmp_path / "enfants_caf.parquet", sep=";", encoding="cp1252"
    )
    archive = tmp_path / "envoi.7z"
    with py7zr.SevenZipFile(archive, "w", password="s3cret") as seven:
        seven.write(parquet, "enfants_caf.parquet")
    read = read_children_files([archive], password="s3cret")
    assert read.files[0].format == "7z:parquet"
    expected = read_children_files([commune["enfants_caf.csv"]]).table
    pd.testing.assert_frame_equal(_without_file_column(read.table), _without_file_column(expected))
