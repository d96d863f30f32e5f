"""How the copies in this folder were cut from the published files (README.md names the
sources). Run once by hand, with the folder of the original files as its argument:

    uv run python tests/data/public/cut.py ORIGINALS

Skolverket's exports keep their preamble, headings and footnotes; of the table they keep the
first rows up to the last row of Aneby (0604), so that every row the tests cite by line keeps
its line, then the rows of the municipalities the tests read (Vallentuna 0115, Haninge 0136,
Tyresö 0138, Landskrona 1282, Övertorneå 2518), every row without an area code (Riket,
kommunalförbund) and the row with the longest area name (so the tests' check that every
value fits the database still meets it). The xlsx keeps its own XML, with the other rows taken
out of each sheet and the rows after them renumbered. Kolada's MasterData.txt and its long CSV
keep the same municipalities (and the CSV the nation). Small files are copied whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST = ("1440", "1489", "0764", "0604")  # Ale, Alingsås, Alvesta, Aneby: the first rows
OTHERS = ("0115", "0136", "0138", "1282", "2518")
KEPT = set(FIRST) | set(OTHERS)
KOLADA_KEPT = {"Ale", "Vallentuna", "Haninge", "Tyresö", "Landskrona", "Aneby", "Övertorneå"}

WHOLE = (
    "ss12000/openapi_ss12000_version2_1_0.yaml",
    "skolverket/skolenhetsregistret/skolenhetsregistret_2020-06-01_jplusplus.xlsx",
    "skolverket/statistik/Gymnasieskola - Kostnader per kommun 2022 Kommun.csv",
    "kolada/Kommuner.txt",
    "kolada/Nyckeltal.txt",
    "kolada/riket.txt",
    "kolada/sekom.json",
)


def code_column(heading: list[str]) -> tuple[int, int]:
    """(the column of the area's own code, the column of its municipality's code)."""
    names = [h.strip().lower().replace("-", "") for h in heading]
    if names[0] == "skola":
        return names.index("skolenhetskod"), names.index("kommunkod")
    return 1, 1


def cut_skolverket_csv(text: str) -> str:
    lines = text.split("\n")
    rows = list(csv.reader(lines, delimiter=";"))
    heading = max(
        i
        for i, row in enumerate(rows[:20])
        if row and row[0].lstrip("\ufeff") in {"Kommun", "Skola"}
    )
    own, municipality = code_column(rows[heading])
    end = heading + 1
    while end < len(rows) and rows[end] and rows[end][0].strip():
        end += 1
    table = range(heading + 1, end)
    longest = max(table, key=lambda i: len(rows[i][0]))
    prefix_end = heading + 1
    while prefix_end < end and rows[prefix_end][municipality] in FIRST:
        prefix_end += 1
    kept = [
        i
        for i in table
        if i < prefix_end
        or rows[i][municipality] in KEPT
        or not rows[i][own].strip()
        or i == longest
    ]
    return "\n".join([*lines[: heading + 1], *(lines[i] for i in kept), *lines[end:]])


def shared_strings(archive: zipfile.ZipFile) -> list[str]:
    xml = archive.read("xl/sharedStrings.xml").decode()
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<si>(.*?)</si>", xml, flags=re.S)]


def cut_xlsx(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    strings = shared_strings(source)
    out = io.BytesIO()
    last_rows: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if match:
                content, last = cut_sheet(content.decode(), strings)
                last_rows[match.group(1)] = last
                content = content.encode()
            target.writestr(info, content)
    # The tables over the sheets end where their rows now end.
    result = io.BytesIO()
    cut = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in cut.infolist():
            content = cut.read(info.filename)
            match = re.fullmatch(r"xl/tables/table(\d+)\.xml", info.filename)
            if match and match.group(1) in last_rows:
                last = last_rows[match.group(1)]
                content = re.sub(
                    rb'ref="A(\d+):([A-Z]+)\d+"',
                    lambda m, last=last: b'ref="A%s:%s%d"' % (m.group(1), m.group(2), last),
                    content,
                )
            target.writestr(info, content)
    return result.getvalue()


def cut_sheet(xml: str, strings: list[str]) -> tuple[str, int]:
    rows = re.findall(r"<row [^>]*>.*?</row>", xml, flags=re.S)
    if not rows:
        return xml, 0

    def cell(row: str, column: str) -> str:
        found = re.search(rf'<c r="{column}\d+"([^>]*)><v>([^<]*)</v>', row)
        if not found:
            return ""
        attributes, value = found.groups()
        return strings[int(value)] if 't="s"' in attributes and value else value

    data = {i for i, row in enumerate(rows) if re.fullmatch(r"\d{4}", cell(row, "B"))}
    if not data:
        return xml, int(re.search(r'<row r="(\d+)"', rows[-1]).group(1))
    longest = max(data, key=lambda i: len(cell(rows[i], "A")))
    prefix = True
    dropped = 0  # rows left out so far: the rows after them move up as many
    kept = []
    for i, row in enumerate(rows):
        if i in data:
            code = cell(row, "B")
            prefix = prefix and code in FIRST
            if not (prefix or code in KEPT or i == longest):
                dropped += 1
                continue
        number = int(re.search(r'<row r="(\d+)"', row).group(1)) - dropped
        row = re.sub(r'<row r="\d+"', f'<row r="{number}"', row, count=1)
        kept.append(re.sub(r'(<c r="[A-Z]+)\d+"', rf'\g<1>{number}"', row))
    start = xml.index(rows[0])
    end = xml.index(rows[-1]) + len(rows[-1])
    xml = xml[:start] + "".join(kept) + xml[end:]
    xml = re.sub(r'<dimension ref="A1:([A-Z]+)\d+"/>', rf'<dimension ref="A1:\g<1>{number}"/>', xml)
    return xml, number


def cut_master_data(text: str) -> str:
    data = json.loads(text)
    return json.dumps({k: v for k, v in data.items() if k in KOLADA_KEPT}, ensure_ascii=False)


def cut_long_csv(text: str) -> str:
    lines = text.split("\n")
    kept = [lines[0]]
    for line in lines[1:]:
        if line and line.split(",")[2] in KOLADA_KEPT | {"Riket"}:
            kept.append(line)
    return "\n".join(kept) + "\n"


def main(source: Path) -> None:
    for relative in WHOLE:
        copy(source, relative, (source / relative).read_bytes())
    for path in sorted((source / "skolverket/skolenhetsregistret").glob("*.csv")):
        copy(source, str(path.relative_to(source)), path.read_bytes())
    for path in sorted((source / "skolverket/statistik").iterdir()):
        relative = str(path.relative_to(source))
        if relative in WHOLE:
            continue
        if path.suffix == ".xlsx":
            copy(source, relative, cut_xlsx(path.read_bytes()))
        else:
            text = path.read_bytes().decode("utf-8")
            copy(source, relative, cut_skolverket_csv(text).encode("utf-8"))
    master = (source / "kolada/MasterData.txt").read_text("utf-8")
    copy(source, "kolada/MasterData.txt", cut_master_data(master).encode("utf-8"))
    long_csv = (source / "kolada/kolada_school_kpis_2016-2020_long.csv").read_text("utf-8")
    copy(source, "kolada/kolada_school_kpis_2016-2020_long.csv", cut_long_csv(long_csv).encode())


def copy(source: Path, relative: str, data: bytes) -> None:
    target = HERE / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"{relative}: {len(data)} of {(source / relative).stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
