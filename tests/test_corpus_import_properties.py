"""Property tests: any Unicode text survives CSV/TSV/JSONL import byte for byte.

Files are written with the standard library's own writers (csv, json), the way other
tools write them, then imported into a fresh project and read back from the store. A
random code-point span coded with ``add_coding`` must give back ``text[start:end]``:
offsets count code points, so emoji, combining marks and CRLF must not shift them.
"""

from __future__ import annotations

import csv
import json
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qualcode.interchange.corpus_import import import_corpus, read_corpus
from qualcode.model import CodeKind
from qualcode.storage import Store

# Characters that break naive readers: line endings, quotes, separators, astral emoji,
# combining marks, a BOM inside the text, Unicode line separators.
SPECIALS = ["\r\n", "\r", "\n", '"', "'", ",", "\t", ";", "😀",
            "\U0001F469\U0001F3FD\u200d\u2695\ufe0f", "e\u0301", "\ufeff",
            "\u2028", "\x85", "\\", "  "]
CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
PIECES = st.one_of(CHARS, st.sampled_from(SPECIALS))
TEXTS = st.lists(PIECES, min_size=1, max_size=40).map("".join).filter(
    lambda t: not t.isspace())
NOTES = st.lists(PIECES, max_size=10).map("".join)
ROWS = st.lists(st.tuples(TEXTS, NOTES), min_size=1, max_size=5)
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def write_corpus(folder: Path, fmt: str, rows: list[tuple[str, str]]) -> tuple[Path, list[int]]:
    """Write rows (ids r0, r1, ...) with the stdlib writers; return the file and row lines."""
    path = folder / f"corpus.{fmt}"
    lines: list[int] = []
    with path.open("w", encoding="utf-8", newline="") as handle:
        if fmt == "jsonl":
            for i, (text, note) in enumerate(rows):
                lines.append(i + 1)
                handle.write(json.dumps({"id": f"r{i}", "text": text, "note": note},
                                        ensure_ascii=False) + "\n")
            return path, lines
        writer = csv.writer(handle, delimiter="\t" if fmt == "tsv" else ",")
        writer.writerow(["id", "text", "note"])
        handle.flush()
        for i, (text, note) in enumerate(rows):
            written = path.read_bytes().decode("utf-8")
            # The physical line a row starts on, counting line breaks as editors do.
            lines.append(len(LINE_BREAK.findall(written)) + 1)
            writer.writerow([f"r{i}", text, note])
            handle.flush()
    return path, lines


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.data_too_large])
@given(fmt=st.sampled_from(["csv", "tsv", "jsonl"]), rows=ROWS, data=st.data())
def test_any_text_round_trips_and_code_point_spans_hold(fmt: str, rows: list[tuple[str, str]],
                                                        data: st.DataObject) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        corpus, lines = write_corpus(folder, fmt, rows)
        assert [r.line for r in read_corpus(corpus)] == lines
        with Store.create(folder / "p.qualcode") as store:
            report = import_corpus(store, corpus)
            assert report.added == len(rows)
            for i, (text, note) in enumerate(rows):
                source = store.source_by_external_id(f"r{i}")
                assert source.text == text
                assert source.text.encode("utf-8") == text.encode("utf-8")
                assert dict(source.metadata) == {"note": note}
                assert store.whole_unit(source.id).end == len(text)
            i = data.draw(st.integers(0, len(rows) - 1), label="row")
            text = rows[i][0]
            start = data.draw(st.integers(0, len(text)), label="start")
            end = data.draw(st.integers(start, len(text)), label="end")
            code = store.add_code("Any", kind=CodeKind.CODE)
            coder = store.coder("alice")
            source = store.source_by_external_id(f"r{i}")
            coding = store.add_coding(coder.id, source.id, code.id, start, end)
            stored = store.source(coding.source_id)
            assert stored.excerpt(coding.start, coding.end) == text[start:end]
