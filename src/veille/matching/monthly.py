"""Monthly updates: cross a new month's files against the previous run, and say what changed.

The list is updated on the 1st of each month (R131-3 II of the code de l'éducation, with the schools'
monthly *état des mutations*): from one month to the next, most children and records are the same. A
crossing keeps what the next month reuses (:class:`MonthlyState`): the model, each child's and each
record's identity fingerprint, and the scored pairs. The next month then

- reuses the model (no training) and the comparison levels (gammas) of the pairs whose child and
  record kept the same identity: they are not compared again, only weighed again with this month's
  term frequencies (``PairEngine.reweigh``: the SQL of a full run over the same values, hence its
  weights to the bit);
- scores only the pairs of the children and records that are new or changed, and in full those of
  the children whose kept pairs or left-out pairs may differ from a full run's: a child or a record
  whose block of a capped rule (``max_block``) opened or closed, and a child whose best left-out pair
  could now be kept (among them a child who lost a kept pair, its record changed or gone, and whose
  weaker candidates were not kept). The last is known without the pair: a pair's weight moves with
  the frequencies of the values it agrees on exactly, which are the child's own, so the state keeps
  per child the weight of its best left-out pair and the frequencies of its values, and the move is
  bounded from them;
- gives every child its status as a full run with the same model would: the one-to-one assignment,
  the classification and people's decisions apply to all the pairs, reused and new.

The pairs a month keeps are then the pairs a full run with the same model keeps, with the same
weights, by construction (``tests/test_matching_monthly.py`` and ``bench/monthly.py`` check it); only
the count of candidate pairs behind the shown probability is estimated.

What changed since last month (:func:`changes`): children newly without schooling, newly to verify,
newly schooled, arrived, left; ``changements.csv`` writes it with French headers.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from veille.identity.features import FeatureMemo
from veille.matching.frames import identity_table, match_frame
from veille.matching.results import Status

STATE_FILE = "etat_croisement.zip"
CHANGES_FILE = "changements.csv"
#: 2: the term frequencies of each child, the open capped blocks and the weight left out per child
#: 3: the swapped-names levels and the standardised identities' ``noms_prenoms`` (a state of an
#: earlier version holds no such column, and its pairs' levels were compared otherwise)
STATE_VERSION = 3

#: the columns whose values the model compares: a record is unchanged when they all are
CHILD_IDENTITY = (
    "nom",
    "prenoms",
    "date_naissance",
    "sexe",
    "nom_allocataire",
    "adresse",
    "code_postal",
    "ine",
)
RECORD_IDENTITY = ("nom", "prenoms", "date_naissance", "sexe", "adresse", "code_postal", "ine")
CHILD_KEY = ("organisme", "identifiant")
RECORD_KEY = ("source", "identifiant")

#: kinds of change, in the order ``changements.csv`` lists them, and their French wording
NEWLY_UNSCHOOLED = "nouvellement sans scolarité connue"
NEWLY_UNCERTAIN = "nouvellement à vérifier"
NEWLY_SCHOOLED = "nouvellement scolarisé"
NEWLY_OUT_OF_SCOPE = "nouvellement hors obligation"
ARRIVED = "arrivé"
LEFT = "parti"
CHANGE_KINDS = (NEWLY_UNSCHOOLED, NEWLY_UNCERTAIN, NEWLY_SCHOOLED, ARRIVED, LEFT, NEWLY_OUT_OF_SCOPE)
_BY_NEW_STATUS = {
    Status.UNFOUND.value: NEWLY_UNSCHOOLED,
    Status.UNCERTAIN.value: NEWLY_UNCERTAIN,
    Status.MATCHED.value: NEWLY_SCHOOLED,
    Status.OUT_OF_SCOPE.value: NEWLY_OUT_OF_SCOPE,
}
CHANGES_COLUMNS = (
    "changement",
    "organisme",
    "identifiant",
    "nom",
    "prenoms",
    "date_naissance",
    "statut_precedent",
    "statut",
    "motif",
)
#: what the previous month's state keeps of each child to name the children who left
_NAMES = ("nom", "prenoms", "date_naissance")
#: what the state keeps of each record's school (``veille.matching.vanishing``)
_SCHOOL_COLUMNS = ("uai", "etablissement")
#: per child and record: the bits of the capped blocking rules whose block it is compared in
BLOCKS = "blocs"
#: per child: at most the weight of its best pair left out (not kept in ``pairs``), NaN if none
LEFT_OUT = "ecartee_max"
#: per child and record: the hash of its key (``key_hashes``); a state without it is hashed on reading
KEY_HASH = "cle"
#: a hair above the rounding of two sums of the same doubles in another order
_EPSILON = 1e-6


#: the standardised identities' tables in the state (``MonthlyState.left`` and ``right``)
IDENTITIES_LEFT, IDENTITIES_RIGHT = "enfants_normalises", "dossiers_normalises"


def _arrow_file(table: pa.Table) -> bytes:
    """The table as an Arrow file: read back as it is, where Parquet decodes it (0.3 s at 100,000)."""
    buffer = io.BytesIO()
    feather.write_feather(table, buffer, compression="lz4")
    return buffer.getvalue()


def _table(archive: zipfile.ZipFile, name: str) -> pa.Table | None:
    names = set(archive.namelist())
    if f"{name}.arrow" in names:
        return feather.read_table(pa.BufferReader(archive.read(f"{name}.arrow")))
    # The state of a crossing before Veille wrote Arrow files (the web application keeps them).
    if f"{name}.parquet" in names:
        # Imported here: Parquet (and the file systems it brings) took 17 ms of every crossing's start.
        import pyarrow.parquet as pq

        return pq.read_table(io.BytesIO(archive.read(f"{name}.parquet")))
    return None


def _frame(table: pa.Table) -> pd.DataFrame:
    """``table`` as a DataFrame whose text columns stay in Arrow (pandas' ``string[pyarrow]``).

    A month reads last month's state while it parses its files: making a Python string of every
    name and identifier held Python's lock against the parsing (1.1 s of the reading at 500,000
    children, for names only the few children who left need).
    """
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


def _identity_or_none(table: pa.Table | None) -> pa.Table | None:
    return None if table is None else identity_table(table)


class StateError(ValueError):
    """The previous run's state cannot be read (French message)."""


