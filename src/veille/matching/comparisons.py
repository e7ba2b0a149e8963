"""What Veille compares, as plain data: the comparisons, their levels, and the blocking rules.

Nothing here knows Splink or DuckDB's Python API: a comparison is a list of levels, each a SQL
condition over the two records' columns (``"nom_colle_l"``, ``"nom_colle_r"``…) with its French label.
``scoring`` turns them into a comparison-vector query, ``splink_adapter`` into Splink's settings.

The conditions are written in DuckDB's dialect (``SQL_DIALECT``); they use only functions that Spark
also has under another name (``list_has_any`` / ``arrays_overlap``, ``jaro_winkler_similarity``…), so
that a later Spark backend transpiles them (sqlglot, which Splink already carries) instead of
rewriting them.
"""

from __future__ import annotations

from dataclasses import dataclass

SQL_DIALECT = "duckdb"

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
    "noms_prenoms",
    "dob",
    "sexe",
    "adresse_cle",
    "adresse_voie",
    "code_postal",
    "ine",
)
#: The columns of ``MATCH_COLUMNS`` that hold lists (the others hold one string, or the id).
LIST_COLUMNS: tuple[str, ...] = ("nom_tokens", "noms_famille", "prenoms_canon", "noms_prenoms")


@dataclass(frozen=True)
class Level:
    """One level of a comparison: a SQL condition on the pair, and what it means in French.

    Attributes:
        sql: condition over ``<column>_l`` / ``<column>_r``; ``None`` for the last, catch-all level.
        label: French label (written to ``modele.json`` and shown to agents).
        tf_column: when the level is exact agreement on this column, its weight is adjusted to the
            frequency of the shared value (MARTIN agreeing says less than ZOUAOUI agreeing).
        fixed_u: a u probability that random sampling cannot estimate (see ``NATIONAL_ID_COLLISION``).
        hidden_by: columns of the other field this level reads: an EM pass blocked on one of them
            (or on an expression of one) never sees a pair at this level, and must not learn that
            such pairs do not exist (``training.em_pass`` keeps its m as it was).
    """

    sql: str | None
    label: str
    tf_column: str | None = None
    fixed_u: float | None = None
    hidden_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Comparison:
    """A comparison of one field: a null condition, then levels from the most to the least alike.

    ``gamma`` numbering follows Splink's: -1 for the null level, then ``len(levels) - 1`` for the first
    (most alike) level down to 0 for the catch-all.
    """

    name: str
    description: str
    null_column: str
    levels: tuple[Level, ...]
    # The columns this comparison reads: a blocking pass on one of them cannot teach its m.
    columns: tuple[str, ...]

    @property
    def null_sql(self) -> str:
        return f'"{self.null_column}_l" IS NULL OR "{self.null_column}_r" IS NULL'

    def gamma(self, index: int) -> int:
        """The gamma value of ``levels[index]``."""
        return len(self.levels) - 1 - index

    @property
    def top(self) -> int:
        """The gamma of full agreement."""
        return len(self.levels) - 1


# What a surname and a first name are compared on: a pass blocked on any of them shows no swapped pair.
SURNAME_COLUMNS = ("nom_colle", "nom_tokens", "noms_famille", "nom_phon", "nom1_phon")
FIRST_NAME_COLUMNS = ("prenom1", "prenom1_canon", "prenoms_canon", "prenoms_colle", "prenom1_phon")

SURNAME = Comparison(
    name="nom",
    description="nom de famille",
    null_column="nom_colle",
    columns=("nom_colle", "nom_tokens", "noms_famille", "nom_phon", "nom1_phon", "prenom1", "prenoms_colle"),
    levels=(
        Level('"nom_colle_l" = "nom_colle_r"', "nom identique", tf_column="nom_colle"),
        Level(
            'list_has_all("nom_tokens_l", "nom_tokens_r") OR list_has_all("nom_tokens_r", "nom_tokens_l")',
            "une partie d'un nom double",
        ),
        Level('list_has_any("noms_famille_l", "noms_famille_r")', "nom d'usage ou de l'autre parent"),
        # The child's surname in the school's first-name column (the school swapped the two): only
        # this side of the swap. The other side (the child's first name in the school's surname
        # column) is the first-name comparison's evidence: counted here too, one shared first name
        # was worth both swap levels, and a stranger named Emma took the record EMMA / Declerck.
        Level(
            '"nom_colle_l" = "prenoms_colle_r" OR "nom_colle_l" = "prenom1_r" '
            'OR list_contains("noms_famille_l", "prenoms_colle_r")',
            "nom et prénom inversés",
            hidden_by=FIRST_NAME_COLUMNS,
        ),
        # One edit changes the length by one at most: the cheap test first spares most pairs the
        # edit distance, and the edit distance (cheaper than Jaro-Winkler) goes before it. Same level
        # for every pair (measured on 2.5 million candidate pairs), 15 % less time for the gammas.
        Level(
            '(abs(length("nom_colle_l") - length("nom_colle_r")) <= 1 '
            'AND levenshtein("nom_colle_l", "nom_colle_r") <= 1) '
            'OR jaro_winkler_similarity("nom_colle_l", "nom_colle_r") >= 0.92',
            "nom avec une faute de frappe",
        ),
        Level('"nom_phon_l" = "nom_phon_r" OR "nom1_phon_l" = "nom1_phon_r"', "nom qui sonne pareil"),
        Level('jaro_winkler_similarity("nom_colle_l", "nom_colle_r") >= 0.8', "nom proche"),
        Level(None, "nom différent"),
    ),
)

