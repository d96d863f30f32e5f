"""Grades, assessments, national tests and absence of the demo organiser, from the latent
attainment model in generator.py."""

from __future__ import annotations

import datetime as dt

import numpy as np

from skolkvalitet.demo import catalogue as cat
from skolkvalitet.demo.absence_periods import monthly
from skolkvalitet.demo.generator import (
    ARRIVAL_WEIGHT,
    COL,
    CORE_15,
    DIFFICULTY,
    FS,
    GIRL_EFFECT,
    GR,
    GRADE_CODES,
    GRADE_CUTS,
    GY,
    SUBJECTS,
    DemoData,
    Table,
    TermDef,
    _concat,
    _expit,
)

WEEKLY_HOURS = np.array([15, 20, 20, 20, 24, 24, 24, 27, 27, 27])  # by year group 0–9
GY_WEEKLY_HOURS = 25
WEEKS_PER_TERM = 19
NEWLY_ARRIVED_PENALTY = 1.3  # SD units at arrival, fading with the years since
NEWLY_ARRIVED_FADE_YEARS = 2.5


def grade_codes(latent: np.ndarray) -> np.ndarray:
    return GRADE_CODES[np.searchsorted(GRADE_CUTS, latent)]


def _years_since(dates: np.ndarray, day: dt.date) -> np.ndarray:
    elapsed = np.asarray(np.datetime64(day) - dates)  # numpy's stubs type it as a timedelta
    return elapsed.astype("timedelta64[D]").astype(float) / 365.25


class _TermContext:
    """The enrolments of one term with their latent attainment in every subject."""

    def __init__(self, data: DemoData, term: TermDef, year_index: int, rng, drift, effect):
        p, e = data.pupils, data.enrolments
        rows = (e["year"] == year_index) & (e["stage"] != FS)
        self.pupil = e["pupil"][rows]
        self.unit = e["unit"][rows]
        self.group = e["group"][rows]
        self.stage = e["stage"][rows]
        self.yg = e["step"][rows]
        pid = self.pupil
        parents = np.nan_to_num(p["parents_mean"][pid], nan=2.0)
        self.base = (
            0.75 * p["ability"][pid] + 0.45 * (parents - 2.3) + drift[pid] + effect[self.unit]
        )
        arrived = ~np.isnat(p["arrival_date"][pid])
        since = np.where(arrived, _years_since(p["arrival_date"][pid], term.start), 99.0)
        self.years_since_arrival = since
        self.absence_propensity = p["absence_propensity"][pid] - 0.6 * effect[self.unit]
        penalty = NEWLY_ARRIVED_PENALTY * np.exp(-since / NEWLY_ARRIVED_FADE_YEARS)
        girl = p["girl"][pid]
        latent = (
            self.base[:, None]
            + girl[:, None] * GIRL_EFFECT[None, :]
            - penalty[:, None] * ARRIVAL_WEIGHT[None, :]
            - DIFFICULTY[None, :]
            + p["eta"][pid]
            + rng.normal(0, 0.25, (len(pid), len(SUBJECTS)))
        )
        for iv in cat.INTERVENTIONS:
            start = next(t.index for t in data.terms if t.code == iv.start_term)
            if term.index < start or iv.effect == 0:
                continue
            units = [i for i, u in enumerate(data.units) if u.key in iv.units]
            hit = np.isin(self.unit, units) & np.isin(self.yg, iv.year_groups) & (self.stage == GR)
            cols = [COL[s] for s in iv.subjects]
            latent[np.ix_(hit, cols)] += iv.effect
        self.latent = latent
        # Which subjects each pupil is graded in (years 6–9).
        sva = p["sva"][pid]
        graded = np.zeros(latent.shape, bool)
        graded[:, COL["SV"]] = ~sva
        graded[:, COL["SVA"]] = sva
        graded[:, CORE_15] = True
        graded[:, COL["M1"]] = p["m1"][pid] != ""
        graded[:, COL["M2"]] = p["m2"][pid]
        graded[:, COL["ML"]] = p["ml"][pid] != ""
        self.graded = graded
        self.m1 = p["m1"][pid]
        self.ml = p["ml"][pid]


