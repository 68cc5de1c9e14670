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
from typing import cast

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
            grams.extend(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
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
                  columns: Callable[[list[str]], tuple[np.ndarray, np.ndarray]]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Return CSR ``(indices, indptr)`` of texts given as word lists, a row's columns being
    the concatenated columns of its words.

    ``columns(words)`` returns, for words not seen before, all their columns in one int32
    array and how many belong to each word. Each word's columns are then kept in
    ``cache`` as packed bytes, so a batch's indices are one ``bytes.join`` instead of a
    Python list of every n-gram.
    """
    if len(cache) > 500_000:
        cache.clear()
    words: list[str] = []
    counts: list[int] = []
    for text_words in words_per_text:
        words.extend(text_words)
        counts.append(len(text_words))
    packed = list(map(cache.get, words))
    if None in packed:
        new = list(
            dict.fromkeys(w for w, found in zip(words, packed, strict=True) if found is None)
        )
        flat, per_word = columns(new)
        data = flat.astype(np.int32).tobytes()
        ends = np.cumsum(per_word) * 4
        for word, start, end in zip(
            new, (ends - per_word * 4).tolist(), ends.tolist(), strict=True
        ):
            cache[word] = data[start:end]
        packed = list(map(cache.__getitem__, words))
    found = cast(list[bytes], packed)  # every word is in the cache by now
    indices = np.frombuffer(b"".join(found), dtype=np.int32).copy()
    per_text = np.fromiter(map(len, found), dtype=np.int64, count=len(packed)) // 4
    ends = np.concatenate(([0], np.cumsum(per_text)))
    return indices, ends[np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))]


def lookup(vocabulary: dict[str, int], keys_per_word: list[list[str]]
           ) -> tuple[np.ndarray, np.ndarray]:
    """Return the vocabulary columns of each word's keys (unknown keys dropped), flat, and
    how many each word has: the ``columns`` callback of :func:`memoised_rows`."""
    keys = [key for found in keys_per_word for key in found]
    flat = np.fromiter(map(vocabulary.get, keys, repeat(-1)), dtype=np.int32, count=len(keys))
    known = flat >= 0
    owner = np.repeat(np.arange(len(keys_per_word)), [len(k) for k in keys_per_word])
    return flat[known], np.bincount(owner[known], minlength=len(keys_per_word))


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

