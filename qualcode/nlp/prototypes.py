"""Cold start: score codes by how close a unit is to each code's own description.

Each code gets a prototype: the lemmas of its name, description, inclusion criteria and
examples (exclusion criteria are left out: they name what the code is *not*), plus the
units already coded with it, if any. A unit's score for a code is the cosine similarity
of their lemma TF-IDF vectors, with English stop words dropped so definitions match on
content words. This is what ranks codes before anything is coded, and what scores codes
with too few examples for a classifier of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from qualcode.model import Code, Codebook
from qualcode.nlp.pipeline import Pipeline

EXAMPLE_WEIGHT = 1.0
"""Weight of the mean of coded units against the codebook text in a prototype."""


def code_document(codebook: Codebook, code: Code) -> str:
    """Return the text that describes a code: name, path, description, inclusion, examples."""
    parts = [codebook.path(code).replace("/", " "), code.name, code.description,
             code.inclusion, *code.examples]
    return "\n".join(p for p in parts if p)


def _vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="word", token_pattern=r"\S+", lowercase=False,
                           stop_words=sorted(ENGLISH_STOP_WORDS), sublinear_tf=True,
                           vocabulary=vocabulary, dtype=np.float32)


class PrototypeScorer:
    """Cosine similarity between units and code prototypes in lemma TF-IDF space."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.vectorizer = _vectorizer()
        self.prototypes = np.zeros((0, 0), dtype=np.float32)

    def fit(self, codebook: Codebook, codes: Sequence[Code], texts: Sequence[str],
            y: np.ndarray | None, lemmas: list[str] | None = None) -> None:
        """Build one prototype per code from the codebook and the coded ``texts``.

        ``y`` is units x codes (0/1) for ``texts``; idf is learnt over the code documents
        and the texts together, so words common in the corpus count for little.
        ``lemmas`` are the texts' :meth:`Pipeline.lemma_texts`, if the caller has them.
        """
        documents = self.pipeline.lemma_texts([code_document(codebook, c) for c in codes])
        if lemmas is None:
            lemmas = self.pipeline.lemma_texts(list(texts)) if len(texts) else []
        try:
            rows = self.vectorizer.fit_transform(documents + lemmas)
        except ValueError:  # every word a stop word, or nothing at all
            self.vectorizer = _vectorizer({"": 0})
            rows = self.vectorizer.fit_transform([""] * max(1, len(documents) + len(lemmas)))
        protos = rows[:len(documents)].toarray()
        if lemmas and y is not None and y.shape[0]:
            units = rows[len(documents):]
            counts = np.asarray(y.sum(axis=0)).ravel()
            sums = (sparse.csr_matrix(y.T.astype(np.float32)) @ units).toarray()
            means = normalize(sums / np.maximum(counts, 1)[:, None])
            protos = normalize(protos) + EXAMPLE_WEIGHT * means
        self.prototypes = normalize(protos).astype(np.float32)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Return the lemma TF-IDF rows of texts."""
        return self.vectorizer.transform(self.pipeline.lemma_texts(list(texts)))

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return cosine similarities (units x codes), in [0, 1]."""
        if not len(texts):
            return np.zeros((0, self.prototypes.shape[0]), dtype=np.float32)
        return np.asarray(self.transform(texts) @ self.prototypes.T, dtype=np.float32)

    def explain(self, text: str, column: int, limit: int = 5) -> tuple[str, ...]:
        """Return the words of ``text`` that contribute most to its score for one code."""
        return tuple(term for term, _ in self.word_weights(text, column)[:limit])

    def word_weights(self, text: str, column: int) -> list[tuple[str, float]]:
        """Return the words of ``text`` (lower case) that raise its score for one code,
        with their weight, heaviest first."""
        vocabulary = self.vectorizer.vocabulary_
        idf = self.vectorizer.idf_
        prototype = self.prototypes[column]
        # A unit's own normalisation does not change the order of its words, so rank by
        # idf x prototype weight (ties: earlier in the text) without building the vector.
        weight: dict[str, float] = {}
        for surface, lemma in self.pipeline.lemma_tokens([text])[0]:
            index = vocabulary.get(lemma)
            if index is not None and prototype[index] > 0:
                weight.setdefault(surface.lower(), float(idf[index] * prototype[index]))
        return sorted(weight.items(), key=lambda kv: -kv[1])

    # -- persistence -------------------------------------------------------------------
    def state(self) -> tuple[dict[str, object], dict[str, np.ndarray]]:
        """Return (JSON-able settings, arrays) for :meth:`from_state`."""
        terms = list(self.vectorizer.get_feature_names_out())
        return ({"terms": terms},
                {"proto_idf": self.vectorizer.idf_.astype(np.float32),
                 "prototypes": self.prototypes})

    @classmethod
    def from_state(cls, pipeline: Pipeline, meta: dict[str, Any],
                   arrays: dict[str, np.ndarray]) -> PrototypeScorer:
        """Rebuild a fitted scorer from :meth:`state` output."""
        scorer = cls(pipeline)
        terms = list(meta["terms"])
        scorer.vectorizer = _vectorizer({t: i for i, t in enumerate(terms)})
        scorer.vectorizer.idf_ = arrays["proto_idf"].astype(np.float64)
        scorer.prototypes = arrays["prototypes"].astype(np.float32)
        return scorer
