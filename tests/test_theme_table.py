"""Theme table: hierarchy, studies and units counted by hand, quotes, kappa, every format.

The expected studies and unit counts are recomputed here from the hand-written layer
dictionaries below (not from qualcode's presence code); kappa is checked against
scikit-learn's ``cohen_kappa_score`` on presence vectors built here and against
:func:`qualcode.analysis.agreement_report.agreement_report`.

The project comes from tests/helpers/theme_project.py (the matrix, chart and CLI tests use it too).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from sklearn.metrics import cohen_kappa_score

from helpers.store_engines import ENGINES, engine_store
from helpers.theme_project import (
    ALICE,
    BOB,
    CONSENSUS,
    PARENTS,
    SOURCES,
    TALKING_SPAN,
    build_project,
)
from qualcode.analysis.agreement_report import agreement_report
from qualcode.analysis.theme_table import quote_kind, theme_table, to_table
from qualcode.errors import QualcodeError, StoreError
from qualcode.interchange import writers
from qualcode.model import SourceRecord
from qualcode.storage import Store


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)


@pytest.fixture
def project(store: Store) -> Store:
    return build_project(store)


def _expected(layer: dict[int, list[str]], node: str) -> tuple[list[str], int]:
    """Studies (in corpus order) and units where ``node`` or anything below it is coded."""
    units = sorted(i for i, codes in layer.items()
                   if any(c == node or node in PARENTS[c] for c in codes))
    studies = list(dict.fromkeys(SOURCES[i][1] for i in units))
    return studies, len(units)


def test_rows_follow_the_codebook_hierarchy(project: Store) -> None:
    table = theme_table(project, layer="consensus", kappa_coders=None, auto_kappa=False)
    got = [(r.depth, r.level, r.code.name) for r in table.rows]
    assert got == [(0, "theme", "Relationship"), (1, "subtheme", "Communication"),
                   (2, "code", "Listening"), (2, "code", "Talking"), (1, "code", "Empathy"),
                   (0, "theme", "Challenges"), (1, "code", "=Time"),
                   (0, "theme", "Unused"), (1, "code", "Nothing")]


@pytest.mark.parametrize("layer_name,layer", [("consensus", CONSENSUS), ("alice", ALICE),
                                              ("bob", BOB)])
def test_studies_and_units_counted_by_hand(project: Store, layer_name: str,
                                           layer: dict[int, list[str]]) -> None:
    table = theme_table(project, layer=layer_name, auto_kappa=False)
    for row in table.rows:
        studies, units = _expected(layer, row.code.name)
        assert list(row.studies) == studies, row.code.name
        assert row.n_units == units, row.code.name


def test_study_labels_come_from_the_label_field(project: Store) -> None:
    table = theme_table(project, study_label="author_year", auto_kappa=False)
    row = next(r for r in table.rows if r.code.name == "Relationship")
    assert row.study_labels == ("Torppa 2008", "Kjeldmand 2008", "Olds 2019", "Ng 2022")


def test_quotes_are_attributed_to_their_study_and_kind(project: Store) -> None:
    table = theme_table(project, quotes=3, study_label="author_year", auto_kappa=False)
    by_text = {text: (label, kind) for _, _, label, kind, text in SOURCES}
    n = 0
    for row in table.rows:
        for quote in row.quotes:
            source = next(s for s in SOURCES if quote.text in " ".join(s[4].split()))
            label, kind = source[2], source[3]
            assert quote.study_label == label
            assert quote.kind == quote_kind(kind)
            assert quote.source == source[0]
            n += 1
    assert n >= 6 and by_text


def test_quotes_spread_over_studies_readable_first(project: Store) -> None:
    table = theme_table(project, quotes=2, auto_kappa=False)
    rows = {r.code.name: r for r in table.rows}
    # =Time: r3 (S2, 3 words) and r4 (S3, 7 words), r5 (S3, 1 word). One per study, the
    # study with the readable passage first; the fragment r3 only because S2 has nothing else.
    time = rows["=Time"].quotes
    assert [q.study for q in time] == ["S3", "S2"]
    assert [q.source for q in time] == ["r4", "r3"]
    # Talking: the coded span of r2 ("We talked") is widened to its sentence.
    talking = [q.text for q in rows["Talking"].quotes]
    assert SOURCES[2][4][slice(*TALKING_SPAN)] not in talking
    assert "\"We talked." in talking
    # Listening: both from S1 (the only study): the 13-word sentence before the 4 words.
    assert [q.source for q in rows["Listening"].quotes] == ["r1", "r0"]
    # Non-codable theme rows carry no quotes of their own.
    assert rows["Relationship"].quotes == ()
    assert theme_table(project, quotes=0, auto_kappa=False).rows[2].quotes == ()


def test_quote_display_marks_participant_or_author(project: Store) -> None:
    table = theme_table(project, quotes=2, study_label="author_year", auto_kappa=False)
    rows = {r.code.name: r for r in table.rows}
    shown = rows["Listening"].quotes[1].display()
    assert shown == "\"I listen | longer now.\" (Torppa 2008; participant)"
    assert rows["Listening"].quotes[0].display().endswith("(Torppa 2008; author)")
    assert rows["Listening"].quotes[0].display().startswith("\u201cStudents")


def _presence(layer: dict[int, list[str]], node: str, units: list[int]) -> list[int]:
    return [int(any(c == node or node in PARENTS[c] for c in layer.get(i, []))) for i in units]


def test_kappa_matches_sklearn_and_the_agreement_library(project: Store) -> None:
    table = theme_table(project, layer="consensus", kappa_coders=["alice", "bob"])
    report = agreement_report(project, ["alice", "bob"], level="both")
    by_key = {(r.level, r.code_id): r for r in report.rows}
    both_done = sorted(set(ALICE) & set(BOB))
    assert table.kappa_units == len(both_done)
    checked = 0
    for row in table.rows:
        if row.level == "subtheme":
            assert row.kappa is None
            continue
        key = ("theme" if row.depth == 0 else "code", row.code.id)
        assert row.kappa is not None
        assert (row.kappa.value, row.kappa.low, row.kappa.high) == (
            by_key[key].kappa, by_key[key].kappa_ci_low, by_key[key].kappa_ci_high)
        a = _presence(ALICE, row.code.name, both_done)
        b = _presence(BOB, row.code.name, both_done)
        if len(set(a) | set(b)) > 1:
            assert row.kappa.value == pytest.approx(cohen_kappa_score(a, b))
            checked += 1
        else:
            assert row.kappa.value is None  # one category only: undefined
    assert checked >= 4


def test_kappa_is_automatic_with_exactly_two_coders(project: Store) -> None:
    assert theme_table(project).kappa_coders == ("alice", "bob")
    assert theme_table(project, auto_kappa=False).kappa_coders == ()
    carol = project.coder("carol")
    project.mark_done(project.whole_unit(project.source_by_external_id("r0").id).id, carol.id)
    assert theme_table(project).kappa_coders == ()  # three coders: ask which two


def test_empty_layer_and_bad_options_are_clear_errors(project: Store) -> None:
    with pytest.raises(StoreError, match="coder 'lead' has no codings"):
        theme_table(project, layer="lead")
    with pytest.raises(QualcodeError, match="no coder named 'zoe'"):
        theme_table(project, layer="zoe")
    with pytest.raises(StoreError, match="metadata field .trial.*--no-studies"):
        theme_table(project, study_field="trial")
    with pytest.raises(QualcodeError, match="exactly two"):
        theme_table(project, kappa_coders=["alice", "bob", "lead"])


def test_consensus_empty_layer_error(store: Store) -> None:
    store.import_sources([SourceRecord("x", "text")], path="x.csv")
    store.add_code("A")
    with pytest.raises(StoreError, match="nobody has coded anything yet"):
        theme_table(store)
    with pytest.raises(StoreError, match="consensus layer has no codings"):
        theme_table(store, layer="consensus")


def test_hide_empty_drops_uncoded_rows(project: Store) -> None:
    names = [r.code.name for r in theme_table(project, hide_empty=True).rows]
    assert "Unused" not in names and "Nothing" not in names and "Listening" in names


# -- the formats, parsed back ------------------------------------------------------------------
@pytest.fixture
def table(project: Store) -> writers.Table:
    return to_table(theme_table(project, quotes=2, study_label="author_year"))


def _md_rows(text: str) -> list[list[str]]:
    lines = [ln for ln in text.splitlines() if ln.startswith("|")]
    # Split on pipes not escaped by a backslash.
    return [[c.strip(" ") for c in re.split(r"(?<!\\)\|", ln)[1:-1]] for ln in lines]


def test_markdown_is_a_clean_pipe_table(table: writers.Table) -> None:
    text = writers.render(table, "md")
    rows = _md_rows(text)
    width = len(table.columns)
    assert all(len(r) == width for r in rows)  # escaped pipes never split a cell
    assert rows[0][0] == "Theme / sub-theme / code"
    assert set(rows[1][3]) <= set("-:")
    assert rows[2][0] == "**Relationship**"
    assert rows[3][0] == "\u00a0" * 4 + "*Communication*"
    assert rows[4][0] == "\u00a0" * 8 + "Listening"
    assert rows[4][1] == "Better \\| listening"
    assert "\\<script\\>" in rows[2][1]
    assert "Table: Themes, sub-themes and codes (consensus)" in text
    assert "<br>" in rows[4][5]  # two quotes in one cell


def test_csv_parses_back_with_paths_and_numbers(table: writers.Table) -> None:
    rows = list(csv.reader(io.StringIO(writers.render(table, "csv"))))
    header = rows[0]
    assert header[:3] == ["level", "path", "Theme / sub-theme / code"]
    assert header[-3:] == ["Kappa", "Kappa CI low", "Kappa CI high"]
    body = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    listening = body["Relationship/Communication/Listening"]
    assert listening["level"] == "code"
    assert listening["No. of units"] == "2"
    assert listening["Contributing studies"] == "Torppa 2008"
    assert len(listening["Exemplar quotes"].split("\n")) == 2


def test_xlsx_is_styled_and_parses_back(table: writers.Table, tmp_path) -> None:
    path = tmp_path / "t.xlsx"
    writers.write(table, "xlsx", path)
    sheet = load_workbook(path).active
    assert sheet.freeze_panes == "B2"
    assert all(c.font.bold for c in sheet[1] if c.value)
    assert sheet["A2"].value == "Relationship" and sheet["A2"].font.bold
    assert sheet["A3"].font.italic and sheet["A3"].alignment.indent == 1
    assert sheet["A4"].alignment.indent == 2
    assert sheet["B4"].alignment.wrap_text
    assert sheet.column_dimensions["F"].width == 60
    header = [c.value for c in sheet[1]]
    assert header[-3:] == ["Kappa", "Kappa CI low", "Kappa CI high"]
    kappa = sheet.cell(row=2, column=header.index("Kappa") + 1)
    assert isinstance(kappa.value, float) and kappa.number_format == "0.00"


def test_html_is_self_contained_and_escaped(table: writers.Table) -> None:
    text = writers.render(table, "html")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script>" not in text and "src=" not in text and "href=" not in text
    doc = lxml_html.fromstring(text)
    headers = [th.text_content() for th in doc.xpath("//thead/th|//thead/tr/th")]
    assert headers[0] == "Theme / sub-theme / code"
    body = doc.xpath("//tbody/tr")
    assert len(body) == len(table.rows)
    assert body[0].get("class") == "theme"
    assert body[0].xpath("td")[1].text_content() == "<script>x</script>"
    assert len(body[2].xpath("td")[5].xpath("br")) == 1  # two quotes, one break


def test_latex_escapes_and_uses_booktabs(table: writers.Table) -> None:
    text = writers.render(table, "latex")
    assert r"\begin{longtable}" in text and r"\toprule" in text and r"\bottomrule" in text
    assert r"Talk \& share 100\% \{more\}" in text
    assert r"\textless{}script\textgreater{}" in text
    assert r"\textbf{Relationship}" in text and r"\hspace*{1em}\textit{Communication}" in text
    body = text.split(r"\endlastfoot")[1]
    # Every body row has as many unescaped column separators as the table has columns - 1.
    for line in body.strip().splitlines()[:-1]:
        assert len(re.findall(r"(?<!\\)&", line)) == len(table.columns) - 1, line


def test_empty_estimate_and_undefined_kappa_render(project: Store) -> None:
    t = to_table(theme_table(project, kappa_coders=["alice", "bob"]))
    md = _md_rows(writers.render(t, "md"))
    unused = next(r for r in md if r[0].endswith("Nothing"))
    assert unused[-1] == "n/a"  # nobody used it: kappa undefined
    sub = next(r for r in md if "Communication" in r[0])
    assert sub[-1] == ""  # sub-themes have no kappa
    assert np.isfinite(len(md))


def test_a_quote_shown_above_is_repeated_only_before_fragments(project: Store) -> None:
    # In the consensus, r4 (7 words) is coded Empathy and =Time; =Time's others are the
    # fragments r3 (3 words) and r5 (1 word). Empathy, above, shows r4; =Time shows it
    # again rather than a fragment, then the fragments (S2's first: 3 words beat 1).
    rows = {r.code.name: r for r in theme_table(project, quotes=1, auto_kappa=False).rows}
    assert [q.source for q in rows["Listening"].quotes] == ["r1"]
    assert [q.source for q in rows["Empathy"].quotes] == ["r4"]
    assert [q.source for q in rows["=Time"].quotes] == ["r4"]
    rows = {r.code.name: r for r in theme_table(project, quotes=3, auto_kappa=False).rows}
    assert [q.source for q in rows["=Time"].quotes] == ["r4", "r3", "r5"]
    # r0 (4 words) was shown for Listening: Empathy takes it after its readable r4.
    assert [q.source for q in rows["Empathy"].quotes] == ["r4", "r0"]
