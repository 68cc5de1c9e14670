"""Explanations a coder reads: the unit's own phrases that carried a suggestion.

The model's features are lower-case word n-grams of scikit-learn's tokens, so the raw
terms behind a score are fragments: "wasn" (of "wasn't"), "the group", "said". Here the
most weighted features of a unit are found again in the unit's text, overlapping ones
joined into one phrase, stop words trimmed from the phrase's ends, and each phrase shown
as it is written there ("waited all day", "wasn't listened to"). Stop words are the
spaCy pipeline's own (its tokenizer splits contractions, and each piece's ``is_stop`` and
norm decide), so a feature made only of stop words or contraction pieces never shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from qualcode.nlp.counting import WORD_TOKEN

MAX_PHRASE_WORDS = 6
"""Longest phrase (in the vectorizer's tokens) that overlapping features are joined into."""
MAX_GAP = 2
"""Stop words that may stand between two features for them to show as one phrase."""
MIN_SHARE = 0.2
"""Features weighing less than this share of the unit's heaviest are left out: they
carried next to nothing, and joined to a heavy neighbour they would only lengthen it."""
APOSTROPHES = "'’"
"""Straight and typographic: "wasn’t" is as much a contraction as "wasn't"."""
JOINERS = APOSTROPHES + "-"
"""Characters inside a written word (the pipeline's WORD): "wasn't", "check-up"."""


class ContentWords:
    """Tells content words from stop words and contraction pieces, by a spaCy pipeline."""

    def __init__(self, nlp: Any) -> None:
        self.tokenizer = nlp.tokenizer
        self.stop_words = frozenset(w.lower() for w in nlp.Defaults.stop_words)
        # Special cases ("wasn't" -> was + n't); a tokenizer of another kind may have none.
        self.special = frozenset(getattr(self.tokenizer, "rules", None) or ())
        self._words: dict[str, bool] = {}
        self.fragments = self._contraction_fragments()

    def word(self, word: str) -> bool:
        """Return whether a word as written (``"wasn't"``, ``"Group"``) carries content."""
        found = self._words.get(word)
        if found is None:
            found = self._words[word] = self._judge(word)
        return found

    def _judge(self, word: str) -> bool:
        lower = word.lower()
        if lower in self.stop_words:
            return False
        if lower not in self.special and word not in self.special and lower.isalnum():
            return len(lower) > 1  # one piece, not a stop word: no tokenizer run needed
        return any(self._piece(token.text, token.norm_) for token in self.tokenizer(word))

    def _piece(self, text: str, norm: str) -> bool:
        lower = text.lower()
        return (len(lower) > 1 and any(c.isalnum() for c in lower)
                and lower not in self.stop_words and norm.lower() not in self.stop_words)

    def _contraction_fragments(self) -> frozenset[str]:
        """The tokens left of a contraction made only of stop words: "wasn", "ve", "ll"."""
        found: set[str] = set()
        for written in self.special:
            # Inner apostrophes only: "'cause" and "doin'" must not make "cause" a fragment.
            inner = written.strip(APOSTROPHES)
            if any(a in inner for a in APOSTROPHES) and not self.word(written):
                found.update(WORD_TOKEN.findall(written.lower()))
        return frozenset(found)

    def term(self, term: str) -> bool:
        """Return whether a model feature (lower-case word n-gram) holds a content word."""
        return any(self.word(w) and w not in self.fragments for w in term.split())


class UnitText:
    """A unit's text read once for all its suggestions: its tokens, where each occurs, and
    (worked out only for the tokens a feature lands on) whether each carries content."""

    def __init__(self, text: str, content: ContentWords) -> None:
        self.text = text
        self.content = content
        self.spans = [(m.start(), m.end()) for m in WORD_TOKEN.finditer(text)]
        self.tokens = [text[a:b].lower() for a, b in self.spans]
        self.where: dict[str, list[int]] = {}
        for position, token in enumerate(self.tokens):
            self.where.setdefault(token, []).append(position)
        self._telling: dict[int, bool] = {}

    def telling(self, position: int) -> bool:
        """Whether the token carries content, judged on its whole written word when that
        is a contraction ("wasn" of "wasn't" does not; "patient" of "patient's" does)."""
        found = self._telling.get(position)
        if found is None:
            start, end = self.spans[position]
            lower = self.tokens[position]
            word_start, word_end = self.widen(start, end)
            written = self.text[word_start:word_end]
            if any(a in written for a in APOSTROPHES):
                found = self.content.word(written) and lower not in self.content.fragments
            else:
                found = self.content.word(lower)
            self._telling[position] = found
        return found

    def widen(self, start: int, end: int) -> tuple[int, int]:
        """Stretch a character range over the written words at its ends: across inner
        apostrophes and hyphens, as the pipeline's WORD does ("wasn" → "wasn't")."""
        text = self.text
        while start > 1 and text[start - 1] in JOINERS and text[start - 2].isalnum():
            start -= 2
            while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
                start -= 1
        while end + 1 < len(text) and text[end] in JOINERS and text[end + 1].isalnum():
            end += 2
            while end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end += 1
        return start, end


def phrases(unit: UnitText, weighted: Sequence[tuple[str, float]], limit: int
            ) -> tuple[str, ...]:
    """Return up to ``limit`` phrases of a unit that carry the most weight, heaviest first.

    ``weighted`` holds (feature, weight) pairs, each feature a lower-case word n-gram of
    the text. Each phrase is a stretch of the text as written (white space collapsed)
    covering one or more features that overlap or stand close (:func:`_joined`),
    trimmed of stop words at its ends; it weighs as its heaviest feature, so the first
    phrase holds the heaviest feature that has a content word in this text. Features under
    :data:`MIN_SHARE` of that one's weight are left out.
    """
    if not unit.tokens or not weighted:
        return ()
    stretches = _joined(unit, _occurrences(unit, weighted))
    shown: list[str] = []
    for first, last, _ in sorted(stretches, key=lambda s: (-s[2], s[0])):
        while not unit.telling(first):
            first += 1
        while not unit.telling(last - 1):
            last -= 1
        start, end = unit.widen(unit.spans[first][0], unit.spans[last - 1][1])
        phrase = " ".join(unit.text[start:end].split())
        # A second "waited" adds nothing beside "waited all day" (whole words compared).
        if not any(f" {phrase.lower()} " in f" {kept.lower()} " for kept in shown):
            shown.append(phrase)
        if len(shown) == limit:
            break
    return tuple(shown)


def _occurrences(unit: UnitText, weighted: Sequence[tuple[str, float]]
                 ) -> list[tuple[int, int, float]]:
    """Every place a feature with a content word occurs: (first token, end token, weight)."""
    tokens, found = unit.tokens, []
    for term, weight in weighted:
        grams = WORD_TOKEN.findall(term)  # a word as written ("wasn't") is several tokens
        if not grams or weight <= 0:
            continue
        for position in unit.where.get(grams[0], ()):
            end = position + len(grams)
            if tokens[position:end] == grams and any(map(unit.telling, range(position, end))):
                found.append((position, end, weight))
    heaviest = max((weight for _, _, weight in found), default=0.0)
    return [item for item in found if item[2] >= MIN_SHARE * heaviest]


def _joined(unit: UnitText, occurrences: list[tuple[int, int, float]]
            ) -> list[tuple[int, int, float]]:
    """Join occurrences into weighted stretches (up to MAX_PHRASE_WORDS tokens): those that
    share a token, and those side by side or apart by at most MAX_GAP stop words within a
    clause ("waited" and "day" make "waited all day"; not across "." or ",")."""
    stretches: list[tuple[int, int, float]] = []
    for first, last, weight in sorted(occurrences):
        if stretches:
            lo, hi, best = stretches[-1]
            if max(hi, last) - lo <= MAX_PHRASE_WORDS and (
                    first < hi or (first - hi <= MAX_GAP and _connected(unit, hi, first))):
                stretches[-1] = (lo, max(hi, last), max(best, weight))
                continue
        stretches.append((first, last, weight))
    return stretches


def _connected(unit: UnitText, end: int, start: int) -> bool:
    """Whether the tokens from ``end`` up to ``start`` are stop words only, and the text
    between the two stretches holds no punctuation (a clause goes on)."""
    between = unit.text[unit.spans[end - 1][1]:unit.spans[start][0]]
    return (not any(map(unit.telling, range(end, start)))
            and all(c.isalnum() or c.isspace() or c in JOINERS or c == "_" for c in between))
