"""Hypothesis fuzzing of every importer and of ``qualcode stats`` through the CLI.

Each example writes a generated file (well-formed-looking structure with random
content, or raw random bytes) and runs the command on a copy of a small project.
Whatever the input: no exception escapes; a refusal is one line on stderr naming the
file and leaves the project byte-for-byte as it was; an acceptance leaves a project that
``qualcode check`` finds sound. A few examples per importer by default; many under slow.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.robust_harness import IMPORTERS, digest, make_project, one_line_error, run_cli
from qualcode.storage.check import check_project

TEXT = st.text(max_size=40)
CELL = st.one_of(TEXT, st.sampled_from(["", " ", "0", "-1", "=1+1", '"', "\r\n", "r1"]))


def _csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


@st.composite
def corpus_csv(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from([["id", "text"], ["id", "text", "study"], ["text", "id"],
                                   ["id", "txt"], ["id", "text", "text"]]))
    rows = draw(st.lists(st.lists(CELL, min_size=len(header) - 1, max_size=len(header) + 1),
                         max_size=6))
    return _csv([header, *rows])


@st.composite
def corpus_jsonl(draw: st.DrawFn) -> bytes:
    value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(),
                                   TEXT), lambda inner: st.lists(inner, max_size=3)
                         | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6)
    objects = draw(st.lists(st.fixed_dictionaries(
        {}, optional={"id": st.one_of(TEXT, st.integers()), "text": st.one_of(TEXT, value),
                      "study": value}), max_size=5))
    lines = [json.dumps(o, allow_nan=True) for o in objects]
    lines += draw(st.lists(TEXT, max_size=2))
    return "\n".join(lines).encode("utf-8")


NODE_KEYS = ["name", "description", "inclusion", "exclusion", "examples", "colour",
             "shortcut", "guid", "codable", "subthemes", "codes", "kind"]


@st.composite
def codebook_yaml(draw: st.DrawFn) -> bytes:
    leaf = st.one_of(st.none(), st.booleans(), st.integers(), TEXT)
    node = st.recursive(st.dictionaries(st.sampled_from(NODE_KEYS), leaf, max_size=4),
                        lambda inner: st.dictionaries(st.sampled_from(NODE_KEYS),
                                                      st.one_of(leaf, st.lists(inner, max_size=3)),
                                                      max_size=5), max_leaves=8)
    document = {"format": draw(st.sampled_from(["qualcode-codebook/1", "other", 1])),
                "themes": draw(st.lists(node, max_size=3))}
    return yaml.safe_dump(document, allow_unicode=True).encode("utf-8")


@st.composite
def codings_csv(draw: st.DrawFn) -> bytes:
    header = ["source_id", "code", "start", "end", *draw(st.sampled_from(
        [[], ["coder"], ["layer"], ["text"]]))]
    offset = st.one_of(st.just(""), st.integers(-3, 70).map(str), TEXT)
    row = st.tuples(st.sampled_from(["r1", "r2", "r3", "r9", ""]) | TEXT,
                    st.sampled_from(["Listening", "Communication/Listening", "Time pressure",
                                     "Communication", ""]) | TEXT, offset, offset,
                    st.sampled_from(["mallory", "bob", "coder", "consensus", ""]))
    rows = [list(r[:4]) + list(r[4:5]) * (len(header) - 4) for r in draw(st.lists(row, max_size=6))]
    return _csv([header, *rows])


@st.composite
def ratings_csv(draw: st.DrawFn) -> bytes:
    raters = draw(st.integers(1, 4))
    header = ["id", *[f"r{n}" for n in range(raters)]]
    rating = st.one_of(st.sampled_from(["", "a", "b", "1", "2", "3", "NaN", "-0"]), TEXT)
    rows = [[str(n), *draw(st.lists(rating, min_size=raters, max_size=raters))]
            for n in range(draw(st.integers(0, 8)))]
    return _csv([header, *rows])


GUIDS = st.one_of(st.uuids().map(str), st.sampled_from(["", "x", "00000000-0000-0000-0000-"
                                                          "000000000000"]))


@st.composite
def qdc_xml(draw: st.DrawFn) -> bytes:
    def code(depth: int) -> str:
        inner = "".join(code(depth + 1) for _ in range(draw(st.integers(0, 2 if depth < 2 else 0))))
        return (f"<Code guid={quoteattr(draw(GUIDS))} name={quoteattr(draw(TEXT))} "
                f"isCodable={quoteattr(draw(st.sampled_from(['true', 'false', 'x'])))}>"
                f"<Description>{escape(draw(TEXT))}</Description>{inner}</Code>")
    codes = "".join(code(0) for _ in range(draw(st.integers(0, 3))))
    return (f'<?xml version="1.0" encoding="UTF-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0">'
            f"<Codes>{codes}</Codes></CodeBook>").encode("utf-8")


@st.composite
def qdpx_zip(draw: st.DrawFn) -> bytes:
    code_guid, user = draw(st.uuids()).hex, str(draw(st.uuids()))
    sources, members = [], {}
    for _ in range(draw(st.integers(0, 3))):
        guid, text = str(draw(st.uuids())), draw(TEXT)
        selections = "".join(
            f'<PlainTextSelection guid="{draw(st.uuids())}" startPosition='
            f'{quoteattr(str(draw(st.integers(-2, 50))))} endPosition='
            f'{quoteattr(str(draw(st.integers(-2, 50))))} creatingUser="{user}"><Coding '
            f'guid="{draw(st.uuids())}" creatingUser="{user}"><CodeRef targetGUID='
            f'{quoteattr(draw(st.sampled_from([code_guid, str(draw(st.uuids()))])))}/></Coding>'
            "</PlainTextSelection>" for _ in range(draw(st.integers(0, 2))))
        sources.append(f'<TextSource guid="{guid}" name={quoteattr(draw(TEXT))} '
                       f'plainTextPath="internal://{guid}.txt">{selections}</TextSource>')
        if draw(st.integers(0, 5)):  # now and then a source file is missing
            members[f"sources/{guid}.txt"] = text.encode("utf-8")
    qde = (f'<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="fuzz"><Users><User guid="{user}" name={quoteattr(draw(TEXT))}/></Users>'
           f'<CodeBook><Codes><Code guid="{code_guid}" name={quoteattr(draw(TEXT))} '
           f'isCodable="true"/></Codes></CodeBook><Sources>{"".join(sources)}</Sources></Project>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("project.qde", qde)
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _or_bytes(strategy: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Mostly structured input, sometimes raw bytes (NULs, broken UTF-8, nothing at all)."""
    return st.one_of(strategy, strategy, strategy, st.binary(max_size=200))


