"""Kolada's files → reference records (and similar-municipality groups). Pure: bytes in,
records out; nothing is stored here (see reference/imports.py).

What each file is, told by its content (not its name):

- Kolada API v2 data, as the API returns it::

      {"values": [{"kpi": "N15419", "municipality": "0115", "period": 2019,
                   "values": [{"gender": "T", "value": 73.4, "status": "", "count": 1}]}]}

- the long CSV: ``kpi,municipality_id,municipality,year,gender,value`` (nation = 0000);
- riket.txt: the nation's values, ``{KPI: {year: {gender: value}}}``;
- MasterData.txt: ``{municipality name: {KPI: {year: {gender: value}}}}``. Kolada names the
  municipalities here, so it needs **Kommuner.txt** (``{code: name}``) from the same folder;
- sekom.json: ``{municipality name: group}``, the SEKOM groups of similar municipalities
  (socio-economically alike, after SKR's KommunAnalys), also named, so also with Kommuner.txt;
- Kommuner.txt and Nyckeltal.txt (``KPI¤title`` lines): master data. Importing them checks
  them and gives no values; the other files read them from their folder.

Genders: T → breakdown "", K → "gender=F", M → "gender=M". A missing value (null, or an empty
CSV cell) is stored as the marker "." with no value, never as zero.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NoReturn

from django.utils.translation import gettext as _

from skolkvalitet.batches.problems import ImportProblem, ImportRejected
from skolkvalitet.batches.tabular import decode_text
from skolkvalitet.reference.mapping import KOLADA_KPIS, kolada_indicator
from skolkvalitet.reference.records import (
    AreaKind,
    GroupMember,
    Marker,
    ReferenceRecord,
    Source,
)

DATASET = "Kolada"
NATION_CODE = "0000"
GENDERS = {"T": "", "K": "gender=F", "M": "gender=M"}
KPI_ID = re.compile(r"[A-Z]\d{5}")
MUNICIPALITY_ID = re.compile(r"\d{4}")
YEAR = re.compile(r"\d{4}")
MUNICIPALITIES_FILE = "Kommuner.txt"
KPIS_FILE = "Nyckeltal.txt"
LONG_CSV_HEADER = ["kpi", "municipality_id", "municipality", "year", "gender", "value"]
STATUS_MARKERS = {".": Marker.MISSING, "..": Marker.SUPPRESSED, "~100": Marker.NEAR_ALL}


class KoladaKind(StrEnum):
    API = "api"
    LONG_CSV = "long_csv"
    NATION = "nation"
    MASTER_DATA = "master_data"
    SIMILAR_GROUPS = "similar_groups"
    MUNICIPALITIES = "municipalities"
    KPIS = "kpis"


@dataclass
class KoladaFile:
    kind: KoladaKind
    records: list[ReferenceRecord] = field(default_factory=list)
    groups: list[GroupMember] = field(default_factory=list)
    master_rows: int = 0  # KPIs or municipalities in a master-data file


def _reject(file: str, message: str, line: int | None = None, column: str | None = None):
    raise ImportRejected([ImportProblem(file, line, column, message)])


# --- where a value is in a JSON file ------------------------------------------------------

JsonPath = tuple[str | int, ...]
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def json_path_text(path: JsonPath) -> str:
    """A path as one writes it: values[3].values[0].value, ["Upplands Väsby"].N15419["2019"]."""
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif _NAME.fullmatch(step):
            text += f".{step}" if text else step
        else:
            text += f"[{json.dumps(step, ensure_ascii=False)}]"
    return text or "$"


def json_offset(text: str, path: JsonPath, *, key: bool = False) -> int | None:
    """Where in the JSON `text` (already known to be valid) the value at `path` begins, or,
    with `key`, the key naming it in its object; None if the path is not there. The members
    before it are skipped with the standard decoder, so a lookup reads the text once."""

    def space(i: int) -> int:
        match = _WHITESPACE.match(text, i)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    i = space(0)
    for depth, step in enumerate(path):
        if isinstance(step, int):
            if text[i : i + 1] != "[":
                return None
            i = space(i + 1)
            for _n in range(step):
                if text[i : i + 1] == "]":
                    return None
                i = space(_DECODER.raw_decode(text, i)[1])
                if text[i : i + 1] != ",":
                    return None
                i = space(i + 1)
            if text[i : i + 1] == "]":
                return None
            continue
        if text[i : i + 1] != "{":
            return None
        i = space(i + 1)
        while True:
            if text[i : i + 1] != '"':
                return None
            start = i
            # scanstring is json.decoder's public string scanner; typeshed omits it.
            name, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
            i = space(space(i) + 1)  # past the colon
            if name == step:
                if key and depth == len(path) - 1:
                    return start
                break
            i = space(_DECODER.raw_decode(text, i)[1])
            if text[i : i + 1] != ",":
                return None
            i = space(i + 1)
    return i


class _Json:
    """A JSON file's text, to name where a wrong value is: file:line:column and its path."""

    def __init__(self, file: str, text: str) -> None:
        self.file, self.text = file, text

    def problem(self, path: JsonPath, message: str, *, key: bool = False) -> ImportProblem:
        where = _("%(field)s: %(problem)s") % {"field": json_path_text(path), "problem": message}
        offset = json_offset(self.text, path, key=key)
        shorter = path
        while offset is None and shorter:  # a missing member: where its object is
            shorter = shorter[:-1]
            offset = json_offset(self.text, shorter)
        if offset is None:
            return ImportProblem(self.file, None, None, where)
        line = self.text.count("\n", 0, offset) + 1
        column = offset - self.text.rfind("\n", 0, offset)
        return ImportProblem(self.file, line, str(column), where)

    def reject(self, path: JsonPath, message: str, *, key: bool = False) -> NoReturn:
        raise ImportRejected([self.problem(path, message, key=key)])