def key_hashes(table: pd.DataFrame, key: Sequence[str]) -> np.ndarray:
    """One 64-bit hash per row of its key columns (``CHILD_KEY``, ``RECORD_KEY``): who the row is.

    A month looks its rows up among last month's several times (identities, pairs, changes): hashing
    the key's strings once per table, and keeping last month's in the state, spares a dozen passes
    over 100,000 strings.
    """
    frame = pd.DataFrame({k: table[k].to_numpy() for k in key})
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(np.uint64)


def _keys_of(table: pd.DataFrame, key: Sequence[str]) -> np.ndarray:
    """The key hashes a state keeps (``KEY_HASH``), or computed for a state written without them."""
    if KEY_HASH in table:
        return table[KEY_HASH].to_numpy(np.uint64)
    return key_hashes(table, key)


def _with_prints(keys: np.ndarray, prints: np.ndarray) -> np.ndarray:
    """One 64-bit hash per row of its key hash and its identity fingerprint."""
    frame = pd.DataFrame({KEY_HASH: keys, "empreinte": prints})
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(np.uint64)


def fingerprints(table: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """One 64-bit hash per row of the identity columns (the same values give the same hash every run).

    A missing value and a missing column hash as an empty text, anything else as its text: last
    month's state holds hashes made so, which this month's rows must meet.
    """
    frame = pd.DataFrame({column: _as_text(table, column) for column in columns})
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(np.uint64)


def _as_text(table: pd.DataFrame, column: str) -> np.ndarray:
    if column not in table:
        return np.full(len(table), "", dtype=object)
    values = table[column]
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "string":
        # Text only, the usual case once a file is read: converting it copied the columns for nothing.
        return values.to_numpy()
    return values.fillna("").astype(str).to_numpy(dtype=object)


@dataclass(frozen=True)
class MonthlyState:
    """What a crossing leaves for the next month's.

    Attributes:
        model: the Splink model that scored the pairs (reused as it is).
        school_year: the school year of the run.
        children: ``organisme``, ``identifiant``, ``empreinte`` (identity hash), ``statut`` and, unless
            :meth:`without_names`, ``nom``, ``prenoms``, ``date_naissance`` (to name who left).
        records: ``source``, ``identifiant``, ``empreinte``.
        pairs: the scored pairs before people's decisions: ``child`` and ``record`` (positions in
            ``children`` and ``records``), ``match_weight`` and the ``gamma_*`` columns.
        n_candidates: how many pairs were scored above the shown threshold (for the shown probability).
        left, right: the standardised identities of ``children`` and ``records`` (``match_frame`` as
            ``identity_table``s), so that only the new or changed rows are standardised again; absent
            :meth:`without_names`.
    """

    model: dict[str, Any]
    school_year: str
    children: pd.DataFrame
    records: pd.DataFrame
    pairs: pd.DataFrame
    n_candidates: int
    left: pa.Table | None = None
    right: pa.Table | None = None

    def without_names(self) -> MonthlyState:
        """The state without names nor standardised identities (the web application keeps it in its
        database, where a purged child must leave nothing readable behind)."""
        children = self.children.drop(columns=list(_NAMES), errors="ignore")
        return replace(self, children=children, left=None, right=None)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        # The Arrow files are compressed already.
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            meta = {
                "version": STATE_VERSION,
                "annee_scolaire": self.school_year,
                "paires_candidates": self.n_candidates,
                "modele": self.model,
            }
            archive.writestr("etat.json", json.dumps(meta, ensure_ascii=False))
            frames = {"enfants": self.children, "dossiers": self.records, "paires": self.pairs}
            for name, frame in frames.items():
                archive.writestr(
                    f"{name}.arrow", _arrow_file(pa.Table.from_pandas(frame, preserve_index=False))
                )
            for name, table in {IDENTITIES_LEFT: self.left, IDENTITIES_RIGHT: self.right}.items():
                if table is not None:
                    archive.writestr(f"{name}.arrow", _arrow_file(table))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> MonthlyState:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            meta = json.loads(archive.read("etat.json"))
            if meta.get("version") != STATE_VERSION:
                raise StateError("l'état du croisement précédent vient d'une autre version de Veille")
            tables = {}
            for name in ("enfants", "dossiers", "paires"):
                frame = _table(archive, name)
                if frame is None:
                    raise KeyError(name)
                tables[name] = _frame(frame)
            identities = {name: _table(archive, name) for name in (IDENTITIES_LEFT, IDENTITIES_RIGHT)}
        return cls(
            model=meta["modele"],
            school_year=meta["annee_scolaire"],
            children=tables["enfants"],
            records=tables["dossiers"],
            pairs=tables["paires"],
            n_candidates=int(meta["paires_candidates"]),
            left=_identity_or_none(identities[IDENTITIES_LEFT]),
            right=_identity_or_none(identities[IDENTITIES_RIGHT]),
        )

    def write(self, folder: str | Path) -> Path:
        path = Path(folder) / STATE_FILE
        path.write_bytes(self.to_bytes())
        return path

    @classmethod
    def read(cls, folder: str | Path) -> MonthlyState:
        """The state a crossing wrote in its output folder.

        Raises:
            StateError: no state there, or one that cannot be read; the message says what to do.
        """
        path = Path(folder) / STATE_FILE
        if not path.is_file():
            raise StateError(
                f"le dossier « {folder} » ne contient pas l'état d'un croisement ({STATE_FILE}) : donnez le "
                "dossier de sortie du croisement du mois précédent (fait avec cette version de Veille), "
                "ou croisez sans --precedent."
            )
        try:
            return cls.from_bytes(path.read_bytes())
        except StateError as error:
            raise StateError(f"{path} : {error} ; croisez sans --precedent.") from error
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            raise StateError(
                f"{path} est illisible ({type(error).__name__}) : croisez sans --precedent."
            ) from error


def state_of(
    children: pd.DataFrame,
    schooling: pd.DataFrame,
    statuses: np.ndarray,
    pairs: pd.DataFrame,
    model: dict[str, Any],
    school_year: str,
    n_candidates: int,
    left: pa.Table | None = None,
    right: pa.Table | None = None,
    *,
    facts: RowFacts,
    left_out: np.ndarray,
    child_fingerprints: np.ndarray | None = None,
    record_fingerprints: np.ndarray | None = None,
    child_keys: np.ndarray | None = None,
    record_keys: np.ndarray | None = None,
) -> MonthlyState:
    """The state of a crossing: ``pairs`` (``child_uid``, ``record_uid``…) are positions in the tables.

    ``facts``: the children's term frequencies and every row's open capped blocks, this month;
    ``left_out``: per child, at most the weight of its best pair not in ``pairs`` (NaN: none).
    """
    kept = pairs.rename(columns={"child_uid": "child", "record_uid": "record"})
    kept = kept.loc[:, ["child", "record", "match_weight", *[c for c in kept if c.startswith("gamma_")]]]
    if child_fingerprints is None:
        child_fingerprints = fingerprints(children, CHILD_IDENTITY)
    if record_fingerprints is None:
        record_fingerprints = fingerprints(schooling, RECORD_IDENTITY)
    if child_keys is None:
        child_keys = key_hashes(children, CHILD_KEY)
    if record_keys is None:
        record_keys = key_hashes(schooling, RECORD_KEY)
    return MonthlyState(
        model=model,
        school_year=school_year,
        children=pd.DataFrame(
            {
                "organisme": children["organisme"].to_numpy(),
                "identifiant": children["identifiant"].to_numpy(),
                "empreinte": child_fingerprints,
                KEY_HASH: child_keys,
                "statut": statuses,
                **{name: children[name].to_numpy() for name in _NAMES},
                **{column: facts.child_tf[column].to_numpy() for column in facts.child_tf},
                BLOCKS: facts.child_blocks,
                LEFT_OUT: left_out,
            }
        ),
        records=pd.DataFrame(
            {
                "source": schooling["source"].to_numpy(),
                "identifiant": schooling["identifiant"].to_numpy(),
                # Not personal data: next month names the schools whose records vanished.
                **{c: schooling[c].to_numpy() for c in _SCHOOL_COLUMNS if c in schooling},
                "empreinte": record_fingerprints,
                KEY_HASH: record_keys,
                BLOCKS: facts.record_blocks,
            }
        ),
        pairs=kept.reset_index(drop=True),
        n_candidates=n_candidates,
        left=left,
        right=right,
    )


@dataclass(frozen=True)
class RowFacts:
    """What a month's rows say about the pairs a full run would keep (``PairEngine``).

    Attributes:
        child_tf: per child, the frequency of its value of each term-frequency column (``tf_*``).
        child_blocks, record_blocks: per row, the bits of the capped rules whose block is compared.
    """

    child_tf: pd.DataFrame
    child_blocks: np.ndarray
    record_blocks: np.ndarray


def standardised(
    table: pd.DataFrame,
    *,
    claimant: bool,
    previous: MonthlyState | None,
    prints: np.ndarray | None = None,
    keys: np.ndarray | None = None,
    memo: FeatureMemo | None = None,
) -> pa.Table:
    """``match_frame(table)`` as an Arrow table (``identity_table``), taking last month's rows for the
    rows whose identity did not change.

    ``prints``, ``keys``: the table's ``fingerprints`` and ``key_hashes``, when the caller has them
    already; ``memo``: shared with the other side (``identity_features``).
    """
    before = None if previous is None else previous.left if claimant else previous.right
    if previous is None or before is None:
        return identity_table(match_frame(table, claimant=claimant, memo=memo))
    key, columns = (CHILD_KEY, CHILD_IDENTITY) if claimant else (RECORD_KEY, RECORD_IDENTITY)
    known = previous.children if claimant else previous.records
    # Position of each of this month's rows last month (-1: new or changed).
    current = fingerprints(table, columns) if prints is None else prints
    keys = key_hashes(table, key) if keys is None else keys
    was = _lookup(
        _with_prints(keys, current), _with_prints(_keys_of(known, key), known["empreinte"].to_numpy())
    )
    fresh = np.flatnonzero(was < 0)
    # Columnar throughout: last month's rows and the new ones gathered in this month's order at once.
    rows = before
    if len(fresh):
        new = match_frame(table.iloc[fresh], claimant=claimant, memo=memo).assign(unique_id=fresh)
        rows = pa.concat_tables([before, identity_table(new)])
        was[fresh] = len(before) + np.arange(len(fresh))
    rows = _gather(rows, was)
    uid = rows.schema.get_field_index("unique_id")
    return rows.set_column(uid, "unique_id", pa.array(np.arange(len(table)), pa.int64()))


def _gather(table: pa.Table, positions: np.ndarray) -> pa.Table:
    """``table.take(positions)``, as slices of it where the positions run on (a month's rows are
    last month's in the same order but for a few): a tenth of the time of taking each row's names.
    """
    breaks = np.flatnonzero(np.diff(positions) != 1) + 1
    if len(breaks) > len(positions) // 50:
        return table.take(positions)
    starts, ends = np.r_[0, breaks], np.r_[breaks, len(positions)]
    return pa.concat_tables(
        [table.slice(int(positions[a]), int(b - a)) for a, b in zip(starts, ends, strict=True)]
    ).combine_chunks()


@dataclass(frozen=True)
class Plan:
    """What a month reuses and what it scores.

    Attributes:
        reused: last month's pairs still valid, in this month's positions (``child_uid``, ``record_uid``,
            ``match_weight``, ``gamma_*``); once :func:`settle` has run, with this month's weights.
        children_to_score: positions of the children whose every candidate pair is scored again.
        records_to_score: positions of the records whose every candidate pair is scored again.
        left_out: per child of this month, at most the weight of its best pair left out in a previous
            month and not scored again (NaN: none, or scored again); :func:`settle` adds how far
            this month's term frequencies can have moved it.
        previous_rows: per child of this month, its row in last month's state (-1: new, changed or
            scored again).
    """

    reused: pd.DataFrame
    children_to_score: np.ndarray
    records_to_score: np.ndarray
    left_out: np.ndarray | None = None
    previous_rows: np.ndarray | None = None


def _positions(
    now: pd.DataFrame,
    before: pd.DataFrame,
    key: Sequence[str],
    columns: Sequence[str],
    prints: np.ndarray | None = None,
    keys: np.ndarray | None = None,
) -> np.ndarray:
    """Per row of ``before``: its position in ``now`` if there with the same identity, else -1."""
    current = fingerprints(now, columns) if prints is None else prints
    keys = key_hashes(now, key) if keys is None else keys
    # A key given twice this month is scored again: which of its rows was last month's is unknowable.
    twice = pd.Index(keys).duplicated(keep=False)
    before_rows = _with_prints(_keys_of(before, key), before["empreinte"].to_numpy())
    return _lookup(before_rows, _with_prints(keys, current), ~twice)


def _lookup(values: np.ndarray, among: np.ndarray, usable: np.ndarray | None = None) -> np.ndarray:
    """Per value, its position in ``among`` (-1: absent); a value ``among`` holds twice is absent.

    Rows are looked up by the hash of their key and fingerprint, one integer, rather than merged on
    the key's strings: the same answer but for a collision of two 64-bit hashes, as the fingerprint
    already assumes, in a tenth of the time.
    """
    usable = np.ones(len(among), dtype=bool) if usable is None else usable.copy()
    usable &= ~pd.Index(among).duplicated(keep=False)
    where = np.flatnonzero(usable)
    found = pd.Index(among[where]).get_indexer(values)
    return np.where(found >= 0, where[np.maximum(found, 0)], -1).astype(np.int64)


def plan(
    children: pd.DataFrame,
    schooling: pd.DataFrame,
    previous: MonthlyState,
    *,
    facts: RowFacts | None = None,
    child_prints: np.ndarray | None = None,
    record_prints: np.ndarray | None = None,
    child_keys: np.ndarray | None = None,
    record_keys: np.ndarray | None = None,
) -> Plan:
    """Which of last month's pairs stand, and which children and records must be scored.

    ``facts``: this month's open capped blocks (``PairEngine``); a row whose block opened or closed
    is scored again. Without them, as if no block had (what a test of the plan alone needs).
    """
    child_now = _positions(children, previous.children, CHILD_KEY, CHILD_IDENTITY, child_prints, child_keys)
    record_now = _positions(
        schooling, previous.records, RECORD_KEY, RECORD_IDENTITY, record_prints, record_keys
    )
    if facts is not None:
        # Last month's rows whose capped blocks are not the same now: every pair of theirs again.
        child_now = _unless_blocks_moved(child_now, previous.children, facts.child_blocks)
        record_now = _unless_blocks_moved(record_now, previous.records, facts.record_blocks)
    pairs = previous.pairs
    child = child_now[pairs["child"].to_numpy()]
    record = record_now[pairs["record"].to_numpy()]
    # A child who lost a pair it kept (its record changed or left) keeps the others: a weaker candidate
    # it left out last month that could now take the lost pair's place is within its left-out weight,
    # which ``settle`` weighs as for any child.
    standing = (child >= 0) & (record >= 0)
    unchanged_children = np.zeros(len(children), dtype=bool)
    unchanged_children[child_now[child_now >= 0]] = True
    unchanged_records = np.zeros(len(schooling), dtype=bool)
    unchanged_records[record_now[record_now >= 0]] = True
    reused = pairs[standing].rename(columns={"child": "child_uid", "record": "record_uid"}).copy()
    reused["child_uid"] = child[standing]
    reused["record_uid"] = record[standing]
    was = child_now >= 0
    rows = np.full(len(children), -1, dtype=np.int64)
    rows[child_now[was]] = np.flatnonzero(was)
    rows[~unchanged_children] = -1
    left_out = np.full(len(children), np.nan)
    if LEFT_OUT in previous.children:
        left_out[rows >= 0] = previous.children[LEFT_OUT].to_numpy(np.float64)[rows[rows >= 0]]
    return Plan(
        reused=reused.reset_index(drop=True),
        children_to_score=np.flatnonzero(~unchanged_children),
        records_to_score=np.flatnonzero(~unchanged_records),
        left_out=left_out,
        previous_rows=rows,
    )


def _unless_blocks_moved(now: np.ndarray, before: pd.DataFrame, blocks: np.ndarray) -> np.ndarray:
    if BLOCKS not in before:
        return now
    was = now >= 0
    moved = np.zeros(len(now), dtype=bool)
    moved[was] = before[BLOCKS].to_numpy(np.int64)[was] != blocks[now[was]]
    return np.where(moved, -1, now)


def settle(
    monthly: Plan,
    reweighed: pd.DataFrame,
    previous: MonthlyState,
    child_tf: pd.DataFrame,
    tf_weight: float,
    *,
    shown: float,
    keep: float,
) -> Plan:
    """The plan once the reused pairs carry this month's weights (``PairEngine.reweigh``).

    A child keeps its reused pairs only if none of its pairs left out last month could matter to a
    full run now: each such pair weighed at most ``left_out`` then, and has moved since by at most
    the rise of its exact agreements' term-frequency weights, ``tf_weight * log2(tf before / tf now)``
    for each of the child's values whose frequency fell. It matters if it can reach ``keep`` (the
    pairs the assignment and the statuses read) or be the child's best pair at or above ``shown``
    (the nearest record shown). Otherwise the child is scored again in full.

    A full run also keeps each child's second best pair below ``keep``; a left-out pair tied with it
    last month may be second now, and is not looked for: it decides nothing, and its weight stays
    within next month's ``left_out``.
    """
    n_children = len(child_tf)
    rows = monthly.previous_rows if monthly.previous_rows is not None else np.full(n_children, -1)
    left_out = monthly.left_out if monthly.left_out is not None else np.full(n_children, np.nan)
    rise = np.zeros(n_children)
    has = rows >= 0
    for column in child_tf.columns:
        # The child's identity did not change: the same values, their frequency then and now.
        then = np.full(n_children, np.nan)
        then[has] = previous.children[column].to_numpy(np.float64)[rows[has]]
        with np.errstate(divide="ignore", invalid="ignore"):
            move = tf_weight * (np.log2(then) - np.log2(child_tf[column].to_numpy(np.float64)))
        rise += np.where(np.isfinite(move) & (move > 0), move, 0.0)
    bound = left_out + rise + _EPSILON
    weight = reweighed["match_weight"].to_numpy()
    child = reweighed["child_uid"].to_numpy()
    over = weight > bound[child]
    above = np.bincount(child[over], minlength=n_children)
    with np.errstate(invalid="ignore"):
        safe = np.isnan(bound) | (bound < shown) | ((bound < keep) & (above >= 1))
    unsafe = np.flatnonzero(~safe)
    stays = ~np.isin(child, unsafe)
    bound[unsafe] = np.nan
    return Plan(
        reused=reweighed[stays].reset_index(drop=True),
        children_to_score=np.union1d(monthly.children_to_score, unsafe),
        records_to_score=monthly.records_to_score,
        left_out=bound,
    )


def merge(
    reused: pd.DataFrame, scored: pd.DataFrame, keep_weight: float, shown: float
) -> tuple[pd.DataFrame, pd.Series]:
    """Last month's standing pairs and this month's scored ones, trimmed as a full run trims them.

    A full run keeps, of each child's pairs at or above ``shown``, those at or above ``keep_weight``
    and its two best; the union holds every pair a full run would keep (``settle``), so the same rule
    applied to it gives the same pairs. Also returns, per child, the weight of its best pair trimmed.
    """
    columns = list(scored.columns) if len(scored.columns) else list(reused.columns)
    pairs = pd.concat([reused.reindex(columns=columns), scored], ignore_index=True)
    child, record = pairs["child_uid"].to_numpy(np.int64), pairs["record_uid"].to_numpy(np.int64)
    # A pair scored this month replaces the same pair reused (one integer per pair, as a full run).
    code = child * (int(record.max(initial=0)) + 1) + record
    last = ~pd.Index(code).duplicated(keep="last")
    child, record, weight = child[last], record[last], pairs["match_weight"].to_numpy()[last]
    # Each child's pairs from the best down (the record breaks ties).
    order = _pair_order(child, record, weight)
    child, record, weight, rows = child[order], record[order], weight[order], np.flatnonzero(last)[order]
    starts = np.flatnonzero(np.r_[True, child[1:] != child[:-1]])
    rank = np.arange(len(child)) - np.repeat(starts, np.diff(np.r_[starts, len(child)])) + 1
    keep = (weight >= shown) & ((weight >= keep_weight) | (rank <= 2))
    trimmed = pd.Series(weight[~keep]).groupby(child[~keep]).max().rename("match_weight")
    trimmed.index.name = "child_uid"
    kept = pairs.iloc[rows[keep][_pair_order(child[keep], record[keep])]].reset_index(drop=True)
    for column in (c for c in kept if c.startswith("gamma_")):
        kept[column] = kept[column].astype(np.int8)
    return kept, trimmed


def _pair_order(child: np.ndarray, record: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """The order of pairs by child, then (given ``weight``) from the heaviest down, then by record.

    No two pairs share a child and a record, so the order is unique: one sort of one integer per pair
    (the weight by its rank among the weights) gives it in half the time of NumPy's sort of two or
    three columns (``lexsort``), which stays for the tables too large to code so.
    """
    columns = [child.astype(np.int64)]
    if weight is not None:
        _, rank = np.unique(-weight, return_inverse=True)
        columns.append(rank.reshape(-1).astype(np.int64))
    columns.append(record.astype(np.int64))
    widths = [max(int(c.max(initial=0)).bit_length(), 1) for c in columns]
    if sum(widths) > 63 or any((c < 0).any() for c in columns):
        return np.lexsort(columns[::-1])
    code = np.zeros(len(child), dtype=np.int64)
    for column, width in zip(columns, widths, strict=True):
        code = (code << width) | column
    return np.argsort(code)


def changes(previous: pd.DataFrame, table: pd.DataFrame, keys: np.ndarray | None = None) -> pd.DataFrame:
    """What changed since last month, one row per child concerned (``CHANGES_COLUMNS``).

    Args:
        previous: last month's children: ``organisme``, ``identifiant``, ``statut`` and, to name the
            children who left, ``nom``, ``prenoms``, ``date_naissance`` (``MonthlyState.children``).
        table: this month's ``CrossingResult.children``.
        keys: the ``key_hashes`` of ``table``'s children, when the caller has them.
    """
    before_keys = _keys_of(previous, CHILD_KEY)
    first = ~pd.Index(before_keys).duplicated()
    before = previous if first.all() else previous[first].reset_index(drop=True)
    # Each child's row last month (-1: arrived), found by the hash of its key: a few children changed
    # among all, and they alone are gathered.
    was = _lookup(key_hashes(table, CHILD_KEY) if keys is None else keys, before_keys[first])
    status_then = np.where(was >= 0, before["statut"].to_numpy(dtype=object)[np.maximum(was, 0)], None)
    status_now = table["statut"].to_numpy(dtype=object)
    arrived, moved = was < 0, (was >= 0) & (status_now != status_then)
    gone = np.ones(len(before), dtype=bool)
    gone[was[was >= 0]] = False
    concerned = np.flatnonzero(arrived | moved)
    now = table.iloc[concerned].loc[:, [*CHILD_KEY, *_NAMES, "statut", "motif"]]
    now = now.assign(
        statut_precedent=status_then[concerned],
        changement=np.where(
            arrived[concerned], ARRIVED, pd.Series(status_now[concerned]).map(_BY_NEW_STATUS).to_numpy()
        ),
    )
    left = before.loc[gone, [*CHILD_KEY, *[n for n in _NAMES if n in before], "statut"]].astype(object)
    left = left.rename(columns={"statut": "statut_precedent"}).assign(changement=LEFT)
    out = pd.concat([now, left], ignore_index=True).reindex(columns=[*CHANGES_COLUMNS])
    out = out[out["changement"].notna() & (out["changement"] != "")]
    out = out.assign(_order=out["changement"].map({k: i for i, k in enumerate(CHANGE_KINDS)}))
    out = out.sort_values(["_order", *CHILD_KEY], kind="stable")
    return out.loc[:, list(CHANGES_COLUMNS)].fillna("").reset_index(drop=True)


def count_changes(table: pd.DataFrame) -> dict[str, int]:
    """How many children each kind of change concerns (every kind, zeros included)."""
    counts = table["changement"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in CHANGE_KINDS}
