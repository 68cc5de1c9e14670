"""The suggester on a project: training data from a layer, the stored model, the CLI."""

from __future__ import annotations

import json
import socket

import pytest
from click.testing import CliRunner

from qualcode.analysis.suggestions import load_or_fit_suggester, training_units
from qualcode.cli import main
from qualcode.model import SourceRecord
from qualcode.nlp import pipeline as pipeline_module
from qualcode.nlp.pipeline import PipelineError, build_pipeline
from qualcode.nlp.suggester import CodeSuggester
from qualcode.storage.suggester_models import stored_model


@pytest.fixture
def project(store, corpus):
    """A project holding the fixture: codebook, units, and alice's codings of all units."""
    for spec in corpus.raw["codes"]:
        store.add_code(spec["name"], description=spec["description"],
                       inclusion=spec["inclusion"], examples=tuple(spec["examples"]))
    units = corpus.raw["units"] + corpus.raw["new_code_examples"]
    store.import_sources([SourceRecord(f"u{i}", u["text"]) for i, u in enumerate(units)])
    store.import_sources([SourceRecord(f"p{i}", p["text"])
                          for i, p in enumerate(corpus.raw["probes"])])
    alice = store.coder("alice")
    book = store.codebook()
    for i, unit in enumerate(corpus.raw["units"]):
        source = store.source_by_external_id(f"u{i}")
        for name in unit["codes"]:
            store.add_coding(alice.id, source.id, book.find(name)[0].id)
        store.mark_done(store.whole_unit(source.id).id, alice.id)
    return store


def test_training_units_are_the_done_units_with_their_codes(project, corpus) -> None:
    data = training_units(project, coder=project.coder("alice"))
    book = project.codebook()
    assert data.texts == [u["text"] for u in corpus.raw["units"]]
    assert [{book.by_id(c).name for c in labels} for labels in data.labels] == \
        [set(u["codes"]) for u in corpus.raw["units"]]
    assert len(training_units(project, coder=project.coder("bob"))) == 0


def test_reopening_reuses_the_stored_model_until_codings_change(project) -> None:
    first = load_or_fit_suggester(project, "alice")
    assert first.origin == "fitted"
    second = load_or_fit_suggester(project, "alice")
    assert second.origin == "stored"
    text = "I cannot sleep and I am exhausted."
    assert second.suggest(text, 3) == first.suggest(text, 3)
    alice = project.coder("alice")
    source = project.source_by_external_id("u20")
    project.add_coding(alice.id, source.id, project.codebook().find("Transport")[0].id)
    project.mark_done(project.whole_unit(source.id).id, alice.id)
    assert load_or_fit_suggester(project, "alice").origin == "fitted"
    assert load_or_fit_suggester(project, "alice").origin == "stored"
    kept = stored_model(project, layer="coder", coder_id=alice.id,
                        pipeline=build_pipeline().name)
    assert kept is not None and kept.units == len(training_units(project, coder=alice))


def test_a_codebook_edit_also_refits(project) -> None:
    load_or_fit_suggester(project, "alice")
    code = project.codebook().find("Transport")[0]
    project.update_code(code.id, description="Buses, trains, commuting, parking.")
    assert load_or_fit_suggester(project, "alice").origin == "fitted"


def test_nothing_is_downloaded(monkeypatch, corpus) -> None:
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    pipeline_module._cached_pipeline.cache_clear()
    pipeline_module.lemma_table.cache_clear()
    texts, labels = corpus.units()
    pipeline = build_pipeline()
    assert [s for s in pipeline.nlp("One. Two.").sents]
    suggester = CodeSuggester(pipeline=pipeline)
    suggester.fit(texts, labels, corpus.codebook)
    assert suggester.suggest("I am exhausted.", 2)
    with pytest.raises(PipelineError, match="not installed"):
        build_pipeline("xx_qualcode_no_such_model")


def test_lookup_lemmatizer_uses_the_vendored_table() -> None:
    doc = build_pipeline().nlp("The nurses were listening.")
    assert [t.lemma_ for t in doc][1:4] == ["nurse", "be", "listen"]


def test_cli_suggest_lists_units_the_coder_has_not_done(project) -> None:
    result = CliRunner().invoke(main, ["suggest", str(project.path), "--coder", "alice",
                                       "--top", "2", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    done = {f"u{i}" for i in range(20)}
    assert {r["source"] for r in rows} == {f"u{i}" for i in range(20, 24)} | \
        {f"p{i}" for i in range(4)}
    assert not done & {r["source"] for r in rows}
    assert all(1 <= len(r["suggestions"]) <= 2 for r in rows)
    table = CliRunner().invoke(main, ["suggest", str(project.path), "--coder", "alice"])
    assert table.exit_code == 0 and "p0" in table.output


def test_cli_evaluate_reports_exactly_the_documented_keys(project) -> None:
    args = ["evaluate", str(project.path), "--coder", "alice", "--folds", "4", "--seed", "3",
            "--format", "json"]
    first = json.loads(CliRunner().invoke(main, args).output)
    assert set(first) == {"micro_f1", "macro_f1", "top1_hit", "top3_recall", "per_code",
                          "fit_seconds", "predict_ms_per_1000"}
    assert set(first["per_code"]["Workload"]) == {"precision", "recall", "f1", "support"}
    assert first["per_code"]["Workload"]["support"] == 6  # counted by hand in the fixture
    again = json.loads(CliRunner().invoke(main, args).output)
    timing = {"fit_seconds", "predict_ms_per_1000"}
    assert {k: v for k, v in first.items() if k not in timing} == \
        {k: v for k, v in again.items() if k not in timing}


@pytest.mark.parametrize("args, message", [
    (["--coder", "nobody"], "no coder named 'nobody'"),
    (["--coder", "bob"], "bob has 0 done units; evaluating needs at least 10"),
    (["--coder", "alice", "--folds", "3", "--train-fraction", "0.5"], "either"),
    (["--coder", "alice", "--train-fraction", "1.2"], "between 0 and 1"),
])
def test_cli_evaluate_errors_are_one_line(project, args, message) -> None:
    project.coder("bob")
    result = CliRunner().invoke(main, ["evaluate", str(project.path), *args])
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_fast_lemma_path_agrees_with_the_spacy_lookup_lemmatizer() -> None:
    pipeline = build_pipeline()
    # lower case: spaCy looks "Nurses" up as written (not found); the fast path also
    # tries the lower-case form, its one deliberate difference.
    text = "nurses were listening while doctors ran between wards and felt tired"
    spacy_lemmas = [t.lemma_.lower() for t in pipeline.nlp(text)]
    assert [lemma for _, lemma in pipeline.lemma_tokens([text])[0]] == spacy_lemmas
