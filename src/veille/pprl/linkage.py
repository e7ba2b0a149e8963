"""Linkage without identities: the clear crossing's steps, on Bloom-filter encodings.

Candidate pairs come from the keyed blocking keys (a pair is compared when one rule's key is equal);
each field is compared by the Dice similarity of its filters, cut into levels like the clear
crossing's; the model is learnt without labels as ``veille.matching.training`` learns it (u counted on
random pairs that other fields show to be strangers, m by EM over pattern counts of pairs blocked on
some fields); then the same one-to-one assignment (``matching.assignment``) and the same statuses
(``matching.classification``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from veille.matching.assignment import assign_one_to_one
from veille.matching.classification import Thresholds, classify
from veille.matching.results import Status
from veille.pprl.encoding import BLOCKING, FILTERS, TOKENS, TRAINING_RULES, EncodedFile, EncodedFileError

#: Keys shared by more records than this on either side are skipped (an empty-looking value).
MAX_BLOCK = 60
#: Random pairs for u.
U_SAMPLE = 1_000_000
#: Filter bits a shared token sets in both filters (16 hash functions, a collision or two allowed).
SHARED_TOKEN_BITS = 14
PAIR_CHUNK = 400_000
MIN_EM_MATCHES = 20.0


@dataclass(frozen=True)
class EncodedComparison:
    """A field compared on its encodings: levels from the most to the least alike (French labels)."""

    name: str
    description: str
    labels: tuple[str, ...]

    @property
    def top(self) -> int:
        return 0


COMPARISONS: tuple[EncodedComparison, ...] = (
    EncodedComparison(
        "nom",
        "nom de famille",
        (
            "nom identique",
            "nom avec une faute de frappe",
            "une partie du nom en commun, ou le même son",
            "nom et prénom inversés",
            "nom proche",
            "nom différent",
        ),
    ),
    EncodedComparison(
        "prenom",
        "prénoms",
        (
            "premier prénom identique",
            "même prénom autre graphie, ou un autre des prénoms",
            "prénom avec une faute de frappe",
            "prénom proche",
            "nom et prénom inversés",
            "prénom différent",
        ),
    ),
    EncodedComparison(
        "date",
        "date de naissance",
        (
            "date identique",
            "un chiffre différent",
            "jour et mois inversés",
            "même jour et mois, autre année",
            "date différente",
        ),
    ),
    EncodedComparison("sexe", "sexe", ("même sexe", "sexe différent")),
    EncodedComparison(
        "adresse", "adresse", ("même adresse", "même voie ou presque", "voie proche", "adresse différente")
    ),
    EncodedComparison("code_postal", "code postal", ("même code postal", "autre code postal")),
)
_BY_NAME = {c.name: c for c in COMPARISONS}
CORE = ("nom", "prenom", "date")


#: Levels no EM pass sees (each pass blocks on the surname or the first name, which a swap changes):
#: their m stays at this share of true pairs, as ``matching.training`` keeps the prior's m for them.
HIDDEN_M = {("nom", 3): 0.004, ("prenom", 4): 0.004}


def _default_m(comparison: EncodedComparison) -> np.ndarray:
    n = len(comparison.labels)
    m = np.full(n, 0.1 / max(n - 1, 1))
    m[0] = 0.9
    return _with_hidden(comparison.name, m)


def _with_hidden(name: str, m: np.ndarray) -> np.ndarray:
    m = m.copy()
    hidden = {level: value for (field_name, level), value in HIDDEN_M.items() if field_name == name}
    if not hidden:
        return m
    rest = [i for i in range(len(m)) if i not in hidden]
    m[rest] *= (1.0 - sum(hidden.values())) / max(m[rest].sum(), 1e-12)
    for level, value in hidden.items():
        m[level] = value
    return m


@dataclass
class Side:
    """Every encoded file of one side, end to end."""

    files: list[EncodedFile]
    filters: dict[str, np.ndarray] = field(init=False)
    popcount: dict[str, np.ndarray] = field(init=False)
    tokens: dict[str, np.ndarray] = field(init=False)
    blocking: np.ndarray = field(init=False)

    #: balanced filters (``encoding._balance``): only the Hamming distance of two filters shows, and
    #: each record's weight is read as its file's mean weight of the original filters
    balanced: bool = field(init=False)

    def __post_init__(self) -> None:
        self.filters = {f.name: np.concatenate([e.filters[f.name] for e in self.files]) for f in FILTERS}
        self.balanced = bool(self.files[0].meta.get("equilibre"))
        self.popcount = {
            name: np.bitwise_count(value).sum(axis=1, dtype=np.int32) for name, value in self.filters.items()
        }
        if self.balanced:
            for name, weight in self.popcount.items():
                mean = np.concatenate(
                    [np.full(len(e), float(e.meta["poids_moyen"][name])) for e in self.files]
                )
                self.popcount[name] = np.where(weight > 0, np.maximum(np.rint(mean), 1), 0).astype(np.int32)
        self.tokens = {name: np.concatenate([e.tokens[name] for e in self.files]) for name, _ in TOKENS}
        self.blocking = np.concatenate([e.blocking for e in self.files])

    def __len__(self) -> int:
        return len(self.blocking)

    def column(self, pick: Callable[[EncodedFile], np.ndarray]) -> np.ndarray:
        return np.concatenate([pick(e) for e in self.files])


def _same(left: Side, right: Side, c: np.ndarray, r: np.ndarray, token: str) -> np.ndarray:
    a, b = left.tokens[token][c], right.tokens[token][r]
    return np.asarray((a != 0) & (a == b))


def _crossed(left: Side, right: Side, c: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Surname of one side equal to the first name of the other."""
    nl, pl = left.tokens["nom_croise"][c], left.tokens["prenom_croise"][c]
    nr, pr = right.tokens["nom_croise"][r], right.tokens["prenom_croise"][r]
    return np.asarray(((nl != 0) & (nl == pr)) | ((pl != 0) & (pl == nr)))