# --- master data -----------------------------------------------------------------------


def parse_kpi_titles(data: bytes, file: str = KPIS_FILE) -> dict[str, str]:
    """Nyckeltal.txt: one ``KPI¤title`` per line → {KPI: title}. Trailing commas are dropped,
    and so is a title that another line's title was run into (N15820's line ends with
    N15814's title in the published file)."""
    titles: dict[str, str] = {}
    for number, line in enumerate(decode_text(data, file).splitlines(), start=1):
        if not line.strip():
            continue
        kpi, separator, title = line.partition("¤")
        if not separator or not KPI_ID.fullmatch(kpi.strip()):
            _reject(file, _("The line is not “KPI id¤title”."), number, "1")
        titles[kpi.strip()] = title.strip().rstrip(",").strip()
    for kpi, title in titles.items():
        for other in titles.values():
            if other != title and title.endswith(", " + other):
                titles[kpi] = title.removesuffix(", " + other).rstrip(",").strip()
    return titles


def parse_municipalities(data: bytes, file: str = MUNICIPALITIES_FILE) -> dict[str, str]:
    """Kommuner.txt: {code: name} (municipalities, regions and 0000 Riket)."""
    content = _json(data, file)
    if not _is_code_names(content):
        _reject(file, _("The file is not Kolada's list of municipalities ({code: name})."))
    return dict(content)


def _is_code_names(content: Any) -> bool:
    return (
        isinstance(content, dict)
        and bool(content)
        and all(MUNICIPALITY_ID.fullmatch(k) and isinstance(v, str) for k, v in content.items())
    )


# --- dispatch --------------------------------------------------------------------------


def parse_kolada_file(
    data: bytes, file: str, *, companions: Mapping[str, bytes] | None = None
) -> KoladaFile:
    """Read any of Kolada's files (see the module's docstring). `companions` holds the
    master-data files of the same folder by name (Kommuner.txt, Nyckeltal.txt); the files that
    name municipalities need Kommuner.txt. Raises ImportRejected on any problem."""
    companions = companions or {}
    titles = {kpi: known.title for kpi, known in KOLADA_KPIS.items()}
    if KPIS_FILE in companions:
        titles |= parse_kpi_titles(companions[KPIS_FILE])
    text = decode_text(data, file)
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        if "¤" in text:
            return KoladaFile(KoladaKind.KPIS, master_rows=len(parse_kpi_titles(data, file)))
        return KoladaFile(KoladaKind.LONG_CSV, _long_csv(text, file, titles))
    content = _json(data, file)
    where = _Json(file, text)
    if isinstance(content, dict) and isinstance(content.get("values"), list):
        names = _names(companions)
        return KoladaFile(KoladaKind.API, _api(content["values"], where, titles, names))
    if _is_code_names(content):
        return KoladaFile(KoladaKind.MUNICIPALITIES, master_rows=len(content))
    if isinstance(content, dict) and content and all(KPI_ID.fullmatch(k) for k in content):
        return KoladaFile(KoladaKind.NATION, list(_nation(content, where, titles)))
    if isinstance(content, dict) and content and all(isinstance(v, str) for v in content.values()):
        codes = _codes_by_name(companions, file)
        return KoladaFile(KoladaKind.SIMILAR_GROUPS, groups=_groups(content, codes, where))
    if isinstance(content, dict) and content and all(isinstance(v, dict) for v in content.values()):
        codes = _codes_by_name(companions, file)
        return KoladaFile(KoladaKind.MASTER_DATA, _master_data(content, codes, where, titles))
    _reject(file, _("The file is none of Kolada's formats (API JSON, long CSV, Kolada files)."))
    raise AssertionError("unreachable")


