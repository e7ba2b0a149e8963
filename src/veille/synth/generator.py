"""Generation of the synthetic commune (see the package docstring for what is built and how often)."""

from __future__ import annotations

import bisect
import itertools
import random
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from veille.columns import CHILD_COLUMNS, SCHOOLING_COLUMNS
from veille.compulsory import SchoolYear, age_on, is_subject
from veille.synth import names as N
from veille.synth.perturb import (
    mistype_digit,
    particle_variant,
    render_address,
    retype_address,
    shift_year,
    strip_accents,
    swap_day_month,
    typo,
)

SOURCES: tuple[str, ...] = ("ONDE", "SIECLE", "PRIVE", "CNED", "IEF", "MEDICO_SOCIAL")
LEVELS: tuple[str, ...] = (
    "PS",
    "MS",
    "GS",
    "CP",
    "CE1",
    "CE2",
    "CM1",
    "CM2",
    "6E",
    "5E",
    "4E",
    "3E",
    "2NDE",
    "1ERE",
    "TLE",
)
TRUTH_COLUMNS: tuple[str, ...] = (
    "organisme",
    "identifiant",
    "statut_reel",
    "sources",
    "identifiants_scolarite",
    "difficultes",
)

# Perturbation rates, per schooling record unless said otherwise. They are the calibration knobs:
# see the package docstring for the figures the reference approaches reach with them.
RATES: dict[str, float] = {
    "msa_household": 0.07,
    "twins": 0.015,  # per birth
    "triplets": 0.0003,  # per birth
    "close_birth": 0.09,  # next birth 9-13 months after the previous one
    "twin_similar_names": 0.30,
    "second_first_name": 0.22,
    "third_first_name": 0.06,
    "compound_first_name": 0.035,
    "comma_between_first_names": 0.08,  # of the children with several first names, in the CAF file
    "double_surname": 0.05,  # of the households
    "child_takes_mother_surname": 0.12,  # of the households (single mothers)
    "mixed_couple": 0.15,
    "claimant_is_father": 0.12,
    "separated_parents": 0.10,  # of the households
    "msa_mixed_case": 0.35,
    "caf_sex_missing": 0.02,
    # schooling record
    "school_keeps_second_name": 0.06,
    "school_keeps_all_names": 0.10,
    "compound_spaced": 0.25,
    "compound_glued": 0.10,
    "compound_truncated": 0.10,
    "double_first_part": 0.20,
    "double_second_part": 0.10,
    "double_swapped": 0.05,
    "double_other_separator": 0.15,
    "usage_name_other_parent": 0.015,  # when the other parent's surname differs
    "particle_variant": 0.15,
    "transliteration": 0.15,  # when the first name has known variants
    "surname_typo": 0.03,
    "first_name_typo": 0.03,
    "day_month_swap": 0.03,  # of the dates whose day can be a month (about 1.3 % of all)
    "digit_typo": 0.015,
    "year_off": 0.005,
    # Surname typed in the first-name column and the reverse (FEBRL's test files have them; French
    # files too where the order of a foreign name is unclear). An assumption: no measured French rate.
    "names_swapped": 0.004,
    "school_sex_missing": 0.10,
    "school_sex_wrong": 0.003,
    "address_other_parent": 0.45,  # of the records of children of separated parents (~5 % overall)
    "address_empty": 0.04,
    "moved": 0.10,  # of the households: moved since the school enrolment (the school has the old address)
    "address_previous": 0.7,  # of the records of children of those households
    "behind_primary": 0.04,
    "behind_secondary": 0.10,
    "ahead": 0.005,
    # sources of schooled children subject to compulsory instruction
    "private": 0.17,  # of the households
    "private_also_public_list": 0.15,
    "cned": 0.005,
    "cned_also_school": 0.25,
    "ief": 0.005,
    "ief_also_cned": 0.20,
    "medico_social": 0.007,
    "medico_social_also_school": 0.25,
    "toddler_tps": 0.04,
    "other_commune_share": 0.12,  # of all the schooling records
    "other_commune_homonym": 0.20,  # of those: same surname and first name as a child of the commune
}

# The children lists (CAF) go up to 20 years: older teenagers are kept less often (the claim stops).
_AGE_KEEP = {16: 0.75, 17: 0.55, 18: 0.45, 19: 0.35, 20: 0.1}


@dataclass(frozen=True)
class SyntheticCommune:
    """A commune's children files, its schooling files and the ground truth linking them.

    The frames hold exactly the text written in the files (dates included, in each file's form).
    """

    children: pd.DataFrame
    schooling: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    seed: int
    n_children: int
    school_year: str


@dataclass(slots=True)
class _Address:
    number: int
    suffix: str
    street_type: str
    street: str
    complement: str
    commune: str
    postcode: str

    def text(self) -> str:
        return render_address(self.number, self.suffix, self.street_type, self.street, self.complement)

    def retyped(self, rng: random.Random) -> str:
        return retype_address(self.number, self.suffix, self.street_type, self.street, self.complement, rng)


@dataclass(slots=True)
class _Household:
    organisme: str
    claimant: str
    origin: str
    father_surname: str
    mother_surname: str
    child_surname: str
    double_separator: str
    claimant_first: str
    claimant_is_father: bool
    address: _Address
    other_address: _Address | None
    previous_address: _Address | None
    private: bool
    caf_upper: bool
    school_index: int
    children: list[_Child] = field(default_factory=list)


