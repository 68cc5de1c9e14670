"""``qualcode agreement`` at the edges, with unique row names, and split by suggestions shown.

References: kappa and its SE are cross-checked with scikit-learn's ``cohen_kappa_score`` and
statsmodels' ``cohens_kappa`` (``std_kappa``, the Fleiss, Cohen & Everitt 1969 SE) on the
presence vectors written out here; zero-width Wald intervals at the boundary are not
reported (Brown, Cai & DasGupta 2001); the difference of two kappas on disjoint units has
the SE sqrt(se1^2 + se2^2) of independent estimates.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import cohens_kappa

from qualcode.analysis.agreement_by_suggestions_format import SPLIT_COLUMNS
from qualcode.analysis.agreement_report import agreement_report
from qualcode.cli import main
from qualcode.model import SourceRecord, Suggestion
from qualcode.storage import Store
from qualcode.storage.suggestion_log import log_shown

# Presence of Care (C) and Touch (T, a code below Care) per source, by coder.
ALICE = ["CT", "C", "", "T", "C", "", "CT", "C", "", "", "C", "T"]
BOB = ["CT", "C", "", "T", "", "", "CT", "", "C", "", "C", "T"]
SHOWN_TO_ALICE = [0, 1, 2, 3, 4, 5]  # suggestions on screen before she marked them done
AFTER_FOR_BOB = [6, 7, 8]  # shown to bob only after done (--suggest after): do not count


def _project(path: Path) -> Path:
    store = Store.create(path)
    try:
        store.import_sources([SourceRecord(f"s{i}", f"First part {i}. Second part {i}.")
                              for i in range(len(ALICE))], path="fixture.csv")
        care = store.add_code("Care")  # a codable theme ...
        touch = store.add_code("Touch", parent_id=care.id)  # ... with a code below it
        unused = store.add_code("Unused")
        ids = {"C": care.id, "T": touch.id}
        for name, rows in (("alice", ALICE), ("bob", BOB)):
            coder = store.coder(name)
            for i, codes in enumerate(rows):
                source = store.source_by_external_id(f"s{i}")
                for letter in codes:
                    store.add_coding(coder.id, source.id, ids[letter])
                unit = store.whole_unit(source.id).id
                if name == "alice" and i in SHOWN_TO_ALICE:
                    log_shown(store, coder_id=coder.id, unit_id=unit, mode="on", unit_done=False,
                              suggestions=[Suggestion(care.id, 0.9), Suggestion(unused.id, 0.1)])
                if name == "bob" and i in AFTER_FOR_BOB:
                    log_shown(store, coder_id=coder.id, unit_id=unit, mode="after",
                              unit_done=True, suggestions=[Suggestion(care.id, 0.9)])
                store.mark_done(unit, coder.id)
    finally:
        store.close()
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _project(tmp_path / "edges.qualcode")


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, ["agreement", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _vector(rows: list[str], letter: str, keep: list[int] | None = None) -> np.ndarray:
    idx = range(len(rows)) if keep is None else keep
    return np.array([letter in rows[i] for i in idx], dtype=int)


# -- names ---------------------------------------------------------------------------------
def test_a_codable_theme_and_its_own_codings_never_share_a_name(project: Path) -> None:
    data = json.loads(_run(str(project), "--coders", "alice", "bob", "--format", "json"))
    names = [r["name"] for r in data["rows"]]
    assert names == ["Care", "Care (own codings)", "Care/Touch", "Unused",
                     "Unused (own codings)"]
    assert len(set(names)) == len(names)
    lines = list(csv.DictReader(io.StringIO(_run(str(project), "--coders", "alice", "bob",
                                                 "--format", "csv"))))
    assert [r["name"] for r in lines] == names
    # The theme row counts Care or Touch; the own-codings row Care alone.
    theme = next(r for r in data["rows"] if r["name"] == "Care")
    own = next(r for r in data["rows"] if r["name"] == "Care (own codings)")
    care_or_touch = [("C" in x or "T" in x) for x in ALICE]
    assert theme["a_count"] == sum(care_or_touch) and own["a_count"] == sum("C" in x for x in ALICE)
    for fmt in ("table", "markdown"):
        text = _run(str(project), "--coders", "alice", "bob", "--format", fmt)
        assert "Care (own codings)" in text
        # Every row line of the pair table starts with a distinct name.
        if fmt == "markdown":
            first_cells = [line.split("|")[1].strip("* ").replace("&nbsp;", "")
                           for line in text.splitlines() if line.startswith("| ")
                           and "Theme / code" not in line]
        else:
            first_cells = [line[:20].strip() for line in text.splitlines()
                           if ("%" in line or " – " in line) and "Theme / code" not in line]
        assert len(first_cells) == len(set(first_cells)) == 5, text


# -- intervals and "not applicable" --------------------------------------------------------
def test_edges_are_not_zero_width_and_unused_codes_not_applicable(project: Path) -> None:
    report = _report(project, bootstrap=200)
    by_name = {r.name: r for r in report.rows}
    unused = by_name["Unused (own codings)"]
    assert unused.label == "not applicable" and unused.ac1 is None
    assert unused.percent_agreement is None and unused.kappa is None
    touch = by_name["Care/Touch"]  # identical for both coders: perfect agreement
    assert touch.kappa == 1.0 and touch.kappa_se == 0.0
    assert touch.kappa_ci_low is None and touch.kappa_ci_high is None
    assert touch.boot_ci_low is None and touch.boot_ci_high is None
    assert touch.ci_note.startswith("perfect agreement") and "bootstrap" in touch.ci_note
    table = _run(str(project), "--coders", "alice", "bob", "--level", "code")
    assert "1.00 (no CI)" in table and "n/a" in table
    assert "no CI: the standard error is 0" in table


def test_one_sided_code_has_kappa_zero_and_no_interval(tmp_path: Path) -> None:
    """Only alice uses Care: kappa = 0 by construction, FCE SE 0, no [0, 0] interval."""
    global ALICE, BOB
    saved = ALICE, BOB
    ALICE, BOB = ["C", "", "C", "", ""] + [""] * 7, [""] * 12
    try:
        path = _project(tmp_path / "one.qualcode")
    finally:
        ALICE, BOB = saved
    with Store.open(path) as store:
        row = next(r for r in agreement_report(store, ["alice", "bob"], level="code").rows
                   if r.name == "Care (own codings)")
    assert row.kappa == 0.0 and row.kappa_ci_low is None and "same value" in row.ci_note
    assert row.note.startswith("only alice used this")


def _report(project: Path, **kw: object):  # type: ignore[no-untyped-def]
    with Store.open(project) as store:
        return agreement_report(store, ["alice", "bob"], **kw)  # type: ignore[arg-type]


# -- split by suggestions ------------------------------------------------------------------
def test_split_by_suggestions_matches_references_per_group(project: Path) -> None:
    report = _report(project, level="code", split_by_suggestions=True)
    assert report.suggestions_shown == {"alice": 6, "bob": 0}
    assert any("shown before coding to alice on 6 of 12 units counted (bob: none)" in w
               for w in report.warnings)
    row = next(r for r in report.split if r.name == "Care (own codings)")
    shown = SHOWN_TO_ALICE
    hidden = [i for i in range(len(ALICE)) if i not in shown]
    sides = {}
    for side, keep in ((row.shown, shown), (row.not_shown, hidden)):
        a, b = _vector(ALICE, "C", keep), _vector(BOB, "C", keep)
        assert side.n_units == len(keep) and (side.a_count, side.b_count) == (a.sum(), b.sum())
        assert side.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
        table = np.array([[np.sum((a == i) & (b == j)) for j in (1, 0)] for i in (1, 0)])
        se = cohens_kappa(table).std_kappa
        assert side.kappa_ci_low == pytest.approx(max(-1, side.kappa - 1.959963984540054 * se))
        assert side.kappa_ci_high == pytest.approx(min(1, side.kappa + 1.959963984540054 * se))
        sides[id(side)] = se
    s1, s0 = sides[id(row.shown)], sides[id(row.not_shown)]
    diff = row.shown.kappa - row.not_shown.kappa
    assert row.kappa_difference == pytest.approx(diff)
    assert row.difference_ci_low == pytest.approx(diff - 1.959963984540054 * math.hypot(s1, s0))
    # Without the flag there are no split rows, but the note is still there.
    plain = _report(project, level="code")
    assert plain.split == [] and any("--split-by-suggestions" in w for w in plain.warnings)


def test_split_by_suggestions_in_every_format(project: Path) -> None:
    args = [str(project), "--coders", "alice", "bob", "--split-by-suggestions"]
    data = json.loads(_run(*args, "--format", "json"))
    assert data["suggestions_shown"] == {"alice": 6, "bob": 0}
    split = data["split_by_suggestions"]
    assert {r["name"] for r in split} >= {"Care", "Care (own codings)", "Care/Touch"}
    assert all(r["shown"]["n_units"] + r["not_shown"]["n_units"] == 12 for r in split)
    lines = list(csv.reader(io.StringIO(_run(*args, "--format", "csv"))))
    assert tuple(lines[0]) == SPLIT_COLUMNS and len(lines) == 1 + len(split)
    markdown = _run(*args, "--format", "markdown")
    assert "κ shown (95% CI), n" in markdown and "not randomised" in markdown
    table = _run(*args)
    assert "with and without suggestions shown before coding" in table
    assert "Warning: code suggestions were shown before coding to alice" in table


def test_sentence_units_inherit_the_showing_of_their_source(project: Path) -> None:
    """The log names coding-screen units (here whole sources); a sentence is 'shown' when a
    shown unit overlaps it, so each source's two sentences follow it."""
    report = _report(project, level="code", unit="sentence", split_by_suggestions=True)
    assert report.suggestions_shown == {"alice": 12, "bob": 0}
    assert all(r.shown.n_units == 12 and r.not_shown.n_units == 12 for r in report.split)


