"""Build the bundled demo corpora and their reference codes from the hand-written sources.

The texts in ``corpora/tools/source/*.txt`` were written by hand for qualcode (illustrative,
not real participants' words). Each unit is one line, with its reference ("gold") codes given
as codebook shortcut keys, so the author decided the codes while writing the text:

    metasynthesis.txt                      survey.txt
    == S01 | Torppa 2008 | Finland | pop    == P001 | Year 3
    A | i f | An author's interpretation.   Q1 | o f | An answer.
    Q | - | "A quote with {x|a span}."     Q2 | - | Nothing.

``A``/``Q`` = author_interpretation / participant_quote; ``-`` = no whole-unit code;
``{k|words}`` marks a span coded with shortcut ``k`` (the braces are removed from the text and
the offsets, in Unicode code points with an exclusive end, go to reference_codes.csv).

Run from anywhere:  python corpora/tools/build_corpora.py
It rewrites corpora/balint_metasynthesis.csv, corpora/balint_survey.csv and
corpora/tools/reference_codes.csv; running it twice gives identical files.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "corpora"
TOOLS = CORPORA / "tools"
CODEBOOK = ROOT / "codebooks" / "balint.yaml"

META_COLUMNS = ["id", "study_id", "author_year", "country", "population", "finding_type", "text"]
SURVEY_COLUMNS = ["id", "participant", "question", "question_text", "cohort", "text"]
REFERENCE_COLUMNS = ["corpus", "source_id", "code", "start", "end"]

# Open questions of Table 4 in Atkinson & Rosenstock (2015), the survey instrument itself.
QUESTIONS = {
    "Q1": "List ways you will change how you interpret, process, or react to challenging "
    "interactions in patient care",
    "Q2": "List the most helpful aspects of participating in these sessions",
    "Q3": "List the most challenging aspects of participating in these sessions",
    "Q4": "List ways in which the relationship you have with a patient can affect the patient's care",
    "Q5": "List ways you might be affected by your relationship with a patient",
}

FINDING_TYPES = {"A": "author_interpretation", "Q": "participant_quote"}
SPAN = re.compile(r"\{(.)\|([^{}]*)\}")


class SourceError(Exception):
    """A malformed line in a hand-written source file."""


@dataclass
class Unit:
    """One parsed unit: its plain text, whole-unit codes and span codes."""

    text: str
    whole: list[str] = field(default_factory=list)
    spans: list[tuple[str, int, int]] = field(default_factory=list)


def code_paths(codebook_path: Path = CODEBOOK) -> dict[str, str]:
    """Map each code's shortcut key to its path Theme/Sub-theme/Code."""
    book = yaml.safe_load(codebook_path.read_text(encoding="utf-8"))
    paths: dict[str, str] = {}

    def visit(node: dict, prefix: list[str], is_code: bool) -> None:
        path = prefix + [node["name"]]
        if is_code:
            paths[node["shortcut"]] = "/".join(path)
        for sub in node.get("subthemes", []) or []:
            visit(sub, path, False)
        for code in node.get("codes", []) or []:
            visit(code, path, True)

    for theme in book["themes"]:
        visit(theme, [], False)
    return paths


def parse_unit(codes_field: str, marked: str, where: str, keys: dict[str, str]) -> Unit:
    """Strip span markup from one line, computing code-point offsets of each span."""
    unit = Unit(text="")
    for key in codes_field.split():
        if key == "-":
            continue
        if key not in keys:
            raise SourceError(f"{where}: unknown code key {key!r}")
        unit.whole.append(keys[key])
    pieces: list[str] = []
    pos = 0
    length = 0
    for match in SPAN.finditer(marked):
        before = marked[pos : match.start()]
        pieces.append(before)
        length += len(before)
        key, inner = match.group(1), match.group(2)
        if key not in keys:
            raise SourceError(f"{where}: unknown span key {key!r}")
        unit.spans.append((keys[key], length, length + len(inner)))
        pieces.append(inner)
        length += len(inner)
        pos = match.end()
    pieces.append(marked[pos:])
    unit.text = "".join(pieces)
    if "{" in unit.text or "}" in unit.text or "|" in unit.text:
        raise SourceError(f"{where}: stray span markup")
    if not unit.text.strip():
        raise SourceError(f"{where}: empty text")
    if len(set(unit.whole)) != len(unit.whole) or set(unit.whole) & {c for c, _, _ in unit.spans}:
        raise SourceError(f"{where}: a code is given twice")
    return unit


