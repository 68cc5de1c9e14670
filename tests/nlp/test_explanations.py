"""Suggestion explanations: the unit's own phrases, heaviest first, no stop-word fragments."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from qualcode.model import Code, Codebook
from qualcode.nlp.counting import WORD_TOKEN
from qualcode.nlp.explanations import ContentWords, UnitText, phrases
from qualcode.nlp.pipeline import build_pipeline
from qualcode.nlp.suggester import CodeSuggester

CONTRACTIONS = ("wasn't", "didn't", "couldn't", "isn't", "don't", "won't", "we've",
                "they'll", "you're", "hasn't", "wasn’t", "didnt")
# Fragments a coder saw as explanations before: contraction pieces, stop words.
FRAGMENTS = {"wasn", "didn", "couldn", "isn", "don", "won", "ve", "ll", "re", "hasn", "n't",
             "the", "group the", "said the"}


@pytest.fixture(scope="module")
def content() -> ContentWords:
    """The judge of the default (blank English) pipeline."""
    return ContentWords(build_pipeline().nlp)


def _texts() -> tuple[list[str], list[set[int]]]:
    """Units where contractions and stop words sit next to each code's telling words."""
    topics = {1: ("nurse", "listened", "kind"), 2: ("waited", "all day", "queue"),
              3: ("parking", "bus", "ticket")}
    texts, labels = [], []
    for (code, words), contraction, opener in itertools.product(
            topics.items(), CONTRACTIONS, ("The group said", "I said that", "So")):
        first, second, third = words
        texts.append(f"{opener} the {first} {contraction} {second}, it {contraction} "
                     f"about the {third}.")
        labels.append({code})
    texts += ["Nothing to add.", "It was fine, I don't know.", "We've said all of it."]
    labels += [set(), set(), set()]
    return texts, labels


def _codebook() -> Codebook:
    return Codebook(tuple(Code(k, f"g{k}", name, description=description, position=k)
                          for k, name, description in (
                              (1, "Staff attitude", "How the nurse or doctor treated them."),
                              (2, "Waiting", "Waiting times, queues, delays."),
                              (3, "Transport", "Getting there: parking, buses, tickets."))))


def _telling_ends(phrase: str, content: ContentWords) -> bool:
    """The phrase starts and ends on a content word (judged as written in it)."""
    words = re.findall(r"\w[\w'’-]*\w|\w", phrase)
    return bool(words) and content.word(words[0]) and content.word(words[-1])


@pytest.mark.parametrize("written", CONTRACTIONS + ("the", "n't", "The", "THEY"))
def test_stop_words_and_contraction_pieces_are_not_content(content: ContentWords,
                                                           written: str) -> None:
    assert not content.word(written)
    for token in WORD_TOKEN.findall(written.lower()):
        assert not content.term(token), token


@pytest.mark.parametrize("written", ["nurse", "Nurse", "listened", "check-up", "GP",
                                     "patient's", "cause", "queue"])
def test_content_words_are_content(content: ContentWords, written: str) -> None:
    assert content.word(written)


def test_overlapping_features_join_into_the_phrase_as_written(content: ContentWords) -> None:
    text = "Honestly I Waited  all day. The nurse wasn't kind; I waited again."
    weighted = [("waited all", 3.0), ("all day", 2.0), ("nurse wasn", 1.5), ("wasn kind", 1.4),
                ("the", 9.0), ("wasn", 8.0), ("waited", 0.5)]
    found = phrases(UnitText(text, content), weighted, 5)
    # Stop words only ("the", "wasn") never show; a second "waited" adds nothing.
    assert found == ("Waited all day", "nurse wasn't kind")


def test_a_feature_found_nowhere_or_weighing_nothing_is_left_out(content: ContentWords) -> None:
    late = UnitText("The bus was late.", content)
    assert phrases(late, [("train", 2.0), ("bus", 0.0), ("the", 1.0)], 5) == ()
    assert phrases(UnitText("", content), [("bus", 1.0)], 5) == ()