# -- whitespace-only codings ---------------------------------------------------------------
@pytest.mark.parametrize(("text", "blank"), [
    ("First part. Second part.", (11, 12)),  # the space between two sentences
    ("One line.\n\nNext paragraph.", (9, 11)),  # the blank line between paragraphs
    ("Tabs.\t\u00a0\u3000Then more.", (5, 8)),  # other Unicode whitespace
])
def test_a_whitespace_only_coding_counts_the_same_at_every_unit_level(
        tmp_path: Path, text: str, blank: tuple[int, int]) -> None:
    """Segments leave the whitespace between them out, so such a coding would be present
    for the source but for no sentence or paragraph; it is left out at every level."""
    assert text[blank[0]:blank[1]].isspace()
    with Store.create(tmp_path / "ws.qualcode") as store:
        store.import_sources([SourceRecord("s0", text), SourceRecord("s1", "Other text. Here.")],
                             path="fixture.csv")
        care = store.add_code("Care")
        for name in ("alice", "bob"):
            coder = store.coder(name)
            for sid in ("s0", "s1"):
                source = store.source_by_external_id(sid)
                if name == "alice" and sid == "s0":
                    store.add_coding(coder.id, source.id, care.id, *blank)
                if sid == "s1":  # a real coding, so the code is in use
                    store.add_coding(coder.id, source.id, care.id, 0, 5)
                store.mark_done(store.whole_unit(source.id).id, coder.id)
        counts = {unit: next(r for r in agreement_report(store, ["alice", "bob"], level="code",
                                                          unit=unit).rows).a_count
                  for unit in ("source", "sentence", "paragraph")}
    assert counts == {"source": 1, "sentence": 1, "paragraph": 1}  # s1 only, at every level


