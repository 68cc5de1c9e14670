"""The agreement report over a project: what counts as present, which units count, and the numbers.

Expected kappas are recomputed independently with scikit-learn's ``cohen_kappa_score`` on
presence vectors written out by hand here; many-coder values with the ``krippendorff``
package and statsmodels' ``fleiss_kappa``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss_kappa

from helpers.store_engines import ENGINES, engine_store
from qualcode.analysis.agreement_report import (
    CONSENSUS,
    agreement_report,
    disagreements,
)
from qualcode.errors import QualcodeError
from qualcode.model import CodeKind, Layer, SourceRecord, UnitKind
from qualcode.storage import Store


@pytest.fixture(params=ENGINES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each test runs on a project file and on a server project (helpers.store_engines)."""
    yield from engine_store(request, tmp_path)

TEXTS = ["We listened. Then we talked.", "Too long. Tired after nights.", "Nothing to add.",
         "They listened well.", "Time was short.", "Long and slow. But useful.",
         "Not done by bob.", "Not done by anyone."]
STUDY = ["S1", "S1", "S2", "S2", "S3", "S3", "S3", "S4"]

# Presence of (Listening, Talking, Time) per source 0..5 for each coder, by hand.
ALICE = {0: ["Listening", "Talking"], 1: ["Time"], 2: [], 3: ["Listening"], 4: ["Time"],
         5: ["Talking"], 6: ["Time"]}
BOB = {0: ["Listening"], 1: ["Time"], 2: [], 3: ["Listening", "Time"], 4: [],
       5: ["Talking", "Listening"]}
CAROL = {0: ["Listening", "Talking"], 1: ["Time"], 2: ["Time"], 3: ["Listening"], 4: ["Time"],
         5: ["Talking"], 6: []}
CODES = ["Listening", "Talking", "Time"]


def _build(store: Store, layers: dict[str, dict[int, list[str]]]) -> Store:
    store.import_sources([SourceRecord(f"r{i}", t, metadata={"study": s})
                          for i, (t, s) in enumerate(zip(TEXTS, STUDY, strict=True))],
                         path="fixture.csv")
    theme = store.add_code("Communication", kind=CodeKind.THEME)
    ids = {"Listening": store.add_code("Listening", parent_id=theme.id).id,
           "Talking": store.add_code("Talking", parent_id=theme.id).id,
           "Time": store.add_code("Time").id}  # a top-level code is its own theme
    for name, done in layers.items():
        coder = store.coder(name)
        for i, codes in done.items():
            source = store.source_by_external_id(f"r{i}")
            for code in codes:
                store.add_coding(coder.id, source.id, ids[code])
            store.mark_done(store.whole_unit(source.id).id, coder.id)
    return store


@pytest.fixture
def project(store: Store) -> Store:
    return _build(store, {"alice": ALICE, "bob": BOB})


def _vector(layer: dict[int, list[str]], code: str, units: list[int]) -> list[int]:
    return [int(code in layer[i]) for i in units]


def _theme_vector(layer: dict[int, list[str]], units: list[int]) -> list[int]:
    return [int(bool({"Listening", "Talking"} & set(layer[i]))) for i in units]


def test_code_kappas_equal_sklearn_on_the_units_both_finished(project: Store) -> None:
    report = agreement_report(project, ["alice", "bob"], level="code")
    both = [0, 1, 2, 3, 4, 5]
    assert report.n_units == 6
    assert report.excluded == {"not done by bob": 1, "not done by any compared coder": 1}
    assert [r.path for r in report.rows] == ["Communication/Listening", "Communication/Talking",
                                             "Time"]
    for row, code in zip(report.rows, CODES, strict=True):
        expected = cohen_kappa_score(_vector(ALICE, code, both), _vector(BOB, code, both))
        assert row.kappa == pytest.approx(expected)
        assert row.n_units == 6 and row.coder_a == "alice" and row.coder_b == "bob"
        agree = np.mean(np.equal(_vector(ALICE, code, both), _vector(BOB, code, both)))
        assert row.percent_agreement == pytest.approx(agree)
        assert row.a_count == sum(_vector(ALICE, code, both))
        assert row.b_count == sum(_vector(BOB, code, both))
        assert row.kappa_ci_low < row.kappa < row.kappa_ci_high
        assert row.boot_ci_low is None and row.label


