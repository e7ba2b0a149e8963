"""Encoding at the source: what a holder (CAF, MSA, DSDEN) sends instead of its children's identities.

Per record: an identifier only the holder can tie back to the row (keyed with the holder key), Bloom
filters of the identity fields and keyed tokens of the coarse ones (keyed with the shared secret), the
blocking keys (keyed too) and, for a children file, whether the child is subject to compulsory
instruction this school year (the cell needs nothing else to give a status).

The identities are first standardised as the clear crossing does (``veille.matching.frames``, hence
``veille.identity``): particles glued, first-name variants, French phonetic keys, addresses. Each field
is a Bloom filter of its own (its own key: the same bigram sets other bits in the surname and in the
first name), built once per distinct value.

Why not clkhash (0.18.3, 2023): on Python 3.11 it pins numpy < 2 and cryptography < 41, which would
downgrade the whole engine; its per-record pure-Python hashing is also slower than hashing each
distinct value once. The filters here are the same construction (keyed double hashing, Schnell et al.
2009) with HMAC-SHA256-derived keys, keyed BLAKE2b for the positions, and numpy bit arrays.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from veille.pprl.keys import derive, fingerprint

SCHEMA_VERSION = 2
KINDS = ("enfants", "scolarite")


class EncodedFileError(ValueError):
    """An encoded file that cannot be used (message in French)."""


@dataclass(frozen=True)
class FilterSpec:
    """One Bloom filter: its size in bits, its hash functions per feature, what goes in it."""

    name: str
    bits: int
    hashes: int
    content: str

    @property
    def words(self) -> int:
        return self.bits // 64


FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("nom", 512, 12, "bigrammes du nom de famille (particules collées), comptés avec leur rang"),
    FilterSpec(
        "noms",
        1024,
        16,
        "chaque partie du nom, nom de l'allocataire (fichiers enfants), clé phonétique du nom et de sa "
        "première partie",
    ),
    FilterSpec("prenom", 512, 12, "bigrammes du premier prénom, comptés avec leur rang"),
    FilterSpec(
        "prenoms", 1024, 16, "graphie canonique de chaque prénom, prénoms collés, clé phonétique du premier"
    ),
    FilterSpec("date", 512, 12, "chaque chiffre de la date de naissance à sa place"),
    FilterSpec("adresse", 512, 12, "bigrammes de la voie, numéro, numéro et voie ensemble"),
)
#: Coarse values, compared for equality only: a keyed 8-byte token (0 when missing).
TOKENS: tuple[tuple[str, str], ...] = (
    ("sexe", "sexe"),
    ("code_postal", "code postal"),
    ("date_sans_ordre", "année, puis jour et mois sans leur ordre (inversion du jour et du mois)"),
    ("jour_mois", "jour et mois de naissance (année décalée)"),
    # One key for both: a surname typed in the first-name column meets its own token.
    ("nom_croise", "nom de famille, même clé que le prénom (nom et prénom inversés)"),
    ("prenom_croise", "premier prénom, même clé que le nom (nom et prénom inversés)"),
)
#: Tokens keyed alike, so that they compare across fields.
CROSSED_KEY = {"nom_croise": "croise", "prenom_croise": "croise"}


@dataclass(frozen=True)
class BlockingSpec:
    """A blocking rule: records are compared when one of their keys for the rule is equal."""

    name: str
    parts: tuple[str, ...]
    explode: str | None = None
    slots: int = 1
    #: Keys shared by more records than this on either side are skipped (``linkage.MAX_BLOCK`` if None).
    max_block: int | None = None


# The clear crossing's rules (``matching.comparisons.BLOCKING_RULES``) whose keys hold without a
# postcode cap: a pair is compared as soon as one rule holds.
BLOCKING: tuple[BlockingSpec, ...] = (
    BlockingSpec("date exacte, nom proche à l'oreille", ("dob", "nom1_phon")),
    BlockingSpec("date exacte, même prénom", ("dob", "prenom1_canon")),
    BlockingSpec("date exacte, prénom proche à l'oreille", ("dob", "prenom1_phon")),
    BlockingSpec("date exacte, nom commençant pareil", ("dob", "nom_debut")),
    BlockingSpec("mêmes nom et prénom, même année", ("nom_colle", "prenom1_canon", "annee")),
    BlockingSpec("mêmes nom et prénom, mêmes jour et mois", ("nom_colle", "prenom1_canon", "jour_mois")),
    BlockingSpec("même nom, prénom de même initiale, même année", ("nom_colle", "prenom_initiale", "annee")),
    BlockingSpec("même nom, mêmes jour et mois", ("nom_colle", "jour_mois")),
    BlockingSpec("même nom, date aux jour et mois inversés", ("nom_colle", "date_sans_ordre")),
    BlockingSpec("même prénom, date aux jour et mois inversés", ("prenom1_canon", "date_sans_ordre")),
    BlockingSpec("même nom, même mois de naissance", ("nom_colle", "annee_mois")),
    BlockingSpec(
        "même prénom, même mois de naissance, initiale du nom",
        ("prenom1_canon", "annee_mois", "nom_initiale"),
    ),
    BlockingSpec(
        "même prénom, mêmes jour et mois, initiale du nom", ("prenom1_canon", "jour_mois", "nom_initiale")
    ),
    BlockingSpec(
        "nom d'usage ou partie du nom, même prénom, même année",
        ("noms_famille", "prenom1_canon", "annee"),
        "noms_famille",
        4,
    ),
    BlockingSpec(
        "nom d'usage ou partie du nom, mêmes jour et mois",
        ("noms_famille", "prenom1_canon", "jour_mois"),
        "noms_famille",
        4,
    ),
    BlockingSpec("nom d'usage ou partie du nom, date exacte", ("noms_famille", "dob"), "noms_famille", 4),
    BlockingSpec(
        "nom d'usage ou partie du nom, même prénom, même voie",
        ("noms_famille", "prenom1_canon", "adresse_voie"),
        "noms_famille",
        4,
    ),
    BlockingSpec(
        "un autre des prénoms, nom proche, même année",
        ("prenoms_canon", "nom1_phon", "annee"),
        "prenoms_canon",
        3,
    ),
    BlockingSpec("même adresse, même mois de naissance", ("adresse_cle", "annee_mois")),
    BlockingSpec("nom et prénom, même inversés, même année", ("noms_sans_ordre", "annee")),
    BlockingSpec("nom et prénom, même inversés, mêmes jour et mois", ("noms_sans_ordre", "jour_mois")),
    BlockingSpec(
        "même adresse, même année, prénom de même initiale", ("adresse_cle", "annee", "prenom_initiale")
    ),
    BlockingSpec("même voie, même prénom, même année", ("adresse_voie", "prenom1_canon", "annee")),
    BlockingSpec("date exacte, mêmes initiales", ("dob", "nom_initiale", "prenom_initiale")),
    # Version 2: the clear crossing's rules for swapped names with another slip in them, and for a
    # birthday at the same address with a name changed (``matching.comparisons.BLOCKING_RULES``).
    BlockingSpec("nom et prénoms entiers, même inversés, même année", ("noms_entiers_sans_ordre", "annee")),
    BlockingSpec(
        "nom et prénoms entiers, même inversés, mêmes jour et mois", ("noms_entiers_sans_ordre", "jour_mois")
    ),
    BlockingSpec(
        "nom ou prénom, dans l'une ou l'autre colonne, date exacte",
        ("noms_prenoms", "dob"),
        "noms_prenoms",
        3,
    ),
    BlockingSpec("même adresse, mêmes jour et mois", ("adresse_cle", "code_postal", "jour_mois")),
    BlockingSpec("même adresse, même prénom", ("adresse_cle", "prenom1_canon")),
    # Capped as in the clear crossing: they help across a department and fade out in one commune.
    BlockingSpec("même code postal, date exacte", ("code_postal", "dob"), max_block=30),
    BlockingSpec("même code postal, nom proche", ("code_postal", "nom1_phon"), max_block=30),
    BlockingSpec("même code postal, prénom proche", ("code_postal", "prenom1_phon"), max_block=30),
    BlockingSpec("même code postal, même voie", ("code_postal", "adresse_voie"), max_block=30),
    # Learning only (with the two first rules): a child and its record share names and address.
    BlockingSpec("mêmes nom, prénom et adresse", ("nom_colle", "prenom1_canon", "adresse_cle")),
)
#: The blocking rules whose pairs teach the model (``linkage``), and the comparisons each cannot teach.
TRAINING_RULES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (0, ("nom", "date")),
    (1, ("prenom", "date")),
    (len(BLOCKING) - 1, ("nom", "prenom", "adresse")),
)


def schema() -> dict[str, Any]:
    """The encoded file's layout, versioned (``veille encoder --schema`` prints it)."""
    return {
        "version": SCHEMA_VERSION,
        "format": "archive NumPy (.npz) sans objet Python ; tableaux ci-dessous",
        "tableaux": {
            "meta": "en-tête JSON (UTF-8) : version, type, détenteur, campagne, empreinte du secret partagé, "
            "nombre de lignes, pliage XOR des filtres (chaque filtre réduit de moitié), filtres équilibrés "
            "(chaque filtre et son complément, bits permutés à clé : longueur doublée, poids constant ; "
            "poids moyen des filtres d'origine du fichier)",
            "identifiant": "HMAC-SHA256 de l'organisme et de l'identifiant de la ligne, clé du détenteur "
            "et de la campagne (24 caractères hexadécimaux) : seul le détenteur le relie à une ligne",
            "source": "organisme (CAF, MSA) ou source de scolarité (ONDE, SIECLE…) de la ligne",
            "obligation": "fichiers enfants : l'enfant est soumis à l'obligation d'instruction l'année dite",
            **{
                f"filtre_{f.name}": f"filtre de Bloom de {f.bits} bits ({f.hashes} fonctions) : {f.content}"
                for f in FILTERS
            },
            **{
                f"jeton_{name}": f"{label} : jeton de 8 octets, clé partagée (0 si absent)"
                for name, label in TOKENS
            },
            "blocage": "clés de blocage de 8 octets, clé partagée (0 si absente), une colonne par règle et "
            "par valeur éclatée",
        },
        "filtres": [
            {"nom": f.name, "bits": f.bits, "fonctions": f.hashes, "contenu": f.content} for f in FILTERS
        ],
        "blocage": [{"regle": b.name, "colonnes": b.slots} for b in BLOCKING],
        "cles": {
            "secret_partage": "commun aux détenteurs (CAF, MSA, DSDEN), jamais à la cellule : filtres, "
            "jetons, blocage",
            "cle_detenteur": "propre à chaque détenteur : identifiants",
            "derivation": "HMAC-SHA256(secret, campagne et usage) : une clé par champ et par campagne",
        },
    }


