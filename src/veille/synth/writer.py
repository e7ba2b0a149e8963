"""Writing a synthetic commune in the files a cell receives (encodings and separators of FORMAT.md)."""

from __future__ import annotations

from pathlib import Path

from veille.synth.generator import SyntheticCommune

# (file name, organisme or source, encoding, separator, line terminator)
CHILD_FILES: tuple[tuple[str, str, str, str, str], ...] = (
    # The CAF export comes from a Windows tool: Windows-1252, ';', CRLF.
    ("enfants_caf.csv", "CAF", "cp1252", ";", "\r\n"),
    # The MSA one is opened and saved again in a spreadsheet: UTF-8 with BOM, ';'.
    ("enfants_msa.csv", "MSA", "utf-8-sig", ";", "\r\n"),
)
SCHOOLING_FILES: dict[str, str] = {
    "ONDE": "scolarite_onde.csv",
    "SIECLE": "scolarite_siecle.csv",
    "PRIVE": "scolarite_prive.csv",
    "CNED": "scolarite_cned.csv",
    "IEF": "scolarite_ief.csv",
    "MEDICO_SOCIAL": "scolarite_medico_social.csv",
}
TRUTH_FILE = "verite.csv"


#: ``formats`` of :func:`write_commune`: the exchange format of FORMAT.md, or the real exports
FORMATS = ("csv", "reels")


def write_commune(commune: SyntheticCommune, out_dir: str | Path, *, formats: str = "csv") -> dict[str, Path]:
    """Write the children files, the schooling files and ``verite.csv``; returns name -> path.

    With ``formats="reels"`` the ONDE and SIECLE records are written as the schools' systems export
    them (``veille.synth.exports``) instead of ``scolarite_onde.csv`` and ``scolarite_siecle.csv``.
    """
    if formats not in FORMATS:
        raise ValueError(f"formats doit être l'un de {', '.join(FORMATS)}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name, organisme, encoding, separator, terminator in CHILD_FILES:
        frame = commune.children[commune.children["organisme"] == organisme]
        path = out / name
        frame.to_csv(path, sep=separator, encoding=encoding, index=False, lineterminator=terminator)
        written[name] = path
    for source, name in SCHOOLING_FILES.items():
        if formats == "reels" and source in ("ONDE", "SIECLE"):
            continue
        path = out / name
        commune.schooling[source].to_csv(path, sep=",", encoding="utf-8", index=False, lineterminator="\n")
        written[name] = path
    if formats == "reels":
        from veille.synth.exports import write_real_exports

        written.update(write_real_exports(commune, out))
    path = out / TRUTH_FILE
    commune.truth.to_csv(path, sep=",", encoding="utf-8", index=False, lineterminator="\n")
    written[TRUTH_FILE] = path
    return written