def test_a_theme_is_present_when_any_code_below_it_is(project: Store) -> None:
    report = agreement_report(project, ["alice", "bob"], level="both")
    assert [(r.level, r.path) for r in report.rows] == [
        ("theme", "Communication"), ("code", "Communication/Listening"),
        ("code", "Communication/Talking"), ("theme", "Time"), ("code", "Time")]
    both = [0, 1, 2, 3, 4, 5]
    theme = report.rows[0]
    assert theme.kappa == pytest.approx(cohen_kappa_score(_theme_vector(ALICE, both),
                                                          _theme_vector(BOB, both)))
    assert [p.level for p in report.pooled] == ["code", "theme"]
    pooled = report.pooled_for("alice", "bob", "code")
    kappas = [r.kappa for r in report.rows if r.level == "code"]
    assert pooled is not None and pooled.mean_kappa == pytest.approx(np.mean(kappas))
    # De Vries et al. (2008): mean observed and chance agreement first, then kappa.
    po, pe = [], []
    for code in CODES:
        a, b = np.array(_vector(ALICE, code, both)), np.array(_vector(BOB, code, both))
        po.append(np.mean(a == b))
        pe.append(a.mean() * b.mean() + (1 - a.mean()) * (1 - b.mean()))
    assert pooled.kappa == pytest.approx((np.mean(po) - np.mean(pe)) / (1 - np.mean(pe)))


def test_consensus_pseudo_coder_reads_the_consensus_layer(project: Store) -> None:
    lead = project.coder("lead")
    time_id = project.codebook().find("Time")[0].id
    for i in (0, 1, 2, 3):
        source = project.source_by_external_id(f"r{i}")
        if i in (1, 3):
            project.add_coding(lead.id, source.id, time_id, layer=Layer.CONSENSUS)
        project.mark_done(project.whole_unit(source.id).id, lead.id, layer=Layer.CONSENSUS)
    report = agreement_report(project, ["bob", CONSENSUS], level="code")
    assert report.n_units == 4
    time_row = [r for r in report.rows if r.path == "Time"][0]
    assert time_row.coder_b == CONSENSUS
    assert time_row.kappa == pytest.approx(cohen_kappa_score(
        _vector(BOB, "Time", [0, 1, 2, 3]), [0, 1, 0, 1]))


def test_consensus_without_done_units_is_one_clear_error(project: Store) -> None:
    with pytest.raises(QualcodeError, match="consensus layer has no unit marked done"):
        agreement_report(project, ["alice", CONSENSUS])


@pytest.mark.parametrize("coders, message", [
    (["alice", "dan"], "no coder named 'dan'"),
    (["alice"], "at least two coders"),
    (["alice", "alice"], "named twice"),
])
def test_bad_coder_lists_are_refused(project: Store, coders: list[str], message: str) -> None:
    with pytest.raises(QualcodeError, match=message):
        agreement_report(project, coders)


def test_a_coder_with_nothing_done_is_refused(project: Store) -> None:
    project.coder("erin")
    with pytest.raises(QualcodeError, match="'erin' has not marked any unit done"):
        agreement_report(project, ["alice", "erin"])


def test_unknown_group_field_level_and_unit_are_refused(project: Store) -> None:
    with pytest.raises(QualcodeError, match="metadata field 'site'.*fields: study"):
        agreement_report(project, ["alice", "bob"], group_by="site")
    with pytest.raises(QualcodeError, match="unknown level"):
        agreement_report(project, ["alice", "bob"], level="codes")
    with pytest.raises(QualcodeError, match="unknown unit"):
        agreement_report(project, ["alice", "bob"], unit="word")