@dataclass
class EncodedFile:
    """One holder's encoded file, as the cell receives it."""

    meta: dict[str, Any]
    identifiers: np.ndarray
    sources: np.ndarray
    compulsory: np.ndarray | None
    filters: dict[str, np.ndarray]
    tokens: dict[str, np.ndarray]
    blocking: np.ndarray

    def __len__(self) -> int:
        return len(self.identifiers)

    @property
    def holder(self) -> str:
        return str(self.meta["detenteur"])

    @property
    def kind(self) -> str:
        return str(self.meta["type"])

    def save(self, path: str | Path | io.BytesIO) -> None:
        arrays: dict[str, np.ndarray] = {
            "meta": np.frombuffer(json.dumps(self.meta, ensure_ascii=False).encode(), dtype=np.uint8),
            "identifiant": self.identifiers.astype("U24"),
            "source": self.sources.astype("U16"),
            "blocage": self.blocking,
            **{f"filtre_{name}": value for name, value in self.filters.items()},
            **{f"jeton_{name}": value for name, value in self.tokens.items()},
        }
        if self.compulsory is not None:
            arrays["obligation"] = self.compulsory
        if isinstance(path, io.BytesIO):
            np.savez(path, allow_pickle=False, **arrays)
            return
        with open(path, "wb") as handle:
            np.savez(handle, allow_pickle=False, **arrays)

    @classmethod
    def load(cls, path: str | Path | io.BytesIO, name: str | None = None) -> EncodedFile:
        """Read an encoded file from disk, or from memory (an upload: ``name`` says which in messages)."""
        shown = name or str(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(bytes(data["meta"]).decode())
                if meta.get("version") != SCHEMA_VERSION:
                    raise EncodedFileError(
                        f"{shown} : version de schéma {meta.get('version')} ; Veille lit la version "
                        f"{SCHEMA_VERSION}. Encodez de nouveau avec cette version de Veille."
                    )
                return cls(
                    meta=meta,
                    identifiers=data["identifiant"],
                    sources=data["source"],
                    compulsory=data.get("obligation"),
                    filters={f.name: data[f"filtre_{f.name}"] for f in FILTERS},
                    tokens={name: data[f"jeton_{name}"] for name, _ in TOKENS},
                    blocking=data["blocage"],
                )
        except (OSError, ValueError, KeyError) as error:
            if isinstance(error, EncodedFileError):
                raise
            raise EncodedFileError(f"{shown} n'est pas un fichier encodé par Veille ({error}).") from None


def pseudonyms(table: pd.DataFrame, holder_key: bytes, campaign: str) -> np.ndarray:
    """Each row's identifier: meaningful only with the holder key, new at each campaign."""
    key = derive(holder_key, "identifiant", campaign)
    origin = table["organisme"] if "organisme" in table else table["source"]
    return np.array(
        [
            hmac.new(key, f"{who}\x1f{ident}".encode(), hashlib.sha256).hexdigest()[:24]
            for who, ident in zip(origin.astype(str), table["identifiant"].astype(str), strict=True)
        ],
        dtype="U24",
    )


def _bigrams(value: str) -> list[str]:
    """Padded bigrams, each with its rank among equal ones: ANA and ANANA do not give the same set."""
    padded = f"_{value}_"
    seen: dict[str, int] = {}
    out = []
    for i in range(len(padded) - 1):
        gram = padded[i : i + 2]
        seen[gram] = seen.get(gram, 0) + 1
        out.append(f"{gram}{seen[gram]}")
    return out


def _date_features(dob: str) -> list[str]:
    digits = dob.replace("-", "")
    return [f"p{i}:{c}" for i, c in enumerate(digits)] if len(digits) == 8 else []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _features(frame: pd.DataFrame) -> dict[str, tuple[pd.Series, Callable[[Any], list[str]]]]:
    """For each filter: a column whose distinct values are encoded once, and their features."""
    nom_key = frame["nom_colle"].fillna("")
    noms_key = (
        frame["noms_famille"].map(lambda v: "\x1f".join(v))
        + "\x1e"
        + frame["nom_phon"].fillna("")
        + "\x1e"
        + frame["nom1_phon"].fillna("")
    )
    prenoms_key = (
        frame["prenoms_canon"].map(lambda v: "\x1f".join(v))
        + "\x1e"
        + frame["prenoms_colle"].fillna("")
        + "\x1e"
        + frame["prenom1_phon"].fillna("")
    )
    address_key = frame["adresse_voie"].fillna("") + "\x1e" + frame["adresse_cle"].fillna("")

    def noms(key: str) -> list[str]:
        tokens, phon, phon1 = key.split("\x1e")
        return [*(f"t:{t}" for t in tokens.split("\x1f") if t), *(f"ph:{p}" for p in {phon, phon1} if p)]

    def prenoms(key: str) -> list[str]:
        canon, glued, phon = key.split("\x1e")
        return [
            *(f"c:{t}" for t in canon.split("\x1f") if t),
            *([f"g:{glued}"] if glued else []),
            *([f"ph:{phon}"] if phon else []),
        ]

    def address(key: str) -> list[str]:
        street, full = key.split("\x1e")
        if not street:
            return []
        number = full.split("|")[0]
        return [*_bigrams(street), *([f"n:{number}"] if number else []), f"k:{full}"]

    return {
        "nom": (nom_key, lambda v: _bigrams(v) if v else []),
        "noms": (noms_key, noms),
        "prenom": (frame["prenom1"].fillna(""), lambda v: _bigrams(v) if v else []),
        "prenoms": (prenoms_key, prenoms),
        "date": (frame["dob"].fillna(""), _date_features),
        "adresse": (address_key, address),
    }


def _bloom(
    column: pd.Series,
    features: Callable[[Any], list[str]],
    spec: FilterSpec,
    key: bytes,
    balance_key: bytes | None = None,
) -> tuple[np.ndarray, float]:
    """The filter of every row, built once per distinct value; rows of uint64 words. Balanced with
    ``balance_key`` (``_balance``), with the mean weight of the original filters (else 0)."""
    codes, distinct = pd.factorize(column, sort=False)
    cache: dict[str, list[int]] = {}
    rows: list[int] = []
    cols: list[int] = []
    for index, value in enumerate(distinct):
        for feature in features(value):
            positions = cache.get(feature)
            if positions is None:
                digest = hashlib.blake2b(feature.encode(), key=key, digest_size=16).digest()
                h1, h2 = int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little") | 1
                positions = [(h1 + i * h2) % spec.bits for i in range(spec.hashes)]
                cache[feature] = positions
            rows.extend([index] * len(positions))
            cols.extend(positions)
    bits = np.zeros((len(distinct) + 1, spec.bits), dtype=bool)
    bits[np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)] = True
    codes = np.where(codes < 0, len(distinct), codes)
    mean = 0.0
    if balance_key is not None:
        bits, mean = _balance(bits, codes, balance_key)
    packed = np.ascontiguousarray(np.packbits(bits, axis=1, bitorder="little")).view("<u8")
    return np.ascontiguousarray(packed[codes]), mean