def _levels(left: Side, right: Side, ci: np.ndarray, ri: np.ndarray) -> dict[str, np.ndarray]:
    """Level index (0 = most alike, -1 = missing) of every comparison, for pairs (ci, ri)."""
    out = {c.name: np.empty(len(ci), dtype=np.int8) for c in COMPARISONS}
    for start in range(0, len(ci), PAIR_CHUNK):
        c, r = ci[start : start + PAIR_CHUNK], ri[start : start + PAIR_CHUNK]
        sim: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
        for spec in FILTERS:
            common = np.bitwise_count(left.filters[spec.name][c] & right.filters[spec.name][r]).sum(
                axis=1, dtype=np.int32
            )
            pl, pr = left.popcount[spec.name][c], right.popcount[spec.name][r]
            total = pl + pr
            if left.balanced:
                # Balanced: the common bits are the original filters' length less their Hamming
                # distance; with the mean weights, the bits both originals set are estimated.
                distance = spec.bits - common
                equal = (distance == 0) & (total > 0)
                common = np.clip((total - distance) // 2, 0, None).astype(np.int32)
            else:
                equal = (common == pl) & (common == pr)
            dice = np.where(total > 0, 2.0 * common / np.maximum(total, 1), 0.0)
            sim[spec.name] = (dice, common, (pl == 0) | (pr == 0), equal)
        dice, _, null, equal = sim["nom"]
        shared = sim["noms"][1] >= SHARED_TOKEN_BITS
        swapped = _crossed(left, right, c, r)
        level = np.select([equal, dice >= 0.8, shared, swapped, dice >= 0.6], [0, 1, 2, 3, 4], 5)
        out["nom"][start : start + len(c)] = np.where(null, -1, level)
        dice, _, null, equal = sim["prenom"]
        shared = sim["prenoms"][1] >= SHARED_TOKEN_BITS
        level = np.select([equal, shared, dice >= 0.8, dice >= 0.6, swapped], [0, 1, 2, 3, 4], 5)
        out["prenom"][start : start + len(c)] = np.where(null, -1, level)
        dice, _, null, equal = sim["date"]
        swapped = _same(left, right, c, r, "date_sans_ordre")
        other_year = _same(left, right, c, r, "jour_mois")
        level = np.select([equal, dice >= 0.84, swapped, other_year], [0, 1, 2, 3], 4)
        out["date"][start : start + len(c)] = np.where(null, -1, level)
        dice, _, null, equal = sim["adresse"]
        level = np.select([equal, dice >= 0.85, dice >= 0.7], [0, 1, 2], 3)
        out["adresse"][start : start + len(c)] = np.where(null, -1, level)
        for name in ("sexe", "code_postal"):
            a, b = left.tokens[name][c], right.tokens[name][r]
            out[name][start : start + len(c)] = np.where((a == 0) | (b == 0), -1, np.where(a == b, 0, 1))
    return out


def _rule_pairs(left: Side, right: Side, rule_index: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs sharing a key of one blocking rule (keys of over-large blocks skipped)."""
    start = sum(rule.slots for rule in BLOCKING[:rule_index])
    stop = start + BLOCKING[rule_index].slots
    cap = BLOCKING[rule_index].max_block or MAX_BLOCK

    def long(side: Side) -> pd.DataFrame:
        keys = side.blocking[:, start:stop]
        uid = np.repeat(np.arange(len(side), dtype=np.int64), keys.shape[1])
        flat = keys.reshape(-1)
        present = flat != 0
        frame = pd.DataFrame({"key": flat[present], "uid": uid[present]}).drop_duplicates()
        sizes = frame["key"].map(frame["key"].value_counts())
        return frame[sizes.to_numpy() <= cap]

    joined = long(left).merge(long(right), on="key", suffixes=("_l", "_r"))
    return joined["uid_l"].to_numpy(), joined["uid_r"].to_numpy()


def _candidates(
    left: Side, right: Side
) -> tuple[np.ndarray, np.ndarray, dict[int, tuple[np.ndarray, np.ndarray]]]:
    codes = []
    per_rule = {}
    training = {index for index, _ in TRAINING_RULES}
    for index in range(len(BLOCKING)):
        ci, ri = _rule_pairs(left, right, index)
        if index in training:
            per_rule[index] = (ci, ri)
        codes.append(ci * len(right) + ri)
    unique = np.unique(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)
    return unique // max(len(right), 1), unique % max(len(right), 1), per_rule


def _pattern_counts(
    levels: dict[str, np.ndarray], names: Sequence[str]
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    code = np.zeros(len(next(iter(levels.values()))), dtype=np.int64)
    for name in names:
        code = code * (len(_BY_NAME[name].labels) + 1) + (levels[name].astype(np.int64) + 1)
    _, first, counts = np.unique(code, return_index=True, return_counts=True)
    return counts.astype(float), {name: levels[name][first] for name in names}


def estimate_u(left: Side, right: Side, seed: int) -> dict[str, np.ndarray]:
    """u of every level on random pairs that other fields show to be different children."""
    rng = np.random.default_rng(seed)
    n = min(U_SAMPLE, len(left) * len(right))
    ci = rng.integers(len(left), size=n)
    ri = rng.integers(len(right), size=n)
    levels = _levels(left, right, ci, ri)
    date_differs = levels["date"] == len(_BY_NAME["date"].labels) - 1
    names_differ = (levels["nom"] == len(_BY_NAME["nom"].labels) - 1) | (
        levels["prenom"] == len(_BY_NAME["prenom"].labels) - 1
    )
    u = {}
    for comparison in COMPARISONS:
        stranger = names_differ if comparison.name == "date" else date_differs
        gamma = levels[comparison.name][stranger]
        counts = np.bincount(gamma[gamma >= 0], minlength=len(comparison.labels)).astype(float) + 1.0
        u[comparison.name] = counts / counts.sum()
    return u


def em_pass(
    levels: dict[str, np.ndarray],
    learnable: Sequence[str],
    u: dict[str, np.ndarray],
    max_iterations: int = 40,
) -> tuple[dict[str, np.ndarray], float] | None:
    """EM (u fixed) over pattern counts: the m of ``learnable``, and the expected matches."""
    if not len(next(iter(levels.values()))):
        return None
    counts, patterns = _pattern_counts(levels, learnable)
    m_now = {name: _default_m(_BY_NAME[name]) for name in learnable}
    log_u = sum(np.where(patterns[n] >= 0, np.log(u[n])[np.maximum(patterns[n], 0)], 0.0) for n in learnable)
    lam = 0.5
    p = np.zeros_like(counts)
    for _ in range(max_iterations):
        log_m = sum(
            np.where(patterns[n] >= 0, np.log(m_now[n])[np.maximum(patterns[n], 0)], 0.0) for n in learnable
        )
        logit = math.log(lam) - math.log(1 - lam) + log_m - log_u
        p = 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))
        weighted = counts * p
        change = abs(float(weighted.sum() / counts.sum()) - lam)
        lam = min(max(float(weighted.sum() / counts.sum()), 1e-9), 1 - 1e-9)
        for name in learnable:
            idx = patterns[name]
            present = idx >= 0
            total = weighted[present].sum()
            if total <= 0:
                continue
            estimate = (
                np.bincount(idx[present], weights=weighted[present], minlength=len(m_now[name])) / total
            )
            estimate = np.clip(estimate, 1e-6, 1.0)
            estimate = _with_hidden(name, estimate / estimate.sum())
            change = max(change, float(np.abs(estimate - m_now[name]).max()))
            m_now[name] = estimate
        if change < 1e-4:
            break
    matches = float((counts * p).sum())
    if not np.isfinite(matches) or matches < MIN_EM_MATCHES:
        return None
    return m_now, matches


@dataclass
class EncodedModel:
    m: dict[str, np.ndarray]
    u: dict[str, np.ndarray]
    passes: list[dict[str, Any]]
    warnings: list[str]

    def weights(self) -> dict[str, np.ndarray]:
        return {
            name: np.log2(np.maximum(self.m[name], 1e-12) / np.maximum(self.u[name], 1e-12))
            for name in self.m
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "comparaisons": [
                {
                    "nom": c.name,
                    "description": c.description,
                    "niveaux": [
                        {"libelle": label, "m": float(self.m[c.name][i]), "u": float(self.u[c.name][i])}
                        for i, label in enumerate(c.labels)
                    ],
                }
                for c in COMPARISONS
            ],
            "passes_em": self.passes,
            "avertissements": self.warnings,
        }


def train(
    left: Side, right: Side, per_rule: dict[int, tuple[np.ndarray, np.ndarray]], seed: int
) -> EncodedModel:
    u = estimate_u(left, right, seed)
    learnt: dict[str, list[tuple[np.ndarray, float]]] = {c.name: [] for c in COMPARISONS}
    passes = []
    for index, excluded in TRAINING_RULES:
        ci, ri = per_rule.get(index, (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)))
        learnable = [c.name for c in COMPARISONS if c.name not in excluded]
        result = em_pass(_levels(left, right, ci, ri), learnable, u)
        passes.append(
            {
                "blocage": BLOCKING[index].name,
                "paires": len(ci),
                "appariements_estimes": None if result is None else round(result[1], 1),
            }
        )
        if result is not None:
            for name, value in result[0].items():
                learnt[name].append((value, result[1]))
    m: dict[str, np.ndarray] = {}
    warnings = []
    for comparison in COMPARISONS:
        found = learnt[comparison.name]
        if found:
            m[comparison.name] = np.asarray(sum(v * w for v, w in found) / sum(w for _, w in found))
        else:
            m[comparison.name] = _default_m(comparison)
            warnings.append(
                f"« {comparison.description} » : rien appris sur ces fichiers, valeurs par défaut."
            )
    return EncodedModel(m=m, u=u, passes=passes, warnings=warnings)


#: Exact agreement on these fields is weighed by the frequency of the shared value, as in the clear
#: crossing (MARTIN agreeing says less than ZOUAOUI agreeing): the frequency of an identical filter.
TF_FIELDS = ("nom", "prenom", "adresse")
#: Records (both sides) from which a value's frequency means something (``training.TF_FULL_RECORDS``).
TF_FULL_RECORDS = 20_000


def frequencies(left: Side, right: Side, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Per record, the share of all records (both sides) carrying the very same filter.

    The cell learns nothing here that the files do not already show: identical filters are visible.
    """
    both = np.ascontiguousarray(np.concatenate([left.filters[name], right.filters[name]]))
    rows = both.view(np.dtype((np.void, both.shape[1] * both.itemsize))).ravel()
    _, inverse, counts = np.unique(rows, return_inverse=True, return_counts=True)
    share = counts[inverse.ravel()] / max(len(both), 1)
    return share[: len(left)], share[len(left) :]


def _score(
    levels: dict[str, np.ndarray],
    model: EncodedModel,
    tf: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
    pairs: tuple[np.ndarray, np.ndarray] | None = None,
    tf_weight: float = 0.0,
) -> np.ndarray:
    weights = model.weights()
    total = np.zeros(len(levels["nom"]), dtype=float)
    for name, table in weights.items():
        gamma = levels[name]
        total += np.where(gamma >= 0, table[np.maximum(gamma, 0)], 0.0)
        if tf is not None and pairs is not None and name in tf and tf_weight > 0:
            share = np.maximum(tf[name][0][pairs[0]], tf[name][1][pairs[1]])
            adjust = np.log2(max(float(model.u[name][0]), 1e-12)) - np.log2(np.maximum(share, 1e-12))
            total += np.where(gamma == 0, tf_weight * adjust, 0.0)
    return total


@dataclass
class LinkageResult:
    """Every child's status under its pseudonymous identifier, and what the cell must ask to see."""

    children: pd.DataFrame
    reveal: dict[str, pd.DataFrame]
    model: dict[str, Any]
    thresholds: dict[str, float]
    campaign: str
    timings: dict[str, float]
    n_candidates: int

    def count(self, status: Status) -> int:
        return int((self.children["statut"] == status.value).sum())


def _check(files: Sequence[EncodedFile], kind: str) -> None:
    for encoded in files:
        if encoded.kind != kind:
            raise EncodedFileError(
                f"le fichier de {encoded.holder} est un fichier « {encoded.kind} », attendu « {kind} »."
            )


def check_files(children: Sequence[EncodedFile], schooling: Sequence[EncodedFile]) -> None:
    """Refuse files that cannot be linked together (French message): before any work is queued."""
    if not children or not schooling:
        raise EncodedFileError("il faut au moins un fichier enfants et un fichier de scolarité encodés.")
    _check(children, "enfants")
    _check(schooling, "scolarite")
    every = [*children, *schooling]
    campaigns = {e.meta["campagne"] for e in every}
    if len(campaigns) > 1:
        raise EncodedFileError(f"fichiers de campagnes différentes : {', '.join(sorted(campaigns))}.")
    if len({bool(e.meta.get("equilibre")) for e in every}) > 1:
        raise EncodedFileError(
            "certains fichiers sont encodés avec des filtres équilibrés, d'autres sans : réencodez-les."
        )
    if len({bool(e.meta.get("pliage_xor")) for e in every}) > 1:
        raise EncodedFileError(
            "certains fichiers sont encodés avec pliage XOR, d'autres sans : réencodez-les."
        )
    if len({e.meta["empreinte_secret"] for e in every}) > 1:
        raise EncodedFileError(
            "les fichiers n'ont pas été encodés avec le même secret partagé : "
            "ils ne peuvent pas être croisés."
        )


def link(
    children: Sequence[EncodedFile],
    schooling: Sequence[EncodedFile],
    *,
    thresholds: Thresholds | None = None,
    seed: int = 42,
    progress: Callable[[str], None] | None = None,
) -> LinkageResult:
    """Link encoded children files with encoded schooling files."""
    thresholds = thresholds or Thresholds()
    say = progress or (lambda _label: None)
    check_files(children, schooling)
    campaigns = {e.meta["campagne"] for e in [*children, *schooling]}
    steps: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = round(now - clock, 3)
        clock = now

    left, right = Side(list(children)), Side(list(schooling))
    say("Paires candidates (clés de blocage)")
    ci, ri, per_rule = _candidates(left, right)
    lap("blocage")
    say("Apprentissage du modèle")
    model = train(left, right, per_rule, seed)
    lap("apprentissage")
    say("Comparaison des encodages")
    levels = _levels(left, right, ci, ri)
    tf = {name: frequencies(left, right, name) for name in TF_FIELDS}
    tf_weight = min(1.0, (len(left) + len(right)) / TF_FULL_RECORDS)
    weight = _score(levels, model, tf, (ci, ri), tf_weight)
    agrees = np.ones(len(ci), dtype=bool)
    for comparison in COMPARISONS:
        gamma = levels[comparison.name]
        agrees &= (gamma == 0) if comparison.name in CORE else (gamma <= 0)
    # Agreeing on every field: the child's own record (as in the clear crossing), never sent to review.
    weight = np.where(agrees, np.maximum(weight, thresholds.match), weight)
    kept = weight >= thresholds.shown
    record_sources = right.column(lambda e: e.sources)
    pairs = pd.DataFrame(
        {
            "child_uid": ci[kept],
            "record_uid": ri[kept],
            "match_weight": weight[kept],
            "source": record_sources[ri[kept]],
            **{f"gamma_{name}": value[kept] for name, value in levels.items()},
        }
    )
    lap("comparaison")
    say("Attribution des dossiers et classement")
    assigned = assign_one_to_one(pairs, min_weight=thresholds.uncertain, confident=thresholds.match)
    compulsory = left.column(
        lambda e: e.compulsory if e.compulsory is not None else np.ones(len(e), dtype=bool)
    )
    decided = classify(len(left), compulsory, pairs, assigned, thresholds)
    table = _children_table(left, right, decided, pairs)
    reveal = _revelation_lists(table)
    lap("classement")
    return LinkageResult(
        children=table,
        reveal=reveal,
        model=model.as_dict(),
        thresholds=thresholds.as_dict(),
        campaign=next(iter(campaigns)),
        timings=steps,
        n_candidates=len(ci),
    )


def _holders(side: Side) -> np.ndarray:
    return np.concatenate([np.full(len(e), e.holder, dtype=object) for e in side.files])


def _children_table(left: Side, right: Side, decided: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    record = decided["record_uid"].to_numpy()
    has = record >= 0
    safe = np.where(has, record, 0)
    table = pd.DataFrame(
        {
            "detenteur": _holders(left),
            "organisme": left.column(lambda e: e.sources),
            "identifiant": left.column(lambda e: e.identifiers),
            "statut": decided["statut"].to_numpy(),
            "motif": decided["motif"].to_numpy(),
            "poids": np.where(has, np.round(decided["match_weight"].to_numpy(), 2), np.nan),
            "candidat_detenteur": np.where(has, _holders(right)[safe], ""),
            "candidat_source": np.where(has, right.column(lambda e: e.sources)[safe], ""),
            "candidat_identifiant": np.where(has, right.column(lambda e: e.identifiers)[safe], ""),
        }
    )
    keyed = pairs.set_index(["child_uid", "record_uid"])
    chosen = pd.MultiIndex.from_arrays([np.arange(len(table))[has], record[has]])
    found = keyed.reindex(chosen)
    texts = np.full(len(table), "", dtype=object)
    parts = []
    for comparison in COMPARISONS:
        gamma = found[f"gamma_{comparison.name}"].fillna(-1).astype(int).to_numpy()
        labels = np.array([*comparison.labels, "valeur absente"], dtype=object)
        parts.append(comparison.description + " : " + labels[gamma])
    if has.any():
        texts[has] = [" ; ".join(row) for row in zip(*parts, strict=True)]
    table["niveaux"] = texts
    for comparison in COMPARISONS:
        gamma = found[f"gamma_{comparison.name}"].fillna(-1).astype(int).to_numpy()
        column = np.full(len(table), -1, dtype=np.int8)
        column[has] = gamma
        table[f"niveau_{comparison.name}"] = column
    return table


#: Statuses whose child the cell must see, and what its candidate record's holder is told.
TO_SEE = (Status.UNFOUND.value, Status.UNCERTAIN.value)
CANDIDATE = "dossier_candidat"


def _revelation_lists(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per holder, the identifiers to reveal: children to act on, and the records to check them with."""
    lists: dict[str, list[pd.DataFrame]] = {}
    flagged = table[table["statut"].isin(TO_SEE)]
    for holder, rows in flagged.groupby("detenteur", sort=True):
        lists.setdefault(str(holder), []).append(
            pd.DataFrame(
                {"identifiant": rows["identifiant"], "statut": rows["statut"], "motif": rows["motif"]}
            )
        )
    review = table[table["statut"] == Status.UNCERTAIN.value]
    for holder, rows in review.groupby("candidat_detenteur", sort=True):
        lists.setdefault(str(holder), []).append(
            pd.DataFrame(
                {
                    "identifiant": rows["candidat_identifiant"],
                    "statut": CANDIDATE,
                    "motif": "dossier candidat d'un enfant à vérifier",
                }
            )
        )
    return {
        holder: pd.concat(frames, ignore_index=True).drop_duplicates("identifiant")
        for holder, frames in lists.items()
    }
