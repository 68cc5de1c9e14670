"""Turning unit texts into TF-IDF features, and back into the words that carry them.

The vectorizers are scikit-learn's; their fitted state (vocabulary and idf) is exported
as plain arrays so a model can be kept in a project file without pickle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from qualcode.nlp import counting
from qualcode.nlp.pipeline import WORD, Pipeline

CHAR_FEATURES = 20_000
"""Most frequent character n-grams kept: more cost fit time and gained nothing measured."""


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Which TF-IDF blocks to use: word n-grams always, character n-grams optionally."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = None
    min_df: int = 1
    max_features: int | None = None
    lemmas: bool = False


def _word_vectorizer(config: FeatureConfig, vocabulary: dict[str, int] | None = None
                     ) -> TfidfVectorizer:
    return TfidfVectorizer(ngram_range=config.word_ngrams, sublinear_tf=True,
                           min_df=config.min_df, max_features=config.max_features,
                           vocabulary=vocabulary, dtype=np.float32)


class CharNgrams:
    """scikit-learn's ``char_wb`` analyzer, memoised per word.

    A word's n-grams (padded with a space each side, as ``char_wb`` does) depend only on
    the word, and words repeat, so caching them makes scoring several times faster than
    re-slicing every word of every unit in Python.
    """

    def __init__(self, ngram_range: tuple[int, int]) -> None:
        self.low, self.high = ngram_range
        self.cache: dict[str, list[str]] = {}

    def __call__(self, text: str) -> list[str]:
        """Return the character n-grams of a text, word by word."""
        cache, grams = self.cache, []
        if len(cache) > 500_000:
            cache.clear()
        for word in text.lower().split():
            found = cache.get(word)
            if found is None:
                found = cache[word] = self._word(word)
            grams.extend(found)
        return grams

    def _word(self, word: str) -> list[str]:
        padded = f" {word} "
        size = len(padded)
        grams: list[str] = []
        for n in range(self.low, self.high + 1):
            if size <= n:
                grams.append(padded)  # a short word counts once, as in scikit-learn
                break
            grams += [padded[i:i + n] for i in range(size - n + 1)]
        return grams


def _char_vectorizer(config: FeatureConfig, vocabulary: dict[str, int] | None = None
                     ) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=CharNgrams(config.char_ngrams or (2, 4)),
                           sublinear_tf=True, min_df=max(2, config.min_df),
                           max_features=CHAR_FEATURES, vocabulary=vocabulary,
                           dtype=np.float32)


def _lemma_vectorizer(config: FeatureConfig, vocabulary: dict[str, int] | None = None
                      ) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="word", token_pattern=r"\S+", lowercase=False,
                           sublinear_tf=True, min_df=config.min_df, vocabulary=vocabulary,
                           dtype=np.float32)


class TextFeatures:
    """Word (and optionally character and lemma) TF-IDF over raw unit texts."""

    def __init__(self, config: FeatureConfig | None = None, pipeline: Pipeline | None = None
                 ) -> None:
        self.config = config or FeatureConfig()
        self.pipeline = pipeline
        self.word = _word_vectorizer(self.config)
        self.char = _char_vectorizer(self.config) if self.config.char_ngrams else None
        self.lemma = (_lemma_vectorizer(self.config)
                      if self.config.lemmas and pipeline is not None else None)
        self.terms: list[str] = []
        self._char_columns: dict[str, bytes] = {}
        self._lemma_columns: dict[str, bytes] = {}

    def fit_transform(self, texts: Sequence[str], lemmas: list[str] | None = None
                      ) -> sparse.csr_matrix:
        """Learn vocabularies and idf from texts; return their feature matrix.

        ``lemmas`` are the texts' :meth:`Pipeline.lemma_texts`, if the caller has them.
        """
        blocks = [self.word.fit_transform(texts)]
        if self.char is not None:
            blocks.append(self.char.fit_transform(texts))
        if self.lemma is not None and self.pipeline is not None:
            if lemmas is None:
                lemmas = self.pipeline.lemma_texts(texts)
            blocks.append(self.lemma.fit_transform(lemmas))
        self.terms = list(self.word.get_feature_names_out())
        return self._join(blocks)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Return the feature matrix of texts (same columns as at fit time)."""
        blocks = [self._word_transform(texts)]
        if self.char is not None:
            blocks.append(self._char_transform(texts))
        if self.lemma is not None and self.pipeline is not None:
            blocks.append(self._lemma_transform(texts))
        return self._join(blocks)

    def _word_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """``self.word.transform``, counted with numpy (see :mod:`qualcode.nlp.counting`)."""
        grams, counts = counting.word_grams(texts, self.config.word_ngrams)
        return counting.transform(self.word, grams, counts)

    def _lemma_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """``self.lemma.transform`` of the texts' lemmas, with columns memoised per word form."""
        assert self.lemma is not None and self.pipeline is not None
        if not self.pipeline.is_blank:  # context-dependent lemmas: no per-word shortcut
            return self.lemma.transform(self.pipeline.lemma_texts(texts))
        vocabulary, lemma = self.lemma.vocabulary_, self.pipeline.lemma

        def columns(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
            return counting.lookup(vocabulary, [[lemma(w)] for w in words])

        indices, indptr = counting.memoised_rows((WORD.findall(t) for t in texts),
                                                 self._lemma_columns, columns)
        return counting.tfidf(indices, indptr, len(vocabulary), self.lemma.idf_)

    def _char_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """``self.char.transform`` with column indices memoised per word.

        scikit-learn counts each n-gram of each text in a Python loop (the slowest part of
        scoring); here a word's n-gram columns are looked up once and reused, then the
        same sublinear tf, idf and L2 normalisation are applied with numpy.
        """
        assert self.char is not None  # for type checkers: only called when char is set
        vocabulary, analyzer = self.char.vocabulary_, self.char.analyzer

        def columns(words: list[str]) -> tuple[np.ndarray, np.ndarray]:
            return counting.lookup(vocabulary, list(map(analyzer._word, words)))

        indices, indptr = counting.memoised_rows((t.lower().split() for t in texts),
                                                 self._char_columns, columns)
        return counting.tfidf(indices, indptr, len(vocabulary), self.char.idf_)

    @property
    def word_columns(self) -> int:
        """Number of word-n-gram columns (they come first; explanations use only these)."""
        return len(self.terms)

    def _join(self, blocks: list[sparse.csr_matrix]) -> sparse.csr_matrix:
        if len(blocks) == 1:
            return blocks[0].tocsr()
        # Each block is L2-normalised; scale so the joined row keeps unit length.
        return (sparse.hstack(blocks, format="csr") * np.float32(1 / np.sqrt(len(blocks))))

    # -- persistence -------------------------------------------------------------------
    def state(self) -> tuple[dict[str, object], dict[str, np.ndarray]]:
        """Return (JSON-able settings, arrays) that :meth:`from_state` rebuilds from."""
        meta: dict[str, object] = {"config": asdict(self.config), "terms": self.terms}
        arrays = {"word_idf": self.word.idf_.astype(np.float32)}
        if self.char is not None:
            meta["char_terms"] = list(self.char.get_feature_names_out())
            arrays["char_idf"] = self.char.idf_.astype(np.float32)
        if self.lemma is not None:
            meta["lemma_terms"] = list(self.lemma.get_feature_names_out())
            arrays["lemma_idf"] = self.lemma.idf_.astype(np.float32)
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict[str, Any], arrays: dict[str, np.ndarray],
                   pipeline: Pipeline | None = None) -> TextFeatures:
        """Rebuild fitted features from :meth:`state` output."""
        raw = dict(meta["config"])
        config = FeatureConfig(
            word_ngrams=tuple(raw["word_ngrams"]),
            char_ngrams=tuple(raw["char_ngrams"]) if raw.get("char_ngrams") else None,
            min_df=int(raw["min_df"]), max_features=raw.get("max_features"),
            lemmas=bool(raw.get("lemmas", False)))
        features = cls(config, pipeline)
        features.terms = list(meta["terms"])
        features.word = _word_vectorizer(config, {t: i for i, t in enumerate(features.terms)})
        features.word.idf_ = arrays["word_idf"].astype(np.float64)
        if config.char_ngrams:
            char_terms = list(meta["char_terms"])
            features.char = _char_vectorizer(config, {t: i for i, t in enumerate(char_terms)})
            features.char.idf_ = arrays["char_idf"].astype(np.float64)
        if features.lemma is not None:
            lemma_terms = list(meta["lemma_terms"])
            features.lemma = _lemma_vectorizer(config, {t: i for i, t in enumerate(lemma_terms)})
            features.lemma.idf_ = arrays["lemma_idf"].astype(np.float64)
        return features


def dumps(meta: dict[str, object]) -> np.ndarray:
    """Encode JSON settings as a byte array that fits in an ``.npz`` archive."""
    return np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def loads(array: np.ndarray) -> dict[str, object]:
    """Decode settings written by :func:`dumps`."""
    return json.loads(array.tobytes().decode("utf-8"))