@dataclass(slots=True)
class _Child:
    household: _Household
    identifiant: str
    surname: str
    first_names: list[str]
    born: date
    sex: str
    origin: str
    prenoms_text: str = ""
    sex_caf: str = ""
    twin_group: int = -1
    close_sibling: bool = False
    compulsory: bool = False
    unschooled: bool = False
    frequent: bool = False
    tags: list[str] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


class _Pools:
    """Zipf-weighted draws from the name pools (cumulative weights, so a draw is a bisection)."""

    def __init__(self) -> None:
        self.first = {key: self._cum(values, 3.0, 1.0) for key, values in N.FIRST_NAMES.items()}
        self.second = {key: self._cum(values, 1.0, 1.0) for key, values in N.SECOND_NAMES.items()}
        self.surnames = N.surname_pools()
        self.surname_cum = {
            origin: self._cum(values, 0.6 if origin == "VIE" else 6.0, 1.5 if origin == "VIE" else 1.0)
            for origin, values in self.surnames.items()
        }
        self.variants: dict[str, tuple[str, ...]] = {}
        for group in N.TRANSLITERATIONS:
            for name in group:
                self.variants[name] = tuple(other for other in group if other != name)
        self.street_types = [t for t, _ in N.STREET_TYPES]
        self.street_cum = list(itertools.accumulate(w for _, w in N.STREET_TYPES))
        self.streets = self._cum(N.STREET_NAMES, 4.0, 0.7)
        self.origin_cum = list(itertools.accumulate(N.ORIGIN_WEIGHTS))

    @staticmethod
    def _cum(values: tuple[str, ...], offset: float, power: float) -> tuple[tuple[str, ...], list[float]]:
        weights = [1.0 / (rank + offset) ** power for rank in range(len(values))]
        return values, list(itertools.accumulate(weights))

    @staticmethod
    def draw(pool: tuple[tuple[str, ...], list[float]], rng: random.Random) -> tuple[str, int]:
        values, cum = pool
        rank = bisect.bisect(cum, rng.random() * cum[-1])
        rank = min(rank, len(values) - 1)
        return values[rank], rank

    def origin(self, rng: random.Random) -> str:
        return N.ORIGINS[
            min(bisect.bisect(self.origin_cum, rng.random() * self.origin_cum[-1]), len(N.ORIGINS) - 1)
        ]

    def surname(self, origin: str, rng: random.Random) -> tuple[str, int]:
        return self.draw(self.surname_cum[origin], rng)

    def first_name(self, origin: str, sex: str, rng: random.Random) -> tuple[str, int]:
        # A share of children of every origin get a first name of the French pool (Adam, Inès, Léo).
        if origin != "FR" and rng.random() < 0.18:
            origin = "FR"
        return self.draw(self.first[(origin, sex)], rng)

    def address(self, rng: random.Random, commune: tuple[str, str]) -> _Address:
        street_type = self.street_types[bisect.bisect(self.street_cum, rng.random() * self.street_cum[-1])]
        street, _ = self.draw(self.streets, rng)
        complement = ""
        if street_type == "résidence":
            street = rng.choice(N.RESIDENCES)
            complement = f"bât. {rng.choice('ABCDEFGH')}"
        elif rng.random() < 0.15:
            complement = rng.choice(("apt ", "appt ", "app. ")) + str(rng.randint(1, 120))
        number = min(int(rng.paretovariate(0.9)), 400)
        suffix = "" if rng.random() > 0.04 else ("bis" if rng.random() < 0.8 else "ter")
        return _Address(number, suffix, street_type, street, complement, commune[0], commune[1])


@dataclass(slots=True)
class _Establishment:
    name: str
    uai: str
    address: str


#: Codes drawn in one department before the next one: a UAI leaves four digits to a department's
#: establishments, and a commune of 2,000,000 children (a scale benchmark) has more than 10,000.
_UAI_PER_DEPARTMENT = 9_000


def _uai(rng: random.Random, used: set[str]) -> str:
    """An invented UAI: department 059 (then 060, 061… once 059 is full), four digits, and the control
    letter computed the real way."""
    department = 59 + len(used) // _UAI_PER_DEPARTMENT
    while True:
        digits = f"{department:03d}{rng.randint(0, 9999):04d}"
        code = digits + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(digits) % 23]
        if code not in used:
            used.add(code)
            return code


