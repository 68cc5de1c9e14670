"""The fast scoring paths give scikit-learn's matrices and the per-unit explanations exactly."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.nlp.explanations import ContentWords, UnitText, phrases
from qualcode.nlp.features import FeatureConfig, TextFeatures
from qualcode.nlp.suggester import FEATURES_PER_EXPLANATION, TERMS_PER_SUGGESTION, CodeSuggester

AWKWARD = ["", "a", "I", "Don't DON'T don't stop", "naïve café, naïve!", "x_y 3rd 42 42",
           "İstanbul straße STRASSE", "🙂🙂 ok ok ok", "tab\tand\nnewline  double  space",
           "the the the the"]


@pytest.mark.parametrize("ngrams", [(1, 1), (1, 2), (1, 3), (2, 3)])
def test_word_transform_equals_scikit_learns(corpus, ngrams) -> None:
    texts, _ = corpus.units()
    features = TextFeatures(FeatureConfig(word_ngrams=ngrams))
    features.fit_transform(texts + AWKWARD[3:6])
    probes = [p["text"] for p in corpus.raw["probes"]] + AWKWARD + texts[:5]
    mine, reference = features._word_transform(probes), features.word.transform(probes)
    assert mine.shape == reference.shape and mine.dtype == reference.dtype
    assert np.array_equal(mine.indptr, reference.indptr)
    assert np.array_equal(mine.indices, reference.indices)
    assert np.array_equal(mine.data, reference.data)


def test_memoised_transforms_are_exact_and_stable_across_calls(corpus) -> None:
    from qualcode.nlp.pipeline import build_pipeline

    texts, _ = corpus.units()
    pipeline = build_pipeline()
    features = TextFeatures(FeatureConfig(char_ngrams=(2, 4), lemmas=True), pipeline)
    features.fit_transform(texts)
    probes = texts[:7] + AWKWARD
    char = features.char.transform(probes)
    lemma = features.lemma.transform(pipeline.lemma_texts(probes))
    for _ in range(2):  # the second pass reads the per-word memo
        assert (features._char_transform(probes) != char).nnz == 0
        assert (features._lemma_transform(probes) != lemma).nnz == 0


def reference_terms(suggester: CodeSuggester, text: str, column: int) -> tuple[str, ...]:
    """The explanation computed the plain way: one unit, one code, Python and numpy."""
    features = suggester.features
    content = ContentWords(suggester.pipeline.nlp)
    row = features.transform([text])
    pairs = [(j, v) for j, v in zip(row.indices, row.data, strict=True)
             if j < features.word_columns and content.term(features.terms[j])]
    contributions = np.array([v * suggester.weights[j, column] for j, v in pairs],
                             dtype=np.float32)
    order = np.argsort(-contributions, kind="stable")[:FEATURES_PER_EXPLANATION]
    weighted = [(features.terms[pairs[t][0]], float(contributions[t]))
                for t in order if contributions[t] > 0]
    return phrases(UnitText(text, content), weighted, TERMS_PER_SUGGESTION)


def test_explanations_for_many_units_equal_the_per_unit_computation(corpus) -> None:
    texts, labels = corpus.units()
    suggester = CodeSuggester()
    suggester.fit(texts, labels, corpus.codebook)
    assert suggester.trained.any() and not suggester.trained.all()
    probes = [p["text"] for p in corpus.raw["probes"]] + texts + AWKWARD
    from_words = 0
    for text, found in zip(probes, suggester.suggest_many(probes, 3), strict=True):
        for suggestion in found:
            column = suggester.code_ids.index(suggestion.code_id)
            expected = (reference_terms(suggester, text, column)
                        if suggester.trained[column] else ())
            if not expected:  # no word pushed it up: the codebook prototype explains
                weights = suggester.prototypes.word_weights(text, column)
                unit = UnitText(text, ContentWords(suggester.pipeline.nlp))
                expected = phrases(unit, weights, TERMS_PER_SUGGESTION)
            else:
                from_words += 1
            assert suggestion.terms == expected, (text, suggestion)
    assert from_words >= len(texts)  # the word path, not only the fallback, was compared


def test_stored_model_keeps_the_mask_of_terms_worth_showing(corpus) -> None:
    texts, labels = corpus.units()
    suggester = CodeSuggester()
    suggester.fit(texts, labels, corpus.codebook)
    again = CodeSuggester.from_bytes(suggester.to_bytes())
    assert again._telling is not None  # read back, not recomputed on the first suggestion
    assert np.array_equal(again._telling, suggester._telling_terms()[0])
    assert not again._telling.all() and again._telling.any()


def test_fit_codes_takes_a_matrix_with_duplicate_and_unsorted_entries(corpus) -> None:
    from scipy import sparse

    from qualcode.nlp import linear
    from qualcode.nlp.evaluation import label_matrix

    texts, labels = corpus.units()
    x = TextFeatures().fit_transform(texts).tocsr()
    y = label_matrix(labels, [c.id for c in corpus.codebook])
    trainable = (y.sum(axis=0) >= 2) & (y.sum(axis=0) < len(texts))
    # each stored value split in two halves, the row's columns written in reverse order
    pieces = list(zip(x.indptr[:-1], x.indptr[1:], strict=False))
    indices = np.concatenate([np.tile(x.indices[a:b][::-1], 2) for a, b in pieces])
    data = np.concatenate([np.tile(x.data[a:b][::-1], 2) / 2 for a, b in pieces])
    halves = sparse.csr_matrix((data, indices, 2 * x.indptr), shape=x.shape)
    assert not halves.has_canonical_format
    untouched = (halves.data.copy(), halves.indices.copy(), halves.indptr.copy())
    expected = linear.fit_codes(x, y, trainable, threads=1)
    found = linear.fit_codes(halves, y, trainable, threads=1)
    # the caller's matrix is left as it was (sorting shared index arrays had scrambled it)
    assert all(np.array_equal(a, b) for a, b in
               zip((halves.data, halves.indices, halves.indptr), untouched, strict=True))
    assert np.allclose(found[0], expected[0], atol=1e-5)
    assert np.allclose(found[1], expected[1], atol=1e-5)
    weights, _ = linear.fit_codes(halves, y, trainable, threads=2)
    assert np.abs(weights[:, trainable]).sum(axis=0).min() > 0


def test_fitting_the_same_units_twice_gives_the_same_model() -> None:
    from qualcode.nlp import linear

    # Big enough for fits on two threads to overlap (they then drew from liblinear's one
    # random generator in a different order each run).
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(3000)])
    x = TextFeatures().fit_transform([" ".join(rng.choice(words, 12)) for _ in range(4000)])
    y = (rng.random((4000, 6)) < 0.2).astype(np.int8)
    trainable = np.ones(6, dtype=bool)
    first = linear.fit_codes(x, y, trainable)
    second = linear.fit_codes(x, y, trainable)
    assert np.array_equal(first[0], second[0]) and np.array_equal(first[1], second[1])
