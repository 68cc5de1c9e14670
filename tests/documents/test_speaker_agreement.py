"""Agreement counting only some speakers' turns equals agreement on those turns alone.

Two projects are built from the same generated transcripts: one holds whole transcripts
imported with speakers (Interviewer and participants), the other only the participants'
paragraphs, with every coding moved to its new offsets. ``--exclude-speaker Interviewer``
(and ``--speaker P1,P2``) on the first must give the very numbers of the second, computed
by the unchanged agreement code (itself cross-checked against published values elsewhere).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from qualcode.analysis.agreement_report import agreement_report
from qualcode.analysis.agreement_units import SpeakerFilter
from qualcode.errors import QualcodeError
from qualcode.model import ParagraphAttributes, SourceRecord
from qualcode.storage import Store

SEED = 20261205
SPEAKERS = ("Interviewer", "P1", "P2")
CODES = ("Communication", "Empathy", "Team cooperation")


def _transcripts(rng: random.Random) -> list[list[tuple[str, str]]]:
    """Six transcripts of 8-14 turns: (speaker, paragraph text)."""
    words = "group patients listen time team feel case doctor talk support".split()
    out = []
    for _ in range(6):
        turns = []
        for _ in range(rng.randint(8, 14)):
            speaker = rng.choice(SPEAKERS)
            body = " ".join(rng.choice(words) for _ in range(rng.randint(4, 12)))
            turns.append((speaker, f"{speaker}: {body}."))
        out.append(turns)
    return out


def _build(path: Path, transcripts: list[list[tuple[str, str]]], keep: set[str] | None,
           decisions: dict[tuple[int, int, str], tuple[bool, bool]]) -> None:
    """Store the transcripts (only ``keep`` speakers' turns when given) and both coders' work."""
    with Store.create(path) as store:
        records = []
        for number, turns in enumerate(transcripts):
            kept = [(s, t) for s, t in turns if keep is None or s in keep]
            text, attrs, position = [], [], 0
            for speaker, paragraph in kept:
                attrs.append(ParagraphAttributes(position, position + len(paragraph), speaker))
                text.append(paragraph)
                position += len(paragraph) + 2
            records.append(SourceRecord(f"t{number}", "\n\n".join(text), paragraphs=tuple(attrs)))
        store.import_sources(records)
        codes = {name: store.add_code(name).id for name in CODES}
        coders = [store.coder("alice").id, store.coder("bob").id]
        for number, turns in enumerate(transcripts):
            source = store.source_by_external_id(f"t{number}")
            position = 0
            index = 0
            for original, (speaker, paragraph) in enumerate(turns):
                if keep is not None and speaker not in keep:
                    continue
                for code in CODES:
                    for coder, present in zip(coders, decisions[(number, original, code)],
                                              strict=True):
                        if present:
                            store.add_coding(coder, source.id, codes[code], position,
                                             position + len(paragraph))
                position += len(paragraph) + 2
                index += 1
            unit = store.units_of_source(source.id)[0]
            for coder in coders:
                store.mark_done(unit.id, coder)


def _numbers(report) -> list[tuple]:
    return [(r.name, r.level, r.n_units, r.kappa, r.kappa_ci_low, r.kappa_ci_high, r.ac1,
             r.percent_agreement) for r in report.rows]


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    rng = random.Random(SEED)
    transcripts = _transcripts(rng)
    decisions = {(n, i, code): (a, a if rng.random() < 0.8 else not a)
                 for n, turns in enumerate(transcripts) for i in range(len(turns))
                 for code in CODES for a in [rng.random() < 0.4]}
    folder = tmp_path_factory.mktemp("speakers")
    whole, alone = folder / "whole.qualcode", folder / "participants.qualcode"
    _build(whole, transcripts, None, decisions)
    _build(alone, transcripts, {"P1", "P2"}, decisions)
    return whole, alone


@pytest.mark.parametrize("speakers", [SpeakerFilter(exclude=frozenset({"Interviewer"})),
                                      SpeakerFilter(include=frozenset({"P1", "P2"}))])
def test_a_speaker_filter_counts_exactly_those_turns(projects: tuple[Path, Path],
                                                     speakers: SpeakerFilter) -> None:
    whole, alone = projects
    with Store.open(whole) as store:
        filtered = agreement_report(store, ["alice", "bob"], unit="paragraph", speakers=speakers)
        unfiltered = agreement_report(store, ["alice", "bob"], unit="paragraph")
    with Store.open(alone) as store:
        expected = agreement_report(store, ["alice", "bob"], unit="paragraph")
    assert _numbers(filtered) == _numbers(expected)
    assert filtered.n_units == expected.n_units < unfiltered.n_units
    assert speakers.describe() in filtered.unit_source


def test_speaker_filters_refuse_what_cannot_be_counted(projects: tuple[Path, Path]) -> None:
    whole, _ = projects
    with Store.open(whole) as store:
        with pytest.raises(QualcodeError, match="add --unit paragraph"):
            agreement_report(store, ["alice", "bob"], unit="source",
                             speakers=SpeakerFilter(include=frozenset({"P1"})))
        with pytest.raises(QualcodeError, match=r"'P9'.*speakers in the project: Interviewer"):
            agreement_report(store, ["alice", "bob"], unit="paragraph",
                             speakers=SpeakerFilter(include=frozenset({"P1", "P9"})))


def test_theme_table_quotes_name_their_speaker(projects: tuple[Path, Path]) -> None:
    from qualcode.analysis.theme_table import theme_table

    whole, _ = projects
    with Store.open(whole) as store:
        plain = theme_table(store, layer="alice", quotes=2, study_field=None)
        table = theme_table(store, layer="alice", quotes=2, study_field=None, quote_speaker=True)
    quotes = [q for row in table.rows for q in row.quotes]
    assert quotes and [q.text for q in quotes] == [q.text for r in plain.rows for q in r.quotes]
    for quote in quotes:
        # Each generated paragraph opens with its speaker's name: the quote names the same.
        assert quote.text.startswith(f"{quote.speaker}: "), quote
        assert quote.display().endswith(f"({quote.speaker}; {quote.study_label})")
    assert not any(q.speaker for r in plain.rows for q in r.quotes)