def test_groups_count_only_when_both_coders_finished_all_their_units(project: Store) -> None:
    report = agreement_report(project, ["alice", "bob"], level="code", group_by="study")
    # S1 and S2 are finished by both; S3 has r6 which bob did not do; S4 nobody did.
    assert report.n_units == 2
    assert report.excluded == {"not finished by bob": 1, "not done by any compared coder": 1}
    listening = report.rows[0]
    # S1: alice {L, T, Time}, bob {L, Time}; S2: alice {L}, bob {L, Time}.
    assert (listening.a_count, listening.b_count, listening.both_count) == (2, 2, 2)
    partial = agreement_report(project, ["alice", "bob"], level="code", group_by="study",
                               partial_groups=True)
    assert partial.n_units == 3 and partial.excluded == {"not done by any compared coder": 1}
    time_row = partial.rows[2]
    # Time: alice S1 (r1) and S3 (r4 only; r6 is left out); bob S1 (r1) and S2 (r3).
    assert (time_row.a_count, time_row.b_count, time_row.both_count) == (2, 2, 1)


def test_sentence_units_count_presence_per_sentence(project: Store) -> None:
    bob = project.coder("bob")
    source = project.source_by_external_id("r2")
    text = source.text
    # Nothing to add: one sentence. Add a two-sentence check on r0 by span.
    r0 = project.source_by_external_id("r0")
    talked = r0.text.index("talked")
    project.add_coding(bob.id, r0.id, project.codebook().find("Talking")[0].id, talked, talked + 6)
    report = agreement_report(project, ["alice", "bob"], level="code", unit="sentence")
    assert report.unit == UnitKind.SENTENCE and "segmentation" in report.unit_source
    # Sentences of the six finished sources: 2 + 2 + 1 + 1 + 1 + 2.
    assert report.n_units == 9 and text
    talking = report.rows[1]
    # alice coded Talking on the whole of r0 (both sentences) and r5 (both); bob on r5 and
    # the second sentence of r0.
    assert (talking.a_count, talking.b_count, talking.both_count) == (4, 3, 3)


def test_stored_sentence_units_done_one_by_one_count(store: Store) -> None:
    store.import_sources([SourceRecord("a", "One. Two.")], path="f.csv")
    code = store.add_code("C")
    source = store.source_by_external_id("a")
    # the project stores no sentence units yet; insert them as a migration would
    with store.transaction():
        for pos, (s, e) in enumerate([(0, 4), (5, 9)]):
            store.db.execute(
                'INSERT INTO units(guid, source_id, start, "end", kind, position) '
                "VALUES (?, ?, ?, ?, 'sentence', ?)",
                [f"g{pos}", source.id, s, e, pos],
            )
    units = store.units(UnitKind.SENTENCE)
    for name in ("alice", "bob"):
        coder = store.coder(name)
        store.add_coding(coder.id, source.id, code.id, 0, 4)
        store.mark_done(units[0].id, coder.id)
    store.mark_done(units[1].id, store.coder("alice").id)
    report = agreement_report(store, ["alice", "bob"], unit=UnitKind.SENTENCE, level="code")
    assert report.unit_source == "sentences stored in the project"
    assert report.n_units == 1 and report.excluded == {"not done by bob": 1}


def test_three_coders_give_pairs_plus_alpha_and_fleiss(store: Store) -> None:
    _build(store, {"alice": ALICE, "bob": BOB, "carol": CAROL})
    report = agreement_report(store, ["alice", "bob", "carol"], level="code")
    assert report.n_units == 6  # the units all three finished
    pairs = {(r.coder_a, r.coder_b) for r in report.rows}
    assert pairs == {("alice", "bob"), ("alice", "carol"), ("bob", "carol")}
    both = [0, 1, 2, 3, 4, 5]
    for row in report.multi_rater:
        code = row.path.split("/")[-1]
        data = np.array([_vector(layer, code, both) for layer in (ALICE, BOB, CAROL)])
        expected_alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
        assert row.krippendorff_alpha == pytest.approx(expected_alpha)
        table, _ = aggregate_raters(data.T)
        assert row.fleiss_kappa == pytest.approx(sm_fleiss_kappa(table, method="fleiss"))
        assert row.n_units == 6