def _balance(bits: np.ndarray, codes: np.ndarray, key: bytes) -> tuple[np.ndarray, float]:
    """Balanced filters (Schnell et al. 2016): each filter and its complement, their bits shuffled by a
    keyed permutation. Every filter then has the same weight (its length): the weight no longer tells
    the length of a name. A missing value stays all zero (the tokens already show it missing).

    ``bits`` holds one row per distinct value, ``codes`` the value of each record. Also returns the
    mean weight of the original filters over the records, which the linkage needs to read a Dice
    similarity in a Hamming distance (an aggregate of the file, nothing of one record).
    """
    weight = bits.sum(axis=1)
    per_record = weight[codes]
    present = per_record > 0
    mean = float(per_record[present].mean()) if present.any() else 0.0
    order = np.random.default_rng(int.from_bytes(key, "little")).permutation(2 * bits.shape[1])
    balanced = np.concatenate([bits, ~bits], axis=1)[:, order]
    balanced[weight == 0] = False
    return balanced, mean


def _keyed(values: pd.Series, key: bytes, label: str) -> np.ndarray:
    """An 8-byte keyed token of each value (0 for a missing one), hashed once per distinct value."""
    codes, distinct = pd.factorize(values, sort=False)
    hashed = np.fromiter(
        (
            int.from_bytes(
                hashlib.blake2b(f"{label}\x1f{v}".encode(), key=key, digest_size=8).digest(), "little"
            )
            for v in distinct
        ),
        dtype=np.uint64,
        count=len(distinct),
    ).view(np.int64)
    hashed = np.append(hashed, np.int64(0))
    hashed[hashed == 0] = 1  # 0 means missing
    hashed[-1] = 0
    return hashed[np.where(codes < 0, len(distinct), codes)]


