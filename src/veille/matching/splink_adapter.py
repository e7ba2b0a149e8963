"""The only module that talks to Splink.

Everything Splink-specific lives here: the comparisons designed for French children's records, the
blocking rules, the EM training and the scoring of candidate pairs. The rest of Veille sees plain
pandas frames in and out, so that the backend (DuckDB by default; Splink's Spark or PostgreSQL
backends for a user who outgrows one machine) can change without touching the rest.

The comparisons use DuckDB's list and string functions; porting to another backend means translating
the SQL conditions of this module only.
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import splink.comparison_level_library as cll
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.comparison_library import CustomComparison
from splink.internals.comparison_creator import ComparisonCreator
from splink.internals.dialects import SplinkDialect
from splink.internals.pipeline import CTEPipeline
from splink.internals.predict import predict_from_comparison_vectors_sqls
from splink.internals.splink_dataframe import SplinkDataFrame
from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

from veille.matching.results import LevelScale, level_scale

# Columns the two input frames must both carry (see ``veille.matching.frames``).
MATCH_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "nom_colle",
    "nom_tokens",
    "noms_famille",
    "nom_phon",
    "nom1_phon",
    "prenom1",
    "prenom1_canon",
    "prenoms_canon",
    "prenoms_colle",
    "prenom1_phon",
    "dob",
    "sexe",
    "adresse_cle",
    "adresse_voie",
    "code_postal",
    "ine",
)

Progress = Callable[[str], None]


def _level(sql: str, label: str, **configure: Any) -> cll.CustomLevel:
    level = cll.CustomLevel(sql, label_for_charts=label)
    if configure:
        level.configure(**configure)
    return level


def _null(column: str) -> cll.CustomLevel:
    return _level(f'"{column}_l" IS NULL OR "{column}_r" IS NULL', "valeur absente", is_null_level=True)


def surname_comparison() -> CustomComparison:
    """Surnames: glued form, parts of a double surname, the claimant's surname, typos, sound."""
    return CustomComparison(
        output_column_name="nom",
        comparison_description="nom de famille",
        comparison_levels=[
            _null("nom_colle"),
            _level(
                '"nom_colle_l" = "nom_colle_r"',
                "nom identique",
                tf_adjustment_column="nom_colle",
                tf_adjustment_weight=1.0,
            ),
            _level(
                'list_has_all("nom_tokens_l", "nom_tokens_r") '
                'OR list_has_all("nom_tokens_r", "nom_tokens_l")',
                "une partie d'un nom double",
            ),
            _level('list_has_any("noms_famille_l", "noms_famille_r")', "nom d'usage ou de l'autre parent"),
            _level('"nom_colle_l" = "prenom1_r" OR "prenom1_l" = "nom_colle_r"', "nom et prénom inversés"),
            _level(
                'jaro_winkler_similarity("nom_colle_l", "nom_colle_r") >= 0.92 '
                'OR levenshtein("nom_colle_l", "nom_colle_r") <= 1',
                "nom avec une faute de frappe",
            ),
            _level(
                '"nom_phon_l" = "nom_phon_r" OR "nom1_phon_l" = "nom1_phon_r"',
                "nom qui sonne pareil",
            ),
            _level(
                'jaro_winkler_similarity("nom_colle_l", "nom_colle_r") >= 0.8',
                "nom proche",
            ),
            cll.ElseLevel().configure(label_for_charts="nom différent"),
        ],
    )


