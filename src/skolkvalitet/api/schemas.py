"""The shapes of the API's answers (and so of its OpenAPI document). Field names are English;
no field ever carries a personnummer, a pseudonym or any pupil-level row."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from ninja import Schema
from pydantic import Field


class PeriodKindParam(StrEnum):
    YEAR = "year"
    TERM = "term"
    POINT = "point"


class NodeKindParam(StrEnum):
    ORGANISER = "organiser"
    AREA = "area"
    UNIT = "unit"
    GROUP = "group"


class Error(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str]
    msg: str
    type: str


class InvalidRequest(Schema):
    detail: str
    errors: list[FieldError]


class PageMeta(Schema):
    count: int = Field(description="Items matching the query, over all pages.")
    limit: int
    offset: int


class NodeOut(Schema):
    id: int
    kind: NodeKindParam
    name: str
    code: str
    parent: int | None = Field(
        description="The parent's id, or null when the parent is outside the token's scope."
    )
    depth: int = Field(description="1 for the organiser, 2 for the nodes under it, ...")
    is_active: bool


class NodePage(PageMeta):
    items: list[NodeOut]


class PeriodOut(Schema):
    id: int
    kind: PeriodKindParam
    label: str = Field(description="'2024/25', 'HT2024' or the follow-up point's name.")
    start_date: dt.date | None = Field(description="Years and terms.")
    end_date: dt.date | None = Field(description="Years and terms.")
    academic_year: int | None = Field(description="Terms and points: the year's id.")
    term: int | None = Field(description="Points: the term's id.")
    assessed_on: dt.date | None = Field(description="Points: the assessment date.")
    deadline: dt.date | None = Field(description="Points: the follow-up dialogue's deadline.")


class IndicatorOut(Schema):
    key: str
    name_sv: str
    name_en: str
    definition: str
    source: str
    unit: str = Field(description="percent, points, ratio or count")
    aggregation: str = Field(description="share, mean or ratio")
    family: str
    period_kind: PeriodKindParam
    school_forms: list[str]
    year_groups: list[int]
    breakdowns: list[str]
    higher_is_better: bool | None
    min_n: int = Field(
        description="Fewer pupils than this at school-unit level: suppressed ('..'). From "
        "2023/24 area and organiser figures need fewer (5); docs/indicators.md."
    )
    subject: str


class ValueOut(Schema):
    indicator: str
    node: int
    node_name: str
    period_kind: PeriodKindParam
    period_id: int
    period: str = Field(description="The period's label ('2024/25', 'HT2024', ...).")
    breakdown: str = Field(description="'' for all pupils, else e.g. 'gender=F'.")
    value: float | None = Field(description="Null when suppressed for this token, or missing.")
    n: int | None = Field(description="Pupils behind the value; null when suppressed.")
    marker: str = Field(
        description="How the figure is published to roles without pupil access: '' shown, "
        "'..' too few pupils (or complementary), '~100' nearly all."
    )
    suppressed: bool = Field(description="True when this token is shown the marker only.")
    data_version: int


class ValuePage(PageMeta):
    items: list[ValueOut]


class AreaOut(Schema):
    kind: str = Field(description="nation, municipality, organiser, unit (or similar)")
    code: str
    name: str


class ReferenceOut(Schema):
    source: str
    dataset: str
    measure: str
    area: AreaOut
    period: str
    organiser_type: str
    breakdown: str
    subject: str
    value: float | None
    n: int | None
    marker: str
    indicator: str | None = Field(description="The registry indicator it compares with.")
    unit: str = Field(description="The value's unit where the source states one: tkr, kr.")
    note: str = Field(description="The source's caveat, or the publication a value cites.")


class ReferencePage(PageMeta):
    items: list[ReferenceOut]


class ReferencePointOut(Schema):
    source: str
    dataset: str
    measure: str
    area: AreaOut
    period: str
    organiser_type: str
    breakdown: str
    compare_with_breakdown: str = Field(
        description="The organiser's own figure to set beside it (e.g. 'year_group=9')."
    )
    value: float | None
    n: int | None = Field(description="Pupils; for similar municipalities: members averaged.")
    marker: str
    unit: str = Field(description="The value's unit where the source states one: tkr, kr.")
    note: str = Field(description="The source's caveat, or the publication a value cites.")


class IndicatorReferenceOut(Schema):
    indicator: str
    period: str
    nation: list[ReferencePointOut]
    municipality: list[ReferencePointOut]
    similar: list[ReferencePointOut]
