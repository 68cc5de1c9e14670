"""Theme discovery: separable groups are found, named by their words, and reproducible."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from qualcode.analysis.theme_discovery import uncoded_units
from qualcode.cli import main
from qualcode.errors import QualcodeError
from qualcode.model import SourceRecord
from qualcode.nlp.theme_clusters import discover
from qualcode.storage import Store

# Three hand-written groups with disjoint content words; each text is one answer.
SCHEDULE = [
    "The sessions clash with my night shift rota every second week.",
    "My shift rota makes it impossible to attend the evening sessions.",
    "Evening sessions after a long shift are too much; the rota never fits.",
    "I missed sessions because the rota put me on nights again.",
    "Scheduling is the problem: the rota and the sessions never line up.",
    "Night shifts on the rota mean I miss half the sessions.",
    "If the sessions moved to lunchtime my rota would allow it.",
    "The rota changes weekly so planning sessions is hopeless.",
]
ONLINE = [
    "On video calls nobody speaks and the camera stays off.",
    "The video call format kills the discussion; cameras off, microphones muted.",
    "Online meetings with cameras off feel empty; the video lags.",
    "Muted microphones and blank camera tiles made the video call pointless.",
    "The connection dropped twice during the video call.",
    "People hide behind a switched-off camera in online meetings.",
    "Video meetings lose the body language a camera cannot show.",
    "Online meetings through a laggy video connection are tiring.",
]
PATIENTS = [
    "A dying patient's family shouted at me and I cried in the car park.",
    "The family of a dying patient blamed the ward for everything.",
    "Breaking bad news to a family about a dying patient still haunts me.",
    "I keep thinking about the dying patient and his angry family.",
    "The family wanted another scan for their dying mother; I could not help.",
    "Talking with the family of a dying child was the hardest shift of my life.",
    "The patient was dying and his family did not want him told.",
    "An angry family at the bedside of a dying patient, and no senior to call.",
]
TEXTS = SCHEDULE + ONLINE + PATIENTS
GROUP = [0] * len(SCHEDULE) + [1] * len(ONLINE) + [2] * len(PATIENTS)


def test_separable_groups_become_one_candidate_each() -> None:
    found = discover(TEXTS, clusters=3, seed=0)
    assert len(found.candidates) == 3 and not found.unplaced
    placed = sorted(i for c in found.candidates for i in c.members)
    assert placed == list(range(len(TEXTS)))  # every text in exactly one candidate
    groups = set()
    for candidate in found.candidates:
        counts = Counter(GROUP[i] for i in candidate.members)
        group, majority = counts.most_common(1)[0]
        assert majority >= 0.75 * candidate.size, counts
        groups.add(group)
        # The top terms are words the group's texts actually use.
        words = " ".join(TEXTS[i].lower() for i in candidate.members)
        assert all(term.split()[0] in words for term in candidate.terms[:3])
    assert groups == {0, 1, 2}
    by_group = {Counter(GROUP[i] for i in c.members).most_common(1)[0][0]: c
                for c in found.candidates}
    assert {"rota", "sessions"} <= set(by_group[0].terms)
    assert {"video", "camera"} <= set(by_group[1].terms)
    assert {"family", "dying"} <= set(by_group[2].terms)


def test_members_are_ordered_by_strength_and_candidates_by_size() -> None:
    found = discover(TEXTS, clusters=3, seed=0)
    sizes = [c.size for c in found.candidates]
    assert sizes == sorted(sizes, reverse=True)
    assert [c.number for c in found.candidates] == [1, 2, 3]
    for candidate in found.candidates:
        assert list(candidate.strengths) == sorted(candidate.strengths, reverse=True)
        assert list(candidate.weights) == sorted(candidate.weights, reverse=True)
        assert candidate.label().count(", ") <= 2 and "/" not in candidate.label()


def test_same_seed_same_candidates() -> None:
    first = discover(TEXTS, clusters=4, seed=3)
    assert discover(TEXTS, clusters=4, seed=3) == first
    assert discover(list(TEXTS), clusters=4, seed=3).candidates == first.candidates


def test_more_clusters_than_texts_is_clamped() -> None:
    found = discover(TEXTS[:6], clusters=50, seed=0)
    assert 1 <= len(found.candidates) <= 5


def test_too_few_texts_or_no_words_is_a_clear_error() -> None:
    with pytest.raises(QualcodeError, match="at least"):
        discover(TEXTS[:2])
    with pytest.raises(QualcodeError, match="share no words"):
        discover(["the", "and it", "of the", "is a", "to"])
    with pytest.raises(QualcodeError, match="at least 1"):
        discover(TEXTS, clusters=0)


def _project(tmp_path: Path) -> Store:
    store = Store.create(tmp_path / "study.qualcode")
    store.import_sources([SourceRecord(external_id=f"A{i:02d}", text=text)
                          for i, text in enumerate(TEXTS)])
    code = store.add_code("Workload")
    alice, bob = store.coder("alice"), store.coder("bob")
    # Coded by someone (whole unit, or a span): left out. Done with no code: kept.
    store.add_coding(alice.id, store.source_by_external_id("A00").id, code.id)
    store.add_coding(bob.id, store.source_by_external_id("A09").id, code.id, 3, 8)
    removed = store.add_coding(bob.id, store.source_by_external_id("A17").id, code.id)
    store.remove_coding(removed.id, actor_id=bob.id)
    store.mark_done(store.whole_unit(store.source_by_external_id("A01").id).id, alice.id)
    return store


def test_uncoded_units_leave_out_what_any_coder_coded(tmp_path: Path) -> None:
    with _project(tmp_path) as store:
        found = uncoded_units(store)
    expected = [f"A{i:02d}" for i in range(len(TEXTS)) if i not in (0, 9)]
    assert found.external_ids == expected
    assert found.texts == [TEXTS[int(e[1:])] for e in expected]


def test_discover_command_json_lists_candidates_over_uncoded_units(tmp_path: Path) -> None:
    _project(tmp_path).close()
    args = ["discover", str(tmp_path / "study.qualcode"), "--clusters", "3", "--seed", "2",
            "--examples", "2", "--format", "json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["uncoded_units"] == len(TEXTS) - 2 and data["seed"] == 2
    assert len(data["candidates"]) == 3
    units = [u for c in data["candidates"] for u in c["unit_ids"]]
    assert len(units) == len(set(units)) == len(TEXTS) - 2 - data["unplaced_units"]
    for candidate in data["candidates"]:
        assert len(candidate["examples"]) == 2 and candidate["size"] == len(candidate["unit_ids"])
        assert candidate["examples"][0]["unit_id"] == candidate["unit_ids"][0]
    assert CliRunner().invoke(main, args).output == result.output  # same seed, same output
    table = CliRunner().invoke(main, args[:-2])
    assert (
        table.exit_code == 0
        and f"{len(TEXTS) - 2} uncoded source units, 3 candidate themes" in table.output
    )