def simulate_results(data: DemoData, rng, drift_by_year, school_effect, absence_rng=None) -> None:
    """Grades, assessments, national tests and absence. `absence_rng`, a stream of its own
    (so that every other draw stays as it was), splits each term's absence into months
    (absence_periods.py) and draws the running term's, of which the months ended by the
    demo's today are kept."""
    absence_rng = absence_rng if absence_rng is not None else np.random.default_rng(0)
    grades, assessments, tests, absences, periods = [], [], [], [], []
    for year in data.years:
        for term in year.terms:
            ctx = _TermContext(
                data, term, year.index, rng, drift_by_year[year.index], school_effect
            )
            ended = term.end <= cat.TODAY
            absence_rate = None
            if ended:
                absence_table, absence_rate = _absence(ctx, term, rng)
                absences.append(absence_table)
                periods.append(monthly(absence_table, term.start, term.end, absence_rng))
                grades.append(_grades(ctx, term, rng, absence_rate))
                if term.kind == "VT":
                    tests.append(_national_tests(ctx, term, rng))
            elif term.start <= cat.TODAY:
                running, _rate = _absence(ctx, term, absence_rng)
                periods.append(monthly(running, term.start, term.end, absence_rng, until=cat.TODAY))
            for point in term.points:
                if point.assessed_on <= cat.TODAY:
                    assessments.append(_assessments(ctx, point, rng))
    data.grades = _concat(grades)
    data.assessments = _concat(assessments)
    data.national_tests = _concat(tests)
    data.absences = _concat(absences)
    data.absence_periods = _concat([p for p in periods if p])


def _absence(ctx: _TermContext, term: TermDef, rng) -> tuple[Table, np.ndarray]:
    school = ctx.stage != FS
    yg = np.clip(ctx.yg, 0, 9)
    hours = np.where(ctx.stage == GY, GY_WEEKLY_HOURS, WEEKLY_HOURS[yg])
    scheduled = hours * WEEKS_PER_TERM * 60
    rate = _expit(
        -2.95
        - 0.35 * ctx.base
        + 0.10 * (np.where(ctx.stage == GY, 10, ctx.yg) - 5)
        + rng.normal(0, 0.35, len(ctx.base))
        + ctx.absence_propensity
    )
    absent = np.round(rate * scheduled).astype(int)
    unexcused = np.round(absent * rng.beta(1.2, 6, len(absent))).astype(int)
    table = {
        "pupil": ctx.pupil[school],
        "unit": ctx.unit[school],
        "term": np.full(school.sum(), term.index),
        "year_group": ctx.yg[school],
        "scheduled": scheduled[school],
        "absent": absent[school],
        "unexcused": unexcused[school],
    }
    return table, rate


def _grades(ctx: _TermContext, term: TermDef, rng, absence_rate) -> Table:
    rows = (ctx.stage == GR) & (ctx.yg >= 6)
    latent = ctx.latent[rows]
    graded = ctx.graded[rows].copy()
    codes = grade_codes(latent)
    # No basis for a grade ("-"): very high absence, or newly arrived under a year ago.
    no_basis = (absence_rate[rows] > 0.35)[:, None] & (rng.random(codes.shape) < 0.35)
    recent = (ctx.years_since_arrival[rows] < 0.75)[:, None] & (ARRIVAL_WEIGHT >= 0.8)[None, :]
    no_basis |= recent & (rng.random(codes.shape) < 0.6)
    codes = np.where(no_basis, "-", codes)
    r, c = np.nonzero(graded)
    yg = ctx.yg[rows][r]
    language = np.full(len(r), "", dtype=object)
    language[c == COL["M1"]] = ctx.m1[rows][r[c == COL["M1"]]]
    language[c == COL["ML"]] = ctx.ml[rows][r[c == COL["ML"]]]
    m2 = c == COL["M2"]
    language[m2] = np.where(ctx.m1[rows][r[m2]] == "FRA", "SPA", "FRA")
    final = (term.kind == "VT") & (yg == 9)
    return {
        "pupil": ctx.pupil[rows][r],
        "unit": ctx.unit[rows][r],
        "term": np.full(len(r), term.index),
        "year_group": yg,
        "subject": SUBJECTS[c],
        "value": codes[r, c],
        "grade_type": np.where(final, "final", "term"),
        "language": language.astype(str),
    }


