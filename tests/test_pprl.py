"""The encrypted crossing end to end: holders encode, the cell links, holders reveal the few."""

import io
import json
import re

import numpy as np
import pandas as pd
import pytest

from veille.cli import main
from veille.pprl import EncodedFile, EncodedFileError, encode, link, pseudonyms
from veille.pprl.encoding import SCHEMA_VERSION
from veille.sources import read_children_files, read_schooling_files
from veille.sources.archives import extract_archive
from veille.synth.scoring import score_flags

PASSWORD = "mot-de-passe-de-test"
CAMPAIGN = "2026-12"


@pytest.fixture(scope="module")
def commune(tmp_path_factory):
    folder = tmp_path_factory.mktemp("commune")
    assert main(["demo-donnees", str(folder), "--enfants", "3000", "--graine", "11"]) == 0
    return folder


def _files(commune):
    children = sorted(commune.glob("enfants_*.csv"))
    schooling = [p for p in sorted(commune.glob("scolarite_*.csv")) if len(p.read_bytes().splitlines()) > 1]
    return children, schooling


@pytest.fixture(scope="module")
def campaign(commune, tmp_path_factory):
    """Every holder encodes its own file; the cell links; every holder reveals its list."""
    holders = tmp_path_factory.mktemp("detenteurs")
    cell = tmp_path_factory.mktemp("cellule")
    secret = holders / "secret_partage.txt"
    assert main(["encoder", "--nouvelle-cle", str(secret)]) == 0
    children, schooling = _files(commune)
    encoded = {"enfants": [], "scolarite": []}
    keys = {}
    for kind, paths in (("enfants", children), ("scolarite", schooling)):
        for path in paths:
            key = holders / f"{path.stem}.cle"
            assert main(["encoder", "--nouvelle-cle", str(key)]) == 0
            out = cell / f"{path.stem}.npz"
            arguments = [str(path), "--type", kind, "--secret", str(secret), "--cle-detenteur", str(key)]
            arguments += ["--campagne", CAMPAIGN, "--annee-scolaire", "2026-2027", "--sortie", str(out)]
            assert main(["encoder", *arguments]) == 0
            encoded[kind].append(out)
            keys[EncodedFile.load(out).holder] = (path, kind, key)
    results = cell / "resultats"
    code = main(
        [
            "croiser",
            "--chiffre",
            "--enfants",
            *map(str, encoded["enfants"]),
            "--scolarite",
            *map(str, encoded["scolarite"]),
            "--sortie",
            str(results),
        ]
    )
    assert code == 0
    revealed = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VEILLE_MOT_DE_PASSE", PASSWORD)
        for listing in sorted(results.glob("a_reveler_*.csv")):
            holder = listing.stem.removeprefix("a_reveler_")
            path, kind, key = keys[holder]
            archive = cell / f"revele_{holder}.7z"
            arguments = [str(path), "--type", kind, "--liste", str(listing), "--cle-detenteur", str(key)]
            assert main(["reveler", *arguments, "--sortie", str(archive)]) == 0
            revealed[holder] = archive
    return {"cell": cell, "results": results, "revealed": revealed, "keys": keys, "secret": secret}


def _archive_members(path):
    return dict(extract_archive(path, path.name, PASSWORD))


def _identities(commune):
    """Every clear value that tells a child apart: identifiers, names, birth dates, addresses."""
    children, schooling = _files(commune)
    tables = [read_children_files(children).table, read_schooling_files(schooling).table]
    values = set()
    for table in tables:
        for column in ("identifiant", "nom", "prenoms", "date_naissance", "adresse", "nom_allocataire"):
            if column in table:
                values.update(v for v in table[column] if len(v) >= 5)
    return values