def test_two_coders_have_no_multi_rater_rows(project: Store) -> None:
    assert agreement_report(project, ["alice", "bob"]).multi_rater == []


def test_bootstrap_is_seeded_and_brackets_the_estimate(project: Store) -> None:
    one = agreement_report(project, ["alice", "bob"], level="code", bootstrap=300, seed=4)
    two = agreement_report(project, ["alice", "bob"], level="code", bootstrap=300, seed=4)
    assert [r.boot_ci_low for r in one.rows] == [r.boot_ci_low for r in two.rows]
    row = one.rows[0]
    assert row.boot_ci_low is not None and row.boot_ci_low <= row.kappa <= row.boot_ci_high
    assert any("bootstrap resamples" in w for w in one.warnings)
    assert any("only 6 units" in w for w in one.warnings)


def test_a_code_nobody_used_is_not_applicable(store: Store) -> None:
    """Neither coder used any code on the unit: 100 % agreement and AC1 = 1 would say nothing,
    so every number is None and the row says "not applicable"."""
    _build(store, {"alice": {2: []}, "bob": {2: []}})
    report = agreement_report(store, ["alice", "bob"], level="code")
    for row in report.rows:
        assert (row.kappa, row.ac1, row.pabak, row.percent_agreement) == (None,) * 4
        assert row.kappa_ci_low is None and row.label == "not applicable"
        assert row.note.startswith("not applicable") and row.n_units == 1
    assert report.pooled[0].kappa is None and report.pooled[0].n_rows_with_kappa == 0


def test_a_code_both_always_used_is_undefined_not_not_applicable(store: Store) -> None:
    """Both coders put Time on every unit: kappa is 0/0 (Cohen 1960, pe = 1) but they did
    use the code, so agreement (100 %) and AC1 (Gwet 2008: pe = 0 here, AC1 = 1) are shown."""
    _build(store, {"alice": {1: ["Time"], 4: ["Time"]}, "bob": {1: ["Time"], 4: ["Time"]}})
    report = agreement_report(store, ["alice", "bob"], level="code")
    row = next(r for r in report.rows if r.path == "Time (own codings)" or r.path == "Time")
    assert row.kappa is None and row.percent_agreement == 1.0 and row.ac1 == 1.0
    assert "chance agreement is 1" in row.note and row.label == "undefined"
    # AC1 = 1 with SE 0 is perfect agreement: no interval, and the reason says so.
    assert row.ac1_se == 0.0 and row.ci_note.startswith("perfect agreement")


def test_disagreements_list_the_units_with_text(project: Store) -> None:
    found = disagreements(project, "alice", "bob", level="code")
    expected = []
    for i in range(6):
        for code in CODES:
            a, b = code in ALICE[i], code in BOB[i]
            if a != b:
                expected.append((f"r{i}", code, a, b))
    assert [(d.unit.key, d.path.split("/")[-1], d.a_present, d.b_present)
            for d in found] == expected
    assert found[0].text == TEXTS[0]
    themes = disagreements(project, "alice", "bob", level="theme")
    assert {(d.unit.key, d.path) for d in themes} == {("r3", "Time"), ("r4", "Time")}


def test_disagreements_of_a_group_join_its_texts(project: Store) -> None:
    found = disagreements(project, "alice", "bob", level="theme", group_by="study")
    assert [(d.unit.key, d.path) for d in found] == [("S2", "Time")]
    assert found[0].text == TEXTS[2] + "\n\n" + TEXTS[3] and len(found[0].source_ids) == 2