# importer -> (file suffix, strategy); an importer added to IMPORTERS needs an entry here
FUZZ: dict[str, tuple[str, st.SearchStrategy[bytes]]] = {
    "corpus": (".csv", _or_bytes(corpus_csv())),
    "codebook": (".yaml", _or_bytes(codebook_yaml())),
    "codings": (".csv", _or_bytes(codings_csv())),
    "stats": (".csv", _or_bytes(ratings_csv())),
    "qdc": (".qdc", _or_bytes(qdc_xml())),
    "qdpx": (".qdpx", _or_bytes(qdpx_zip())),
    "merge": (".qdpx", _or_bytes(qdpx_zip())),
}
FUZZ_JSONL = ("corpus", ".jsonl", _or_bytes(corpus_jsonl()))


@pytest.fixture(scope="module")
def base_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project every example starts from (copied, never changed)."""
    return make_project(tmp_path_factory.mktemp("fuzz") / "base.qualcode")


def _one_example(base: Path, importer: str, suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder) / "study.qualcode"
        shutil.copy(base, project)
        file = Path(folder) / f"input{suffix}"
        file.write_bytes(data)
        before = digest(project)
        run = run_cli(IMPORTERS[importer](project, file))
        if run.exit_code == 0 and run.exception is None:
            assert check_project(project) == []
            return
        problem = one_line_error(run, file)
        assert problem is None, f"{importer}: {problem}\ninput: {data[:300]!r}"
        assert digest(project) == before, f"{importer}: a refused file changed the project"


def _fuzz(examples: int) -> Callable[..., None]:
    cases = [(name, *FUZZ[name]) for name in IMPORTERS] + [FUZZ_JSONL]

    @pytest.mark.parametrize(("importer", "suffix", "strategy"), cases,
                             ids=[f"{c[0]}{c[1]}" for c in cases])
    def test(base_project: Path, importer: str, suffix: str, strategy) -> None:
        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                         HealthCheck.filter_too_much])
        @given(data=strategy)
        def run(data: bytes) -> None:
            _one_example(base_project, importer, suffix, data)

        run()

    return test


test_fuzz_importers = _fuzz(12)
test_fuzz_importers_long = pytest.mark.slow(_fuzz(400))