def _assessments(ctx: _TermContext, point, rng) -> Table:
    parts = []
    # Years 6–9: a forecast A–F in every graded subject.
    rows = (ctx.stage == GR) & (ctx.yg >= 6)
    noisy = ctx.latent[rows] + rng.normal(0, 0.3, ctx.latent[rows].shape)
    noisy -= 0.12 if point.ordinal == 1 else 0.05  # early forecasts are cautious
    r, c = np.nonzero(ctx.graded[rows])
    parts.append(
        {
            "pupil": ctx.pupil[rows][r],
            "unit": ctx.unit[rows][r],
            "point": np.full(len(r), point.index),
            "year_group": ctx.yg[rows][r],
            "subject": SUBJECTS[c],
            "scale": np.full(len(r), "forecast_af"),
            "value": grade_codes(noisy[r, c]),
        }
    )
    # Years 1–5: "reaches / at risk of not reaching" in Swedish, English and mathematics.
    rows = (ctx.stage == GR) & (ctx.yg >= 1) & (ctx.yg <= 5)
    sva = ctx.graded[rows][:, COL["SVA"]]
    for subject_cols in (
        np.where(sva, COL["SVA"], COL["SV"]),
        np.full(rows.sum(), COL["EN"]),
        np.full(rows.sum(), COL["MA"]),
    ):
        latent = ctx.latent[rows][np.arange(rows.sum()), subject_cols]
        reaches = latent + rng.normal(0, 0.35, len(latent)) - 0.1 > GRADE_CUTS[0]
        parts.append(
            {
                "pupil": ctx.pupil[rows],
                "unit": ctx.unit[rows],
                "point": np.full(rows.sum(), point.index),
                "year_group": ctx.yg[rows],
                "subject": SUBJECTS[subject_cols],
                "scale": np.full(rows.sum(), "on_track"),
                "value": np.where(reaches, "reaches", "at_risk"),
            }
        )
    return _concat(parts)


def _national_tests(ctx: _TermContext, term: TermDef, rng) -> Table:
    parts = []
    settled = ctx.years_since_arrival >= 1.0  # the newly arrived may be exempted
    sva = ctx.graded[:, COL["SVA"]]
    swedish = np.where(sva, COL["SVA"], COL["SV"])
    idx = np.arange(len(ctx.pupil))
    for yg, subjects, scale in (
        (3, ("SW", "MA"), "requirement"),
        (6, ("SW", "EN", "MA"), "grade"),
        (9, ("SW", "EN", "MA"), "grade"),
    ):
        rows = (ctx.stage == GR) & (ctx.yg == yg) & settled
        for code in subjects:
            cols = swedish[rows] if code == "SW" else np.full(rows.sum(), COL[code])
            latent = ctx.latent[idx[rows], cols] + rng.normal(0, 0.45, rows.sum())
            if scale == "grade":
                values = grade_codes(latent - 0.2)
            else:
                values = np.where(latent > GRADE_CUTS[0] - 0.15, "met", "not_met")
            parts.append(
                {
                    "pupil": ctx.pupil[rows],
                    "unit": ctx.unit[rows],
                    "term": np.full(rows.sum(), term.index),
                    "year_group": ctx.yg[rows],
                    "subject": SUBJECTS[cols],
                    "scale": np.full(rows.sum(), scale),
                    "value": values,
                }
            )
    return _concat(parts)