def test_all_coder_rows_of_an_unused_code_are_not_applicable(tmp_path: Path) -> None:
    """Three coders: Krippendorff's alpha and Fleiss' kappa of a code nobody used would be
    0/0 with 100 % agreement; the row says "not applicable" instead. Fleiss' kappa's CI
    (Gwet 2014 SE) is cut to [-1, 1] like the pairwise ones."""
    with Store.create(tmp_path / "three.qualcode") as store:
        store.import_sources([SourceRecord(f"s{i}", f"Text {i}.") for i in range(6)],
                             path="fixture.csv")
        used = store.add_code("Used")
        store.add_code("Unused")  # a code nobody applies
        for k, name in enumerate(("alice", "bob", "carol")):
            coder = store.coder(name)
            for i in range(6):
                source = store.source_by_external_id(f"s{i}")
                if i < 3 or (i == 3 and k == 0):
                    store.add_coding(coder.id, source.id, used.id)
                store.mark_done(store.whole_unit(source.id).id, coder.id)
        report = agreement_report(store, ["alice", "bob", "carol"], level="code")
    rows = {m.name: m for m in report.multi_rater}
    gone = rows["Unused (own codings)"]
    assert gone.label == "not applicable" and gone.percent_agreement is None
    assert gone.fleiss_kappa is None and gone.note.startswith("not applicable")
    kept = rows["Used (own codings)"]
    assert (
        kept.fleiss_kappa is not None and -1.0 <= kept.fleiss_ci_low <= kept.fleiss_ci_high <= 1.0
    )


def test_disagreements_name_a_theme_and_its_own_codings_apart(project: Path) -> None:
    """s7: alice has Care, bob nothing; the theme Care and Care's own codings both differ
    there, and the two lines carry different names in CSV, JSON and the table."""
    args = [str(project), "--coders", "alice", "bob", "--disagreements"]
    lines = list(csv.DictReader(io.StringIO(_run(*args, "--format", "csv"))))
    on_s7 = [(r["level"], r["name"]) for r in lines if r["unit"] == "s7"]
    assert on_s7 == [("theme", "Care"), ("code", "Care (own codings)")]
    data = json.loads(_run(*args, "--format", "json"))
    assert {d["name"] for d in data["disagreements"] if d["unit"] == "s7"} == {
        "Care", "Care (own codings)"}
    assert "s7  Care (own codings)  coded by alice only" in _run(*args)
