"""The common model (gemensam modell): the report templates every unit writes its quality
report on, one per school form, made of sections with guiding questions along Skolverket's
four questions and the indicators and charts each section shows.

Pure: reads and checks the model as data (the default ships as quality/data/common_model.toml;
an edited version is stored as the same structure in ReportTemplate.sections). `model_checked`
raises ModelError with every problem: an unknown indicator, one that does not apply to the
template's school form, a chart of an unknown kind, a section key twice.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from skolkvalitet.indicators.registry import REGISTRY

# Skolverket's four questions of systematic quality work, in their order.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("var_ar_vi", "Var är vi?"),
    ("vart_ska_vi", "Vart ska vi?"),
    ("hur_gor_vi", "Hur gör vi?"),
    ("hur_blev_det", "Hur blev det?"),
)
# A template's school form → the SS 12000 school forms its units have.
# The organiser's own report ("huvudman": its analysis and decided priorities, the heart of
# the kvalitetsredovisning) covers every school form, so none limits its indicators.
ORGANISER_FORM = "huvudman"
SCHOOL_FORMS: dict[str, frozenset[str]] = {
    "forskola": frozenset({"FS"}),
    "grundskola": frozenset({"FKLASS", "GR", "GRS", "FTH"}),
    "gymnasieskola": frozenset({"GY", "GYS"}),
    ORGANISER_FORM: frozenset(),
}
CHART_KINDS = ("trend", "grade_distribution")


def template_forms(unit_forms: Iterable[str]) -> list[str]:
    """The template school forms a unit with the SS 12000 school forms `unit_forms` writes
    reports on, the one it writes on by default first: grundskola for a unit with a
    compulsory school form, then gymnasieskola, then förskola."""
    forms = set(unit_forms)
    return [f for f in ("grundskola", "gymnasieskola", "forskola") if forms & SCHOOL_FORMS[f]]


MAX_TITLE = 200
MAX_QUESTION = 500


class ModelError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Chart:
    kind: str
    indicator: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    questions: dict[str, tuple[str, ...]]  # question key → guiding questions
    indicators: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()

    def as_data(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "questions": {k: list(v) for k, v in self.questions.items()},
            "indicators": list(self.indicators),
            "charts": [
                {"kind": c.kind, **({"indicator": c.indicator} if c.indicator else {})}
                for c in self.charts
            ],
        }


@dataclass(frozen=True)
class Template:
    school_form: str  # forskola, grundskola, gymnasieskola
    name: str
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


def default_model() -> dict[str, Template]:
    """The common model that ships, by school form."""
    data = tomllib.loads(
        resources.files("skolkvalitet.quality").joinpath("data/common_model.toml").read_text()
    )
    templates = [
        template_checked(t["school_form"], t["name"], t["section"]) for t in data["template"]
    ]
    return {t.school_form: t for t in templates}


def template_checked(school_form: str, name: str, sections: list[dict[str, Any]]) -> Template:
    """A template from its data (the TOML's or a stored version's sections), checked."""
    problems: list[str] = []
    if school_form not in SCHOOL_FORMS:
        problems.append(f"unknown school form {school_form!r}")
    if not name.strip():
        problems.append("the template has no name")
    forms = SCHOOL_FORMS.get(school_form, frozenset())
    seen: set[str] = set()
    checked = []
    for number, data in enumerate(sections, start=1):
        where = f"section {number}"
        key = str(data.get("key", "")).strip()
        title = str(data.get("title", "")).strip()
        if not key or not key.isidentifier():
            problems.append(f"{where}: a key of letters, digits and _ is needed")
        elif key in seen:
            problems.append(f"{where}: the key {key!r} is used twice")
        seen.add(key)
        if not title or len(title) > MAX_TITLE:
            problems.append(f"{where}: a title of 1–{MAX_TITLE} characters is needed")
        questions = data.get("questions", {})
        unknown = set(questions) - {k for k, _label in QUESTIONS}
        if unknown:
            problems.append(f"{where}: unknown questions {sorted(unknown)}")
        for texts in questions.values():
            if any(not str(t).strip() or len(str(t)) > MAX_QUESTION for t in texts):
                problems.append(f"{where}: a question of 1–{MAX_QUESTION} characters is needed")
        indicators = tuple(data.get("indicators", ()))
        for indicator in indicators:
            problems.extend(_indicator_problems(where, indicator, forms))
        charts = tuple(Chart(c["kind"], c.get("indicator", "")) for c in data.get("charts", ()))
        for chart in charts:
            if chart.kind not in CHART_KINDS:
                problems.append(f"{where}: unknown chart {chart.kind!r}")
            elif chart.kind == "trend":
                problems.extend(_indicator_problems(where, chart.indicator, forms))
        checked.append(
            Section(
                key=key,
                title=title,
                questions={k: tuple(questions.get(k, ())) for k, _label in QUESTIONS},
                indicators=indicators,
                charts=charts,
            )
        )
    if not sections:
        problems.append("the template has no sections")
    if problems:
        raise ModelError(problems)
    return Template(school_form=school_form, name=name.strip(), sections=tuple(checked))


def _indicator_problems(where: str, key: str, forms: frozenset[str]) -> list[str]:
    indicator = REGISTRY.get(key)
    if indicator is None:
        return [f"{where}: no indicator {key!r}"]
    if forms and not forms & set(indicator.school_forms):
        return [f"{where}: {key} does not apply to the school form"]
    return []
