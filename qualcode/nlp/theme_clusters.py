"""Theme discovery: group texts into candidate themes with their top terms (inductive coding).

Texts are lemmatised (so "patients" and "patient" count as one term; each term is shown
in the word form the texts use most), turned into TF-IDF
over word 1-2 grams without English stop words, and factorised with non-negative matrix
factorisation (NMF): each component is a candidate theme, its heaviest terms describe it,
and each text joins the component it loads on most. NMF suits this better than k-means on
short texts: a component is a weighted bag of terms, which is what a coder reads as a theme.
The same texts, settings and seed give the same candidates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from qualcode.errors import QualcodeError
from qualcode.nlp.pipeline import Pipeline, build_pipeline

DEFAULT_CLUSTERS = 8
TOP_TERMS = 8
MIN_TEXTS = 4
TOKEN = r"(?u)\b[^\W\d_][^\W\d_]+\b"
"""Words of two or more letters: numbers and ids say nothing about a theme."""


@dataclass(frozen=True, slots=True)
class CandidateTheme:
    """A group of texts that share vocabulary, best-fitting text first.

    ``members`` index the texts passed to :func:`discover`; ``strengths`` are their loadings
    on this theme (same order), ``weights`` the terms' weights in it.
    """

    number: int
    terms: tuple[str, ...]
    weights: tuple[float, ...]
    members: tuple[int, ...]
    strengths: tuple[float, ...]

    @property
    def size(self) -> int:
        """How many texts joined this theme."""
        return len(self.members)

    def label(self, words: int = 3) -> str:
        """Return a provisional name from the top terms (the coder renames it)."""
        picked: list[str] = []
        for term in self.terms:
            # "patient" after "patient care" (or before it) adds nothing to a name.
            if any(term in other.split() or other in term.split() for other in picked):
                continue
            picked.append(term)
            if len(picked) == words:
                break
        return ", ".join(picked)


@dataclass(frozen=True, slots=True)
class Discovery:
    """Candidate themes of a set of texts, largest first, and what could not be placed."""

    candidates: tuple[CandidateTheme, ...]
    unplaced: tuple[int, ...]
    texts: int
    seed: int


def discover(texts: Sequence[str], *, clusters: int = DEFAULT_CLUSTERS, seed: int = 0,
             top_terms: int = TOP_TERMS, pipeline: Pipeline | None = None) -> Discovery:
    """Group texts into at most ``clusters`` candidate themes (see the module docstring).

    Texts without a single word of the shared vocabulary are returned in ``unplaced``.
    Raises :class:`QualcodeError` when there are too few texts or words to group.
    """
    if clusters < 1:
        raise QualcodeError(f"the number of candidate themes must be at least 1 (got {clusters})")
    if len(texts) < MIN_TEXTS:
        raise QualcodeError(f"only {len(texts)} uncoded units: discovery needs at least "
                            f"{MIN_TEXTS} to find groups")
    tokens = (pipeline or build_pipeline()).lemma_tokens(list(texts))
    lemmas = [" ".join(lemma for _, lemma in pairs) for pairs in tokens]
    shown = _surface_forms(tokens)
    # A term seen in one text cannot tie texts together; on tiny sets keep every term.
    min_df = 2 if len(texts) >= 20 else 1
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=min_df,
                                 max_df=0.7 if len(texts) >= 20 else 1.0,
                                 stop_words=sorted(ENGLISH_STOP_WORDS | _CHATTER),
                                 token_pattern=TOKEN, dtype=np.float64)
    try:
        x = vectorizer.fit_transform(lemmas)
    except ValueError:
        raise QualcodeError("the uncoded units share no words to group them by "
                            "(after dropping stop words)") from None
    terms = vectorizer.get_feature_names_out()
    k = max(1, min(clusters, x.shape[0] - 1, x.shape[1]))
    model = NMF(n_components=k, init="nndsvdar", random_state=seed, max_iter=500,
                tol=1e-4)
    loadings = model.fit_transform(x)
    components = model.components_

    best = loadings.argmax(axis=1)
    placed = loadings.max(axis=1) > 0
    found = []
    for j in range(k):
        members = np.flatnonzero(placed & (best == j))
        if members.size == 0:
            continue
        members = members[np.argsort(-loadings[members, j], kind="stable")]
        order = np.argsort(-components[j], kind="stable")[:top_terms]
        order = order[components[j, order] > 0]
        found.append((members, order, j))
    # Largest first; ties by the first member, so the numbering is stable too.
    found.sort(key=lambda item: (-item[0].size, int(item[0][0])))
    candidates = tuple(
        CandidateTheme(number=n, terms=tuple(_show(str(terms[t]), shown) for t in order),
                       weights=tuple(round(float(components[j, t]), 4) for t in order),
                       members=tuple(int(i) for i in members),
                       strengths=tuple(round(float(loadings[i, j]), 4) for i in members))
        for n, (members, order, j) in enumerate(found, start=1))
    return Discovery(candidates=candidates, unplaced=tuple(int(i) for i in
                                                           np.flatnonzero(~placed)),
                     texts=len(texts), seed=seed)


def _surface_forms(tokens: list[list[tuple[str, str]]]) -> dict[str, str]:
    """Map each lemma to the word form the texts use most (lower case)."""
    counts: dict[str, Counter[str]] = {}
    for pairs in tokens:
        for surface, lemma in pairs:
            counts.setdefault(lemma, Counter())[surface.lower()] += 1
    # most_common keeps first-seen order among ties, so this is deterministic too.
    return {lemma: forms.most_common(1)[0][0] for lemma, forms in counts.items()}


def _show(term: str, shown: dict[str, str]) -> str:
    """Write a lemma term in the words the coders will recognise ("dying", not "dye")."""
    return " ".join(shown.get(word, word) for word in term.split())


_CHATTER = frozenset({
    "like", "just", "really", "thing", "things", "lot", "bit", "way", "think", "feel", "felt",
    "also", "get", "got", "make", "made", "say", "said", "use", "used", "want", "know",
    "ve", "ll", "don", "didn", "doesn", "isn", "wasn", "did", "does", "doing", "done",
    # What the lookup lemmatizer leaves of contractions ("does", "can't", "won't", "I'm").
    "doe", "ca", "wo", "im", "dont", "gonna",
})
"""Conversational filler that is frequent in answers but names no theme.

"feel" is here although feelings matter: as a bare verb it joins every emotional answer
to every other and drowns the content words that tell themes apart.
"""
