"""How a school office retypes what the CAF holds: each function returns the new text, or the same."""

from __future__ import annotations

import random
import unicodedata
from datetime import date, timedelta

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PARTICLES = ("BEN ", "EL ", "AÏT ", "AIT ", "DA ", "DOS ", "DE ", "DI ", "LO ", "VAN ", "VAN DEN ", "DE LA ")


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


def typo(text: str, rng: random.Random) -> str:
    """One keyboard slip: a letter substituted, dropped, doubled, or two letters transposed.

    Only inner letters are touched (offices rarely get the first letter wrong), so the result stays
    a plausible spelling that a name comparison must still accept.
    """
    positions = [i for i, c in enumerate(text) if c.isalpha() and i > 0]
    if len(positions) < 2:
        return text
    i = rng.choice(positions)
    kind = rng.random()
    if kind < 0.35:
        letter = rng.choice(_LETTERS)
        letter = letter if text[i].isupper() else letter.lower()
        if letter.upper() == text[i].upper():
            letter = "E" if letter.upper() != "E" else "A"
            letter = letter if text[i].isupper() else letter.lower()
        return text[:i] + letter + text[i + 1 :]
    if kind < 0.6:
        return text[:i] + text[i + 1 :]
    if kind < 0.8:
        return text[:i] + text[i] + text[i:]
    j = i - 1 if text[i - 1].isalpha() else i
    if j == i or text[j] == text[i]:
        return text[:i] + text[i + 1 :]
    return text[:j] + text[i] + text[j] + text[i + 1 :]


def particle_variant(surname: str, rng: random.Random) -> str:
    """BEN AHMED <-> BENAHMED, N'DIAYE -> NDIAYE / N DIAYE, DA SILVA -> DASILVA; '' if no particle."""
    upper = surname.upper()
    if len(upper) > 3 and upper[1] == "'" and upper[0] in "NM":
        return surname[0] + ("" if rng.random() < 0.7 else " ") + surname[2:]
    for particle in _PARTICLES:
        if upper.startswith(particle) and len(upper) > len(particle) + 2:
            return surname[: len(particle) - 1].replace(" ", "") + surname[len(particle) :]
        glued = particle.strip().replace(" ", "")
        if (
            upper.startswith(glued)
            and len(upper) > len(glued) + 3
            and glued in ("BEN", "EL", "DA", "DOS", "VAN")
        ):
            # Only when the CAF glued it: offices split a glued particle less often than they glue one.
            if rng.random() < 0.3:
                return surname[: len(glued)] + " " + surname[len(glued) :]
            return ""
    return ""


def swap_day_month(born: date) -> date | None:
    if born.day > 12 or born.day == born.month:
        return None
    return date(born.year, born.day, born.month)


def mistype_digit(born: date, rng: random.Random) -> date:
    """One digit of JJ/MM/AAAA typed wrong, the result still being a valid date (forms check that)."""
    text = born.strftime("%d%m%Y")
    for _ in range(20):
        i = rng.choice((0, 1, 2, 3, 6, 7))
        digit = rng.choice([d for d in "0123456789" if d != text[i]])
        candidate = text[:i] + digit + text[i + 1 :]
        try:
            new = date(int(candidate[4:]), int(candidate[2:4]), int(candidate[:2]))
        except ValueError:
            continue
        if abs((new - born).days) < 366 * 3:
            return new
    return born + timedelta(days=1)


def shift_year(born: date, rng: random.Random) -> date:
    year = born.year + rng.choice((-1, 1))
    day = min(born.day, 28) if born.month == 2 else born.day
    return date(year, born.month, day)


_ABBREVIATIONS = {
    "RUE": ("R", "R.", "RUE"),
    "AVENUE": ("AV", "AV.", "AVE"),
    "BOULEVARD": ("BD", "BLD", "BD."),
    "ALLEE": ("ALL", "ALL.", "ALLEE"),
    "PLACE": ("PL", "PL."),
    "CHEMIN": ("CHE", "CH"),
    "IMPASSE": ("IMP", "IMP."),
    "RESIDENCE": ("RES", "RES."),
    "SQUARE": ("SQ",),
}


def render_address(number: int, suffix: str, street_type: str, street: str, complement: str) -> str:
    """The address as the CAF holds it: '12 bis rue de l'Épeule, apt 12'."""
    head = f"{number} {suffix} " if suffix else f"{number} "
    text = f"{head}{street_type} {street}"
    return f"{text}, {complement}" if complement else text


def retype_address(
    number: int, suffix: str, street_type: str, street: str, complement: str, rng: random.Random
) -> str:
    """The same address as a school office types it: case, accents, abbreviations, 'bis' forms."""
    style = rng.random()
    if style < 0.15:
        return render_address(number, suffix, street_type, street, complement if rng.random() < 0.5 else "")
    kind = strip_accents(street_type).upper()
    name = strip_accents(street).upper()
    if rng.random() < 0.6:
        name = name.replace("'", " ").replace("-", " ")
    if rng.random() < 0.6:
        kind = rng.choice(_ABBREVIATIONS.get(kind, (kind,)))
    if suffix:
        bis = {"bis": ("B", "BIS", " BIS", " B"), "ter": ("T", "TER", " TER")}[suffix]
        head = f"{number}{rng.choice(bis)}"
    else:
        head = str(number)
    if rng.random() < 0.25:
        head += ","  # '12, rue ...' as on the enrolment form
    if rng.random() < 0.03:
        head = ""  # number forgotten
    text = f"{head} {kind} {name}".strip()
    if complement and rng.random() < 0.3:
        text += " " + strip_accents(complement).upper().replace(",", "")
    if style >= 0.92:
        text = text.lower()
    return text