def _assert_flags_like_the_clear_crossing(statuses, back, commune, tmp_path):
    """Score an encrypted crossing's flags against the commune's truth, its pseudonyms mapped ``back``.

    One set of bars for every encoding (plain, balanced): a variant may not flag worse than another.
    """
    flagged = statuses[statuses["statut"].isin(["non_trouve", "incertain"])]
    flags = tmp_path / "flags.csv"
    pd.DataFrame({"identifiant": flagged["identifiant"].map(back), "statut": flagged["statut"]}).to_csv(
        flags, index=False
    )
    scores = score_flags(flags, commune / "verite.csv")
    assert scores["recall"] >= 0.99
    assert scores["precision_non_trouve"] >= 0.95
    assert scores["incertain_share"] <= 0.02


def test_the_cell_never_receives_a_clear_identity_outside_the_revealed_list(commune, campaign):
    given = [p for p in campaign["cell"].rglob("*") if p.is_file() and p.suffix != ".7z"]
    assert any(p.suffix == ".npz" for p in given) and any(p.name == "statuts_chiffres.csv" for p in given)
    identities = _identities(commune)
    words = {v for v in identities if " " not in v}
    sample = sorted(identities)[::50]
    for path in given:
        content = path.read_bytes()
        cells: set[str] = set()
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                for name in data.files:
                    if data[name].dtype.kind in "US":
                        cells.update(map(str, data[name].reshape(-1).tolist()))
                cells.update(re.split(r'[";,\n{}\[\]:]', bytes(data["meta"]).decode()))
            # Bit arrays hold no text: a few identities looked for in the raw bytes, in both encodings.
            raw = [v for v in sample if v.encode() in content or v.encode("utf-32-le") in content]
            assert not raw, f"{path.name} : {raw[:5]}"
        else:
            cells.update(re.split(r'[";\n]', content.decode("utf-8")))
        found = sorted(c for c in cells if c.strip() in identities or set(c.split()) & words)
        assert not found, f"{path.name} : {found[:5]}"
    # What a holder reveals is exactly the rows of its list, nothing else.
    for holder, archive in campaign["revealed"].items():
        path, kind, key = campaign["keys"][holder]
        table = (read_children_files if kind == "enfants" else read_schooling_files)([path]).table
        listing = pd.read_csv(campaign["results"] / f"a_reveler_{holder}.csv", sep=";", dtype=str)
        (content,) = _archive_members(archive).values()
        rows = pd.read_csv(io.BytesIO(content), sep=";", dtype=str, keep_default_na=False)
        own = dict(
            zip(table["identifiant"], pseudonyms(table, key.read_bytes().strip(), CAMPAIGN), strict=True)
        )
        assert sorted(own[i] for i in rows["identifiant"]) == sorted(listing["identifiant"])


def test_the_encoded_crossing_flags_the_unschooled_children_like_the_clear_one(commune, campaign, tmp_path):
    statuses = pd.read_csv(campaign["results"] / "statuts_chiffres.csv", sep=";", dtype=str)
    # Only the test, holding every key, can tie a pseudonym back to a child.
    back = {}
    for path, kind, key in campaign["keys"].values():
        if kind == "enfants":
            table = read_children_files([path]).table
            back.update(
                zip(pseudonyms(table, key.read_bytes().strip(), CAMPAIGN), table["identifiant"], strict=True)
            )
    _assert_flags_like_the_clear_crossing(statuses, back, commune, tmp_path)


def test_the_revealed_archive_is_imported_as_any_children_file(campaign):
    archive = campaign["revealed"]["CAF"]
    table = read_children_files([archive], password=PASSWORD).table
    listing = pd.read_csv(campaign["results"] / "a_reveler_CAF.csv", sep=";", dtype=str)
    assert len(table) == len(listing) > 0


def test_files_encoded_with_another_shared_secret_are_refused(commune):
    children, schooling = _files(commune)
    kids = read_children_files(children[:1]).table
    pupils = read_schooling_files(schooling[:1]).table
    common = {"holder_key": b"k" * 32, "campaign": CAMPAIGN}
    left = encode(kids, kind="enfants", holder="CAF", shared_secret=b"a" * 32, **common)
    right = encode(pupils, kind="scolarite", holder="ONDE", shared_secret=b"b" * 32, **common)
    with pytest.raises(EncodedFileError, match="même secret"):
        link([left], [right])