def first_name_comparison() -> CustomComparison:
    """First names: exact, transliteration variant, compound forms, any first name, typos, sound."""
    return CustomComparison(
        output_column_name="prenom",
        comparison_description="prénoms",
        comparison_levels=[
            _null("prenom1"),
            _level(
                '"prenom1_l" = "prenom1_r"',
                "premier prénom identique",
                tf_adjustment_column="prenom1",
                tf_adjustment_weight=1.0,
            ),
            _level(
                '"prenom1_canon_l" = "prenom1_canon_r" OR "prenoms_colle_l" = "prenoms_colle_r"',
                "même prénom, autre graphie",
            ),
            _level(
                'list_has_any("prenoms_canon_l", "prenoms_canon_r") '
                'OR starts_with("prenoms_colle_l", "prenoms_colle_r") '
                'OR starts_with("prenoms_colle_r", "prenoms_colle_l")',
                "un autre des prénoms",
            ),
            _level(
                'jaro_winkler_similarity("prenom1_l", "prenom1_r") >= 0.92 '
                'OR levenshtein("prenom1_l", "prenom1_r") <= 1',
                "prénom avec une faute de frappe",
            ),
            _level('"prenom1_phon_l" = "prenom1_phon_r"', "prénom qui sonne pareil"),
            _level('"prenom1_l" = "nom_colle_r" OR "nom_colle_l" = "prenom1_r"', "nom et prénom inversés"),
            cll.ElseLevel().configure(label_for_charts="prénom différent"),
        ],
    )


def birth_date_comparison() -> CustomComparison:
    """Birth dates as ISO strings: exact, day/month swapped, one digit, year off by one.

    (DuckDB's damerau_levenshtein is a hundred times slower than hamming or levenshtein: avoided.)
    """
    return CustomComparison(
        output_column_name="date_naissance",
        comparison_description="date de naissance",
        comparison_levels=[
            _null("dob"),
            _level('"dob_l" = "dob_r"', "date identique"),
            _level(
                'substr("dob_l", 1, 4) = substr("dob_r", 1, 4) '
                'AND substr("dob_l", 6, 2) = substr("dob_r", 9, 2) '
                'AND substr("dob_l", 9, 2) = substr("dob_r", 6, 2)',
                "jour et mois inversés",
            ),
            # Both sides are ISO dates of equal length: one mistyped digit is one differing position.
            _level('hamming("dob_l", "dob_r") <= 1', "un chiffre différent"),
            _level(
                'substr("dob_l", 6, 5) = substr("dob_r", 6, 5) '
                'AND abs(CAST(substr("dob_l", 1, 4) AS INTEGER) '
                '- CAST(substr("dob_r", 1, 4) AS INTEGER)) = 1',
                "année décalée d'un an",
            ),
            cll.ElseLevel().configure(label_for_charts="date différente"),
        ],
    )


def sex_comparison() -> CustomComparison:
    return CustomComparison(
        output_column_name="sexe",
        comparison_description="sexe",
        comparison_levels=[
            _null("sexe"),
            _level('"sexe_l" = "sexe_r"', "même sexe"),
            cll.ElseLevel().configure(label_for_charts="sexe différent"),
        ],
    )


def address_comparison() -> CustomComparison:
    return CustomComparison(
        output_column_name="adresse",
        comparison_description="adresse",
        comparison_levels=[
            _null("adresse_voie"),
            _level(
                '"adresse_cle_l" = "adresse_cle_r"',
                "même adresse",
                tf_adjustment_column="adresse_cle",
                tf_adjustment_weight=1.0,
            ),
            _level('"adresse_voie_l" = "adresse_voie_r"', "même voie"),
            _level(
                'jaro_winkler_similarity("adresse_voie_l", "adresse_voie_r") >= 0.9',
                "voie proche",
            ),
            cll.ElseLevel().configure(label_for_charts="adresse différente"),
        ],
    )


def postcode_comparison() -> CustomComparison:
    return CustomComparison(
        output_column_name="code_postal",
        comparison_description="code postal",
        comparison_levels=[
            _null("code_postal"),
            _level('"code_postal_l" = "code_postal_r"', "même code postal"),
            cll.ElseLevel().configure(label_for_charts="autre code postal"),
        ],
    )


# How often two different children carry the same national identifier: only when a mistyped
# identifier lands exactly on another child's. An identifier is allocated to one child, so this cannot
# be learnt by random sampling: in a sample of random pairs, nearly every pair sharing an identifier is
# the same child (on FEBRL4, the sampled rate 1.8e-4 is the rate of true pairs times their m, 1.8e-4),
# and that estimate made an exact identifier worth 12 bits instead of about 20. One typing error in a
# hundred identifiers, landing on an allocated identifier about once in ten thousand: 1e-6. An exact
# identifier alone (everything else missing) is then enough to match; an exact identifier with every
# other field different (about -18 bits) is not.
NATIONAL_ID_COLLISION = 1e-6