FIRST_NAME = Comparison(
    name="prenom",
    description="prénoms",
    null_column="prenom1",
    columns=(
        "prenom1",
        "prenom1_canon",
        "prenoms_canon",
        "prenoms_colle",
        "prenom1_phon",
        "nom_colle",
        "nom_tokens",
    ),
    levels=(
        Level('"prenom1_l" = "prenom1_r"', "premier prénom identique", tf_column="prenom1"),
        Level(
            '"prenom1_canon_l" = "prenom1_canon_r" OR "prenoms_colle_l" = "prenoms_colle_r"',
            "même prénom, autre graphie",
        ),
        Level(
            'list_has_any("prenoms_canon_l", "prenoms_canon_r") '
            'OR starts_with("prenoms_colle_l", "prenoms_colle_r") '
            'OR starts_with("prenoms_colle_r", "prenoms_colle_l")',
            "un autre des prénoms",
        ),
        Level(
            '(abs(length("prenom1_l") - length("prenom1_r")) <= 1 '
            'AND levenshtein("prenom1_l", "prenom1_r") <= 1) '
            'OR jaro_winkler_similarity("prenom1_l", "prenom1_r") >= 0.92',
            "prénom avec une faute de frappe",
        ),
        Level('"prenom1_phon_l" = "prenom1_phon_r"', "prénom qui sonne pareil"),
        # The child's first names in the school's surname column (see the surname's level).
        Level(
            '"prenom1_l" = "nom_colle_r" OR "prenoms_colle_l" = "nom_colle_r" '
            'OR list_contains("nom_tokens_r", "prenom1_l")',
            "nom et prénom inversés",
            hidden_by=SURNAME_COLUMNS,
        ),
        Level(None, "prénom différent"),
    ),
)

# Birth dates as ISO strings: exact, day/month swapped, one digit, year off by one. (DuckDB's
# damerau_levenshtein is a hundred times slower than hamming or levenshtein: avoided.)
BIRTH_DATE = Comparison(
    name="date_naissance",
    description="date de naissance",
    null_column="dob",
    columns=("dob",),
    levels=(
        Level('"dob_l" = "dob_r"', "date identique"),
        Level(
            'substr("dob_l", 1, 4) = substr("dob_r", 1, 4) '
            'AND substr("dob_l", 6, 2) = substr("dob_r", 9, 2) '
            'AND substr("dob_l", 9, 2) = substr("dob_r", 6, 2)',
            "jour et mois inversés",
        ),
        # Both sides are ISO dates of equal length: one mistyped digit is one differing position.
        Level('hamming("dob_l", "dob_r") <= 1', "un chiffre différent"),
        Level(
            'substr("dob_l", 6, 5) = substr("dob_r", 6, 5) '
            'AND abs(CAST(substr("dob_l", 1, 4) AS INTEGER) - CAST(substr("dob_r", 1, 4) AS INTEGER)) = 1',
            "année décalée d'un an",
        ),
        Level(None, "date différente"),
    ),
)

SEX = Comparison(
    name="sexe",
    description="sexe",
    null_column="sexe",
    columns=("sexe",),
    levels=(Level('"sexe_l" = "sexe_r"', "même sexe"), Level(None, "sexe différent")),
)

ADDRESS = Comparison(
    name="adresse",
    description="adresse",
    null_column="adresse_voie",
    columns=("adresse_cle", "adresse_voie"),
    levels=(
        Level('"adresse_cle_l" = "adresse_cle_r"', "même adresse", tf_column="adresse_cle"),
        Level('"adresse_voie_l" = "adresse_voie_r"', "même voie"),
        Level('jaro_winkler_similarity("adresse_voie_l", "adresse_voie_r") >= 0.9', "voie proche"),
        Level(None, "adresse différente"),
    ),
)

