"""Benchmark: producing the board documents from the demo organiser.

    uv run python bench/bench_documents.py [--repeat 3] [--no-doc]

Runs against the embedded demo database (`./var`, or SKOLKVALITET_VAR_DIR; build it first with
`uv run skolkvalitet demo --no-serve`). Each measurement runs `--repeat` times, interleaved,
each in its own process (the script calls itself with `--child`), and reports the median:

- **baseline**: WeasyPrint writing a fixed ten-page HTML document of plain paragraphs and one
  table (no database, no charts): what laying out and writing any PDF costs on this machine now;
- **annual pdf / annual docx**: `report annual --year <latest full year>`: building the
  kvalitetsredovisning from the database, the publication check, the charts drawn by vl-convert,
  the rendering;
- **unit pdf**: `report unit` for Hamnskolan's report of the same year.

Each document run also reports where its time went: building (database reads), checking,
drawing and rendering. Goals (issue 13): the annual report under 30 s, a unit's under 5 s.
Figures go to the "## Board documents" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Board documents"
GOALS = {"annual pdf": 30.0, "annual docx": 30.0, "unit pdf": 5.0}
MEASUREMENTS = ("baseline", "annual pdf", "annual docx", "unit pdf")


def _baseline() -> dict:
    from weasyprint import HTML

    rows = "".join(f"<tr><td>Enhet {i}</td><td>{200 + i / 10:.1f}</td></tr>" for i in range(60))
    body = "".join(
        f"<h1 style='break-before: page'>Kapitel {c}</h1>" + "<p>Text. </p>" * 40 for c in range(10)
    )
    started = time.perf_counter()
    pdf = HTML(
        string=f"<html lang='sv'><body>{body}<table>{rows}</table></body></html>"
    ).write_pdf()
    return {"seconds": time.perf_counter() - started, "bytes": len(pdf or b"")}


def _document(what: str) -> dict:
    from skolkvalitet.organisation.models import AcademicYear, Node, NodeKind
    from skolkvalitet.publishing.documents.check import publication_checked
    from skolkvalitet.quality.documents.produce import pupil_names
    from skolkvalitet.quality.models import QualityReport

    kind, fmt = what.split()
    approved = QualityReport.objects.filter(status="approved").order_by(
        "-academic_year__start_date"
    )
    latest = approved.first()
    year = latest.academic_year if latest else AcademicYear.objects.order_by("-start_date")[1]
    stages: dict[str, float] = {}
    started = time.perf_counter()
    if kind == "annual":
        from skolkvalitet.quality.documents.annual_report import annual_report_document

        organiser = Node.objects.get(kind=NodeKind.ORGANISER, parent__isnull=True)
        document = annual_report_document(organiser, year)
    else:
        from skolkvalitet.quality.documents.unit_report import unit_report_document

        report = QualityReport.objects.get(node__name="Hamnskolan", academic_year=year)
        document = unit_report_document(report)
    stages["build"] = time.perf_counter() - started
    mark = time.perf_counter()
    publication_checked(document, pupil_names=pupil_names())
    stages["check"] = time.perf_counter() - mark
    mark = time.perf_counter()
    if fmt == "pdf":
        from skolkvalitet.publishing.documents.pdf import document_pdf

        data = document_pdf(document)
    else:
        from skolkvalitet.publishing.documents.docx import document_docx

        data = document_docx(document)
    stages["render (charts included)"] = time.perf_counter() - mark
    return {
        "seconds": time.perf_counter() - started,
        "bytes": len(data),
        "stages": stages,
        "year": year.code,
        "blocks": len(document.blocks),
    }


def child(what: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skolkvalitet.config.settings")
    import django

    django.setup()
    return _baseline() if what == "baseline" else _document(what)


def run_child(what: str) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--child", what],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise SystemExit(f"{what} failed:\n{completed.stderr[-3000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def report(results: dict[str, list[dict]], repeat: int) -> str:
    base = statistics.median(r["seconds"] for r in results["baseline"])
    year = next((r["year"] for k, rs in results.items() for r in rs if "year" in r), "")
    lines = [
        SECTION,
        "",
        f"`uv run python bench/bench_documents.py --repeat {repeat}` ({dt.date.today()}; nproc "
        f"{os.cpu_count()}, Python {platform.python_version()}), the demo organiser (25 units), "
        f"academic year {year}. Each run in its own process, interleaved; medians. The baseline "
        "is WeasyPrint writing a fixed ten-page document of plain text and one table, no "
        "database and no charts.",
        "",
        "| document | median s | ratio to baseline | size KiB | goal |",
        "| --- | ---: | ---: | ---: | --- |",
        f"| baseline (plain WeasyPrint, 10 pages) | {base:.2f} | 1.0 | "
        f"{results['baseline'][0]['bytes'] // 1024} | |",
    ]
    for what in MEASUREMENTS[1:]:
        runs = results[what]
        median = statistics.median(r["seconds"] for r in runs)
        goal = GOALS[what]
        lines.append(
            f"| {what} | {median:.2f} | {median / base:.1f} | {runs[0]['bytes'] // 1024} | "
            f"< {goal:.0f} s: {'met' if median < goal else '**not met**'} |"
        )
    lines += ["", "Where the time goes (median seconds of each stage):", ""]
    lines += ["| document | " + " | ".join(results["annual pdf"][0]["stages"]) + " |"]
    lines += ["| --- |" + " ---: |" * len(results["annual pdf"][0]["stages"])]
    for what in MEASUREMENTS[1:]:
        stages = results[what][0]["stages"]
        medians = [statistics.median(r["stages"][s] for r in results[what]) for s in stages]
        lines.append(f"| {what} | " + " | ".join(f"{m:.2f}" for m in medians) + " |")
    lines.append("")
    return "\n".join(lines)


def write_doc(body: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + body
    else:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + body + (text[end + 1 :] if end != -1 else "")
    DOC.write_text(text.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    results: dict[str, list[dict]] = {m: [] for m in MEASUREMENTS}
    for _ in range(args.repeat):
        for what in MEASUREMENTS:
            results[what].append(run_child(what))
    body = report(results, args.repeat)
    print(body)
    if not args.no_doc:
        write_doc(body)


if __name__ == "__main__":
    main()
