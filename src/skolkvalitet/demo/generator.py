"""A seeded generator of a realistic fictional municipality (pure numpy, no Django).

Results come from a model, not from noise. Each pupil has a latent attainment on a standard
normal scale; a grade, assessment or test result is that latent value in one subject and term,
cut at fixed thresholds:

    y = 0.75·ability + 0.45·(parents' mean education − 2.3) + girl·g_subject
        + drift (random walk per year) + school effect + planted interventions
        − newly-arrived penalty (fading over the years since arrival)·w_subject
        − subject difficulty + pupil×subject persistent term + term noise

docs/demo-data.md describes the model, its calibration and the planted interventions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from skolkvalitet.demo import catalogue as cat
from skolkvalitet.organisation.calendar import default_term_dates, default_year_dates
from skolkvalitet.organisation.identity import make_personal_number
from skolkvalitet.results.subjects import COMPULSORY_BESIDES_SWEDISH

Table = dict[str, np.ndarray]

# Grade cut points on the latent scale: F|E, E|D, D|C, C|B, B|A (calibrated, see docs).
GRADE_CUTS = np.array([-1.38, -0.47, 0.03, 0.70, 1.28])
GRADE_CODES = np.array(["F", "E", "D", "C", "B", "A"])

# Subject columns of the latent matrix: (code, difficulty, girls' advantage, weight of the
# newly-arrived penalty).
SUBJECT_PARAMS: tuple[tuple[str, float, float, float], ...] = (
    ("SV", 0.00, 0.25, 1.0),
    ("SVA", 0.30, 0.20, 0.8),
    ("EN", -0.10, 0.05, 0.8),
    ("MA", 0.25, 0.00, 0.5),
    ("BI", 0.10, 0.10, 0.9),
    ("FY", 0.20, -0.05, 0.8),
    ("KE", 0.20, 0.05, 0.8),
    ("TK", 0.00, -0.05, 0.6),
    ("GE", 0.05, 0.05, 0.9),
    ("HI", 0.05, 0.05, 0.9),
    ("RE", 0.00, 0.15, 0.9),
    ("SH", 0.05, 0.10, 0.9),
    ("BL", -0.35, 0.20, 0.3),
    ("HKK", -0.30, 0.20, 0.3),
    ("IDH", -0.35, -0.10, 0.2),
    ("MU", -0.30, 0.20, 0.3),
    ("SL", -0.35, 0.15, 0.3),
    ("M1", 0.10, 0.20, 0.6),
    ("M2", 0.20, 0.20, 0.6),
    ("ML", -0.50, 0.10, 0.0),
)
SUBJECTS = np.array([s[0] for s in SUBJECT_PARAMS])
DIFFICULTY = np.array([s[1] for s in SUBJECT_PARAMS])
GIRL_EFFECT = np.array([s[2] for s in SUBJECT_PARAMS]) + 0.15  # girls' general advantage
ARRIVAL_WEIGHT = np.array([s[3] for s in SUBJECT_PARAMS])
COL = {code: i for i, code in enumerate(SUBJECTS)}
CORE_15 = [COL[c] for c in COMPULSORY_BESIDES_SWEDISH]

# Stage codes of the population table.
FS, GR, GY = 0, 1, 2
SCHOOL_FORM = {FS: "FS", GR: "GR", GY: "GY"}


@dataclass(frozen=True)
class PointDef:
    index: int  # global index over all follow-up points
    ordinal: int
    name: str
    assessed_on: dt.date
    deadline: dt.date


@dataclass(frozen=True)
class TermDef:
    index: int  # global index over all terms
    kind: str
    start: dt.date
    end: dt.date
    points: tuple[PointDef, ...]

    @property
    def code(self) -> str:
        return f"{self.kind}{self.start.year}"


@dataclass(frozen=True)
class YearDef:
    index: int
    start_year: int
    start: dt.date
    end: dt.date
    terms: tuple[TermDef, ...]

    @property
    def code(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


def build_calendar(first_year: int = cat.FIRST_YEAR, last_year: int = cat.LAST_YEAR):
    """Academic years with their terms and two follow-up points per term."""
    years: list[YearDef] = []
    term_index = point_index = 0
    for y_index, y in enumerate(range(first_year, last_year + 1)):
        terms = []
        term_dates = default_term_dates(y)
        for kind, point_dates in (
            ("HT", (dt.date(y, 10, 1), dt.date(y, 11, 15))),
            ("VT", (dt.date(y + 1, 2, 15), dt.date(y + 1, 4, 20))),
        ):
            start, end = term_dates[kind]
            points = []
            for ordinal, day in enumerate(point_dates, start=1):
                name = f"Uppföljning {ordinal} {kind}{start.year}"
                points.append(PointDef(point_index, ordinal, name, day, day + dt.timedelta(14)))
                point_index += 1
            terms.append(TermDef(term_index, kind, start, end, tuple(points)))
            term_index += 1
        year_start, year_end = default_year_dates(y)
        years.append(YearDef(y_index, y, year_start, year_end, tuple(terms)))
    return years


@dataclass
class DemoData:
    """Everything the loader writes, as columnar tables of numpy arrays. Unit, year, term,
    point, group, pupil and staff columns are indices into the lists and tables here."""

    units: tuple[cat.UnitDef, ...]
    years: list[YearDef]
    pupils: Table
    groups: Table
    enrolments: Table
    grades: Table = field(default_factory=dict)
    assessments: Table = field(default_factory=dict)
    national_tests: Table = field(default_factory=dict)
    absences: Table = field(default_factory=dict)  # per ended term: the generated totals
    # The same absence per calendar month (and the running term's ended months): what is
    # stored (absence_periods.py).
    absence_periods: Table = field(default_factory=dict)
    surveys: Table = field(default_factory=dict)
    staff: Table = field(default_factory=dict)
    certifications: Table = field(default_factory=dict)
    employments: Table = field(default_factory=dict)
    staff_facts: Table = field(default_factory=dict)
    preschool_facts: Table = field(default_factory=dict)

    @property
    def terms(self) -> list[TermDef]:
        return [t for y in self.years for t in y.terms]

    @property
    def points(self) -> list[PointDef]:
        return [p for t in self.terms for p in t.points]


# The most copies of the catalogue's units: a copy's skolenhetskod starts with 99 − copy.
MAX_UNIT_COPIES = 89


def unit_copies(scale: float) -> int:
    """How many copies of the catalogue's 25 units an organiser of `scale` has: the number of
    units grows with the organiser (25 × round(scale), at least 25) while each unit's size
    stays that of a real school (unit_size_factor between about 0.7 and 1.5 from scale 1 up;
    below 1 the 25 units shrink)."""
    return min(MAX_UNIT_COPIES, max(1, round(scale)))


def unit_size_factor(scale: float) -> float:
    """What each unit's catalogue size is multiplied by at `scale`."""
    return scale / unit_copies(scale)