def national_id_comparison() -> CustomComparison:
    """The national pupil identifier (INE), when both files carry it (L131-6-1 gives every child one)."""
    return CustomComparison(
        output_column_name="ine",
        comparison_description="identifiant national",
        comparison_levels=[
            _null("ine"),
            _level(
                '"ine_l" = "ine_r"',
                "même identifiant national",
                u_probability=NATIONAL_ID_COLLISION,
                fix_u_probability=True,
            ),
            _level('hamming("ine_l", "ine_r") <= 1', "identifiant avec un caractère différent"),
            # Two neighbouring characters swapped, or one dropped or added: levenshtein is cheap here
            # because only pairs already blocked reach this level.
            _level('levenshtein("ine_l", "ine_r") <= 2', "identifiant avec deux caractères différents"),
            cll.ElseLevel().configure(label_for_charts="identifiant différent"),
        ],
    )


@dataclass(frozen=True)
class BlockingRule:
    """Records are compared when they agree on every key of at least one rule.

    Attributes:
        name: what the rule survives, in French (written to the model file).
        keys: SQL expressions over one record's columns (``dob``, ``nom_colle``…).
        explode: a list column whose elements are matched one by one (any shared element).
        max_block: keys shared by more records than this, on either side, are skipped. Such a rule
            helps where its keys discriminate (postcodes across a department) and fades out where they
            do not (one commune, one postcode) instead of exploding the count of pairs.
    """

    name: str
    keys: tuple[str, ...]
    explode: str | None = None
    max_block: int | None = None


YEAR, MONTH_DAY, YEAR_MONTH = "substr(dob, 1, 4)", "substr(dob, 6, 5)", "substr(dob, 1, 7)"
# The same key for a date and its day/month swap (2015-04-09 and 2015-09-04).
SWAP_PROOF_DATE = (
    "substr(dob, 1, 4) || least(substr(dob, 6, 2), substr(dob, 9, 2)) "
    "|| greatest(substr(dob, 6, 2), substr(dob, 9, 2))"
)
SURNAME_INITIAL, FIRST_NAME_INITIAL = "substr(nom_colle, 1, 1)", "substr(prenom1, 1, 1)"
# The same key when the surname and the first name were typed in each other's column.
SWAP_PROOF_NAMES = "least(nom_colle, prenom1) || '|' || greatest(nom_colle, prenom1)"
CAPPED = 30

