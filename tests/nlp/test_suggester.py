"""The suggester on a tiny hand-labelled corpus: cold start, learning, explanations, rare codes."""

from __future__ import annotations

import re

import numpy as np
import pytest

from qualcode.model import Suggestion
from qualcode.nlp.suggester import CodeSuggester
from qualcode.tui.suggester import Suggester


def test_cold_start_puts_the_obviously_right_code_first(corpus) -> None:
    suggester = CodeSuggester(corpus.codebook)
    for probe in corpus.raw["probes"]:
        first = suggester.suggest(probe["text"], 3)[0]
        assert corpus.codebook.by_id(first.code_id).name == probe["expected"], probe["text"]


def test_learnt_model_ranks_the_right_code_first(corpus) -> None:
    texts, labels = corpus.units()
    suggester = CodeSuggester()
    suggester.fit(texts, labels, corpus.codebook)
    for probe in corpus.raw["probes"]:
        first = suggester.suggest(probe["text"], 1)[0]
        assert corpus.codebook.by_id(first.code_id).name == probe["expected"], probe["text"]


def test_a_new_code_is_learnt_after_a_few_examples(corpus) -> None:
    texts, labels = corpus.units()
    probe = corpus.raw["new_code_probe"]
    transport = corpus.ids([probe["expected"]])
    before = CodeSuggester()
    before.fit(texts, labels, corpus.codebook)
    assert before.suggest(probe["text"], 1)[0].code_id not in transport
    new_texts, new_labels = corpus.units("new_code_examples")
    after = CodeSuggester()
    after.fit(texts + new_texts, labels + new_labels, corpus.codebook)
    assert after.suggest(probe["text"], 1)[0].code_id in transport


def test_explanation_terms_occur_in_the_unit(corpus) -> None:
    texts, labels = corpus.units()
    cold = CodeSuggester(corpus.codebook)
    warm = CodeSuggester()
    warm.fit(texts, labels, corpus.codebook)
    probes = [p["text"] for p in corpus.raw["probes"]] + [corpus.raw["new_code_probe"]["text"]]
    explained = 0
    for suggester in (cold, warm):
        for text in probes:
            words = set(re.findall(r"\w+", text.lower()))
            for suggestion in suggester.suggest(text, 3):
                explained += bool(suggestion.terms)
                for term in suggestion.terms:
                    assert set(re.findall(r"\w+", term.lower())) <= words, (term, text)
    assert explained >= 10  # terms are not simply always empty


def test_top_suggestion_is_explained_by_words_a_coder_would_name(corpus) -> None:
    suggester = CodeSuggester(corpus.codebook)
    terms = suggester.suggest("I feel exhausted and cannot sleep.", 1)[0].terms
    # Phrases as written: "exhausted and cannot sleep" (stop words between join them).
    assert {"exhausted", "sleep"} & set(re.findall(r"\w+", " ".join(terms)))


def test_codes_with_zero_or_one_example_fall_back_to_the_codebook(corpus) -> None:
    texts, labels = corpus.units()
    one = corpus.units("new_code_examples")
    suggester = CodeSuggester()
    suggester.fit(texts + one[0][:1], labels + one[1][:1], corpus.codebook)
    examples = suggester.code_examples()
    transport = corpus.ids(["Transport"]).pop()
    assert examples[transport] == 1
    assert not suggester.trained[suggester.code_ids.index(transport)]
    scores = suggester.scores(["The bus was late."])
    assert np.isfinite(scores).all() and (scores >= 0).all() and (scores <= 1).all()


def test_suggestions_are_ranked_and_satisfy_the_tui_protocol(corpus) -> None:
    suggester = CodeSuggester(corpus.codebook)
    assert isinstance(suggester, Suggester)
    found = suggester.suggest(corpus.raw["probes"][0]["text"], 3)
    assert 1 <= len(found) <= 3 and all(isinstance(s, Suggestion) for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    many = suggester.suggest_many([p["text"] for p in corpus.raw["probes"]], 2)
    assert [m[0] for m in many] == [suggester.suggest(p["text"], 2)[0]
                                    for p in corpus.raw["probes"]]


def test_uncertainty_is_one_value_per_text_between_0_and_1(corpus) -> None:
    texts, labels = corpus.units()
    suggester = CodeSuggester()
    suggester.fit(texts, labels, corpus.codebook)
    clear = texts[0]
    values = suggester.uncertainty([clear, "The weather."])
    assert values.shape == (2,) and ((0 <= values) & (values <= 1)).all()


def test_fit_rejects_mismatched_lengths(corpus) -> None:
    with pytest.raises(ValueError):
        CodeSuggester().fit(["a"], [], corpus.codebook)


def test_model_round_trips_through_bytes(corpus, tmp_path) -> None:
    texts, labels = corpus.units()
    suggester = CodeSuggester()
    suggester.fit(texts, labels, corpus.codebook)
    suggester.save(tmp_path / "model.npz")
    again = CodeSuggester.load(tmp_path / "model.npz")
    probes = [p["text"] for p in corpus.raw["probes"]]
    assert np.allclose(again.scores(probes), suggester.scores(probes))
    assert again.suggest_many(probes, 3) == suggester.suggest_many(probes, 3)


def test_memoised_char_ngrams_equal_scikit_learns_char_wb(corpus) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from qualcode.nlp.features import CharNgrams

    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()
    mine = CharNgrams((2, 4))
    texts = [u["text"] for u in corpus.raw["units"]] + ["a  İ ß\tx\n", "", "🙂 ok"]
    for text in texts + texts:  # second pass reads the cache
        assert mine(text) == reference(text)


def test_fast_char_transform_equals_scikit_learns(corpus) -> None:
    from qualcode.nlp.features import FeatureConfig, TextFeatures

    texts, _ = corpus.units()
    features = TextFeatures(FeatureConfig(char_ngrams=(2, 4)))
    features.fit_transform(texts)
    probes = [p["text"] for p in corpus.raw["probes"]] + ["", "ZZZ unseen qqq", texts[0]]
    mine = features._char_transform(probes).toarray()
    assert np.allclose(mine, features.char.transform(probes).toarray(), atol=1e-6)


def test_fast_lemma_transform_equals_scikit_learns(corpus) -> None:
    from qualcode.nlp.features import FeatureConfig, TextFeatures
    from qualcode.nlp.pipeline import build_pipeline

    texts, _ = corpus.units()
    pipeline = build_pipeline()
    features = TextFeatures(FeatureConfig(lemmas=True), pipeline)
    features.fit_transform(texts)
    probes = [p["text"] for p in corpus.raw["probes"]] + ["", "Were WERE were nurses", texts[3]]
    expected = features.lemma.transform(pipeline.lemma_texts(probes)).toarray()
    assert np.allclose(features._lemma_transform(probes).toarray(), expected, atol=1e-6)