def _json(data: bytes, file: str) -> Any:
    try:
        return json.loads(decode_text(data, file))
    except json.JSONDecodeError as error:
        _reject(
            file,
            _("The file is not valid JSON: %(error)s") % {"error": error.msg},
            error.lineno,
            str(error.colno),
        )


def _names(companions: Mapping[str, bytes]) -> dict[str, str]:
    """{code: name} from Kommuner.txt when it is in the folder, else nothing."""
    if MUNICIPALITIES_FILE not in companions:
        return {}
    return parse_municipalities(companions[MUNICIPALITIES_FILE])


def _codes_by_name(companions: Mapping[str, bytes], file: str) -> dict[str, str]:
    if MUNICIPALITIES_FILE not in companions:
        _reject(
            file,
            _(
                "The file names municipalities by name; put Kolada's %(companion)s "
                "(code → name) in the same folder."
            )
            % {"companion": MUNICIPALITIES_FILE},
        )
    municipalities = parse_municipalities(companions[MUNICIPALITIES_FILE])
    return {name: code for code, name in municipalities.items()}


# --- values ----------------------------------------------------------------------------


def _record(
    kpi: str,
    code: str,
    name: str,
    period: str,
    gender: str,
    value: float | None,
    titles: Mapping[str, str],
    marker: Marker | None = None,
) -> ReferenceRecord:
    known = KOLADA_KPIS.get(kpi)
    if marker is None:
        marker = Marker.MISSING if value is None else Marker.NONE
    return ReferenceRecord(
        source=Source.KOLADA,
        dataset=DATASET,
        measure=titles.get(kpi, kpi),
        area_kind=_area_kind(code),
        area_code=code,
        area_name=name,
        period=period,
        value=None if marker != Marker.NONE else value,
        marker=marker,
        organiser_type=known.organiser_type if known else "",
        breakdown=GENDERS[gender],
        kpi=kpi,
        indicator_key=kolada_indicator(kpi),
    )


def _area_kind(code: str) -> AreaKind:
    if code == NATION_CODE:
        return AreaKind.NATION
    if code.startswith("00"):
        return AreaKind.COUNTY  # Kolada's regions (landsting) 0001–0025
    return AreaKind.MUNICIPALITY


def _number(raw: Any) -> float | None:
    """A JSON value: a number, or null for a missing one."""
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ValueError(raw)
    return float(raw)


def _nation(content: dict, where: _Json, titles: Mapping[str, str]) -> Iterator[ReferenceRecord]:
    for kpi, years in content.items():
        yield from _years(kpi, NATION_CODE, "Riket", years, where, titles, path=())


def _master_data(
    content: dict, codes: Mapping[str, str], where: _Json, titles: Mapping[str, str]
) -> list[ReferenceRecord]:
    problems: list[ImportProblem] = []
    records: list[ReferenceRecord] = []
    for name, kpis in content.items():
        if name not in codes:
            problems.append(where.problem((name,), _unknown_municipality(name), key=True))
            continue
        if not isinstance(kpis, dict):
            problems.append(where.problem((name,), _("Expected {KPI: {year: …}}.")))
            continue
        for kpi, years in kpis.items():
            try:
                records += _years(kpi, codes[name], name, years, where, titles, path=(name,))
            except ImportRejected as rejected:
                problems += rejected.problems
    if problems:
        raise ImportRejected(problems)
    return records


def _unknown_municipality(name: str) -> str:
    return _("“%(name)s” is not a municipality in %(companion)s.") % {
        "name": name,
        "companion": MUNICIPALITIES_FILE,
    }


def _years(
    kpi: str,
    code: str,
    name: str,
    years: Any,
    where: _Json,
    titles: Mapping[str, str],
    *,
    path: JsonPath,
) -> list[ReferenceRecord]:
    """{year: {gender: value}} of one KPI and area; `path` leads to the KPI's object."""
    place = (*path, kpi)
    if not KPI_ID.fullmatch(kpi):
        where.reject(place, _("Expected a KPI id with {year: {gender: value}}."), key=True)
    if not isinstance(years, dict):
        where.reject(place, _("Expected a KPI id with {year: {gender: value}}."))
    records = []
    for year, genders in years.items():
        if not YEAR.fullmatch(year):
            where.reject((*place, year), _("Expected a year with {gender: value}."), key=True)
        if not isinstance(genders, dict):
            where.reject((*place, year), _("Expected a year with {gender: value}."))
        for gender, raw in genders.items():
            if gender not in GENDERS:
                where.reject((*place, year, gender), _gender_message(gender), key=True)
            try:
                value = _number(raw)
            except ValueError:
                where.reject((*place, year, gender), _not_a_number(raw))
            records.append(_record(kpi, code, name, year, gender, value, titles))
    return records


