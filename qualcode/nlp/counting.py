"""Fitted TF-IDF vectorizers applied to new texts with numpy: scikit-learn's matrices, faster.

scikit-learn's ``transform`` counts the n-grams of each text into a dictionary of its own
in a Python loop, the largest part of scoring. Here every text's n-grams go into one
list (or, for character n-grams and lemmas, come from a per-word memo as packed bytes),
their columns are found with one ``map`` over the vocabulary, and counting, tf and idf
are array work. The matrices equal scikit-learn's (``tests/nlp/test_counting.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import repeat

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

WORD_TOKEN = re.compile(r"(?u)\b\w\w+\b")
"""scikit-learn's default ``token_pattern``: the word vectorizer's tokens."""


def word_grams(texts: Iterable[str], ngram_range: tuple[int, int]
               ) -> tuple[list[str], list[int]]:
    """Return every text's word n-grams in one list, and how many each text has.

    The same n-grams as scikit-learn's default word analyzer (lower case, its token
    pattern, n-grams joined by a space).
    """
    low, high = ngram_range
    grams: list[str] = []
    counts: list[int] = []
    findall = WORD_TOKEN.findall
    for text in texts:
        tokens = findall(text.lower())
        before = len(grams)
        if low == 1:
            grams.extend(tokens)
        for n in range(max(2, low), high + 1):
            grams.extend(map(" ".join, zip(*(tokens[i:] for i in range(n)))))
        counts.append(len(grams) - before)
    return grams, counts


def transform(vectorizer: TfidfVectorizer, grams: list[str], counts: list[int]
              ) -> sparse.csr_matrix:
    """``vectorizer.transform`` of texts given as :func:`word_grams`-style n-gram lists."""
    vocabulary = vectorizer.vocabulary_
    columns = np.fromiter(map(vocabulary.get, grams, repeat(-1)), dtype=np.int32,
                          count=len(grams))
    found = columns >= 0
    rows = np.repeat(np.arange(len(counts)), counts)[found]
    indptr = np.searchsorted(rows, np.arange(len(counts) + 1))
    return tfidf(columns[found], indptr, len(vocabulary), vectorizer.idf_)


def memoised_rows(words_per_text: Iterable[list[str]], cache: dict[str, bytes],
                  columns: Callable[[str], list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Return CSR ``(indices, indptr)`` of texts given as word lists, a row's columns being
    the concatenated ``columns(word)`` of its words.

    Each word's columns are computed once and kept in ``cache`` as packed int32 bytes, so
    a batch's indices are one ``bytes.join`` instead of a Python list of every n-gram.
    """
    if len(cache) > 500_000:
        cache.clear()
    words: list[str] = []
    counts: list[int] = []
    for text_words in words_per_text:
        words.extend(text_words)
        counts.append(len(text_words))
    packed = list(map(cache.get, words))
    for i, word in enumerate(words):
        if packed[i] is None:
            found = cache.get(word)
            if found is None:
                found = cache[word] = np.asarray(columns(word), dtype=np.int32).tobytes()
            packed[i] = found
    indices = np.frombuffer(b"".join(packed), dtype=np.int32).copy()  # type: ignore[arg-type]
    per_word = np.fromiter(map(len, packed), dtype=np.int64, count=len(packed)) // 4
    ends = np.concatenate(([0], np.cumsum(per_word)))
    return indices, ends[np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))]


def tfidf(indices: np.ndarray, indptr: np.ndarray, columns: int,
          idf: np.ndarray) -> sparse.csr_matrix:
    """Counts -> sublinear tf x idf -> L2 rows, exactly as scikit-learn's TfidfTransformer
    does for the (sublinear, L2) vectorizers of :mod:`qualcode.nlp.features`."""
    data = np.ones(len(indices), dtype=np.float32)
    x = sparse.csr_matrix((data, np.asarray(indices, dtype=np.int32),
                           np.asarray(indptr, dtype=np.int64)),
                          shape=(len(indptr) - 1, columns))
    x.sum_duplicates()
    np.log(x.data, out=x.data)
    x.data += 1
    x.data *= idf.astype(np.float32)[x.indices]
    return normalize(x, copy=False)