# A pair is scored if any rule holds, so a child is missed only when every rule's keys are damaged at
# once. Each rule stays selective in a city of 500,000 children: no rule on the date alone or the
# address alone (a popular birthday or a tower block would explode the count of pairs).
BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("date exacte, nom proche à l'oreille", ("dob", "nom1_phon")),
    BlockingRule("date exacte, même prénom", ("dob", "prenom1_canon")),
    BlockingRule("date exacte, prénom proche à l'oreille", ("dob", "prenom1_phon")),
    BlockingRule("date exacte, nom commençant pareil", ("dob", "substr(nom_colle, 1, 2)")),
    BlockingRule("mêmes nom et prénom, même année", ("nom_colle", "prenom1_canon", YEAR)),
    BlockingRule("mêmes nom et prénom, mêmes jour et mois", ("nom_colle", "prenom1_canon", MONTH_DAY)),
    BlockingRule("même nom, prénom de même initiale, même année", ("nom_colle", FIRST_NAME_INITIAL, YEAR)),
    BlockingRule("même nom, mêmes jour et mois", ("nom_colle", MONTH_DAY)),
    BlockingRule("même nom, date aux jour et mois inversés", ("nom_colle", SWAP_PROOF_DATE)),
    BlockingRule("même prénom, date aux jour et mois inversés", ("prenom1_canon", SWAP_PROOF_DATE)),
    BlockingRule("même nom, même mois de naissance", ("nom_colle", YEAR_MONTH)),
    BlockingRule(
        "même prénom, même mois de naissance, initiale du nom", ("prenom1_canon", YEAR_MONTH, SURNAME_INITIAL)
    ),
    BlockingRule(
        "même prénom, mêmes jour et mois, initiale du nom", ("prenom1_canon", MONTH_DAY, SURNAME_INITIAL)
    ),
    # Surname and first name alone are shared by dozens of homonyms in a large city (11 million pairs
    # at 500,000 children for this rule, 5 million for the swapped names): with the year, or the day
    # and month, a damaged date still leaves one of the two.
    BlockingRule(
        "nom d'usage ou partie du nom, même prénom, même année",
        ("noms_famille", "prenom1_canon", YEAR),
        "noms_famille",
    ),
    BlockingRule(
        "nom d'usage ou partie du nom, même prénom, mêmes jour et mois",
        ("noms_famille", "prenom1_canon", MONTH_DAY),
        "noms_famille",
    ),
    BlockingRule("nom d'usage ou partie du nom, date exacte", ("noms_famille", "dob"), "noms_famille"),
    # Without a birth date on one side, the names and the street.
    BlockingRule(
        "nom d'usage ou partie du nom, même prénom, même voie",
        ("noms_famille", "prenom1_canon", "adresse_voie"),
        "noms_famille",
    ),
    BlockingRule(
        "un autre des prénoms, nom proche, même année", ("prenoms_canon", "nom1_phon", YEAR), "prenoms_canon"
    ),
    BlockingRule("même adresse, même mois de naissance", ("adresse_cle", YEAR_MONTH)),
    BlockingRule("nom et prénom, même inversés, même année", (SWAP_PROOF_NAMES, YEAR)),
    BlockingRule("nom et prénom, même inversés, mêmes jour et mois", (SWAP_PROOF_NAMES, MONTH_DAY)),
    BlockingRule("même identifiant national", ("ine",)),
    # A mistyped surname together with a mistyped date digit escapes every rule above, and the
    # postcode rules below fade out as the commune grows (one postcode, blocks over the cap): at
    # 500,000 children, most of the schooled children wrongly left non_trouve were such pairs.
    BlockingRule(
        "même adresse, même année, prénom de même initiale", ("adresse_cle", YEAR, FIRST_NAME_INITIAL)
    ),
    BlockingRule("même voie, même prénom, même année", ("adresse_voie", "prenom1_canon", YEAR)),
    BlockingRule("date exacte, mêmes initiales", ("dob", SURNAME_INITIAL, FIRST_NAME_INITIAL)),
    BlockingRule("même code postal, date exacte", ("code_postal", "dob"), max_block=CAPPED),
    BlockingRule("même code postal, nom proche", ("code_postal", "nom1_phon"), max_block=CAPPED),
    BlockingRule("même code postal, prénom proche", ("code_postal", "prenom1_phon"), max_block=CAPPED),
    BlockingRule("même code postal, même voie", ("code_postal", "adresse_voie"), max_block=CAPPED),
)


def _rule_keys_sql(rule: BlockingRule, table: str) -> str:
    if rule.explode:
        source = f"(SELECT * EXCLUDE ({rule.explode}), unnest({rule.explode}) AS {rule.explode} FROM {table})"
    else:
        source = table
    keys = ", ".join(f"{key} AS k{i}" for i, key in enumerate(rule.keys))
    not_null = " AND ".join(f"({key}) IS NOT NULL" for key in rule.keys)
    rows = f"SELECT DISTINCT unique_id, {keys} FROM {source} WHERE {not_null}"
    if rule.max_block is None:
        return rows
    names = ", ".join(f"k{i}" for i in range(len(rule.keys)))
    return (
        f"SELECT * EXCLUDE (block_size) FROM (SELECT *, count(*) OVER (PARTITION BY {names}) AS block_size "
        f"FROM ({rows})) WHERE block_size <= {rule.max_block}"
    )