def test_an_identifier_needs_the_holder_key_and_changes_with_each_campaign(commune):
    table = read_children_files(_files(commune)[0][:1]).table.head(50)
    first = pseudonyms(table, b"k" * 32, "2026-12")
    assert len(set(first)) == len(table)
    assert not set(first) & set(pseudonyms(table, b"j" * 32, "2026-12"))
    assert not set(first) & set(pseudonyms(table, b"k" * 32, "2027-01"))
    assert not set(first) & set(table["identifiant"])


def test_each_field_has_its_own_hash_functions_and_each_campaign_its_own_encodings():
    table = pd.DataFrame(
        {
            "organisme": ["CAF"],
            "identifiant": ["1"],
            "nom": ["MARTIN"],
            "prenoms": ["MARTIN"],
            "date_naissance": ["2016-04-09"],
            "sexe": ["F"],
            "nom_allocataire": ["MARTIN"],
            "prenom_allocataire": ["ANNE"],
            "adresse": ["3 rue des Lilas"],
            "code_postal": ["59000"],
            "commune": ["LILLE"],
        }
    )
    common = {"kind": "enfants", "holder": "CAF", "shared_secret": b"s" * 32, "holder_key": b"k" * 32}
    one = encode(table, campaign="2026-12", **common)
    again = encode(table, campaign="2026-12", **common)
    other = encode(table, campaign="2027-01", **common)
    # The same surname and first name set other bits: counting bits across fields tells nothing.
    assert not np.array_equal(one.filters["nom"], one.filters["prenom"])
    assert np.array_equal(one.filters["nom"], again.filters["nom"])
    assert not np.array_equal(one.filters["nom"], other.filters["nom"])


