"""Reading and validating the cells' source files.

Children files (``fichier enfants``, from the CAF or the MSA) and schooling files (``fichier
scolarité``) arrive as CSV, XLSX or ODS, possibly inside 7z archives encrypted with AES-256. They
are read into canonical tables (``veille.columns``), every value a string, with the file name and
line number of each row. See ``shared/formats/FORMAT.md``.
"""

from veille.sources.dates import parse_date
from veille.sources.problems import PasswordOption, PasswordRequired, Problem, SourceError, WrongPassword
from veille.sources.readers import (
    FileInput,
    FileReport,
    InMemoryFile,
    ReadResult,
    read_children_files,
    read_schooling_files,
    write_rejects,
)

__all__ = [
    "FileInput",
    "FileReport",
    "InMemoryFile",
    "PasswordOption",
    "PasswordRequired",
    "Problem",
    "ReadResult",
    "SourceError",
    "WrongPassword",
    "parse_date",
    "read_children_files",
    "read_schooling_files",
    "write_rejects",
]