def candidate_pairs_sql(
    left: str,
    right: str,
    rules: tuple[BlockingRule, ...] = BLOCKING_RULES,
    only: tuple[str, str] | None = None,
) -> str:
    """SQL of the distinct (left id, right id) pairs that agree on at least one rule.

    Each rule is a plain equi-join, and the union removes duplicates once: cheaper and more
    predictable than excluding, rule after rule, the pairs found by the previous ones.

    ``only``: two tables holding some rows of ``left`` and of ``right`` (a monthly update's changed
    records): then only the pairs with their left row in the first or their right row in the second.
    A rule with ``max_block`` counts its blocks on the whole tables, as a full run does.
    """
    joins = []
    for rule in rules:
        on = " AND ".join(f"l.k{i} = r.k{i}" for i in range(len(rule.keys)))
        keys_l, keys_r = _rule_keys_sql(rule, left), _rule_keys_sql(rule, right)
        sides = [(keys_l, keys_r)]
        if only is not None and rule.max_block is None:
            sides = [(_rule_keys_sql(rule, only[0]), keys_r), (keys_l, _rule_keys_sql(rule, only[1]))]
        elif only is not None:
            sides = [
                (f"SELECT * FROM ({keys_l}) WHERE unique_id IN (SELECT unique_id FROM {only[0]})", keys_r),
                (keys_l, f"SELECT * FROM ({keys_r}) WHERE unique_id IN (SELECT unique_id FROM {only[1]})"),
            ]
        joins += [
            f"SELECT l.unique_id AS uid_l, r.unique_id AS uid_r FROM ({one}) AS l JOIN ({other}) AS r ON {on}"
            for one, other in sides
        ]
    return "\nUNION\n".join(joins)


def build_settings(*, national_id: bool = False) -> SettingsCreator:
    """The model's settings; the national identifier is compared only when both sides carry one."""
    comparisons: list[ComparisonCreator | dict[str, Any]] = [
        surname_comparison(),
        first_name_comparison(),
        birth_date_comparison(),
        sex_comparison(),
        address_comparison(),
        postcode_comparison(),
    ]
    if national_id:
        comparisons.append(national_id_comparison())
    return SettingsCreator(
        link_type="link_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[],
        # Only the gammas and the weight are read back: the compared columns would triple the table.
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        em_convergence=0.001,
        max_iterations=20,
    )


@dataclass(frozen=True)
class ScoredPairs:
    """Candidate pairs with their match weight, and the trained model that scored them.

    Attributes:
        pairs: one row per candidate pair: ``child_uid``, ``record_uid``, ``match_weight`` and one
            ``gamma_<comparison>`` column per comparison. ``match_weight`` is the evidence of the
            comparisons alone (log2 Bayes factor, term frequencies included), without Splink's prior
            of two random records matching, so that thresholds do not depend on the files' sizes.
        model: the Splink settings with trained parameters (``save_model_to_json`` form), so that a
            decision can be explained and the run replayed.
        level_labels: for each comparison, its gamma value -> level (French label, agreement).
        n_candidates: how many pairs were scored above the returned threshold, before the weak pairs
            were left out (``keep_weight``).
    """

    pairs: pd.DataFrame
    model: dict[str, Any]
    level_labels: LevelScale
    n_candidates: int


def _level_labels(model: dict[str, Any]) -> LevelScale:
    return level_scale(model["comparisons"])