def scaled_units(copies: int) -> tuple[cat.UnitDef, ...]:
    """The catalogue's units, `copies` times: the first copy as it is (the demo), each further
    one with its own key (``hamn-2``), name (``Hamnskolan 2``), skolenhetskod (``98300301``:
    the first two digits 99 − copy) and the secondary school of its own copy, in the same
    three areas."""
    units = list(cat.UNITS)
    for copy in range(1, copies):
        suffix = f"-{copy + 1}"
        units.extend(
            dataclasses.replace(
                u,
                key=u.key + suffix,
                name=f"{u.name} {copy + 1}",
                code=f"{99 - copy:02d}{u.code[2:]}",
                secondary=u.secondary + suffix if u.secondary else "",
            )
            for u in cat.UNITS
        )
    return tuple(units)


def _letters(index: int) -> str:
    """Class letters as schools use them: A, B, …, Z, then AA, AB, … (large organisers)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _concat(parts: list[Table]) -> Table:
    parts = [p for p in parts if p and len(next(iter(p.values())))]
    if not parts:
        return {}
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class _Generator:
    def __init__(self, seed: int, scale: float) -> None:
        self.rng = np.random.default_rng(seed)
        # A stream of its own for the parents' birth country, so that adding it left every
        # other draw (and the calibration measured in docs/demo-data.md) as it was.
        self.background_rng = np.random.default_rng([seed, 1])
        self.scale = scale
        # More units as the organiser grows, each the size of a real school (unit_copies).
        self.units = scaled_units(unit_copies(scale))
        self.unit_scale = unit_size_factor(scale)
        self.years = build_calendar()
        self.unit_index = {u.key: i for i, u in enumerate(self.units)}
        self.area_of = np.array([cat.AREAS.index(u.area) for u in self.units])
        self.school_effect = np.array([u.effect for u in self.units])
        self.kind = np.array([u.kind for u in self.units])
        # Each unit's upper secondary school: the gymnasium of its copy of the catalogue.
        per_copy = len(cat.UNITS)
        gymnasium = next(i for i, u in enumerate(cat.UNITS) if u.kind == "gy")
        self.upper_secondary = np.arange(len(self.units)) // per_copy * per_copy + gymnasium
        # Pupil attributes grow as pupils are created.
        self.p: dict[str, list[np.ndarray]] = {}
        self.n_pupils = 0
        self.personal_numbers: set[str] = set()

    # -- pupils --------------------------------------------------------------------------
    def new_pupils(
        self, units: np.ndarray, birth_years: np.ndarray, arrival: np.ndarray
    ) -> np.ndarray:
        """Create pupils at `units` (indices); `arrival` holds arrival dates as datetime64
        (NaT for pupils born in Sweden). Returns the new pupil ids."""
        rng, n = self.rng, len(units)
        ids = np.arange(self.n_pupils, self.n_pupils + n)
        self.n_pupils += n
        arrived = ~np.isnat(arrival)
        girl = rng.random(n) < 0.49
        ses = rng.normal(np.array([u.ses for u in self.units])[units] - 0.7 * arrived, 1.0)
        parent_levels = (
            1
            + (ses[:, None] + rng.normal(0, 0.7, (n, 2)) > -1.46).astype(int)
            + (ses[:, None] + rng.normal(0, 0.7, (n, 2)) > 0.25)
        )
        unknown = rng.random(n) < np.where(arrived, 0.3, 0.03)
        pe_high = np.where(unknown, 0, parent_levels.max(axis=1))
        pe_mean = np.where(unknown, np.nan, parent_levels.mean(axis=1))
        # Second language: most pupils born abroad, a few others.
        sva = np.where(arrived, rng.random(n) < 0.75, rng.random(n) < 0.04)
        m1 = np.where(
            rng.random(n) < np.where(arrived, 0.45, 0.85),
            rng.choice(
                [c for c, _ in cat.MODERN_LANGUAGES], n, p=[w for _, w in cat.MODERN_LANGUAGES]
            ),
            "",
        )
        m2 = (m1 == "") & (rng.random(n) < 0.10) | (rng.random(n) < 0.02)
        ml = np.where(
            arrived | (sva & (rng.random(n) < 0.6)), rng.choice(cat.MOTHER_TONGUES, n), ""
        )
        ml = np.where(rng.random(n) < 0.7, ml, "")
        given = np.where(
            arrived,
            np.where(
                girl,
                rng.choice(cat.GIVEN_NAMES_ARRIVED_F, n),
                rng.choice(cat.GIVEN_NAMES_ARRIVED_M, n),
            ),
            np.where(girl, rng.choice(cat.GIVEN_NAMES_F, n), rng.choice(cat.GIVEN_NAMES_M, n)),
        )
        family = np.where(
            arrived, rng.choice(cat.FAMILY_NAMES_ARRIVED, n), rng.choice(cat.FAMILY_NAMES, n)
        )
        parents_abroad = self._parents_born_abroad(units, arrived)
        numbers = []
        for by, g, arr in zip(birth_years, girl, arrived, strict=True):
            numbers.append(self._personal_number(int(by), bool(g), bool(arr)))
        columns = {
            "id": ids,
            "personal_number": np.array(numbers),
            "given_name": given,
            "family_name": family,
            "girl": girl,
            "birth_year": birth_years.astype(int),
            "arrival_date": arrival,
            "born_abroad": arrived,
            "parents_born_abroad": parents_abroad,
            "parents_highest": pe_high,
            "parents_mean": pe_mean,
            "ability": rng.normal(0, 1, n),
            "absence_propensity": rng.normal(0, 0.7, n),
            "sva": sva,
            "m1": m1,
            "m2": m2,
            "ml": ml,
            "eta": rng.normal(0, 0.36, (n, len(SUBJECTS))),
        }
        for key, value in columns.items():
            self.p.setdefault(key, []).append(value)
        return ids

    def _parents_born_abroad(self, units: np.ndarray, born_abroad: np.ndarray) -> np.ndarray:
        """Both parents born abroad: 1 yes, 0 no (a parent born in Sweden), -1 not known.
        Pupils born abroad: 90 % yes, 4 % no, 6 % not known. Pupils born in Sweden: yes with
        the area's share (6 % Norra, 15 % Centrala, 25 % Södra), 1 % not known."""
        u = self.background_rng.random(len(units))
        area_share = np.array([0.06, 0.15, 0.25])[self.area_of[units]]
        abroad = np.where(born_abroad, u < 0.90, u < area_share)
        unknown = np.where(born_abroad, u >= 0.94, u >= 0.99)
        return np.where(unknown, -1, abroad.astype(int)).astype(np.int8)

    def _personal_number(self, birth_year: int, girl: bool, arrived: bool) -> str:
        while True:
            day = dt.date(birth_year, 1, 1) + dt.timedelta(int(self.rng.integers(0, 365)))
            serial = int(self.rng.integers(0, 500)) * 2 + (0 if girl else 1)
            coordination = arrived and self.rng.random() < 0.3
            number = make_personal_number(day, serial, coordination=coordination)
            if number not in self.personal_numbers:
                self.personal_numbers.add(number)
                return number

    def pupil_table(self) -> Table:
        return {k: np.concatenate(v) for k, v in self.p.items()}

    # -- population ----------------------------------------------------------------------
    def units_of(self, *kinds: str) -> np.ndarray:
        return np.array([i for i, u in enumerate(self.units) if u.kind in kinds])

    def arrival_dates(self, n: int, start: dt.date, end: dt.date) -> np.ndarray:
        days = self.rng.integers(0, (end - start).days, n)
        return np.datetime64(start) + days.astype("timedelta64[D]")

    def create(self, units, stage, step, year_start, arrival=None) -> Table:
        units = np.asarray(units, dtype=int)
        stage = np.full(len(units), stage) if np.isscalar(stage) else np.asarray(stage)
        step = np.asarray(step, dtype=int)
        age = np.where(stage == FS, step, np.where(stage == GR, step + 6, step + 15))
        if arrival is None:
            arrival = np.full(len(units), np.datetime64("NaT"), dtype="datetime64[D]")
        ids = self.new_pupils(units, year_start - age, arrival)
        return {"pupil": ids, "unit": units, "stage": stage, "step": step}

    def initial_population(self, y: int) -> Table:
        rng, parts = self.rng, []
        for i, u in enumerate(self.units):
            size = u.size * self.unit_scale
            if u.kind == "preschool":
                for age in range(1, 6):
                    n = rng.poisson(size)
                    parts.append(self.create([i] * n, FS, [age] * n, y))
            elif u.kind in ("f6", "f9"):
                top = 6 if u.kind == "f6" else 9
                for yg in range(0, top + 1):
                    parts.append(self._school_cohort(i, yg, size, y))
            if u.kind in ("s79", "f9"):
                feeders = [f for f in self.units if f.secondary == u.key]
                for yg in (7, 8, 9):
                    for f in feeders:
                        parts.append(self._school_cohort(i, yg, f.size * self.unit_scale, y))
            if u.kind == "gy":
                for yg in (1, 2, 3):
                    n = rng.poisson(size)
                    parts.append(self.create([i] * n, GY, [yg] * n, y))
        return _concat(parts)

    def _school_cohort(self, unit: int, yg: int, size: float, y: int) -> Table:
        """A year group at start: some pupils born abroad, arrived at various ages."""
        n = self.rng.poisson(size)
        born_abroad_share = (0.03, 0.08, 0.12)[self.area_of[unit]]
        arrived = self.rng.random(n) < born_abroad_share
        age = yg + 6
        years_back = self.rng.uniform(0, max(age - 1, 1), n)
        arrival = np.where(
            arrived,
            np.datetime64(dt.date(y, 8, 1)) - (years_back * 365).astype("timedelta64[D]"),
            np.datetime64("NaT"),
        ).astype("datetime64[D]")
        return self.create([unit] * n, GR, [yg] * n, y, arrival)

    def advance(self, pop: Table, y: int) -> Table:
        """From academic year y-1 to y: promotion, school changes, leavers and newcomers."""
        rng = self.rng
        stay = rng.random(len(pop["pupil"])) > 0.025
        unit, stage, step, pupil = (pop[k][stay] for k in ("unit", "stage", "step", "pupil"))
        step = step + 1
        # Preschool age 6 → förskoleklass at a school in the same area, weighted by size.
        to_school = (stage == FS) & (step == 6)
        schools = self.units_of("f6", "f9")
        for area in range(len(cat.AREAS)):
            mask = to_school & (self.area_of[unit] == area)
            options = schools[self.area_of[schools] == area]
            weights = np.array([self.units[s].size for s in options], dtype=float)
            unit[mask] = rng.choice(options, mask.sum(), p=weights / weights.sum())
        stage = np.where(to_school, GR, stage)
        step = np.where(to_school, 0, step)
        # Year 7: F–6 pupils move to their secondary school.
        to_secondary = (stage == GR) & (step == 7) & (self.kind[unit] == "f6")
        secondary = np.array([self.unit_index.get(u.secondary, -1) for u in self.units])
        unit = np.where(to_secondary, secondary[unit], unit)
        # After year 9: half continue at the municipal upper secondary school.
        done9 = (stage == GR) & (step == 10)
        to_gy = done9 & (rng.random(len(unit)) < 0.5)
        unit = np.where(to_gy, self.upper_secondary[unit], unit)
        stage = np.where(to_gy, GY, stage)
        step = np.where(to_gy, 1, step)
        keep = ~(done9 & ~to_gy) & ~((stage == GY) & (step == 4))
        pop = {"pupil": pupil[keep], "unit": unit[keep], "stage": stage[keep], "step": step[keep]}
        parts = [pop]
        # Newcomers: new toddlers, förskoleklass pupils from elsewhere, movers-in, upper
        # secondary entrants from other municipalities, and newly arrived pupils.
        for i, u in enumerate(self.units):
            size = u.size * self.unit_scale
            if u.kind == "preschool":
                n = rng.poisson(size)
                parts.append(self.create([i] * n, FS, [1] * n, y))
            if u.kind in ("f6", "f9"):
                have = np.sum((pop["unit"] == i) & (pop["stage"] == GR) & (pop["step"] == 0))
                n = max(0, rng.poisson(size) - have)
                parts.append(self.create([i] * n, GR, [0] * n, y))
            if u.kind in ("f6", "f9", "s79"):
                lo = 7 if u.kind == "s79" else 1
                hi = 6 if u.kind == "f6" else 9
                for yg in range(lo, hi + 1):
                    base = size if u.kind != "s79" else 0
                    base += sum(
                        f.size * self.unit_scale
                        for f in self.units
                        if f.secondary == u.key and yg >= 7
                    )
                    n = rng.poisson(0.022 * base)
                    parts.append(self.create([i] * n, GR, [yg] * n, y))
            if u.kind == "gy":
                n = rng.poisson(size * 0.2)
                parts.append(self.create([i] * n, GY, [1] * n, y))
        schools = self.units_of("f6", "f9", "s79")
        weights = np.array(
            [max(self.units[s].size, 40) * (0.5, 1.3, 2.4)[self.area_of[s]] for s in schools]
        )
        n = rng.poisson(70 * self.scale)  # newly arrived pupils per year
        chosen = rng.choice(schools, n, p=weights / weights.sum())
        arrived_year_groups = np.where(
            self.kind[chosen] == "s79",
            rng.integers(7, 10, n),
            np.where(self.kind[chosen] == "f6", rng.integers(1, 7, n), rng.integers(1, 10, n)),
        )
        arrival = self.arrival_dates(n, dt.date(y - 1, 9, 1), dt.date(y, 8, 10))
        parts.append(self.create(chosen, GR, arrived_year_groups, y, arrival))
        return _concat(parts)

    # -- groups --------------------------------------------------------------------------
    def assign_groups(self, pop: Table, year: YearDef, groups: list[tuple]) -> np.ndarray:
        group_of = np.full(len(pop["pupil"]), -1)
        y = year.start_year
        for i, u in enumerate(self.units):
            at = pop["unit"] == i
            if u.kind == "preschool":
                for band, ages in enumerate(((1, 2, 3), (4, 5))):
                    mask = at & np.isin(pop["step"], ages)
                    k = max(1, int(np.ceil(mask.sum() / 16)))
                    for g in range(k):
                        name = cat.PRESCHOOL_GROUP_NAMES[(band * 5 + g) % 10]
                        members = mask & (pop["pupil"] % k == g)
                        group_of[members] = len(groups)
                        groups.append((i, year.index, name, "FS", -1))
            elif u.kind == "gy":
                programme = self._programme(pop["pupil"])
                for yg in (1, 2, 3):
                    for code, _share in cat.GY_PROGRAMMES:
                        mask = at & (pop["step"] == yg) & (programme == code)
                        k = max(1, int(np.ceil(mask.sum() / 32)))
                        for g in range(k):
                            name = f"{code}{(y - yg + 1) % 100:02d}{_letters(g).lower()}"
                            group_of[mask & (pop["pupil"] % k == g)] = len(groups)
                            groups.append((i, year.index, name, "GY", yg))
            else:
                for yg in range(0, 10):
                    mask = at & (pop["stage"] == GR) & (pop["step"] == yg)
                    if not mask.any():
                        continue
                    k = max(1, round(mask.sum() / 26))
                    for g in range(k):
                        name = f"{'F' if yg == 0 else yg}{_letters(g)}"
                        group_of[mask & (pop["pupil"] % k == g)] = len(groups)
                        groups.append((i, year.index, name, "FKLASS" if yg == 0 else "GR", yg))
        return group_of

    @staticmethod
    def _programme(pupils: np.ndarray) -> np.ndarray:
        codes = np.array([c for c, _ in cat.GY_PROGRAMMES])
        cumulative = np.cumsum([s for _, s in cat.GY_PROGRAMMES])
        position = (pupils * 2654435761 % 1000) / 1000
        return codes[np.searchsorted(cumulative, position * cumulative[-1])]


