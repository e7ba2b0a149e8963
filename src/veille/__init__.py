"""Veille: find the children subject to compulsory instruction who are schooled nowhere.

The crossing engine (``veille.sources``, ``veille.identity``, ``veille.matching``,
``veille.synth``) imports no web framework and returns plain typed dataclasses.
"""

__version__ = "0.1.0"