def read_blocks(path: Path) -> list[tuple[list[str], list[tuple[int, list[str]]]]]:
    """Split a source file into (header fields, [(line number, unit fields)]) blocks."""
    blocks: list[tuple[list[str], list[tuple[int, list[str]]]]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=="):
            blocks.append(([f.strip() for f in line[2:].split("|")], []))
            continue
        fields = line.split("|", 2)
        if len(fields) != 3 or not blocks:
            raise SourceError(f"{path.name}, line {number}: expected 'type | codes | text'")
        blocks[-1][1].append((number, [f.strip() for f in fields]))
    return blocks


def build_metasynthesis(keys: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """Rows of the meta-synthesis corpus and its reference codes."""
    path = TOOLS / "source" / "metasynthesis.txt"
    rows: list[dict] = []
    refs: list[dict] = []
    for header, lines in read_blocks(path):
        study_id, author_year, country, population = header
        for number, (kind, codes_field, marked) in lines:
            where = f"{path.name}, line {number}"
            if kind not in FINDING_TYPES:
                raise SourceError(f"{where}: finding type must be A or Q")
            unit = parse_unit(codes_field, marked, where, keys)
            fid = f"F{len(rows) + 1:03d}"
            rows.append(
                {
                    "id": fid,
                    "study_id": study_id,
                    "author_year": author_year,
                    "country": country,
                    "population": population,
                    "finding_type": FINDING_TYPES[kind],
                    "text": unit.text,
                }
            )
            refs.extend(reference_rows("metasynthesis", fid, unit))
    return rows, refs


def build_survey(keys: dict[str, str]) -> tuple[list[dict], list[dict]]:
    """Rows of the survey corpus and its reference codes."""
    path = TOOLS / "source" / "survey.txt"
    rows: list[dict] = []
    refs: list[dict] = []
    for header, lines in read_blocks(path):
        participant, cohort = header
        for number, (question, codes_field, marked) in lines:
            where = f"{path.name}, line {number}"
            if question not in QUESTIONS:
                raise SourceError(f"{where}: unknown question {question!r}")
            unit = parse_unit(codes_field, marked, where, keys)
            rid = f"R{len(rows) + 1:04d}"
            rows.append(
                {
                    "id": rid,
                    "participant": participant,
                    "question": question,
                    "question_text": QUESTIONS[question],
                    "cohort": cohort,
                    "text": unit.text,
                }
            )
            refs.extend(reference_rows("survey", rid, unit))
    return rows, refs


def reference_rows(corpus: str, source_id: str, unit: Unit) -> list[dict]:
    """Reference-code rows for one unit; one row with an empty code if none applies."""
    out = [{"corpus": corpus, "source_id": source_id, "code": c, "start": "", "end": ""}
           for c in unit.whole]
    out += [{"corpus": corpus, "source_id": source_id, "code": c, "start": s, "end": e}
            for c, s, e in unit.spans]
    if not out:
        out.append({"corpus": corpus, "source_id": source_id, "code": "", "start": "", "end": ""})
    return out


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Write UTF-8 CSV with a header row and LF line endings."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> int:
    """Rebuild both corpora and the reference codes."""
    keys = code_paths()
    try:
        meta, meta_refs = build_metasynthesis(keys)
        survey, survey_refs = build_survey(keys)
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_csv(CORPORA / "balint_metasynthesis.csv", META_COLUMNS, meta)
    write_csv(CORPORA / "balint_survey.csv", SURVEY_COLUMNS, survey)
    write_csv(TOOLS / "reference_codes.csv", REFERENCE_COLUMNS, meta_refs + survey_refs)
    print(f"{len(meta)} findings, {len(survey)} answers, "
          f"{len(meta_refs) + len(survey_refs)} reference rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
