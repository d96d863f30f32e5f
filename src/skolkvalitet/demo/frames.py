"""The generated demo data as the indicator engine's frames, without a database.

Used to check the demo's calibration with the real engine in tests, and by the benchmarks to
feed a Stockholm-sized organiser straight to the engine. Node ids are synthetic: 1 is the
organiser, areas follow, then units, then groups.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from skolkvalitet.demo import catalogue as cat
from skolkvalitet.demo.generator import FS, DemoData
from skolkvalitet.indicators.engine import Facts, Organisation, periods_frame, years_frame
from skolkvalitet.indicators.registry import PeriodKind
from skolkvalitet.results.grades import GRADE_POINTS
from skolkvalitet.results.scales import ASSESSMENT_SCALES


class DemoFrames:
    """Organisation and per-year facts of a DemoData, with the ids used in them."""

    def __init__(self, data: DemoData) -> None:
        self.data = data
        n_areas, n_units = len(cat.AREAS), len(data.units)
        self.organiser_id = 1
        self.area_ids = {name: 2 + i for i, name in enumerate(cat.AREAS)}
        self.unit_ids = np.arange(n_units) + 2 + n_areas
        first_group = int(self.unit_ids[-1]) + 1
        self.group_ids = np.arange(len(data.groups["unit"])) + first_group
        self.year_ids = np.arange(len(data.years)) + 1
        self.term_ids = np.arange(len(data.terms)) + 1
        self.point_ids = np.arange(len(data.points)) + 1

    def organisation(self) -> Organisation:
        d = self.data
        unit_area = [self.area_ids[u.area] for u in d.units]
        nodes = pl.DataFrame(
            {
                "node_id": [
                    self.organiser_id,
                    *self.area_ids.values(),
                    *self.unit_ids.tolist(),
                    *self.group_ids.tolist(),
                ],
                "parent_id": [
                    None,
                    *[self.organiser_id] * len(self.area_ids),
                    *unit_area,
                    *self.unit_ids[d.groups["unit"]].tolist(),
                ],
                "kind": [
                    "organiser",
                    *["area"] * len(self.area_ids),
                    *["unit"] * len(d.units),
                    *["group"] * len(self.group_ids),
                ],
                "year_group": [
                    *[None] * (1 + len(self.area_ids) + len(d.units)),
                    *d.groups["year_group"].tolist(),
                ],
            },
            schema={
                "node_id": pl.Int64,
                "parent_id": pl.Int64,
                "kind": pl.String,
                "year_group": pl.Int64,
            },
        )
        ancestors = pl.DataFrame(
            {
                "unit_id": [*self.unit_ids.tolist(), *self.unit_ids.tolist()],
                "ancestor_id": [*unit_area, *[self.organiser_id] * len(d.units)],
            }
        )
        e, p = d.enrolments, d.pupils
        group = np.where(e["group"] >= 0, self.group_ids[np.maximum(e["group"], 0)], -1)
        enrolments = pl.DataFrame(
            {
                "pupil_id": e["pupil"] + 1,
                "academic_year_id": self.year_ids[e["year"]],
                "unit_id": self.unit_ids[e["unit"]],
                "group_id": group,
                "sva": p["sva"][e["pupil"]] & (e["stage"] != FS),
            }
        ).with_columns(
            pl.when(pl.col("group_id") < 0)
            .then(None)
            .otherwise(pl.col("group_id"))
            .alias("group_id")
        )
        pupils = pl.DataFrame(
            {
                "pupil_id": p["id"] + 1,
                "gender": np.where(p["girl"], "F", "M"),
                "arrival_date": p["arrival_date"],
                "born_abroad": p["born_abroad"],
                "parents_born_abroad": p["parents_born_abroad"],
                # A samordningsnummer: the day of birth plus 60 (YYYYMMDD at 6:8).
                "coordination_number": [int(n[6:8]) > 60 for n in p["personal_number"].tolist()],
                "parents_education": np.where(p["parents_highest"] > 0, p["parents_highest"], -1),
            }
        ).with_columns(
            pl.when(pl.col("parents_education") < 0)
            .then(None)
            .otherwise(pl.col("parents_education"))
            .alias("parents_education"),
            pl.col("arrival_date").cast(pl.Date),
            pl.when(pl.col("parents_born_abroad") >= 0)
            .then(pl.col("parents_born_abroad") == 1)
            .otherwise(None)
            .alias("parents_born_abroad"),
        )
        years = years_frame({int(self.year_ids[y.index]): y.start for y in d.years})
        return Organisation(nodes, ancestors, enrolments, pupils, years, self.periods())

    def periods(self) -> pl.DataFrame:
        """The reference days of "newly arrived" as the database has them (loading.py)."""
        d = self.data
        days: dict[tuple[str, int], dt.date] = {
            (PeriodKind.YEAR, int(self.year_ids[y.index])): y.end for y in d.years
        }
        days |= {(PeriodKind.TERM, int(self.term_ids[t.index])): t.start for t in d.terms}
        days |= {(PeriodKind.POINT, int(self.point_ids[p.index])): p.assessed_on for p in d.points}
        return periods_frame(days)

    def facts(self, year_index: int) -> Facts:
        """Every fact of one academic year (with its follow-up points)."""
        d = self.data
        terms = [t for t in d.years[year_index].terms]
        term_idx = np.array([t.index for t in terms])
        point_idx = np.array([p.index for t in terms for p in t.points])
        term_kind = np.array([t.kind for t in d.terms])
        year_id = int(self.year_ids[year_index])
        g = d.grades
        rows = np.isin(g["term"], term_idx)
        grades = pl.DataFrame(
            {
                "pupil_id": g["pupil"][rows] + 1,
                "unit_id": self.unit_ids[g["unit"][rows]],
                "academic_year_id": np.full(rows.sum(), year_id),
                "term_id": self.term_ids[g["term"][rows]],
                "term_kind": term_kind[g["term"][rows]],
                "year_group": g["year_group"][rows],
                "subject": g["subject"][rows],
                "value": g["value"][rows],
                "grade_type": g["grade_type"][rows],
            }
        )
        a = d.assessments
        rows = np.isin(a["point"], point_idx)
        on_track = {
            (s["code"], v["value"]): v["on_track"] for s in ASSESSMENT_SCALES for v in s["values"]
        }
        scale, value = a["scale"][rows], a["value"][rows]
        assessments = pl.DataFrame(
            {
                "pupil_id": a["pupil"][rows] + 1,
                "unit_id": self.unit_ids[a["unit"][rows]],
                "academic_year_id": np.full(rows.sum(), year_id),
                "point_id": self.point_ids[a["point"][rows]],
                "year_group": a["year_group"][rows],
                "subject": a["subject"][rows],
                "value": value,
                "on_track": [
                    on_track[(s, v)] for s, v in zip(scale.tolist(), value.tolist(), strict=True)
                ],
                "points": [
                    GRADE_POINTS.get(v) if s == "forecast_af" else None
                    for s, v in zip(scale.tolist(), value.tolist(), strict=True)
                ],
            },
            schema_overrides={"points": pl.Float64},
        )
        t = d.national_tests
        rows = np.isin(t["term"], term_idx)
        tests = pl.DataFrame(
            {
                "pupil_id": t["pupil"][rows] + 1,
                "unit_id": self.unit_ids[t["unit"][rows]],
                "academic_year_id": np.full(rows.sum(), year_id),
                "year_group": t["year_group"][rows],
                "subject": t["subject"][rows],
                "scale": t["scale"][rows],
                "value": t["value"][rows],
            }
        )
        ab = d.absence_periods
        rows = np.isin(ab["term"], term_idx)
        absences = pl.DataFrame(
            {
                "pupil_id": ab["pupil"][rows] + 1,
                "unit_id": self.unit_ids[ab["unit"][rows]],
                "academic_year_id": np.full(rows.sum(), year_id),
                "term_id": self.term_ids[ab["term"][rows]],
                "ends_on": ab["ends_on"][rows],
                "year_group": ab["year_group"][rows],
                "scheduled": ab["scheduled"][rows],
                "absent": ab["absent"][rows],
                "unexcused": ab["unexcused"][rows],
            }
        )
        points = pl.DataFrame(
            {
                "point_id": [int(self.point_ids[p.index]) for t in terms for p in t.points],
                "term_id": [int(self.term_ids[t.index]) for t in terms for _p in t.points],
                "assessed_on": [p.assessed_on for t in terms for p in t.points],
            },
            schema={"point_id": pl.Int64, "term_id": pl.Int64, "assessed_on": pl.Date},
        )
        return Facts(
            grades=grades,
            assessments=assessments,
            national_tests=tests,
            absences=absences,
            points=points,
        )
