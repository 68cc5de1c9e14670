"""A small project for the coding-screen tests, built through the Store API."""

from __future__ import annotations

from pathlib import Path

from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store

TEXTS = (
    "I was afraid of presenting my case. The group listened without judging, which "
    "helped a lot. Afterwards I felt relieved.",
    "Time pressure at work makes it hard to attend. I missed three sessions this year.",
    "The leader was supportive. Sometimes the discussion drifted; I wanted more "
    "structure.\n\nOverall it changed how I talk to patients.",
    "Nothing to add.",
    "We talked about a difficult patient who kept coming back. I realised my own "
    "frustration was part of the problem! It was an eye-opener.",
    "Sessions are 100% useful_ for me. Dr. Khan leads them well.",
)


def build_project(path: Path) -> Store:
    """Create the test project: six answers from two studies, three themes, eight codes."""
    store = Store.create(path)
    store.import_sources([
        SourceRecord(external_id=f"R{index + 1:03d}", text=text,
                     metadata={"study": "Smith2019" if index % 2 else "Jones2020",
                               "site.name": "north" if index < 3 else "south"})
        for index, text in enumerate(TEXTS)])
    emotions = store.add_code("Emotions", kind=CodeKind.THEME,
                              description="Feelings the participant reports.")
    store.add_code("Fear", parent_id=emotions.id, shortcut="f", colour="#D55E00",
                   description="Anxiety or fear about presenting or being judged.",
                   inclusion="Explicit fear, anxiety, nervousness.",
                   exclusion="General stress (use Workload).",
                   examples=["I was afraid of presenting"])
    store.add_code("Relief", parent_id=emotions.id, shortcut="e",
                   description="Feeling relieved or unburdened.")
    process = store.add_code("Group process", kind=CodeKind.THEME)
    store.add_code("Support", parent_id=process.id, shortcut="s", colour="#0072B2",
                   description="The group or leader is experienced as supportive.")
    store.add_code("Structure", parent_id=process.id, shortcut="t")
    barriers = store.add_code("Barriers", kind=CodeKind.THEME)
    store.add_code("Workload", parent_id=barriers.id, shortcut="w",
                   description="Time pressure, workload.")
    store.add_code("Insight", description="New understanding of self or patient (no key).")
    store.coder("alice")
    store.coder("bob")
    return store


def code_id(store: Store, name: str) -> int:
    """Return the id of the code with this name."""
    return store.codebook().find(name)[0].id


def unit_of(store: Store, external_id: str) -> int:
    """Return the whole-source unit id of a source."""
    return store.whole_unit(store.source_by_external_id(external_id).id).id
