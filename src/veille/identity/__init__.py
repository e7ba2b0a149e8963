"""Standardised identities: what the matcher compares between a CAF/MSA list and the schooling lists.

Modules, each named after what it holds:

* :mod:`~veille.identity.text`: :func:`normalise`, the common text normalisation;
* :mod:`~veille.identity.surnames`: :func:`surname_tokens`, particles glued, double surnames split;
* :mod:`~veille.identity.first_names`: :func:`first_name_tokens` and :func:`canonical_first_name`
  (table ``data/prenoms_variantes.csv``, documented in ``docs/prenoms.md``);
* :mod:`~veille.identity.phonetic`: :func:`phonetic_key`, a French phonetic key (blocking and evidence
  only, never enough to decide);
* :mod:`~veille.identity.addresses`: :func:`standardise_address` and :class:`Address`;
* :mod:`~veille.identity.features`: :func:`identity_features`, the vectorised entry point.
"""

from veille.identity.addresses import Address, standardise_address
from veille.identity.features import FEATURE_COLUMNS, identity_features
from veille.identity.first_names import canonical_first_name, first_name_tokens, variant_table
from veille.identity.phonetic import phonetic_key
from veille.identity.surnames import PARTICLES, surname_tokens, surname_variants
from veille.identity.text import normalise

__all__ = [
    "FEATURE_COLUMNS",
    "PARTICLES",
    "Address",
    "canonical_first_name",
    "first_name_tokens",
    "identity_features",
    "normalise",
    "phonetic_key",
    "standardise_address",
    "surname_tokens",
    "surname_variants",
    "variant_table",
]
