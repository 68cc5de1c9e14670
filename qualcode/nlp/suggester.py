"""The code suggester: ranks codebook codes for a unit and says which words drove each.

Codes with enough coded examples get a balanced one-vs-rest logistic regression over
TF-IDF word n-grams (:mod:`qualcode.nlp.linear`); codes with fewer (or none, before
anything is coded) are scored by similarity to their codebook definition and examples
(:mod:`qualcode.nlp.prototypes`). The fitted model is plain arrays plus JSON, so it can be
stored in a project file and read back without pickle (a project may come from anyone).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from qualcode.errors import QualcodeError
from qualcode.model import Codebook, Suggestion
from qualcode.nlp import linear
from qualcode.nlp.calibration import calibrate
from qualcode.nlp.explanations import ContentWords, UnitText, phrases
from qualcode.nlp.features import FeatureConfig, TextFeatures, dumps
from qualcode.nlp.model_file import MAX_MODEL_BYTES, read_model, refuse
from qualcode.nlp.pipeline import Pipeline, build_pipeline
from qualcode.nlp.prototypes import PrototypeScorer

FORMAT = "qualcode-suggester/1"
TERMS_PER_SUGGESTION = 5
FEATURES_PER_EXPLANATION = 12
"""Most weighted word n-grams of a unit mapped back to its phrases (overlapping ones join)."""
SMALL_CORPUS_UP_TO = 20_000
"""Add character 2-4 grams and lemma unigrams when fitting on at most this many units:
they help most on small corpora (README numbers) and double the fit time on large ones."""
PROTOTYPE_THRESHOLD = 0.2
"""Similarity above which a code scored only by its definition counts as predicted."""


@dataclass(frozen=True, slots=True)
class SuggesterConfig:
    """How the suggester is built; :meth:`baseline` is the plain TF-IDF + balanced LR."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    min_positives: int = 3
    c: float = 1.0
    calibrate: bool = False
    small_corpus_up_to: int = SMALL_CORPUS_UP_TO

    @classmethod
    def baseline(cls) -> SuggesterConfig:
        """TF-IDF word 1-2 grams (sublinear tf) + balanced one-vs-rest LR, threshold 0.5."""
        return cls(features=FeatureConfig(), min_positives=1, calibrate=False,
                   small_corpus_up_to=0)