def test_the_schema_is_versioned_and_printed(capsys):
    assert main(["encoder", "--schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["version"] == SCHEMA_VERSION
    assert {f["nom"] for f in printed["filtres"]} >= {"nom", "prenom", "date", "adresse"}


def test_a_clear_file_given_to_the_encrypted_crossing_is_refused_in_french(commune, tmp_path, capsys):
    children, schooling = _files(commune)
    arguments = ["--enfants", str(children[0]), "--scolarite", str(schooling[0]), "--sortie", str(tmp_path)]
    assert main(["croiser", "--chiffre", *arguments]) == 2
    assert "n'est pas un fichier encodé par Veille" in capsys.readouterr().err


def test_no_child_outside_compulsory_instruction_is_ever_revealed(campaign):
    statuses = pd.read_csv(campaign["results"] / "statuts_chiffres.csv", sep=";", dtype=str)
    out_of_scope = set(statuses.loc[statuses["statut"] == "hors_obligation", "identifiant"])
    assert out_of_scope
    for listing in campaign["results"].glob("a_reveler_*.csv"):
        assert not out_of_scope & set(pd.read_csv(listing, sep=";", dtype=str)["identifiant"])


def test_folded_filters_are_half_as_long_and_never_linked_with_unfolded_ones(commune):
    children, schooling = _files(commune)
    kids = read_children_files(children[:1]).table
    pupils = read_schooling_files(schooling[:1]).table
    common = {"shared_secret": b"s" * 32, "holder_key": b"k" * 32, "campaign": CAMPAIGN}
    folded = encode(kids, kind="enfants", holder="CAF", fold=True, **common)
    plain = encode(kids, kind="enfants", holder="CAF", **common)
    assert folded.filters["nom"].shape[1] * 2 == plain.filters["nom"].shape[1]
    right = encode(pupils, kind="scolarite", holder="ONDE", **common)
    with pytest.raises(EncodedFileError, match="pliage"):
        link([folded], [right])


def test_balanced_filters_all_weigh_the_same_and_are_never_linked_with_plain_ones(commune):
    children, schooling = _files(commune)
    kids = read_children_files(children[:1]).table
    pupils = read_schooling_files(schooling[:1]).table
    common = {"shared_secret": b"s" * 32, "holder_key": b"k" * 32, "campaign": CAMPAIGN}
    balanced = encode(kids, kind="enfants", holder="CAF", balanced=True, **common)
    plain = encode(kids, kind="enfants", holder="CAF", **common)
    assert balanced.filters["nom"].shape[1] == 2 * plain.filters["nom"].shape[1]
    weights = np.bitwise_count(balanced.filters["nom"]).sum(axis=1)
    # Every name's filter weighs the filter's length, whatever the name's length; a missing one, 0.
    assert set(weights.tolist()) <= {0, 512} and (weights == 512).sum() > 0.9 * len(kids)
    assert len(set(np.bitwise_count(plain.filters["nom"]).sum(axis=1).tolist())) > 10
    right = encode(pupils, kind="scolarite", holder="ONDE", **common)
    with pytest.raises(EncodedFileError, match="équilibrés"):
        link([balanced], [right])
    with pytest.raises(ValueError, match="ne se combinent pas"):
        encode(kids, kind="enfants", holder="CAF", balanced=True, fold=True, **common)


def test_balanced_filters_flag_the_unschooled_children_as_the_plain_ones_do(commune, tmp_path):
    from veille.compulsory import SchoolYear, compulsory_mask

    children, schooling = _files(commune)
    year = SchoolYear.parse("2026-2027")
    common = {"shared_secret": b"s" * 32, "campaign": CAMPAIGN, "balanced": True}
    left, right, back = [], [], {}
    for path in children:
        table = read_children_files([path]).table
        key = path.stem.encode() * 4
        mask = compulsory_mask(table["date_naissance"], year).to_numpy()
        left.append(
            encode(table, kind="enfants", holder=path.stem, holder_key=key, compulsory=mask, **common)
        )
        back.update(zip(pseudonyms(table, key, CAMPAIGN), table["identifiant"], strict=True))
    for path in schooling:
        table = read_schooling_files([path]).table
        right.append(encode(table, kind="scolarite", holder=path.stem, holder_key=b"k" * 32, **common))
    statuses = link(left, right).children
    _assert_flags_like_the_clear_crossing(statuses, back, commune, tmp_path)


def test_swapped_names_with_a_typo_still_meet_on_a_blocking_key():
    from veille.pprl.encoding import BLOCKING, blocking_columns

    child = pd.DataFrame(
        {
            "organisme": ["CAF"],
            "identifiant": ["1"],
            "nom": ["DELCOURT"],
            "prenoms": ["Léna Rose"],
            "date_naissance": ["2016-04-09"],
            "sexe": ["F"],
            "nom_allocataire": ["DELCOURT"],
            "prenom_allocataire": ["ANNE"],
            "adresse": ["3 rue des Lilas"],
            "code_postal": ["59000"],
            "commune": ["LILLE"],
        }
    )
    # The school typed the first name as the surname, and the surname, mistyped, as the first name.
    record = pd.DataFrame(
        {
            "source": ["ONDE"],
            "identifiant": ["R1"],
            "nom": ["LÉNA"],
            "prenoms": ["Delcourte"],
            "date_naissance": ["2016-04-09"],
            "sexe": ["F"],
            "etablissement": ["École des Tilleuls"],
            "uai": ["0599999Z"],
            "niveau": ["CE2"],
            "adresse": [""],
            "code_postal": [""],
            "commune": [""],
        }
    )
    secrets = {"shared_secret": b"s" * 32, "holder_key": b"k" * 32, "campaign": "2026-12"}
    left = encode(child, kind="enfants", holder="CAF", **secrets).blocking[0]
    right = encode(record, kind="scolarite", holder="ONDE", **secrets).blocking[0]

    meeting = []
    for index, rule in enumerate(BLOCKING):
        columns = list(blocking_columns(index))
        shared = {int(k) for k in left[columns] if k} & {int(k) for k in right[columns] if k}
        if shared:
            meeting.append(rule.name)
    assert meeting == ["nom ou prénom, dans l'une ou l'autre colonne, date exacte"]