def score_pairs(
    children: pd.DataFrame,
    records: pd.DataFrame,
    *,
    threshold_match_weight: float,
    keep_weight: float | None = None,
    seed: int = 42,
    progress: Progress | None = None,
    model: dict[str, Any] | None = None,
    memory_limit: str = "1500MB",
    only: tuple[Any, Any] | None = None,
) -> ScoredPairs:
    """Train a model on the two frames (EM, no labels) and score their candidate pairs.

    Args:
        children: standardised children records, columns ``MATCH_COLUMNS``.
        records: standardised schooling records, same columns.
        threshold_match_weight: pairs whose evidence is below this weight are not returned.
        keep_weight: if given, of the pairs below this weight only each child's two best are
            returned: the weak pairs of siblings and neighbours run into the tens of millions in a
            large commune, and only the nearest ones are ever shown.
        seed: seed of the random sampling used to estimate u probabilities (reproducible runs).
        progress: called with a French label at the start of each step.
        model: a previously saved model to replay instead of training a new one.
        memory_limit: DuckDB's memory budget; beyond it, DuckDB spills to a temporary folder.
        only: children ids and record ids (two sequences of ``unique_id``): score only the pairs of
            these (a monthly update scores what changed, ``veille.matching.monthly``).

    Returns:
        The scored pairs and the model.
    """
    say = progress or (lambda _label: None)
    logging.getLogger("splink").setLevel(logging.ERROR)
    connection = duckdb.connect()
    connection.execute("SET preserve_insertion_order = false")
    # DuckDB takes 80 % of the machine by default; a modest laptop must keep room for the rest, and
    # DuckDB spills to disk beyond its limit rather than failing.
    connection.execute(f"SET memory_limit = '{memory_limit}'")
    spill = tempfile.mkdtemp(prefix="veille-")
    connection.execute(f"SET temp_directory = '{spill}'")
    db_api = DuckDBAPI(connection=connection)
    left = db_api.register(children.loc[:, list(MATCH_COLUMNS)], dataset_display_name="enfants")
    right = db_api.register(records.loc[:, list(MATCH_COLUMNS)], dataset_display_name="scolarite")
    national_id = bool(children["ine"].notna().any() and records["ine"].notna().any())
    settings = model if model is not None else build_settings(national_id=national_id)
    linker = Linker([left, right], settings, log_level=logging.ERROR)
    if model is None:
        say("Apprentissage du modèle (sans étiquettes)")
        _train(linker, n_pairs_max=float(len(children)) * float(len(records)), seed=seed)
    say("Comparaison des paires candidates")
    restricted = None
    if only is not None:
        for name, table, uids in (("l", left, only[0]), ("r", right, only[1])):
            connection.register(
                f"__veille_uids_{name}", pd.DataFrame({"unique_id": pd.array(uids, dtype="int64")})
            )
            connection.execute(
                f"CREATE TABLE __veille_only_{name} AS SELECT * FROM {table.physical_name} "
                f"WHERE unique_id IN (SELECT unique_id FROM __veille_uids_{name})"
            )
        restricted = ("__veille_only_l", "__veille_only_r")
    candidates = candidate_pairs_sql(left.physical_name, right.physical_name, only=restricted)
    connection.execute(f"CREATE TABLE candidate_pairs AS SELECT uid_l, uid_r FROM ({candidates})")
    # Splink's weight adds the prior of two random records matching, about 1 / (number of records):
    # it would make every threshold depend on the commune's size. The evidence alone does not.
    prior = _prior_weight(linker)
    gamma_columns = [f"gamma_{name}" for name in _comparison_names(linker)]
    keep = "TRUE" if keep_weight is None else f"match_weight >= {float(keep_weight)!r} OR rank <= 2"
    gammas = ", ".join(f"CAST({name} AS TINYINT) AS {name}" for name in gamma_columns)
    # Each child's pairs, ranked; the weak ones beyond the child's two best are left in DuckDB.
    trimming = [
        (
            f"""
            SELECT
                CASE WHEN source_dataset_l = 'enfants' THEN unique_id_l ELSE unique_id_r END AS child_uid,
                CASE WHEN source_dataset_l = 'enfants' THEN unique_id_r ELSE unique_id_l END AS record_uid,
                match_weight - {prior!r} AS match_weight, {", ".join(gamma_columns)}
            FROM __splink__df_predict
            """,
            "__veille_scored",
        ),
        (
            """
            SELECT *,
                row_number() OVER (PARTITION BY child_uid ORDER BY match_weight DESC, record_uid) AS rank,
                count(*) OVER () AS n_candidates
            FROM __veille_scored
            """,
            "__veille_ranked",
        ),
        (
            f"""
            SELECT child_uid, record_uid, match_weight, {gammas}, n_candidates
            FROM __veille_ranked WHERE {keep}
            ORDER BY child_uid, record_uid
            """,
            "__veille_kept_pairs",
        ),
    ]
    kept = _predict(linker, db_api, threshold_match_weight + prior, trimming)
    pairs = connection.sql(f"SELECT * EXCLUDE (n_candidates) FROM {kept.physical_name}").df()
    n_candidates = connection.sql(f"SELECT max(n_candidates) FROM {kept.physical_name}").fetchall()[0][0] or 0
    trained = linker.misc.save_model_to_json()
    connection.close()
    shutil.rmtree(spill, ignore_errors=True)
    return ScoredPairs(
        pairs=pairs,
        model=trained,
        level_labels=_level_labels(trained),
        n_candidates=int(n_candidates),
    )