class _Establishments:
    def __init__(
        self, n_children: int, rng: random.Random, pools: _Pools, commune: tuple[str, str] = N.COMMUNE
    ) -> None:
        used: set[str] = set()
        patrons = list(N.SCHOOL_PATRONS)

        def make(prefix: str, count: int, names: tuple[str, ...] | list[str]) -> list[_Establishment]:
            out = []
            for i in range(count):
                patron = names[i % len(names)]
                # Big cities reuse patrons: 'École Jules Ferry' twice gets a distinguishing suffix.
                suffix = f" {i // len(names) + 1}" if i >= len(names) else ""
                address = pools.address(rng, commune).text()
                out.append(_Establishment(f"{prefix}{patron}{suffix}", _uai(rng, used), address))
            return out

        self.primary = make("École ", max(3, n_children // 260), patrons)
        self.college = make("Collège ", max(2, n_children // 1400), patrons[::-1])
        self.lycee = make("Lycée ", max(1, n_children // 2500), patrons[5:])
        self.private_primary = make("École privée ", max(1, n_children // 2000), N.PRIVATE_PATRONS)
        self.private_secondary = make(
            "Collège-lycée privé ", max(1, n_children // 3000), N.PRIVATE_PATRONS[3:]
        )
        self.medico = make(
            "", max(1, min(len(N.MEDICO_SOCIAL_NAMES), n_children // 1500)), N.MEDICO_SOCIAL_NAMES
        )
        self.cned = _Establishment("CNED", "0861288Y", "")

    def school(self, level: int, index: int, private: bool) -> _Establishment:
        if private:
            pool = self.private_primary if level <= 7 else self.private_secondary
        elif level <= 7:
            pool = self.primary
        elif level <= 11:
            pool = self.college
        else:
            pool = self.lycee
        return pool[index % len(pool)]


# A department of the Nord for department-wide schooling files: invented communes with postcodes of the
# department (59xxx), besides the commune and its neighbours.
DEPARTMENT_COMMUNES: tuple[tuple[str, str], ...] = tuple(
    (f"COMMUNE {i + 1:02d}", f"59{(i * 37) % 1000:03d}") for i in range(60)
)
#: Share of the commune's schooled children whose school is in another commune of the department.
SCHOOL_ELSEWHERE = 0.15


class _Generator:
    def __init__(
        self,
        n_children: int,
        seed: int,
        school_year: str,
        department_pupils: int = 0,
        rates: Mapping[str, float] | None = None,
        commune: tuple[str, str] = N.COMMUNE,
    ) -> None:
        unknown = set(rates or {}) - set(RATES)
        if unknown:
            raise ValueError(f"taux inconnus : {', '.join(sorted(unknown))}")
        self.rates = {**RATES, **(rates or {})}
        first, second = (int(part) for part in school_year.split("-"))
        if second != first + 1:
            raise ValueError(f"année scolaire invalide : {school_year}")
        self.n = n_children
        self.seed = seed
        self.school_year = school_year
        self.first_year = first
        self.rentree = date(first, 9, 1)
        self.rng = random.Random(seed)
        # Errors added after the generator was calibrated draw from their own stream, so that every
        # other draw, and so every commune already used by the tests and the benchmark, stays the same.
        self.late_rng = random.Random(seed * 7919 + 17)
        self.pools = _Pools()
        self.commune = commune
        self.establishments = _Establishments(n_children, self.rng, self.pools, commune)
        self.households: list[_Household] = []
        self.children: list[_Child] = []
        self.records: dict[str, list[dict[str, str]]] = {source: [] for source in SOURCES}
        self.used_ids: set[str] = set()
        self.twin_groups = 0
        self.homonym_targets: list[_Child] = []
        self.department_pupils = department_pupils

    # ------------------------------------------------------------------ households and children
    def build_population(self) -> None:
        rng = self.rng
        caf_numbers = iter(rng.sample(range(100_000, 9_999_999), self.n + 10))
        # Six digits as the MSA gives them, while they suffice; seven beyond (a million children).
        msa_top = 999_999 if self.n + 10 <= 999_999 - 10_000 else 9_999_999
        msa_numbers = iter(rng.sample(range(10_000, msa_top), self.n + 10))
        # The cell asks the CAF for the children born up to the year before the first compulsory one
        # (2024 for 2026-2027: they enter PS next year), so the youngest in the file are about 2.
        extraction = date(self.first_year - 2, 12, 31)
        oldest = date(self.first_year - 21, 9, 2)
        while len(self.children) < self.n:
            household = self._household(rng, caf_numbers, msa_numbers)
            size = rng.choices((1, 2, 3, 4, 5, 6), weights=(34, 33, 18, 9, 4, 2))[0]
            born = oldest + timedelta(days=rng.randrange((extraction - oldest).days))
            births: list[list[date]] = []
            while len(births) < size and born <= extraction:
                roll = rng.random()
                multiplicity = 3 if roll < self.rates["triplets"] else 2 if roll < self.rates["twins"] else 1
                births.append([born] * multiplicity)
                gap = (
                    rng.randint(275, 400)
                    if rng.random() < self.rates["close_birth"]
                    else int(rng.triangular(420, 3000, 900))
                )
                born = born + timedelta(days=gap)
            for birth in births:
                group = -1
                if len(birth) > 1:
                    group = self.twin_groups
                    self.twin_groups += 1
                kept = [b for b in birth if rng.random() < _AGE_KEEP.get(age_on(b, self.rentree), 1.0)]
                if len(kept) != len(birth):
                    continue  # twins leave the claim together
                self._add_children(household, kept, group, rng)
            if not household.children:
                continue
            self.households.append(household)
            self._mark_close_siblings(household)
        surplus = len(self.children) - self.n
        if surplus > 0:
            # Only the last household can overflow: it loses its youngest children.
            del self.children[self.n :]
            last = self.households[-1]
            del last.children[len(last.children) - surplus :]
        surnames = Counter(strip_accents(c.surname).upper() for c in self.children)
        firsts = Counter(self._first_key(c) for c in self.children)
        names = Counter((strip_accents(c.surname).upper(), self._first_key(c)) for c in self.children)
        for child in self.children:
            child.compulsory = is_subject(child.born, SchoolYear(self.first_year))
            key = (strip_accents(child.surname).upper(), self._first_key(child))
            if names[key] > 1:
                child.tags.append("homonyme")
            child.frequent = surnames[key[0]] >= max(3, 0.002 * self.n) and firsts[key[1]] >= max(
                5, 0.004 * self.n
            )

    @staticmethod
    def _first_key(child: _Child) -> str:
        return strip_accents(child.first_names[0]).upper()

    def _household(
        self, rng: random.Random, caf_numbers: Iterator[int], msa_numbers: Iterator[int]
    ) -> _Household:
        pools = self.pools
        origin = pools.origin(rng)
        father_origin = pools.origin(rng) if rng.random() < self.rates["mixed_couple"] else origin
        father, _ = pools.surname(father_origin, rng)
        mother, _ = pools.surname(origin, rng)
        roll = rng.random()
        separator = ""
        if roll < self.rates["double_surname"] and father != mother:
            separator = "-" if rng.random() < 0.6 else " "
            child_surname = f"{father}{separator}{mother}"
        elif roll < self.rates["double_surname"] + self.rates["child_takes_mother_surname"]:
            child_surname = mother
        else:
            child_surname = father
        claimant_is_father = rng.random() < self.rates["claimant_is_father"]
        claimant_first, _ = pools.first_name(
            father_origin if claimant_is_father else origin, "M" if claimant_is_father else "F", rng
        )
        msa = rng.random() < self.rates["msa_household"]
        number = next(msa_numbers if msa else caf_numbers)
        claimant = f"M-{number}" if msa else f"{number:07d}"
        address = pools.address(rng, self.commune)
        other = None
        if rng.random() < self.rates["separated_parents"]:
            place = self.commune if rng.random() < 0.5 else rng.choice(N.NEIGHBOURS)
            other = pools.address(rng, place)
        previous = None
        if rng.random() < self.rates["moved"]:
            previous = pools.address(rng, self.commune if rng.random() < 0.8 else rng.choice(N.NEIGHBOURS))
        return _Household(
            organisme="MSA" if msa else "CAF",
            claimant=claimant,
            origin=origin,
            father_surname=father,
            mother_surname=mother,
            child_surname=child_surname,
            double_separator=separator,
            claimant_first=claimant_first,
            claimant_is_father=claimant_is_father,
            address=address,
            other_address=other,
            previous_address=previous,
            private=rng.random() < self.rates["private"],
            caf_upper=not msa or rng.random() > self.rates["msa_mixed_case"],
            school_index=rng.randrange(1 << 30),
        )

    def _add_children(
        self, household: _Household, births: list[date], group: int, rng: random.Random
    ) -> None:
        pools = self.pools
        origin = household.origin
        similar = None
        if group >= 0 and len(births) == 2 and rng.random() < self.rates["twin_similar_names"]:
            similar = rng.choice(N.TWIN_NAME_PAIRS)
        taken = {strip_accents(n).upper() for c in household.children for n in c.first_names[:1]}
        for k, born in enumerate(births):
            if similar is not None:
                first, sex = similar[2 * k], similar[2 * k + 1]
            else:
                sex = "M" if rng.random() < 0.512 else "F"
                for _ in range(10):
                    first, _ = pools.first_name(origin, sex, rng)
                    if strip_accents(first).upper() not in taken:
                        break
                if (
                    rng.random() < self.rates["compound_first_name"]
                    and "-" not in first
                    and origin in ("FR", "MAG", "WAF")
                ):
                    second, _ = self.pools.draw(pools.second[(origin, sex)], rng)
                    if second != first:
                        first = f"{first}-{second}"
            taken.add(strip_accents(first).upper())
            names = [first]
            roll = rng.random()
            extra = (
                2
                if roll < self.rates["third_first_name"]
                else 1
                if roll < self.rates["second_first_name"]
                else 0
            )
            for _ in range(extra):
                other, _ = pools.draw(pools.second[(origin, sex)], rng)
                if other not in names and other != first.split("-")[-1]:
                    names.append(other)
            rank_in_household = len(household.children) + 1
            if household.organisme == "MSA":
                identifiant = f"{household.claimant}-{rank_in_household}"
            else:
                identifiant = f"{household.claimant}-{rank_in_household:02d}"
            child = _Child(
                household=household,
                identifiant=identifiant,
                surname=household.child_surname,
                first_names=names,
                born=born,
                sex=sex,
                origin=origin,
                twin_group=group,
            )
            if group >= 0:
                child.tags.append("triple" if len(births) > 2 else "jumeau")
                if similar is not None:
                    child.tags.append("jumeaux_prenoms_proches")
            separator = (
                ", " if len(names) > 1 and rng.random() < self.rates["comma_between_first_names"] else " "
            )
            child.prenoms_text = separator.join(names)
            if separator == ", ":
                child.tags.append("prenoms_virgule")
            child.sex_caf = "" if rng.random() < self.rates["caf_sex_missing"] else sex
            if not child.sex_caf:
                child.tags.append("sexe_absent_caf")
            household.children.append(child)
            self.children.append(child)

    @staticmethod
    def _mark_close_siblings(household: _Household) -> None:
        ordered = sorted(household.children, key=lambda c: c.born)
        for older, younger in itertools.pairwise(ordered):
            if 270 <= (younger.born - older.born).days <= 400:
                for child in (older, younger):
                    if not child.close_sibling:
                        child.close_sibling = True
                        child.tags.append("fratrie_rapprochee")

    # ------------------------------------------------------------------ who is unschooled
    def choose_unschooled(self) -> None:
        """About 1.5 % of the compulsory-age children, with the hard cases a cell really meets."""
        rng = self.rng
        compulsory = [c for c in self.children if c.compulsory]
        if not compulsory:
            return
        target = max(1, round(len(compulsory) * rng.uniform(0.013, 0.017)))
        chosen: list[_Child] = []
        protected: set[int] = set()  # id() of the children who must stay schooled

        def take(child: _Child, tag: str = "") -> bool:
            if child.unschooled or id(child) in protected or not child.compulsory:
                return False
            child.unschooled = True
            chosen.append(child)
            if tag:
                child.tags.append(tag)
            return True

        # A twin whose twin is schooled: a matcher that links both twins' names loses him.
        groups: dict[int, list[_Child]] = {}
        for child in compulsory:
            if child.twin_group >= 0:
                groups.setdefault(child.twin_group, []).append(child)
        twin_sets = [g for g in groups.values() if len(g) >= 2]
        rng.shuffle(twin_sets)
        for group in twin_sets[: max(1, round(0.02 * target))]:
            one = rng.choice(group)
            if take(one, "jumeau_seul_non_scolarise"):
                protected.update(id(other) for other in group if other is not one)
        # A child whose sibling born 9-13 months earlier is schooled (same surname, close birth date).
        pairs = []
        for household in self.households:
            ordered = sorted(household.children, key=lambda c: c.born)
            for older, younger in itertools.pairwise(ordered):
                if 270 <= (younger.born - older.born).days <= 400 and older.compulsory and younger.compulsory:
                    pairs.append((older, younger))
        rng.shuffle(pairs)
        for older, younger in pairs[: max(1, round(0.04 * target))]:
            if not older.unschooled and take(younger, "frere_soeur_proche_scolarise"):
                protected.add(id(older))
        # A whole family out of school (newly arrived, travelling): siblings are no help there.
        families = [h for h in self.households if sum(c.compulsory for c in h.children) >= 2]
        rng.shuffle(families)
        budget = round(0.08 * target)
        for household in families:
            if budget <= 0:
                break
            for child in household.children:
                if child.compulsory and take(child, "fratrie_non_scolarisee"):
                    budget -= 1
        # A frequent name whose homonym (another commune) is schooled: created with the other communes.
        frequent = [c for c in compulsory if c.frequent and not c.unschooled and id(c) not in protected]
        rng.shuffle(frequent)
        for child in frequent[: max(1, round(0.12 * target))]:
            if take(child):
                self.homonym_targets.append(child)
        # The rest across all ages and origins, a little more at 3 (PS) and at 14-15 (dropping out).
        # Twins are left out: an unschooled twin is the deliberate case above, kept rare as in life
        # (twins are nearly always enrolled together).
        pool = [c for c in compulsory if not c.unschooled and id(c) not in protected and c.twin_group < 0]
        weights = []
        for child in pool:
            age = age_on(child.born, self.rentree)
            weights.append(1.5 if age <= 3 else 2.0 if age >= 14 else 1.0)
        while len(chosen) < target and pool:
            for child in rng.choices(pool, weights=weights, k=2 * (target - len(chosen))):
                if len(chosen) >= target:
                    break
                take(child)

    # ------------------------------------------------------------------ schooling records
    def build_records(self) -> None:
        for child in self.children:
            if child.unschooled:
                continue
            for source, level in self._plan(child):
                self._record(child, source, level)
        self._other_communes()
        if self.department_pupils:
            self._department()

    def _level(self, child: _Child) -> int:
        rng = self.rng
        level = self.first_year - 3 - child.born.year
        roll = rng.random()
        behind = self.rates["behind_primary"] if level <= 7 else self.rates["behind_secondary"]
        if roll < behind and level > 0:
            child.tags.append("retard_scolaire")
            level -= 1
        elif roll < behind + self.rates["ahead"] and level < 14:
            level += 1
        return min(level, 14)

    def _school_entries(self, child: _Child, level: int) -> list[tuple[str, int]]:
        public = "ONDE" if level <= 7 else "SIECLE"
        if not child.household.private:
            return [(public, level)]
        if self.rng.random() < self.rates["private_also_public_list"]:
            child.tags.append("double_inscription")
            return [("PRIVE", level), (public, level)]
        return [("PRIVE", level)]

    def _plan(self, child: _Child) -> list[tuple[str, int]]:
        rng = self.rng
        if not child.compulsory:
            base = self.first_year - 3 - child.born.year
            if base < 0:
                return [("ONDE", -1)] if base == -1 and rng.random() < self.rates["toddler_tps"] else []
            age = age_on(child.born, self.rentree)
            if rng.random() < {16: 0.85, 17: 0.75, 18: 0.4, 19: 0.08}.get(age, 0.03):
                return self._school_entries(child, self._level(child))
            return []
        level = self._level(child)
        roll = rng.random()
        thresholds = itertools.accumulate(
            (self.rates["medico_social"], self.rates["cned"], self.rates["ief"])
        )
        medico, cned, ief = thresholds
        if roll < medico:
            plan = [("MEDICO_SOCIAL", level)]
            if rng.random() < self.rates["medico_social_also_school"]:
                plan += self._school_entries(child, level)[:1]
        elif roll < cned:
            plan = [("CNED", level)]
            if rng.random() < self.rates["cned_also_school"]:
                plan += self._school_entries(child, level)[:1]
        elif roll < ief:
            plan = [("IEF", level)]
            if rng.random() < self.rates["ief_also_cned"]:
                plan.append(("CNED", level))
        else:
            return self._school_entries(child, level)
        if len(plan) > 1:
            child.tags.append("double_inscription")
        return plan

    def _new_id(self, source: str) -> str:
        rng = self.rng
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        while True:
            if source in ("ONDE", "SIECLE"):
                # INE-like: nine digits and two letters, shared by the public lists.
                ident = f"{rng.randrange(10**9):09d}{rng.choice(letters)}{rng.choice(letters)}"
            elif source == "PRIVE":
                ident = f"PRV{rng.randrange(10**8):08d}"
            elif source == "CNED":
                ident = f"CNED-{self.first_year % 100:02d}-{rng.randrange(10**7):07d}"
            elif source == "IEF":
                ident = f"IEF-{self.first_year}-{rng.randrange(10**6):06d}"
            else:
                ident = f"MS{rng.randrange(10**7):07d}"
            if ident not in self.used_ids:
                self.used_ids.add(ident)
                return ident

    def _surname_at_school(self, child: _Child, tags: list[str]) -> str:
        rng = self.rng
        household = child.household
        surname = child.surname
        if household.double_separator and surname == household.child_surname:
            father, mother, separator = (
                household.father_surname,
                household.mother_surname,
                household.double_separator,
            )
            roll = rng.random()
            limits = list(
                itertools.accumulate(
                    (
                        self.rates["double_first_part"],
                        self.rates["double_second_part"],
                        self.rates["double_swapped"],
                        self.rates["double_other_separator"],
                    )
                )
            )
            if roll < limits[0]:
                surname, tag = father, "nom_double_partiel"
            elif roll < limits[1]:
                surname, tag = mother, "nom_double_partiel"
            elif roll < limits[2]:
                surname, tag = f"{mother}{separator}{father}", "nom_double_inverse"
            elif roll < limits[3]:
                surname, tag = f"{father}{' ' if separator == '-' else '-'}{mother}", "nom_double_separateur"
            else:
                tag = ""
            if tag:
                tags.append(tag)
        else:
            other = (
                household.father_surname if surname == household.mother_surname else household.mother_surname
            )
            if other != surname and rng.random() < self.rates["usage_name_other_parent"]:
                surname = other
                tags.append("nom_usage_autre_parent")
        if rng.random() < self.rates["particle_variant"]:
            variant = particle_variant(surname, rng)
            if variant:
                surname = variant
                tags.append("particule")
        if rng.random() < self.rates["surname_typo"]:
            surname = typo(surname, rng)
            tags.append("faute_nom")
        if rng.random() < 0.7:
            surname = strip_accents(surname)
        return surname.upper() if rng.random() < 0.92 else surname.title()

    def _first_names_at_school(self, child: _Child, tags: list[str]) -> str:
        rng = self.rng
        names = list(child.first_names)
        if len(names) > 1:
            roll = rng.random()
            if roll < self.rates["school_keeps_second_name"]:
                names = [names[1]]
                tags.append("prenoms_multiples_second")
            elif roll > self.rates["school_keeps_second_name"] + self.rates["school_keeps_all_names"]:
                names = names[:1]
        first = names[0]
        if "-" in first:
            roll = rng.random()
            if roll < self.rates["compound_spaced"]:
                first = first.replace("-", " ")
                tags.append("prenom_compose_espace")
            elif roll < self.rates["compound_spaced"] + self.rates["compound_glued"]:
                first = first.replace("-", "")
                tags.append("prenom_compose_colle")
            elif (
                roll
                < self.rates["compound_spaced"]
                + self.rates["compound_glued"]
                + self.rates["compound_truncated"]
            ):
                first = first.split("-")[0]
                tags.append("prenom_compose_tronque")
        variants = self.pools.variants.get(first)
        if variants and rng.random() < self.rates["transliteration"]:
            first = rng.choice(variants)
            tags.append("translitteration")
        if rng.random() < self.rates["first_name_typo"]:
            first = typo(first, rng)
            tags.append("faute_prenom")
        text = " ".join([first, *names[1:]])
        if rng.random() < 0.5:
            text = strip_accents(text)
        return text.upper() if rng.random() < 0.5 else text

    def _birth_at_school(self, child: _Child, tags: list[str]) -> date:
        rng = self.rng
        born = child.born
        if rng.random() < self.rates["day_month_swap"]:
            swapped = swap_day_month(born)
            if swapped is not None:
                tags.append("inversion_jour_mois")
                return swapped
        # A school's form refuses a birth date after the rentrée, and so does Veille's reader.
        latest = self.rentree
        if rng.random() < self.rates["digit_typo"]:
            typed = mistype_digit(born, rng)
            if typed <= latest:
                tags.append("chiffre_date")
                return typed
        if rng.random() < self.rates["year_off"]:
            shifted = shift_year(born, rng)
            if shifted <= latest:
                tags.append("annee_decalee")
                return shifted
        return born

    def _record(self, child: _Child, source: str, level: int) -> None:
        rng = self.rng
        household = child.household
        tags = child.tags
        surname = self._surname_at_school(child, tags)
        first_names = self._first_names_at_school(child, tags)
        if self.late_rng.random() < RATES["names_swapped"]:
            surname, first_names = first_names.upper(), surname.title()
            tags.append("nom_prenom_inverses")
        born = self._birth_at_school(child, tags)
        sex = child.sex
        roll = rng.random()
        if roll < self.rates["school_sex_missing"]:
            sex = ""
            tags.append("sexe_absent_scolarite")
        elif roll < self.rates["school_sex_missing"] + self.rates["school_sex_wrong"]:
            sex = "F" if sex == "M" else "M"
            tags.append("sexe_errone")
        address = household.address
        if household.other_address is not None and rng.random() < self.rates["address_other_parent"]:
            address = household.other_address
            tags.append("adresse_autre_parent")
        elif household.previous_address is not None and rng.random() < self.rates["address_previous"]:
            address = household.previous_address
            tags.append("adresse_ancienne")
        address_text, postcode, commune = address.retyped(rng), address.postcode, address.commune
        if rng.random() < self.rates["address_empty"]:
            address_text = ""
            tags.append("adresse_absente")
            if rng.random() < 0.5:
                postcode = commune = ""
        if commune and rng.random() < 0.5:
            commune = commune.title() if rng.random() < 0.5 else commune
        niveau = "TPS" if level < 0 else LEVELS[max(0, min(level, 14))]
        empty_level = {"IEF": 0.3, "MEDICO_SOCIAL": 0.6, "CNED": 0.1}.get(source, 0.02)
        if rng.random() < empty_level:
            niveau = ""
        if source in ("ONDE", "SIECLE", "PRIVE"):
            place = self.establishments.school(level, household.school_index, source == "PRIVE")
            etablissement, uai = place.name, place.uai
        elif source == "MEDICO_SOCIAL":
            place = self.establishments.medico[household.school_index % len(self.establishments.medico)]
            etablissement, uai = place.name, place.uai
        elif source == "CNED":
            etablissement, uai = self.establishments.cned.name, self.establishments.cned.uai
        else:
            etablissement = uai = ""
        if source in ("ONDE", "CNED", "MEDICO_SOCIAL") or (source == "PRIVE" and rng.random() < 0.6):
            date_text = born.isoformat()
        else:
            date_text = born.strftime("%d/%m/%Y")
        identifiant = self._new_id(source)
        self.records[source].append(
            {
                "source": source,
                "identifiant": identifiant,
                "nom": surname,
                "prenoms": first_names,
                "date_naissance": date_text,
                "sexe": sex,
                "etablissement": etablissement,
                "uai": uai,
                "niveau": niveau,
                "adresse": address_text,
                "code_postal": postcode,
                "commune": commune,
            }
        )
        child.record_ids.append(identifiant)
        if source not in child.sources:
            child.sources.append(source)

    # ------------------------------------------------------------------ other communes
    def _outsider(self, surname: str, first: str, sex: str, born: date, origin: str) -> _Child:
        rng = self.rng
        place = rng.choice(N.NEIGHBOURS)
        household = _Household(
            organisme="",
            claimant="",
            origin=origin,
            father_surname=surname,
            mother_surname=surname,
            child_surname=surname,
            double_separator="",
            claimant_first="",
            claimant_is_father=False,
            address=self.pools.address(rng, place),
            other_address=None,
            previous_address=None,
            private=rng.random() < self.rates["private"],
            caf_upper=True,
            school_index=rng.randrange(1 << 30),
        )
        child = _Child(household, "", surname, [first], born, sex, origin)
        child.compulsory = True
        return child

    def _other_communes(self) -> None:
        """Pupils of the commune's schools (and of the other lists) who live elsewhere.

        Some carry the same surname and first name as a child of the commune with another birth date
        (the same year or the next): the trap of a frequent name.
        """
        rng = self.rng
        commune_records = sum(len(rows) for rows in self.records.values())
        wanted = round(
            commune_records * self.rates["other_commune_share"] / (1 - self.rates["other_commune_share"])
        )
        made = 0

        def homonym(child: _Child) -> int:
            born = child.born
            if rng.random() < 0.6:
                day = date(born.year, 1, 1) + timedelta(days=rng.randrange(365))
                born = day if day != born else day + timedelta(days=40)
            else:
                born = born + timedelta(days=rng.choice((-1, 1)) * rng.randint(200, 500))
            outsider = self._outsider(child.surname, child.first_names[0], child.sex, born, child.origin)
            if "homonyme_autre_commune" not in child.tags:
                child.tags.append("homonyme_autre_commune")
            before = len(outsider.record_ids)
            for source, level in self._plan(outsider):
                self._record(outsider, source, level)
            return len(outsider.record_ids) - before

        for child in self.homonym_targets:
            made += homonym(child)
        schooled_frequent = [c for c in self.children if c.frequent and c.compulsory and not c.unschooled]
        rng.shuffle(schooled_frequent)
        for child in schooled_frequent:
            if made >= wanted * self.rates["other_commune_homonym"]:
                break
            made += homonym(child)
        pools = self.pools
        while made < wanted:
            origin = pools.origin(rng)
            sex = "M" if rng.random() < 0.512 else "F"
            surname, _ = pools.surname(origin, rng)
            first, _ = pools.first_name(origin, sex, rng)
            born = date(self.first_year - 18, 1, 1) + timedelta(days=rng.randrange(365 * 15))
            outsider = self._outsider(surname, first, sex, born, origin)
            outsider.compulsory = is_subject(born, SchoolYear(self.first_year))
            for source, level in self._plan(outsider) or [("SIECLE", 14)]:
                self._record(outsider, source, level)
                made += 1

    def _department(self) -> None:
        """Department-wide files: the pupils of every other commune of the department, as distractors.

        The DSDEN extracts ONDE and SIECLE for its whole territory; the commune's children are a
        twentieth of it. Some of the commune's own children go to a school of another commune (its
        establishment then names that commune's school).
        """
        rng = self.rng
        for rows in self.records.values():
            for row in rows:
                if (
                    row["etablissement"]
                    and row["source"] in ("ONDE", "SIECLE")
                    and rng.random() < SCHOOL_ELSEWHERE
                ):
                    place = rng.choice(DEPARTMENT_COMMUNES)[0].title()
                    row["etablissement"] = f"{row['etablissement']} ({place})"
        pools = self.pools
        made = sum(len(rows) for rows in self.records.values())
        while made < self.department_pupils:
            origin = pools.origin(rng)
            sex = "M" if rng.random() < 0.512 else "F"
            surname, _ = pools.surname(origin, rng)
            first, _ = pools.first_name(origin, sex, rng)
            born = date(self.first_year - 18, 1, 1) + timedelta(days=rng.randrange(365 * 16))
            outsider = self._outsider(surname, first, sex, born, origin)
            outsider.household.address = pools.address(rng, rng.choice(DEPARTMENT_COMMUNES))
            outsider.compulsory = is_subject(born, SchoolYear(self.first_year))
            for source, level in self._plan(outsider) or [("SIECLE", 14)]:
                self._record(outsider, source, level)
                made += 1

    # ------------------------------------------------------------------ frames
    def frames(self) -> SyntheticCommune:
        rng = self.rng
        rows = []
        truth = []
        ordered = sorted(self.children, key=lambda c: (c.household.organisme, c.identifiant))
        for child in ordered:
            household = child.household
            claimant_surname = (
                household.father_surname if household.claimant_is_father else household.mother_surname
            )
            surname = child.surname if household.caf_upper else child.surname.title()
            if household.organisme == "CAF" and household.school_index % 2:
                # Half the CAF agencies store names without accents.
                surname, claimant_surname = strip_accents(surname), strip_accents(claimant_surname)
            rows.append(
                {
                    "organisme": household.organisme,
                    "identifiant": child.identifiant,
                    "nom": surname,
                    "prenoms": child.prenoms_text,
                    "date_naissance": child.born.strftime("%d/%m/%Y"),
                    "sexe": child.sex_caf,
                    "nom_allocataire": claimant_surname if household.caf_upper else claimant_surname.title(),
                    "prenom_allocataire": household.claimant_first,
                    "adresse": household.address.text(),
                    "code_postal": household.address.postcode,
                    "commune": household.address.commune,
                }
            )
            status = (
                "hors_obligation"
                if not child.compulsory
                else "non_scolarise"
                if child.unschooled
                else "scolarise"
            )
            truth.append(
                {
                    "organisme": household.organisme,
                    "identifiant": child.identifiant,
                    "statut_reel": status,
                    "sources": "|".join(child.sources),
                    "identifiants_scolarite": "|".join(child.record_ids),
                    "difficultes": "|".join(dict.fromkeys(child.tags)),
                }
            )
        schooling = {}
        for source in SOURCES:
            records = self.records[source]
            rng.shuffle(records)
            schooling[source] = pd.DataFrame(records, columns=list(SCHOOLING_COLUMNS), dtype=str)
        return SyntheticCommune(
            children=pd.DataFrame(rows, columns=list(CHILD_COLUMNS), dtype=str),
            schooling=schooling,
            truth=pd.DataFrame(truth, columns=list(TRUTH_COLUMNS), dtype=str),
            seed=self.seed,
            n_children=self.n,
            school_year=self.school_year,
        )


def generate_commune(
    n_children: int,
    *,
    seed: int,
    school_year: str = "2026-2027",
    department_pupils: int = 0,
    rates: Mapping[str, float] | None = None,
    commune: tuple[str, str] = N.COMMUNE,
) -> SyntheticCommune:
    """A synthetic commune of ``n_children`` rows in the children files, deterministic for ``seed``.

    ``department_pupils``: if given, the schooling files are the department's, of about that many
    records (the commune's own and the pupils of sixty other communes).
    ``rates``: some of :data:`RATES` replaced, e.g. more typed-in errors for a harder commune.
    ``commune``: the commune's name and postcode (``ROUBAIX``, ``59100`` by default), for several
    communes of one department (``veille.synth.department``).
    """
    if n_children < 1:
        raise ValueError("n_children doit être au moins 1")
    generator = _Generator(n_children, seed, school_year, department_pupils, rates, commune)
    generator.build_population()
    generator.choose_unschooled()
    generator.build_records()
    return generator.frames()
