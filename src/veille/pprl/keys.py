"""The secrets of an encrypted crossing, and the keys derived from them.

Two secrets, never the cell's:

* the **shared secret**, the same at the CAF, the MSA and the DSDEN: it keys the Bloom filters and the
  blocking keys, so that the same identity gives the same encoding at every holder;
* the **holder key**, one per holder, that no one else has: it keys the record identifiers, so that an
  identifier means something only to the holder who wrote it.

Every key is derived per campaign and per purpose (HMAC-SHA256): a new campaign changes every encoding
and every identifier (key rotation), and each field has its own hash functions (per-field salting).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SHARED_ENV = "VEILLE_SECRET_PARTAGE"
HOLDER_ENV = "VEILLE_CLE_DETENTEUR"
#: Below this many bytes a secret could be guessed by trying.
MIN_SECRET_BYTES = 16


class SecretError(ValueError):
    """A secret is missing or too short (message in French)."""


def new_secret() -> str:
    """A random secret of 256 bits, as text that survives a copy into a file or an e-mail body."""
    return secrets.token_urlsafe(32)


def read_secret(path: str | Path | None, env: str, what: str) -> bytes:
    """The secret in ``path`` (surrounding blanks dropped), else in the environment variable ``env``."""
    if path:
        try:
            value = Path(path).read_bytes().strip()
        except OSError as error:
            raise SecretError(f"{what} : le fichier « {path} » est illisible ({error.strerror}).") from None
    else:
        value = os.environ.get(env, "").strip().encode("utf-8")
        if not value:
            raise SecretError(f"{what} manquant : donnez son fichier, ou la variable d'environnement {env}.")
    if len(value) < MIN_SECRET_BYTES:
        raise SecretError(f"{what} trop court ({len(value)} octets, {MIN_SECRET_BYTES} au moins).")
    return value


def derive(secret: bytes, purpose: str, campaign: str) -> bytes:
    """A 32-byte key for one purpose (a field, the blocking keys, the identifiers) and one campaign."""
    return hmac.new(secret, f"veille-pprl|{campaign}|{purpose}".encode(), hashlib.sha256).digest()


def fingerprint(secret: bytes, campaign: str) -> str:
    """Shows that two files were encoded with the same secret, without telling anything of it."""
    return derive(secret, "empreinte", campaign).hex()[:16]