POSTCODE = Comparison(
    name="code_postal",
    description="code postal",
    null_column="code_postal",
    columns=("code_postal",),
    levels=(Level('"code_postal_l" = "code_postal_r"', "même code postal"), Level(None, "autre code postal")),
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

# The national pupil identifier (INE), when both files carry it (L131-6-1 gives every child one).
NATIONAL_ID = Comparison(
    name="ine",
    description="identifiant national",
    null_column="ine",
    columns=("ine",),
    levels=(
        Level('"ine_l" = "ine_r"', "même identifiant national", fixed_u=NATIONAL_ID_COLLISION),
        Level('hamming("ine_l", "ine_r") <= 1', "identifiant avec un caractère différent"),
        # Two neighbouring characters swapped, or one dropped or added: levenshtein is cheap here
        # because only pairs already blocked reach this level.
        Level('levenshtein("ine_l", "ine_r") <= 2', "identifiant avec deux caractères différents"),
        Level(None, "identifiant différent"),
    ),
)

COMPARISONS: tuple[Comparison, ...] = (SURNAME, FIRST_NAME, BIRTH_DATE, SEX, ADDRESS, POSTCODE)


def comparisons_for(*, national_id: bool) -> tuple[Comparison, ...]:
    """The comparisons of a crossing; the national identifier only when both sides carry one."""
    return (*COMPARISONS, NATIONAL_ID) if national_id else COMPARISONS


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
# The same with every first name glued: a school that typed VAN DE WALLE as the first names and
# Mila as the surname gives a first first name VAN, which the key above does not pair with
# VANDEWALLE; RAYAN KARIM typed as the surname gives RAYANKARIM, not RAYAN.
SWAP_PROOF_FULL_NAMES = "least(nom_colle, prenoms_colle) || '|' || greatest(nom_colle, prenoms_colle)"
# Every name of a record whichever column holds it (``frames.match_frame``): surname, first first
# name, all the first names glued.
NAMES = "noms_prenoms"
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
    # The same address and birthday with the year mistyped, and a name changed too (the other
    # parent's surname, a typo): brothers and sisters rarely share a birthday. With the postcode:
    # across a department, the same number in a rue de la Gare is another family.
    BlockingRule("même adresse, mêmes jour et mois", ("adresse_cle", "code_postal", MONTH_DAY)),
    # Without a birth date, with the surname mistyped: brothers and sisters share an address, rarely
    # a first name (FEBRL4 has such pairs, which no rule proposed).
    BlockingRule("même adresse, même prénom", ("adresse_cle", "prenom1_canon")),
    BlockingRule("nom et prénom, même inversés, même année", (SWAP_PROOF_NAMES, YEAR)),
    BlockingRule("nom et prénom, même inversés, mêmes jour et mois", (SWAP_PROOF_NAMES, MONTH_DAY)),
    BlockingRule("nom et prénoms entiers, même inversés, même année", (SWAP_PROOF_FULL_NAMES, YEAR)),
    BlockingRule(
        "nom et prénoms entiers, même inversés, mêmes jour et mois", (SWAP_PROOF_FULL_NAMES, MONTH_DAY)
    ),
    # Swapped names with another slip in them (a first name transliterated or cut to one, a typo in
    # the surname): the keys above need both names intact. Any of the surname, the first first name
    # and all the first names glued, on either side, in either column, with the exact date: at
    # 500,000 children, half of the schooled children wrongly left non_trouve were such pairs.
    BlockingRule("nom ou prénom, dans l'une ou l'autre colonne, date exacte", ("dob", NAMES), NAMES),
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


@dataclass(frozen=True)
class TrainingPass:
    """One unsupervised pass: pairs sharing ``keys`` teach the m of the comparisons reading none of them.

    A child and its own school record agree on name, first name and date: each pass blocks on some of
    them and learns the m probabilities of the others.
    """

    keys: tuple[str, ...]
    #: teaches only the levels that the other passes cannot see (swapped names): its pairs, chosen
    #: by where the child lives, are not what the others teach the rest from
    fills_hidden: bool = False


TRAINING_PASSES: tuple[TrainingPass, ...] = (
    TrainingPass(("dob", "nom1_phon")),
    TrainingPass(("dob", "prenom1_canon")),
    # The date's m probabilities are learnt here. Blocked on the names alone, this pass would take in
    # the homonyms born on other days, more of them the larger the commune: "date différente" cost
    # 8.7 bits at 10,000 children and only 6.8 at 500,000, enough for a homonym on the same street to
    # pass for a match. Homonyms at the same address are few at any size.
    TrainingPass(("nom_colle", "prenom1_canon", "adresse_cle")),
    # The names' m probabilities with swapped names among them: the passes above, blocked on a name,
    # never see a school that typed the surname as the first name (``Level.hidden_by``).
    TrainingPass(("dob", "adresse_cle"), fills_hidden=True),
)