class CodeSuggester:
    """Suggests codes for unit texts, learning from coded units (see module docstring)."""

    def __init__(self, codebook: Codebook | None = None, *, pipeline: Pipeline | None = None,
                 config: SuggesterConfig | None = None) -> None:
        self.config = config or SuggesterConfig()
        self.pipeline = pipeline or build_pipeline()
        self.code_ids: tuple[int, ...] = ()
        self.examples = np.zeros(0, dtype=np.int64)
        self.trained = np.zeros(0, dtype=bool)
        self.thresholds = np.zeros(0, dtype=np.float32)
        self.features: TextFeatures | None = None
        self.weights = np.zeros((0, 0), dtype=np.float32)
        self.intercepts = np.zeros(0, dtype=np.float32)
        self.prototypes = PrototypeScorer(self.pipeline)
        self.fitted = False
        self._telling: np.ndarray | None = None
        self._content: ContentWords | None = None
        self._term_array = np.zeros(0, dtype=object)
        self.origin = "new"
        """Where the model came from: "new", "fitted", "refitted" or "stored" (the loader's)."""
        self.note: str | None = None
        """Why a stored model was refused and this one refitted, if it was."""
        if codebook is not None:
            self.fit([], [], codebook)

    # -- fitting -----------------------------------------------------------------------
    def fit(self, texts: Sequence[str], labels: Sequence[set[int]], codebook: Codebook) -> None:
        """Learn from coded units: ``labels[i]`` is the set of code ids present in ``texts[i]``.

        An empty set is a real decision ("no code applies") and teaches what codes are not.
        Codes with fewer than ``min_positives`` examples keep their codebook prototype.
        """
        if len(texts) != len(labels):
            raise ValueError("texts and labels must have the same length")
        codes = [c for c in codebook if c.codable]
        self.code_ids = tuple(c.id for c in codes)
        column = {code_id: k for k, code_id in enumerate(self.code_ids)}
        y = np.zeros((len(texts), len(codes)), dtype=np.int8)
        for i, present in enumerate(labels):
            for code_id in present:
                if code_id in column:
                    y[i, column[code_id]] = 1
        self.examples = y.sum(axis=0).astype(np.int64)
        negatives = len(texts) - self.examples
        self.trained = (self.examples >= max(1, self.config.min_positives)) & (negatives > 0)
        # Lemmatised once: the prototypes and the small-corpus lemma features both use them.
        lemmas = self.pipeline.lemma_texts(list(texts)) if len(texts) else []
        self.prototypes.fit(codebook, codes, texts, y if len(texts) else None, lemmas)
        self.thresholds = np.where(self.trained, 0.5, PROTOTYPE_THRESHOLD).astype(np.float32)
        if self.trained.any():
            self._fit_linear(list(texts), y, lemmas)
        else:
            self.features, self.weights = None, np.zeros((0, len(codes)), dtype=np.float32)
            self.intercepts = np.zeros(len(codes), dtype=np.float32)
        self.fitted = True

    def _fit_linear(self, texts: list[str], y: np.ndarray, lemmas: list[str]) -> None:
        config = self.config.features
        if len(texts) >= 5_000 and config.min_df == 1:
            # Words seen once in a large corpus cannot generalise; dropping them halves
            # the columns (and the fit time) at no measured cost on goemotions.
            config = replace(config, min_df=2)
        if config.char_ngrams is None and len(texts) <= self.config.small_corpus_up_to:
            config = replace(config, char_ngrams=(2, 4), lemmas=True)
        self.features = TextFeatures(config, self.pipeline)
        x = self.features.fit_transform(texts, lemmas)
        self.weights, self.intercepts = linear.fit_codes(x, y, self.trained, c=self.config.c)
        self._telling = None
        self._telling_terms()  # once per fit, not on the first suggestion shown
        if self.config.calibrate:
            thresholds = calibrate(x, y, self.trained, c=self.config.c)
            self.thresholds = np.where(self.trained, thresholds, self.thresholds)

    # -- scoring -----------------------------------------------------------------------
    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Return scores (units x codes, columns in :attr:`code_ids` order), in [0, 1]."""
        return self._scores(list(texts))[0]

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, sparse.csr_matrix | None]:
        self._check_fitted()
        result = np.zeros((len(texts), len(self.code_ids)), dtype=np.float32)
        x = None
        if not texts or not self.code_ids:
            return result, x
        if self.trained.any() and self.features is not None:
            x = self.features.transform(texts)
            result[:] = linear.probabilities(x, self.weights, self.intercepts)
        if not self.trained.all():
            cold = ~self.trained
            result[:, cold] = self.prototypes.scores(texts)[:, cold]
        return result, x

    def predict(self, texts: Sequence[str]) -> list[set[int]]:
        """Return, per text, the set of code ids whose score reaches its threshold."""
        hits = self.scores(texts) >= self.thresholds
        ids = np.asarray(self.code_ids)
        return [set(ids[row].tolist()) for row in hits]

    def suggest(self, source_text: str, top: int = 3) -> list[Suggestion]:
        """Return at most ``top`` suggestions for one text, best first, with their terms."""
        return self.suggest_many([source_text], top)[0]

    def suggest_many(self, texts: Sequence[str], top: int = 3) -> list[list[Suggestion]]:
        """Return :meth:`suggest` for many texts at once (one matrix product)."""
        texts = list(texts)
        scores, x = self._scores(texts)
        keep = max(0, min(top, scores.shape[1]))
        best = np.argsort(-scores, axis=1, kind="stable")[:, :keep]
        shown = np.take_along_axis(scores, best, axis=1).astype(np.float64).tolist()
        terms = self._word_terms(x, best)
        code_ids, weigh = self.code_ids, self.prototypes.word_weights
        content = self._content_words()
        result = []
        for i, text in enumerate(texts):
            row = []
            unit = UnitText(text, content)  # read once for all the codes shown
            for rank, k in enumerate(best[i].tolist()):
                score = shown[i][rank]
                if score > 0:
                    # Or: a definition-scored code, or one driven by characters/lemmas only.
                    found = (phrases(unit, terms[i][rank], TERMS_PER_SUGGESTION)
                             or phrases(unit, weigh(text, k), TERMS_PER_SUGGESTION))
                    row.append(Suggestion(code_ids[k], round(score, 4), found))
            result.append(row)
        return result

    def uncertainty(self, texts: Sequence[str]) -> np.ndarray:
        """Return, per text, how unsure the model is (1 = a score sits on its threshold).

        For active learning: the smallest distance of any code's score from that code's
        threshold, rescaled so 1 is most uncertain and 0 is sure about every code.
        """
        scores = self.scores(texts)
        if scores.shape[1] == 0:
            return np.ones(scores.shape[0])
        span = np.maximum(self.thresholds, 1 - self.thresholds)
        distance = np.abs(scores - self.thresholds) / span
        return 1.0 - distance.min(axis=1)

    def _word_terms(self, x: sparse.csr_matrix | None, best: np.ndarray
                    ) -> list[list[tuple[tuple[str, float], ...]]]:
        """Return, per unit and shown code (``best``: units x ranks of code columns), the
        unit's word n-grams that pushed that code's score up most, with their push.

        Sparse work for all units at once: each stored (unit, word) feature times the
        weight of each shown code, sorted by unit then contribution (stable, so ties keep
        the unit's column order), the first few positive ones per unit kept.
        """
        units, ranks = best.shape
        found: list[list[tuple[tuple[str, float], ...]]] = [[()] * ranks for _ in range(units)]
        if x is None or self.features is None or not units or not ranks:
            return found
        rows = np.repeat(np.arange(units), np.diff(x.indptr))
        columns, values = x.indices, x.data
        keep = columns < self.features.word_columns
        telling, terms = self._telling_terms()
        keep[keep] = telling[columns[keep]]
        rows, columns, values = rows[keep], columns[keep], values[keep]
        for rank in range(ranks):
            codes = best[rows, rank]
            contribution = values * self.weights[columns, codes]
            useful = (contribution > 0) & self.trained[codes]
            r, c, v = rows[useful], columns[useful], contribution[useful]
            order = np.lexsort((-v, r))
            r, c, v = r[order], c[order], v[order]
            starts = np.flatnonzero(np.r_[True, r[1:] != r[:-1]])
            position = np.arange(len(r)) - np.repeat(starts, np.diff(np.r_[starts, len(r)]))
            top = position < FEATURES_PER_EXPLANATION
            r, c, v = r[top], c[top], v[top].tolist()
            if not len(r):
                continue
            bounds = np.flatnonzero(r[1:] != r[:-1]) + 1
            begins, ends = [0, *bounds.tolist()], [*bounds.tolist(), len(r)]
            for unit, words, begin, end in zip(r[begins].tolist(), np.split(terms[c], bounds),
                                               begins, ends, strict=True):
                found[unit][rank] = tuple(zip(words.tolist(), v[begin:end], strict=True))
        return found

    def _telling_terms(self) -> tuple[np.ndarray, np.ndarray]:
        """Return (mask of word n-grams worth showing, the n-grams as an object array).

        Function words ("to", "they") and contraction pieces ("wasn") carry weight in the
        model but tell a coder nothing (:class:`~qualcode.nlp.explanations.ContentWords`).
        The mask is computed at fit time and stored with the model (about 50 ms for
        60,000 n-grams, which a coding screen loading a refitted model need not pay).
        """
        features = self.features
        assert features is not None  # for type checkers: only called with word features
        if self._telling is None or len(self._telling) != features.word_columns:
            content = self._content_words()
            self._telling = np.array([content.term(term) for term in features.terms],
                                     dtype=bool)
        if len(self._term_array) != features.word_columns:
            self._term_array = np.array(features.terms, dtype=object)
        return self._telling, self._term_array

    def _content_words(self) -> ContentWords:
        """The pipeline's judge of stop words and contraction pieces (built once)."""
        if self._content is None:
            self._content = ContentWords(self.pipeline.nlp)
        return self._content

    def _check_fitted(self) -> None:
        if not self.fitted:
            raise QualcodeError("the suggester has not been fitted; call fit() first")

    # -- persistence -------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """Serialise the fitted model (``.npz`` of arrays and JSON; no pickle)."""
        self._check_fitted()
        proto_meta, arrays = self.prototypes.state()
        meta: dict[str, object] = {
            "format": FORMAT, "pipeline": self.pipeline.name, "code_ids": list(self.code_ids),
            "config": {"min_positives": self.config.min_positives, "c": self.config.c,
                       "calibrate": self.config.calibrate,
                       "small_corpus_up_to": self.config.small_corpus_up_to,
                       "features": asdict(self.config.features)},
            "prototypes": proto_meta}
        arrays = dict(arrays, examples=self.examples, trained=self.trained,
                      thresholds=self.thresholds, weights=self.weights,
                      intercepts=self.intercepts)
        if self.features is not None:
            feature_meta, feature_arrays = self.features.state()
            meta["features"] = feature_meta
            arrays.update(feature_arrays, telling=self._telling_terms()[0])
        buffer = io.BytesIO()
        payload: dict[str, Any] = {"meta": dumps(meta), **arrays}
        np.savez_compressed(buffer, **payload)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, *, pipeline: Pipeline | None = None) -> CodeSuggester:
        """Rebuild a model written by :meth:`to_bytes`, treating the bytes as untrusted.

        Sizes, settings, array shapes and values are checked before use
        (:mod:`qualcode.nlp.model_file`); a model that fails raises
        :class:`~qualcode.nlp.model_file.ModelError`.
        """
        meta, arrays = read_model(data, FORMAT)
        name = _model_name(meta)
        if pipeline is not None and (name or pipeline.name) != pipeline.name:
            raise refuse(f"it was fitted with the spaCy pipeline {name!r}, not {pipeline.name!r}")
        if pipeline is None and name is not None and not _PIPELINE_NAME.match(name):
            raise refuse(f"setting pipeline {name[:60]!r} is not a package name")
        raw, features = meta["config"], meta["config"]["features"]
        config = SuggesterConfig(
            features=FeatureConfig(features["word_ngrams"], features["char_ngrams"],
                                   features["min_df"], features["max_features"],
                                   features["lemmas"]),
            min_positives=raw["min_positives"], c=raw["c"], calibrate=raw["calibrate"],
            small_corpus_up_to=raw["small_corpus_up_to"])
        suggester = cls(pipeline=pipeline or build_pipeline(name), config=config)
        try:
            suggester._restore(meta, arrays)
        except (ValueError, TypeError, KeyError, IndexError) as error:
            # The checks above should leave nothing for here; a model is never worth a crash.
            raise refuse(f"it cannot be rebuilt ({type(error).__name__}: {error})") from None
        return suggester

    def _restore(self, meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
        self.code_ids = tuple(meta["code_ids"])
        self.examples = arrays["examples"].astype(np.int64)
        self.trained = arrays["trained"].astype(bool)
        self.thresholds = arrays["thresholds"].astype(np.float32)
        self.weights = arrays["weights"].astype(np.float32)
        self.intercepts = arrays["intercepts"].astype(np.float32)
        self.prototypes = PrototypeScorer.from_state(self.pipeline, meta["prototypes"], arrays)
        if "features" in meta:
            self.features = TextFeatures.from_state(meta["features"], arrays, self.pipeline)
            if "telling" in arrays:  # models stored before it was kept compute it on use
                self._telling = arrays["telling"].astype(bool)
        self.fitted = True

    def save(self, path: Path | str) -> None:
        """Write the fitted model to a file."""
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path: Path | str, *, pipeline: Pipeline | None = None) -> CodeSuggester:
        """Read a model written by :meth:`save`."""
        if Path(path).stat().st_size > MAX_MODEL_BYTES:
            raise refuse(f"{path} is over the {MAX_MODEL_BYTES // 2**20} MB limit")
        return cls.from_bytes(Path(path).read_bytes(), pipeline=pipeline)

    def code_examples(self) -> dict[int, int]:
        """Return, per code id, how many coded units the model learnt from."""
        return {code_id: int(n) for code_id, n in zip(self.code_ids, self.examples, strict=True)}


# A spaCy package name (a stored model never names a folder to load code from).
_PIPELINE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(-[A-Za-z0-9_.]+)?$")


def _model_name(meta: dict[str, Any]) -> str | None:
    name = meta.get("pipeline")
    return None if name in (None, "blank:en") else str(name)
