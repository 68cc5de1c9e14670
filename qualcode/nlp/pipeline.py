"""The spaCy pipeline: ``blank("en")`` + sentencizer + lookup lemmatizer, or an installed model.

Nothing is ever downloaded. The default pipeline's lemma table is vendored in
``qualcode/nlp/data`` (from spacy-lookups-data, MIT; see its README there), so a fresh
machine without network access lemmatises exactly like any other. A trained pipeline
(``en_core_web_sm`` ...) is used only when the user names it and it is installed.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from qualcode.errors import QualcodeError

DEFAULT_MODEL = "blank:en"
LEMMA_TABLE = Path(__file__).parent / "data" / "en_lemma_lookup.json.gz"
WORD = re.compile(r"\w[\w'’-]*\w|\w", re.UNICODE)
"""A word for explanations and prototypes: letters/digits, inner apostrophes and hyphens."""


class PipelineError(QualcodeError):
    """A spaCy pipeline was named that is not installed (qualcode never downloads one)."""


@lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """Return the vendored English lemma lookup table (word form -> lemma)."""
    with gzip.open(LEMMA_TABLE, "rt", encoding="utf-8") as handle:
        return json.load(handle)


class _Lemmas(dict[str, str]):
    """Word form -> lower-case lemma by the lookup table, memoised (a hit is a plain
    dictionary lookup, so ``map`` over it runs at C speed)."""

    def __missing__(self, word: str) -> str:
        table = lemma_table()
        lemma = self[word] = table.get(word, table.get(word.lower(), word)).lower()
        return lemma


class Pipeline:
    """A spaCy pipeline plus the fast lemma path the suggester uses on many texts.

    With the default pipeline the lookup lemmatizer's result depends only on the token
    text, so :meth:`lemma_tokens` takes word tokens with a regular expression and looks
    them up in the very table the spaCy lemmatizer was initialised with (memoised per
    word form): about 20 times faster than running spaCy per text, which keeps scoring
    under 100 ms per 1,000 units. Only the tokenisation differs from spaCy's (``don't``
    stays one word). A trained pipeline runs in full, because its lemmas depend on context.
    """

    def __init__(self, nlp: Any, name: str) -> None:
        self.nlp = nlp
        self.name = name
        self.is_blank = name == DEFAULT_MODEL
        self._lemmas = _Lemmas()

    def docs(self, texts: Iterable[str], batch_size: int = 256) -> Iterator[Any]:
        """Yield spaCy ``Doc`` objects for texts (all pipeline components run)."""
        return self.nlp.pipe(texts, batch_size=batch_size)

    def sentences(self, text: str) -> list[tuple[int, int]]:
        """Return ``(start, end)`` character spans of the sentences of a text."""
        return [(s.start_char, s.end_char) for s in self.nlp(text).sents]

    def lemma(self, word: str) -> str:
        """Return the lower-case lemma of one word form by the lookup table."""
        return self._lemmas[word]

    def lemma_tokens(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """Return, per text, ``(surface, lemma)`` pairs of its word tokens, lemmas lower case."""
        if not self.is_blank:
            return [[(t.text, t.lemma_.lower()) for t in doc if WORD.fullmatch(t.text)]
                    for doc in self.docs(texts)]
        lemma = self._lemmas.__getitem__
        return [[(w, lemma(w)) for w in WORD.findall(text)] for text in texts]

    def lemma_texts(self, texts: Sequence[str]) -> list[str]:
        """Return each text as its lemmas joined by spaces (input for a TF-IDF vectorizer)."""
        if not self.is_blank:
            return [" ".join(lemma for _, lemma in pairs) for pairs in self.lemma_tokens(texts)]
        lemma, findall = self._lemmas.__getitem__, WORD.findall
        return [" ".join(map(lemma, findall(text))) for text in texts]


def build_pipeline(model: str | None = None) -> Pipeline:
    """Return the default pipeline, or the installed spaCy pipeline named ``model``.

    Raises :class:`PipelineError` when the named pipeline is not installed; it is never
    downloaded (``python -m spacy download`` is the user's call, on a machine with network).
    """
    name = model or DEFAULT_MODEL
    return _cached_pipeline(name)


@lru_cache(maxsize=4)
def _cached_pipeline(name: str) -> Pipeline:
    import spacy
    from spacy.lookups import Lookups
    from spacy.pipeline import Lemmatizer

    if name == DEFAULT_MODEL:
        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        lemmatizer = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        assert isinstance(lemmatizer, Lemmatizer)  # add_pipe is typed to return any component
        lookups = Lookups()
        lookups.add_table("lemma_lookup", lemma_table())
        lemmatizer.initialize(lookups=lookups)
        return Pipeline(nlp, name)
    if importlib.util.find_spec(name.replace("-", "_")) is None and not Path(name).is_dir():
        raise PipelineError(f"spaCy pipeline {name!r} is not installed; qualcode never "
                            "downloads one: install its package (e.g. a wheel file) into "
                            "qualcode's Python environment, or leave out --spacy-model to "
                            "use the built-in English pipeline")
    try:
        nlp = spacy.load(name, exclude=["parser", "ner", "textcat"])
    except (OSError, ImportError, ValueError) as error:
        raise PipelineError(f"cannot load spaCy pipeline {name!r}: "
                            f"{str(error).splitlines()[0]}") from None
    if not nlp.has_pipe("sentencizer") and not nlp.has_pipe("senter"):
        nlp.add_pipe("sentencizer")
    return Pipeline(nlp, name)
