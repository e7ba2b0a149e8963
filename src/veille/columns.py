"""Canonical column names of the exchange format (``shared/formats/FORMAT.md``).

Every reader returns these columns, in this order, as strings (empty string when absent), plus the
bookkeeping columns ``fichier`` (file name) and ``ligne`` (1-based line number in the file, header
counted as line 1, so the first data row is line 2, as a spreadsheet shows it).
"""

CHILD_COLUMNS: tuple[str, ...] = (
    "organisme",
    "identifiant",
    "nom",
    "prenoms",
    "date_naissance",
    "sexe",
    "nom_allocataire",
    "prenom_allocataire",
    "adresse",
    "code_postal",
    "commune",
)

SCHOOLING_COLUMNS: tuple[str, ...] = (
    "source",
    "identifiant",
    "nom",
    "prenoms",
    "date_naissance",
    "sexe",
    "etablissement",
    "uai",
    "niveau",
    "adresse",
    "code_postal",
    "commune",
)

SCHOOLING_SOURCES: tuple[str, ...] = ("ONDE", "SIECLE", "PRIVE", "CNED", "IEF", "MEDICO_SOCIAL", "AUTRE")
CHILD_ORGANISATIONS: tuple[str, ...] = ("CAF", "MSA")

BOOKKEEPING_COLUMNS: tuple[str, ...] = ("fichier", "ligne")