def test_every_explanation_is_words_of_the_unit_without_fragments(content: ContentWords
                                                                  ) -> None:
    texts, labels = _texts()
    codebook = _codebook()
    warm = CodeSuggester()
    warm.fit(texts, labels, codebook)
    cold = CodeSuggester(codebook)
    probes = texts[::5] + ["The nurse wasn't kind and I waited all day for the bus.",
                           "They'll say the parking didn't cost much, we've paid."]
    explained = compared = 0
    for suggester in (warm, cold):
        for text, found in zip(probes, suggester.suggest_many(probes, 3), strict=True):
            flat = " ".join(text.split()).lower()
            for suggestion in found:
                explained += bool(suggestion.terms)
                for phrase in suggestion.terms:
                    assert phrase.lower() in flat, (phrase, text)
                    assert phrase.lower() not in FRAGMENTS, (phrase, text)
                    assert _telling_ends(phrase, content), (phrase, text)
                column = suggester.code_ids.index(suggestion.code_id)
                heaviest = _most_weighted_features(suggester, text, column, content)
                if heaviest and suggestion.terms:
                    compared += 1
                    shown = suggestion.terms[0].lower()
                    # Several features can weigh the same: one of them leads the phrase.
                    assert any(all(re.search(rf"\b{re.escape(word)}\b", shown)
                                   for word in top.split() if content.term(word))
                               for top in heaviest), (heaviest, suggestion)
    assert explained >= len(probes) * 2 and compared >= len(probes[::2])


def _most_weighted_features(suggester: CodeSuggester, text: str, column: int,
                            content: ContentWords) -> list[str]:
    """The word n-grams of ``text`` with a content word that raised the code most (ties
    all; computed apart from the suggester's own sparse path)."""
    if not suggester.trained[column] or suggester.features is None:
        return []
    row = suggester.features.transform([text])
    pushes = {}
    for j, value in zip(row.indices.tolist(), row.data.tolist(), strict=True):
        term = suggester.features.terms[j] if j < suggester.features.word_columns else ""
        push = np.float32(value) * suggester.weights[j, column]
        if term and push > 0 and _content_here(term, text, content):
            pushes[term] = float(push)
    top = max(pushes.values(), default=0.0)
    return [term for term, push in pushes.items() if push >= top * (1 - 1e-6)]


def _content_here(term: str, text: str, content: ContentWords) -> bool:
    """Whether the n-gram holds a word that is content where it is written in the text."""
    written = re.findall(r"\w[\w'’-]*\w|\w", text)
    for word in term.split():
        forms = [w for w in written if word in WORD_TOKEN.findall(w.lower())]
        if content.term(word) and any(content.word(form) for form in forms):
            return True
    return False


def test_stored_models_explain_as_fitted_ones() -> None:
    texts, labels = _texts()
    suggester = CodeSuggester()
    suggester.fit(texts, labels, _codebook())
    again = CodeSuggester.from_bytes(suggester.to_bytes())
    probes = texts[:9]
    assert again.suggest_many(probes, 3) == suggester.suggest_many(probes, 3)
    assert np.array_equal(again._telling, suggester._telling_terms()[0])


def test_words_show_whole_as_written_with_hyphens_and_apostrophes(content: ContentWords
                                                                   ) -> None:
    unit = UnitText("My check-up wasn’t quick; the patient's notes were lost.", content)
    weighted = [("wasn", 3.0), ("check", 2.0), ("patient notes", 1.8), ("notes were", 1.0)]
    assert phrases(unit, weighted, 2) == ("check-up", "patient's notes")


@pytest.mark.parametrize(("text", "expected"), [
    ("I waited all day for it.", ("waited all day",)),      # two stop words between
    ("Patients hard to reach.", ("Patients hard",)),         # side by side
    ("It was hard, people left.", ("hard", "people")),       # a comma ends the clause
    ("So hard. People left.", ("hard", "People")),           # so does a full stop
    ("hard and then again people", ("hard", "people")),      # three stop words: too far
])
def test_features_close_within_a_clause_show_as_one_phrase(content: ContentWords, text: str,
                                                           expected: tuple[str, ...]) -> None:
    weighted = [("waited", 2.0), ("hard", 2.0), ("day", 1.0), ("people", 1.0),
                ("patients", 1.0)]
    assert phrases(UnitText(text, content), weighted, 5) == expected


def test_a_tokenizer_without_special_cases_still_judges_words() -> None:
    class Bare:
        """A pipeline whose tokenizer has no ``rules`` (not every language's has)."""

        def __init__(self) -> None:
            nlp = build_pipeline().nlp
            self.Defaults = nlp.Defaults
            self.tokenizer = lambda text: nlp.tokenizer(text)

    content = ContentWords(Bare())
    assert content.word("nurse") and not content.word("the") and not content.fragments
