"""Malformed files of every accepted format, for the limit tests and the fuzz test (synthetic data only).

:func:`named_cases` gives the hand-made cases (zip bombs, path traversal, huge rows, formulas…);
:func:`mutations` derives as many variants as asked from valid files (truncated, bytes flipped,
inserted or repeated, re-encoded), from a seeded random generator so that a failure can be replayed.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterator

import openpyxl
import py7zr

PASSWORD = "Fuzz-m0t-de-passe"
HEADER = "organisme;identifiant;nom;prenoms;date_naissance;sexe;adresse;code_postal;commune"


def children_csv(rows: int = 5, *, name: str = "Martin", first: str = "Léa") -> bytes:
    lines = [HEADER] + [
        f"CAF;ID-{i:06d};{name};{first};{1 + i % 28:02d}/05/2015;F;{i} rue des Lilas;59000;Lille"
        for i in range(rows)
    ]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def children_xlsx(rows: int = 5) -> bytes:
    lines = [line.split(";") for line in children_csv(rows).decode().splitlines()]
    return xlsx(lines)


def ods(content_rows: str) -> bytes:
    """A minimal ODS whose first sheet has ``content_rows`` (XML of ``table:table-row`` elements)."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Feuille1">'
        f"{content_rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def ods_row(values: list[str], repeat: int = 1) -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        for v in values
    )
    attribute = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attribute}>{cells}</table:table-row>"


def children_ods(rows: int = 5) -> bytes:
    lines = [line.split(";") for line in children_csv(rows).decode().splitlines()]
    return ods("".join(ods_row(line) for line in lines))


def seven_zip(members: dict[str, bytes], password: str | None = PASSWORD) -> bytes:
    """A 7z archive; member names are written as given, « ../ » included (as a hostile sender would)."""
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w", password=password) as archive:
        for name, content in members.items():
            archive._writestr(content, name)  # writestr refuses a path leaving the archive
    return out.getvalue()


def xlsx_bomb(decompressed_mb: int = 51) -> bytes:
    """A valid workbook whose sheet XML is padded with whitespace to ``decompressed_mb`` MB."""
    source = zipfile.ZipFile(io.BytesIO(children_xlsx(2)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (decompressed_mb << 20))
            archive.writestr(info.filename, data)
    return out.getvalue()


def named_cases() -> Iterator[tuple[str, str, bytes]]:
    """(what, file name, content) of hand-made malformed or hostile files."""
    good = children_csv()
    yield "csv tronqué au milieu d'un guillemet", "enfants_caf.csv", good[:60] + b'"Martin'
    yield "csv en UTF-16 sans BOM", "enfants_caf.csv", good.decode().encode("utf-16-le")
    yield "octets au hasard", "enfants_caf.csv", bytes(random.Random(1).randrange(256) for _ in range(3000))
    yield "page HTML", "enfants_caf.csv", b"<html><body><script>alert(1)</script></body></html>"
    yield "ligne unique immense", "enfants_caf.csv", HEADER.encode() + b"\r\nCAF;1;" + b"A" * 3_000_000
    yield "identifiant trop long", "enfants_caf.csv", children_csv(1).replace(b"ID-000000", b"9" * 65)
    yield "nom trop long", "enfants_caf.csv", children_csv(1, name="N" * 201)
    yield "en-têtes seuls", "enfants_caf.csv", HEADER.encode() + b"\r\n"
    yield "fichier vide", "enfants_caf.csv", b""
    yield "octets nuls", "enfants_caf.csv", b"\x00" * 100
    yield "xlsx tronqué", "enfants_caf.xlsx", children_xlsx()[:400]
    yield "xlsx bombe de décompression", "enfants_caf.xlsx", xlsx_bomb()
    yield "xlsx colonne XFD remplie", "enfants_caf.xlsx", _xlsx_far_column()
    yield "zip qui n'est pas un tableau", "enfants_caf.xlsx", _plain_zip()
    yield "ods tronqué", "enfants_caf.ods", children_ods()[:300]
    yield (
        "ods lignes répétées un million de fois",
        "enfants_caf.ods",
        ods(ods_row(HEADER.split(";")) + ods_row(["CAF", "1", "Martin", "Léa", "01/05/2015"], repeat=10**9)),
    )
    yield (
        "ods colonnes répétées",
        "enfants_caf.ods",
        ods(
            ods_row(HEADER.split(";"))
            + '<table:table-row><table:table-cell table:number-columns-repeated="100000" '
            'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
        ),
    )
    yield "7z tronqué", "enfants_caf.7z", seven_zip({"enfants.csv": good})[:50]
    yield "7z bombe de décompression", "enfants_caf.7z", seven_zip({"enfants.csv": b"0" * (51 << 20)}, None)
    yield "7z chemin remontant", "enfants_caf.7z", seven_zip({"../../etc/enfants.csv": good})
    yield "7z dans un 7z", "enfants_caf.7z", seven_zip({"dedans.7z": seven_zip({"e.csv": good})})
    yield "7z vide", "enfants_caf.7z", seven_zip({}, None)
    yield "pdf", "enfants_caf.csv", b"%PDF-1.4\n" + b"x" * 100
    yield "xls ancien", "enfants_caf.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600


def _xlsx_far_column() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (line.split(";") for line in children_csv(2).decode().splitlines()):
        sheet.append(row)
    sheet["XFD3"] = "loin"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("lisez-moi.txt", "bonjour")
    return out.getvalue()


HOSTILE_NAMES = ["=cmd|' /C calc'!A0", "+SUM(1+1)", "@SUM(1+1)", "-2+3", "<script>alert(1)</script>"]


def bases() -> list[tuple[str, bytes]]:
    """Valid files of every format, the seeds of the mutations."""
    csv = children_csv(8)
    return [
        ("enfants_caf.csv", csv),
        ("enfants_caf.csv", csv.decode().encode("cp1252")),
        ("enfants_caf.xlsx", children_xlsx(8)),
        ("enfants_caf.ods", children_ods(8)),
        ("enfants_caf.7z", seven_zip({"enfants_caf.csv": csv})),
        ("enfants_caf.7z", seven_zip({"enfants_caf.csv": csv}, None)),
    ]


def mutations(count: int, seed: int = 2026) -> Iterator[tuple[str, str, bytes]]:
    """``count`` variants of the valid files: truncated, flipped, inserted, repeated or hostile."""
    rng = random.Random(seed)
    seeds = bases()
    for number in range(count):
        name, data = seeds[number % len(seeds)]
        kind = rng.choice(["tronqué", "octets changés", "octets insérés", "morceau répété", "nom hostile"])
        if kind == "tronqué":
            data = data[: rng.randrange(len(data))]
        elif kind == "octets changés":
            mutable = bytearray(data)
            for _ in range(rng.randint(1, 8)):
                mutable[rng.randrange(len(mutable))] = rng.randrange(256)
            data = bytes(mutable)
        elif kind == "octets insérés":
            at = rng.randrange(len(data))
            data = data[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))) + data[at:]
        elif kind == "morceau répété":
            start = rng.randrange(len(data))
            piece = data[start : start + rng.randint(1, 200)]
            data = data[:start] + piece * rng.randint(2, 50) + data[start:]
        else:
            name = "enfants_caf.csv"
            data = children_csv(3, name=rng.choice(HOSTILE_NAMES), first=rng.choice(HOSTILE_NAMES))
        yield f"variante {number} ({kind})", name, data