def _parts(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The clear values the blocking keys are made of (never written)."""
    dob = frame["dob"].fillna("")
    valid = dob.str.len() == 10
    month, day = dob.str[5:7], dob.str[8:10]
    nom = frame["nom_colle"].fillna("")
    prenom = frame["prenom1"].fillna("")
    prenoms = frame["prenoms_colle"].fillna("")

    def keep(series: pd.Series, ok: pd.Series) -> pd.Series:
        return series.where(ok, "")

    return {
        "dob": keep(dob, valid),
        "annee": keep(dob.str[:4], valid),
        "jour_mois": keep(dob.str[5:10], valid),
        "annee_mois": keep(dob.str[:7], valid),
        "date_sans_ordre": keep(dob.str[:4] + np.minimum(month, day) + np.maximum(month, day), valid),
        "nom_colle": nom,
        "nom_debut": nom.str[:2],
        "nom_initiale": nom.str[:1],
        "nom1_phon": frame["nom1_phon"].fillna(""),
        "prenom1_canon": frame["prenom1_canon"].fillna(""),
        "prenom1_phon": frame["prenom1_phon"].fillna(""),
        "prenom_initiale": prenom.str[:1],
        "adresse_cle": frame["adresse_cle"].fillna(""),
        "adresse_voie": frame["adresse_voie"].fillna(""),
        "code_postal": frame["code_postal"].fillna(""),
        "noms_sans_ordre": keep(
            np.minimum(nom, prenom) + "|" + np.maximum(nom, prenom), (nom != "") & (prenom != "")
        ),
        "noms_entiers_sans_ordre": keep(
            np.minimum(nom, prenoms) + "|" + np.maximum(nom, prenoms), (nom != "") & (prenoms != "")
        ),
    }


def _blocking(frame: pd.DataFrame, key: bytes) -> np.ndarray:
    parts = _parts(frame)
    columns = []
    for rule_index, rule in enumerate(BLOCKING):
        for slot in range(rule.slots):
            pieces = []
            for part in rule.parts:
                if part == rule.explode:
                    pieces.append(frame[part].map(lambda v, s=slot: v[s] if len(v) > s else ""))
                else:
                    pieces.append(parts[part])
            missing = np.zeros(len(frame), dtype=bool)
            for piece in pieces:
                missing |= (piece == "").to_numpy()
            joined = pieces[0].astype(str)
            for piece in pieces[1:]:
                joined = joined + "\x1f" + piece.astype(str)
            keys = _keyed(joined.where(~missing, None), key, str(rule_index))
            columns.append(keys)
    return np.column_stack(columns) if columns else np.zeros((len(frame), 0), dtype=np.int64)


def encode(
    table: pd.DataFrame,
    *,
    kind: str,
    holder: str,
    shared_secret: bytes,
    holder_key: bytes,
    campaign: str,
    compulsory: np.ndarray | None = None,
    fold: bool = False,
    balanced: bool = False,
) -> EncodedFile:
    """Encode a children table (``kind="enfants"``) or a schooling table (``"scolarite"``).

    Args:
        table: the table of ``veille.sources.read_children_files`` or ``read_schooling_files``.
        kind: ``"enfants"`` or ``"scolarite"``.
        holder: who encodes (``CAF``, ``MSA``, ``DSDEN``…): the revelation lists are per holder.
        shared_secret: the secret shared by the holders, never by the cell.
        holder_key: this holder's own key, for the identifiers.
        campaign: the campaign's name (``2026-12``): every key is derived from it.
        compulsory: per child, subject to compulsory instruction (children files).
        fold: XOR-fold every filter (its first half XOR its second half): each bit mixes two positions,
            which blurs the bit patterns a frequency attack reads, at some cost in accuracy.
        balanced: balanced filters (``_balance``): twice as long, all of the same weight.
    """
    from veille.matching.frames import match_frame

    if kind not in KINDS:
        raise ValueError(f"type inconnu : {kind}")
    if fold and balanced:
        raise ValueError("le pliage XOR et les filtres équilibrés ne se combinent pas : choisissez l'un.")
    table = table.reset_index(drop=True)
    frame = match_frame(table, claimant=kind == "enfants")
    filters = {}
    weights: dict[str, float] = {}
    features = _features(frame)
    for spec in FILTERS:
        column, make = features[spec.name]
        balance_key = derive(shared_secret, f"equilibre:{spec.name}", campaign) if balanced else None
        bits, weights[spec.name] = _bloom(
            column, make, spec, derive(shared_secret, f"filtre:{spec.name}", campaign), balance_key
        )
        half = bits.shape[1] // 2
        filters[spec.name] = np.ascontiguousarray(bits[:, :half] ^ bits[:, half:]) if fold else bits
    clear = {
        "sexe": frame["sexe"],
        "code_postal": frame["code_postal"],
        **_parts(frame),
        "nom_croise": frame["nom_colle"].fillna(""),
        "prenom_croise": frame["prenom1"].fillna(""),
    }
    tokens = {}
    for name, _ in TOKENS:
        label = CROSSED_KEY.get(name, name)
        key = derive(shared_secret, f"jeton:{label}", campaign)
        tokens[name] = _keyed(clear[name].replace("", None), key, label)
    origin = table["organisme"] if kind == "enfants" else table["source"]
    meta = {
        "version": SCHEMA_VERSION,
        "type": kind,
        "detenteur": holder,
        "campagne": campaign,
        "empreinte_secret": fingerprint(shared_secret, campaign),
        "lignes": len(table),
        "pliage_xor": fold,
        "equilibre": balanced,
        **({"poids_moyen": {name: round(value, 2) for name, value in weights.items()}} if balanced else {}),
    }
    return EncodedFile(
        meta=meta,
        identifiers=pseudonyms(table, holder_key, campaign),
        sources=origin.astype(str).to_numpy().astype("U16"),
        compulsory=None if compulsory is None else np.asarray(compulsory, dtype=bool),
        filters=filters,
        tokens=tokens,
        blocking=_blocking(frame, derive(shared_secret, "blocage", campaign)),
    )


def encoded_bytes(encoded: EncodedFile) -> bytes:
    """The file's bytes (tests look for clear identities in them)."""
    buffer = io.BytesIO()
    encoded.save(buffer)
    return buffer.getvalue()


def blocking_columns(rule_index: int) -> Sequence[int]:
    """The columns of ``blocage`` holding the keys of one rule."""
    start = sum(rule.slots for rule in BLOCKING[:rule_index])
    return range(start, start + BLOCKING[rule_index].slots)