def generate(*, seed: int = 20261123, scale: float = 1.0) -> DemoData:
    """Build the demo organiser's data. `scale` multiplies the number of pupils: at 1 the
    demo's 25 units; from 1.5 up, the catalogue's units come round(scale) times (unit_copies),
    each about as large as at scale 1, so the benchmark's Stockholm-sized organiser (scale 13)
    has 325 units as a real one has hundreds. Below 1 the 25 units shrink."""
    gen = _Generator(seed, scale)
    groups: list[tuple] = []
    enrolment_parts = []
    drift_by_year: list[np.ndarray] = []  # per year: each pupil's cumulative drift so far
    drift = np.zeros(0)
    pop: Table = {}
    for year in gen.years:
        existing = gen.n_pupils
        pop = (
            gen.initial_population(year.start_year)
            if year.index == 0
            else gen.advance(pop, year.start_year)
        )
        if year.index:
            drift[:existing] += gen.rng.normal(0, 0.12, existing)
        drift = np.concatenate([drift, np.zeros(gen.n_pupils - len(drift))])
        drift_by_year.append(drift.copy())
        group_of = gen.assign_groups(pop, year, groups)
        enrolment_parts.append(
            {
                "pupil": pop["pupil"],
                "year": np.full(len(pop["pupil"]), year.index),
                "unit": pop["unit"],
                "group": group_of,
                "stage": pop["stage"],
                "step": pop["step"],
            }
        )
    pupils = gen.pupil_table()
    enrolments = _concat(enrolment_parts)
    data = DemoData(
        units=gen.units,
        years=gen.years,
        pupils=pupils,
        groups={
            "unit": np.array([g[0] for g in groups]),
            "year": np.array([g[1] for g in groups]),
            "name": np.array([g[2] for g in groups]),
            "school_form": np.array([g[3] for g in groups]),
            "year_group": np.array([g[4] for g in groups]),
        },
        enrolments=enrolments,
    )
    from skolkvalitet.demo.results_model import simulate_results
    from skolkvalitet.demo.staff_model import simulate_staff_and_surveys

    simulate_results(
        data, gen.rng, drift_by_year, gen.school_effect, np.random.default_rng([seed, 2])
    )
    simulate_staff_and_surveys(data, gen.rng)
    return data