def _gender_message(gender: Any) -> str:
    return _("“%(gender)s” is not a Kolada gender (T, K or M).") % {"gender": gender}


def _not_a_number(raw: Any) -> str:
    return _("“%(value)s” is not a number.") % {"value": raw}


def _groups(content: dict, codes: Mapping[str, str], where: _Json) -> list[GroupMember]:
    problems = [
        where.problem((name,), _unknown_municipality(name), key=True)
        for name in content
        if name not in codes
    ]
    if problems:
        raise ImportRejected(problems)
    return [
        GroupMember("sekom", group.strip(), codes[name], name) for name, group in content.items()
    ]


def _api(
    values: list, where: _Json, titles: Mapping[str, str], names: Mapping[str, str]
) -> list[ReferenceRecord]:
    """Kolada API v2 ``values``: one object per KPI, municipality and period."""
    records: list[ReferenceRecord] = []
    for index, item in enumerate(values):
        place = ("values", index)
        if not isinstance(item, dict) or not isinstance(item.get("values"), list):
            where.reject(place, _("Expected {kpi, municipality, period, values: […]}."))
        kpi, code = str(item.get("kpi", "")), str(item.get("municipality", ""))
        period = str(item.get("period", ""))
        if not KPI_ID.fullmatch(kpi):
            where.reject((*place, "kpi"), _("“%(text)s” is not a KPI id (N15419).") % {"text": kpi})
        if not MUNICIPALITY_ID.fullmatch(code):
            where.reject(
                (*place, "municipality"), _("“%(text)s” is not 4 digits.") % {"text": code}
            )
        if not YEAR.fullmatch(period):
            where.reject((*place, "period"), _("Expected a year as the period."))
        for number, entry in enumerate(item["values"]):
            entry_place = (*place, "values", number)
            gender = entry.get("gender") if isinstance(entry, dict) else None
            if gender not in GENDERS:
                gender_place = (*entry_place, "gender") if isinstance(entry, dict) else entry_place
                where.reject(gender_place, _gender_message(gender))
            try:
                value = _number(entry.get("value"))
            except ValueError:
                where.reject((*entry_place, "value"), _not_a_number(entry.get("value")))
            status = str(entry.get("status") or "").strip()
            marker = STATUS_MARKERS.get(status)
            name = names.get(code, "")
            records.append(_record(kpi, code, name, period, gender, value, titles, marker))
    return records


def _long_csv(text: str, file: str, titles: Mapping[str, str]) -> list[ReferenceRecord]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header != LONG_CSV_HEADER:
        _reject(
            file,
            _("The header must be %(header)s.") % {"header": ",".join(LONG_CSV_HEADER)},
            1,
        )
    problems: list[ImportProblem] = []
    records: list[ReferenceRecord] = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        record = _long_csv_row(cells, line, file, titles, problems)
        if record is not None:
            records.append(record)
        if len(problems) >= 200:
            break
    if problems:
        raise ImportRejected(problems)
    return records


def _long_csv_row(
    cells: list[str],
    line: int,
    file: str,
    titles: Mapping[str, str],
    problems: list[ImportProblem],
) -> ReferenceRecord | None:
    if len(cells) != len(LONG_CSV_HEADER):
        problems.append(
            ImportProblem(
                file, line, None, _("The row has %(n)d cells, not 6.") % {"n": len(cells)}
            )
        )
        return None
    kpi, code, name, year, gender, raw = (cell.strip() for cell in cells)
    checks = (
        ("kpi", KPI_ID.fullmatch(kpi), _("“%(text)s” is not a KPI id (N15419).")),
        ("municipality_id", MUNICIPALITY_ID.fullmatch(code), _("“%(text)s” is not 4 digits.")),
        ("year", YEAR.fullmatch(year), _("“%(text)s” is not a year.")),
        ("gender", gender in GENDERS, _("“%(text)s” is not a Kolada gender (T, K or M).")),
    )
    texts = {"kpi": kpi, "municipality_id": code, "year": year, "gender": gender}
    bad = [(column, message) for column, ok, message in checks if not ok]
    for column, message in bad:
        problems.append(ImportProblem(file, line, column, message % {"text": texts[column]}))
    try:
        value = float(raw) if raw else None
        if value is not None and not math.isfinite(value):
            raise ValueError(raw)
    except ValueError:
        problems.append(ImportProblem(file, line, "value", _not_a_number(raw)))
        return None
    if bad:
        return None
    return _record(kpi, code, name, year, gender, value, titles)