def _predict(
    linker: Linker, db_api: DuckDBAPI, threshold: float, then: list[tuple[str, str]]
) -> SplinkDataFrame:
    """Score the pairs of the ``candidate_pairs`` table, and materialise only what ``then`` keeps.

    ``then``: (SQL, name) steps run on ``__splink__df_predict``, the last one being materialised.

    Splink's own ``predict`` writes every scored pair with the compared columns of both sides (lists
    of name parts included) before anything can be trimmed: 1.3 GB for the 1.6 million pairs of a
    100,000-children commune, most of the scoring time. The same SQL steps (Splink's comparison and
    weight expressions), with the trimming steps at the end of the pipeline, leave DuckDB only the
    kept pairs to write.
    """
    settings = linker._settings_obj
    pipeline = CTEPipeline()
    enqueue_df_concat_with_tf(linker, pipeline)
    # Splink joins the pairs to the records on text keys ('enfants-__-123'); the integer ids are
    # cheaper to join, and the children are always on the left.
    columns = ",\n".join(settings._columns_to_select_for_blocking)
    pipeline.enqueue_sql(
        f"""
        SELECT {columns}, '0' AS match_key
        FROM candidate_pairs AS c
        JOIN (SELECT * FROM __splink__df_concat_with_tf WHERE source_dataset = 'enfants') AS l
            ON l.unique_id = c.uid_l
        JOIN (SELECT * FROM __splink__df_concat_with_tf WHERE source_dataset = 'scolarite') AS r
            ON r.unique_id = c.uid_r
        """,
        "blocked_with_cols",
    )
    vectors = ",\n".join(settings._columns_to_select_for_comparison_vector_values)
    pipeline.enqueue_sql(f"SELECT {vectors} FROM blocked_with_cols", "__splink__df_comparison_vectors")
    pipeline.enqueue_list_of_sqls(
        predict_from_comparison_vectors_sqls(
            unique_id_input_columns=settings.column_info_settings.unique_id_input_columns,
            core_model_settings=settings.core_model_settings,
            sql_dialect=SplinkDialect.from_string(linker._sql_dialect_str),
            threshold_match_weight=threshold,
            # Training mode is what keeps the gamma columns without the compared values.
            training_mode=True,
        )
    )
    for sql, name in then:
        pipeline.enqueue_sql(sql, name)
    return db_api.sql_pipeline_to_splink_dataframe(pipeline)


def _prior_weight(linker: Linker) -> float:
    rate = float(linker.misc.save_model_to_json()["probability_two_random_records_match"])
    return math.log2(rate / (1.0 - rate))


def _comparison_names(linker: Linker) -> list[str]:
    return [c.output_column_name for c in linker._settings_obj.comparisons]


def _train(linker: Linker, *, n_pairs_max: float, seed: int) -> None:
    # A child and its own school record agree on name, first name and date: such pairs are near-certain
    # matches, and about four in five schooled children have one.
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nom_colle", "prenom1", "dob")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=min(2e6, n_pairs_max), seed=seed)
    # Each EM pass blocks on some columns and learns the m probabilities of the others.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob", "nom1_phon"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob", "prenom1_canon"), estimate_without_term_frequencies=True
    )
    # The date's m probabilities are learnt here. Blocked on the names alone, this pass would take in
    # the homonyms born on other days, more of them the larger the commune: "date différente" cost
    # 8.7 bits at 10,000 children and only 6.8 at 500,000, enough for a homonym on the same street to
    # pass for a match. Homonyms at the same address are few at any size.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("nom_colle", "prenom1_canon", "adresse_cle"), estimate_without_term_frequencies=True
    )
