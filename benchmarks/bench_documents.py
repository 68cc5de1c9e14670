"""Document import throughput: ``qualcode import`` of a PDF and of a Word file, each beside
the library that reads it, on the same generated file in the same run.

- PDF: a generated report of ``--pages`` pages (Helvetica text, a running header and a page
  number on every page; tests/helpers/pdf_builder.py). Baseline: pdfminer.six's own
  ``extract_text`` of the same file, which runs the same layout analysis but stores
  nothing (the floor for qualcode's PDF reader, which uses pdfminer).
- Word: a generated ``.docx`` of ``--paragraphs`` transcript paragraphs (``P1: ...``).
  Baseline: python-docx opening the file and reading every paragraph's ``.text``.

qualcode runs as the real command in its own process (``qualcode import PROJECT FILE``,
start-up, the checks, the transaction and ``--speakers`` for the Word file included); each
baseline runs in its own process too, so both pay an interpreter start. Prints pages/s or
MB of text/s and the ratio qualcode / baseline.

    .venv/bin/python benchmarks/bench_documents.py                # 300 pages, 20,000 paragraphs
    .venv/bin/python benchmarks/bench_documents.py --pages 60 --paragraphs 4000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.pdf_builder import build_pdf  # noqa: E402

WORDS = ("Balint groups helped the doctors listen to patients and to each other in the team "
         "when cases were hard").split()
BIN = Path(sys.executable).parent
PDF_BASELINE = "from pdfminer.high_level import extract_text; import sys; extract_text(sys.argv[1])"
DOCX_BASELINE = ("import docx, sys; d = docx.Document(sys.argv[1]); "
                 "sum(len(p.text) for p in d.paragraphs)")


def make_pdf(path: Path, pages: int) -> None:
    """A report of ``pages`` pages, four paragraphs of six lines each per page."""
    body = [[[" ".join(WORDS[(p + b + line) % 7:][:11]) + "." for line in range(6)]
             for b in range(4)] for p in range(pages)]
    path.write_bytes(build_pdf(body, header="Illustrative report", footer="Page {page}"))


def make_docx(path: Path, paragraphs: int) -> int:
    """A transcript of ``paragraphs`` turns; returns its text size in bytes."""
    import docx

    document = docx.Document()
    size = 0
    for number in range(paragraphs):
        text = f"P{number % 5}: " + " ".join(WORDS[number % 9:] + WORDS[:number % 9]) * 3
        document.add_paragraph(text)
        size += len(text.encode("utf-8")) + 2
    document.save(str(path))
    return size


def timed(command: list[str]) -> float:
    """Run a command to completion; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    """Generate the files, time both tools on each, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--paragraphs", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as folder:
        base = Path(folder)
        pdf, word = base / "report.pdf", base / "transcript.docx"
        make_pdf(pdf, args.pages)
        text_bytes = make_docx(word, args.paragraphs)
        rows = []
        for file, extra, baseline, amount, unit in (
                (pdf, [], PDF_BASELINE, args.pages, "pages"),
                (word, ["--speakers"], DOCX_BASELINE, text_bytes / 2**20, "MB")):
            project = base / f"{file.stem}.qualcode"
            subprocess.run([str(BIN / "qualcode"), "init", str(project)], check=True,
                           stdout=subprocess.DEVNULL)
            ours = timed([str(BIN / "qualcode"), "import", str(project), str(file), *extra])
            floor = timed([sys.executable, "-c", baseline, str(file)])
            rows.append((file.name, amount, unit, ours, floor))
    print(f"machine: Python {sys.version.split()[0]}")
    print("| file | size | qualcode import s | rate | baseline s | baseline rate | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, amount, unit, ours, floor in rows:
        print(f"| {name} | {amount:,.1f} {unit} | {ours:.2f} | {amount / ours:,.1f} {unit}/s | "
              f"{floor:.2f} | {amount / floor:,.1f} {unit}/s | {ours / floor:.2f} |")


if __name__ == "__main__":
    main()
