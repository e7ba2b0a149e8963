"""The three commands of the encrypted crossing, as ``veille.cli`` calls them (French messages)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from veille.pprl.encoding import EncodedFile, EncodedFileError, encode, schema
from veille.pprl.keys import HOLDER_ENV, SHARED_ENV, SecretError, new_secret, read_secret
from veille.pprl.linkage import LinkageResult, link
from veille.pprl.reveal import ListError, new_password, read_list, reveal, write_list, write_revealed

EXIT_OK, EXIT_BAD_INPUT = 0, 2
PASSWORD_ENV = "VEILLE_MOT_DE_PASSE"


def _fail(message: str) -> int:
    print(f"Erreur : {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _read(paths: list[str], kind: str, skip_invalid: bool) -> Any:
    from veille.cli import _password_provider
    from veille.sources import read_children_files, read_schooling_files

    reader = read_children_files if kind == "enfants" else read_schooling_files
    return reader(paths, password=_password_provider, skip_invalid=skip_invalid)


def encoder(args: argparse.Namespace) -> int:
    if args.schema:
        print(json.dumps(schema(), ensure_ascii=False, indent=2))
        return EXIT_OK
    if args.nouvelle_cle:
        path = Path(args.nouvelle_cle)
        if path.exists():
            return _fail(f"{path} existe déjà : une clé n'est jamais écrasée.")
        path.write_text(new_secret() + "\n", encoding="utf-8")
        os.chmod(path, 0o600)
        print(f"Clé écrite dans {path} (lisible par vous seul).")
        return EXIT_OK
    if not args.fichiers or not args.sortie or not args.campagne or not args.type:
        return _fail("il faut des fichiers, --type, --campagne et --sortie (ou --schema, ou --nouvelle-cle).")
    from veille.cli import school_year
    from veille.compulsory import compulsory_mask
    from veille.sources import SourceError

    started = time.perf_counter()
    try:
        shared = read_secret(args.secret, SHARED_ENV, "Secret partagé")
        own = read_secret(args.cle_detenteur, HOLDER_ENV, "Clé du détenteur")
        year = school_year(args)
        read = _read(args.fichiers, args.type, args.ignorer_lignes_invalides)
    except (SecretError, SourceError, ValueError) as error:
        return _fail(str(error))
    table = read.table
    origin = table["organisme" if args.type == "enfants" else "source"]
    holder = args.detenteur or (str(origin.iloc[0]) if origin.nunique() == 1 else "")
    if not holder:
        return _fail("ces fichiers viennent de plusieurs organismes : donnez --detenteur.")
    if args.pliage_xor and args.equilibre:
        return _fail("--pliage-xor et --equilibre ne se combinent pas : choisissez l'un des deux.")
    compulsory = compulsory_mask(table["date_naissance"], year).to_numpy() if args.type == "enfants" else None
    encoded = encode(
        table,
        kind=args.type,
        holder=holder,
        shared_secret=shared,
        holder_key=own,
        campaign=args.campagne,
        compulsory=compulsory,
        fold=args.pliage_xor,
        balanced=args.equilibre,
    )
    encoded.save(args.sortie)
    seconds = time.perf_counter() - started
    print(
        f"{len(encoded)} lignes encodées pour {holder} (campagne {args.campagne}) : "
        f"{args.sortie} ({seconds:.1f} s)"
    )
    print("Gardez vos fichiers et votre clé : vous en aurez besoin pour `veille reveler`.")
    return EXIT_OK


def write_linkage(result: LinkageResult, out_dir: Path) -> dict[str, Path]:
    """The cell's files: statuses under pseudonyms, the lists to send to each holder, the model."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"statuts": out_dir / "statuts_chiffres.csv"}
    result.children.to_csv(paths["statuts"], sep=";", index=False, encoding="utf-8", lineterminator="\n")
    for holder, rows in result.reveal.items():
        path = out_dir / f"a_reveler_{holder}.csv"
        write_list(path, result.campaign, holder, rows)
        paths[f"a_reveler_{holder}"] = path
    paths["modele"] = out_dir / "modele_chiffre.json"
    paths["modele"].write_text(
        json.dumps({"seuils": result.thresholds, **result.model}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    counts = result.children["statut"].value_counts().to_dict()
    paths["synthese"] = out_dir / "synthese.json"
    paths["synthese"].write_text(
        json.dumps(
            {
                "campagne": result.campaign,
                "enfants": len(result.children),
                "statuts": {str(k): int(v) for k, v in counts.items()},
                "paires_candidates": result.n_candidates,
                "a_reveler": {holder: len(rows) for holder, rows in result.reveal.items()},
                "durees_s": result.timings,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    return paths


def croiser_chiffre(args: argparse.Namespace) -> int:
    if args.modele or args.precedent:
        return _fail("--modele et --precedent ne s'appliquent pas au croisement chiffré.")
    started = time.perf_counter()
    try:
        children = [EncodedFile.load(path) for path in args.enfants]
        schooling = [EncodedFile.load(path) for path in args.scolarite]
        result = link(children, schooling)
    except EncodedFileError as error:
        return _fail(str(error))
    paths = write_linkage(result, Path(args.sortie))
    counts = result.children["statut"].value_counts()
    print(
        f"Croisement chiffré (campagne {result.campaign}) : {len(result.children)} enfants, "
        f"{time.perf_counter() - started:.1f} s"
    )
    for status in ("non_trouve", "incertain", "rapproche", "hors_obligation"):
        print(f"  {status:<16} {int(counts.get(status, 0)):>8}")
    print("Listes à envoyer à chaque détenteur, qui les révèle avec `veille reveler` :")
    for holder, rows in result.reveal.items():
        print(f"  {holder:<16} {len(rows):>8} identifiants  {paths[f'a_reveler_{holder}']}")
    return EXIT_OK


def reveler(args: argparse.Namespace) -> int:
    from veille.sources import SourceError

    if not args.type:
        return _fail(
            "donnez --type enfants ou --type scolarite : le type des fichiers que vous aviez encodés."
        )
    try:
        listing = read_list(args.liste)
        own = read_secret(args.cle_detenteur, HOLDER_ENV, "Clé du détenteur")
        read = _read(args.fichiers, args.type, args.ignorer_lignes_invalides)
    except (ListError, SecretError, SourceError) as error:
        return _fail(str(error))
    holders = set(listing["detenteur"])
    if args.detenteur:
        listing = listing[listing["detenteur"] == args.detenteur]
    elif len(holders) > 1:
        return _fail("la liste nomme plusieurs détenteurs : donnez --detenteur.")
    rows, unknown = reveal(read.table, listing, own)
    password = os.environ.get(PASSWORD_ENV) or None
    plain = str(args.sortie).lower().endswith(".csv")
    if not plain and password is None:
        password = new_password()
        print(
            "Mot de passe de l'archive (à transmettre par un autre canal, il n'est écrit nulle part) : "
            + password
        )
    holder = args.detenteur or next(iter(holders), "detenteur")
    write_revealed(rows, args.sortie, password=password, member=f"revele_{holder}.csv")
    print(f"{len(rows)} lignes révélées dans {args.sortie}.")
    if plain:
        print("Attention : fichier en clair ; préférez une archive .7z chiffrée pour l'envoyer.")
    if unknown:
        print(
            f"Attention : {unknown} identifiants de la liste ne correspondent à aucune ligne de ces fichiers "
            "(autre fichier, autre clé ou autre campagne ?).",
            file=sys.stderr,
        )
    return EXIT_OK
