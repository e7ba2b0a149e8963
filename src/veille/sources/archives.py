"""7z archives encrypted with AES-256, the way the CNIL recommends sending personal data.

The decrypted content is never written to disk: members are extracted into memory buffers.
"""

from __future__ import annotations

import io
from pathlib import Path

import py7zr
from py7zr.exceptions import PasswordRequired as _Py7zPasswordRequired
from py7zr.io import Py7zIO, WriterFactory

from veille.sources import limits
from veille.sources.problems import PasswordOption, PasswordRequired, Problem, SourceError, WrongPassword


class _MemoryWriter(Py7zIO):
    """An in-memory destination for one archive member, within the archive's decompression budget."""

    def __init__(self, budget: list[int], archive_name: str) -> None:
        self.buffer = io.BytesIO()
        self.budget, self.archive_name = budget, archive_name

    def write(self, s: bytes | bytearray) -> int:
        self.budget[0] -= len(s)
        if self.budget[0] < 0:  # the declared sizes lied: stop before the memory is spent
            raise limits.too_big(self.archive_name)
        return self.buffer.write(s)

    def read(self, size: int | None = None) -> bytes:
        return self.buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.buffer.seek(offset, whence)

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self.buffer.getbuffer().nbytes


class _MemoryFactory(WriterFactory):
    """Hands py7zr a memory buffer for each member instead of a file on disk."""

    def __init__(self, archive_name: str) -> None:
        self.products: dict[str, _MemoryWriter] = {}
        self.archive_name = archive_name
        self.budget = [limits.MAX_DECOMPRESSED_BYTES]

    def create(self, filename: str) -> Py7zIO:
        product = _MemoryWriter(self.budget, self.archive_name)
        self.products[filename] = product
        return product


def _is_skipped(name: str) -> bool:
    """Operating-system clutter some archivers add (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``)."""
    parts = name.replace("\\", "/").split("/")
    return "__MACOSX" in parts or parts[-1].startswith(".") or parts[-1].lower() == "thumbs.db"


class _UnsafeMember(Exception):
    """A member's name climbs out of the archive (``../``) or is absolute: a crafted archive."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _is_unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def _extract(source: Path | bytes, password: str | None, archive_name: str) -> list[tuple[str, bytes]]:
    # Bytes already in memory are read through a fresh buffer each time (a failed try consumes it).
    opened = io.BytesIO(source) if isinstance(source, bytes) else source
    with py7zr.SevenZipFile(opened, mode="r", password=password) as archive:
        everything = archive.list()
        # Checked before anything is decompressed; nothing is written to disk anyway, but such a name
        # means a crafted archive, and py7zr's own refusal would read as a wrong password.
        for info in everything:
            if _is_unsafe(info.filename):
                raise _UnsafeMember(info.filename)
        listed = [info for info in everything if not info.is_directory]
        limits.check_size(archive_name, sum(info.uncompressed or 0 for info in listed))
        names = [info.filename for info in listed if not _is_skipped(info.filename)]
        factory = _MemoryFactory(archive_name)
        archive.extractall(factory=factory)
    products = factory.products
    if not set(names) <= set(products) and len(products) >= len(names):
        # py7zr renamed some member (duplicate names): fall back to its own names, in order.
        return [
            (name, writer.buffer.getvalue()) for name, writer in products.items() if not _is_skipped(name)
        ]
    # A member absent from the products is an empty file (py7zr creates no writer for it).
    return [(name, products[name].buffer.getvalue() if name in products else b"") for name in names]


def _resolve(password: PasswordOption, archive_name: str) -> str | None:
    if password is None or isinstance(password, str):
        return password or None
    return password(archive_name) or None


def _archive_error(archive_name: str, message: str, cls: type[SourceError] = SourceError) -> SourceError:
    return cls(message[:1].upper() + message[1:], [Problem(archive_name, None, None, None, message)])


def extract_archive(
    path: Path | bytes, archive_name: str, password: PasswordOption
) -> list[tuple[str, bytes]]:
    """The members of a 7z archive, as (name inside the archive, content), decrypted in memory.

    ``path`` is the archive's path, or its content already in memory (an upload in the web app).

    The password (or the function giving it) is used only if the archive turns out to be encrypted.
    """
    damaged = (
        f"l'archive « {archive_name} » n'a pas pu être lue : elle est abîmée ou incomplète. "
        "Demandez à l'expéditeur de la renvoyer."
    )
    unsafe = (
        "l'archive « {archive} » contient un fichier au chemin dangereux (« {name} » : il sort de "
        "l'archive ou commence à la racine du disque). Elle a été refusée sans rien extraire. Demandez à "
        "l'expéditeur de la refaire avec 7-Zip en n'y mettant que les fichiers eux-mêmes."
    )
    try:
        return _extract(path, None, archive_name)
    except _Py7zPasswordRequired:
        pass
    except _UnsafeMember as error:
        raise _archive_error(archive_name, unsafe.format(archive=archive_name, name=error.name)) from None
    except SourceError:
        raise
    except Exception:  # Bad7zFile, CrcError, lzma.LZMAError, and assorted others on damaged archives
        raise _archive_error(archive_name, damaged) from None

    secret = _resolve(password, archive_name)
    if secret is None:
        raise _archive_error(
            archive_name,
            f"l'archive « {archive_name} » est chiffrée : il faut son mot de passe pour la lire. "
            "Relancez en donnant le mot de passe (transmis séparément par l'expéditeur).",
            PasswordRequired,
        )
    try:
        return _extract(path, secret, archive_name)
    except _UnsafeMember as error:
        raise _archive_error(archive_name, unsafe.format(archive=archive_name, name=error.name)) from None
    except SourceError:
        raise
    except Exception:  # a wrong key yields garbage, and py7zr fails on it in many ways
        raise _archive_error(
            archive_name,
            f"mot de passe incorrect pour l'archive « {archive_name} » (ou archive abîmée). "
            "Vérifiez le mot de passe transmis par l'expéditeur, attention aux majuscules, et réessayez.",
            WrongPassword,
        ) from None
