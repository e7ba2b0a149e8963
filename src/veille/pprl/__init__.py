"""The encrypted crossing: linking children and schooling files without the cell seeing identities.

Three steps, three places:

1. each holder (CAF, MSA, DSDEN) encodes its own file (``encoding.encode``, ``veille encoder``) with
   a secret shared by the holders and a key of its own (``keys``);
2. the cell links the encoded files (``linkage.link``, ``veille croiser --chiffre``) and gets, per
   holder, the identifiers of the children it must see;
3. each holder reveals those rows only (``reveal``, ``veille reveler``), in an encrypted archive.

No Django here; the clear crossing's assignment and statuses are reused (``veille.matching``).
See ``docs/croisement-chiffre.md``.
"""

from veille.pprl.encoding import SCHEMA_VERSION, EncodedFile, EncodedFileError, encode, pseudonyms, schema
from veille.pprl.keys import SecretError, new_secret
from veille.pprl.linkage import LinkageResult, link

__all__ = [
    "SCHEMA_VERSION",
    "EncodedFile",
    "EncodedFileError",
    "LinkageResult",
    "SecretError",
    "encode",
    "link",
    "new_secret",
    "pseudonyms",
    "schema",
]
