"""Build the illustrative interview transcripts (.docx and .vtt) and two coders' codings.

Source: ``tools/source/transcripts.txt`` (hand-written, illustrative; see its header).
Output, byte for byte the same on every run (fixed document dates, ZIP entry times and cue
times, no randomness):

* ``corpora/transcripts/*.docx``: a title paragraph, then one paragraph per turn,
  ``Speaker: words`` (Word files as an interviewer's typist would write them);
* ``corpora/transcripts/*.vtt``: one cue per turn with a WebVTT voice tag ``<v Speaker>``
  and times from the turn's length (0.4 s a word);
* ``corpora/codings/transcripts_{alice,bob}.csv``: each coder's codes on the participants'
  turns as whole paragraphs (``{CODE}`` both coders, ``{a:CODE}`` alice only, ``{b:CODE}``
  bob only), offsets as qualcode stores the text (read back with qualcode's own readers).

Run:  python corpora/tools/build_transcripts.py
"""

from __future__ import annotations

import csv
import io
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from qualcode.interchange.readers.documents import read_document  # noqa: E402

SOURCE = ROOT / "corpora" / "tools" / "source" / "transcripts.txt"
OUT = ROOT / "corpora" / "transcripts"
CODINGS = ROOT / "corpora" / "codings"
FIXED = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
NOTE = ("Illustrative transcript written for qualcode's demo: not a real participant's "
        "words.")
_TURN = re.compile(r"^(?P<speaker>[^:]+): (?P<words>.*?)\s*(?:\{(?P<codes>[^}]*)\})?$")


@dataclass
class Interview:
    """One interview: its file name, title and turns (speaker, words, codes per coder)."""

    file: str
    title: str
    turns: list[tuple[str, str, dict[str, list[str]]]] = field(default_factory=list)


def parse(text: str) -> list[Interview]:
    """Read the source file into interviews."""
    interviews: list[Interview] = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("=== "):
            file, title, _ = (part.strip() for part in line[4:].split("|"))
            interviews.append(Interview(file, title))
            continue
        match = _TURN.match(line)
        if match is None:
            raise SystemExit(f"{SOURCE}: cannot read the turn {line!r}")
        codes: dict[str, list[str]] = {"alice": [], "bob": []}
        for code in filter(None, (c.strip() for c in (match["codes"] or "").split(";"))):
            who, _, path = code.partition(":") if code[:2] in ("a:", "b:") else ("", "", code)
            for coder in ("alice", "bob"):
                if who in ("", coder[0]):
                    codes[coder].append(path)
        interviews[-1].turns.append((match["speaker"], match["words"], codes))
    return interviews


def write_docx(interview: Interview, path: Path) -> None:
    """Write a Word file with fixed properties and ZIP entry times."""
    import docx

    document = docx.Document()
    props = document.core_properties
    props.title, props.author, props.comments = interview.title, "qualcode demo", NOTE
    props.created = props.modified = FIXED
    props.last_modified_by, props.revision = "qualcode demo", 1
    document.add_heading(interview.title, level=1)
    document.add_paragraph(NOTE)
    for speaker, words, _ in interview.turns:
        document.add_paragraph(f"{speaker}: {words}")
    raw = io.BytesIO()
    document.save(raw)
    path.write_bytes(_fixed_zip(raw.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a ZIP with every entry dated 1980-01-01, so the bytes never change."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def write_vtt(interview: Interview, path: Path) -> None:
    """Write a WebVTT file, one cue per turn, times from the number of words."""
    lines = ["WEBVTT", "", "NOTE", f"{interview.title}. {NOTE}", ""]
    clock = 1.0
    for number, (speaker, words, _) in enumerate(interview.turns, start=1):
        length = 0.4 * len(words.split())
        lines += [str(number), f"{_time(clock)} --> {_time(clock + length)}",
                  f"<v {speaker}>{words}", ""]
        clock += length + 0.8
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")


def _time(seconds: float) -> str:
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{millis:03d}"


def codings(interviews: list[Interview]) -> dict[str, list[list[str]]]:
    """Each coder's rows: whole turns coded, offsets in the text qualcode stores."""
    rows: dict[str, list[list[str]]] = {"alice": [], "bob": []}
    for interview in interviews:
        path = OUT / interview.file
        document = read_document(path)
        source_id = path.stem
        spans = dict(zip((p.text for p in document.paragraphs), document.offsets(),
                         strict=True))
        for speaker, words, codes in interview.turns:
            start, end = spans[f"{speaker}: {words}"]
            for coder, paths in codes.items():
                rows[coder] += [[source_id, code, str(start), str(end)] for code in paths]
        for coder in rows:  # a transcript nobody coded a turn of is still done
            if not any(row[0] == source_id for row in rows[coder]):
                rows[coder].append([source_id, "", "", ""])
    return rows


def main() -> None:
    """Build every transcript and both coders' codings."""
    interviews = parse(SOURCE.read_text(encoding="utf-8"))
    OUT.mkdir(exist_ok=True)
    for interview in interviews:
        target = OUT / interview.file
        (write_docx if target.suffix == ".docx" else write_vtt)(interview, target)
    for coder, found in codings(interviews).items():
        with (CODINGS / f"transcripts_{coder}.csv").open("w", encoding="utf-8",
                                                         newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["source_id", "code", "start", "end"])
            writer.writerows(found)
    print(f"Wrote {len(interviews)} transcripts to {OUT} and their codings to {CODINGS}")


if __name__ == "__main__":
    main()
