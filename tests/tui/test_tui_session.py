"""The coding session: every action is stored at once, undoable, and blind to others."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.store_engines import ENGINES, engine_store
from helpers.tui_project import build_project, code_id, unit_of
from qualcode.model import Layer, Suggestion
from qualcode.storage import Store
from qualcode.tui.session import CodingSession


@pytest.fixture(params=ENGINES)
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The test project on a file and on a server (helpers.store_engines); closed after."""
    yield from engine_store(request, tmp_path, build_project)


def session_for(store: Store, name: str = "alice", **kwargs) -> CodingSession:
    return CodingSession(store, store.coder(name), **kwargs)


def test_whole_unit_toggle_adds_then_removes(project: Store) -> None:
    session = session_for(project)
    session.open(unit_of(project, "R001"))
    fear = code_id(project, "Fear")
    outcome, view = session.toggle(fear)
    source = project.source_by_external_id("R001")
    stored = project.codings(coder_id=session.coder.id)
    assert outcome == "added"
    assert [(c.code_id, c.start, c.end) for c in stored] == [(fear, 0, len(source.text))]
    assert view.wholes() == stored
    outcome, view = session.toggle(fear)
    assert outcome == "removed" and project.codings() == [] and view.codings == ()


def test_span_toggle_is_exact_and_leaves_the_whole_unit_coding_alone(project: Store) -> None:
    session = session_for(project)
    session.open(unit_of(project, "R001"))
    fear = code_id(project, "Fear")
    session.toggle(fear)
    session.toggle(fear, 35, 0)  # a backwards selection is the same span
    spans = [(c.start, c.end) for c in project.codings()]
    assert sorted(spans) == [(0, 35), (0, len(session.view.text))]
    session.toggle(fear, 0, 35)
    assert [(c.start, c.end) for c in project.codings()] == [(0, len(session.view.text))]


def test_a_selection_of_the_whole_text_is_a_whole_unit_coding(project: Store) -> None:
    session = session_for(project)
    view = session.open(unit_of(project, "R004"))
    session.toggle(code_id(project, "Insight"), 0, len(view.text))
    assert session.view.wholes() and not session.view.spans()


def test_done_and_next_not_done(project: Store) -> None:
    session = session_for(project)
    session.open(unit_of(project, "R001"))
    assert session.mark_done() is True
    assert project.is_done(unit_of(project, "R001"), session.coder.id)
    assert session.next_not_done() == unit_of(project, "R002")
    assert session.progress() == (1, 6)
    assert session.mark_done() is False  # already done: nothing new to log
    assert session.mark_not_done() is True and session.progress() == (0, 6)


def test_undo_and_redo_walk_back_through_actions_and_name_the_unit(project: Store) -> None:
    session = session_for(project)
    first, second = unit_of(project, "R001"), unit_of(project, "R002")
    session.open(first)
    session.toggle(code_id(project, "Fear"))
    session.mark_done()
    session.open(second)
    session.toggle(code_id(project, "Workload"), 0, 13)
    event, unit_id = session.undo()
    assert event.action == "coding.add" and unit_id == second
    assert project.codings(source_id=project.unit(second).source_id) == []
    event, unit_id = session.undo()
    assert event.action == "review.done" and unit_id == first
    assert not project.is_done(first, session.coder.id) and session.progress() == (0, 6)
    event, unit_id = session.redo()
    assert event.action == "review.done" and session.progress() == (1, 6)
    session.undo(), session.undo(), session.undo()
    assert project.codings() == [] and session.undo() == (None, None)


def test_undo_only_touches_this_coders_actions(project: Store) -> None:
    alice, bob = session_for(project, "alice"), session_for(project, "bob")
    alice.open(unit_of(project, "R001"))
    bob.open(unit_of(project, "R001"))
    bob.toggle(code_id(project, "Support"))
    alice.toggle(code_id(project, "Fear"))
    alice.undo()
    assert [project.code(c.code_id).name for c in project.codings()] == ["Support"]


def test_blind_by_default_and_revealed_on_request(project: Store) -> None:
    bob = session_for(project, "bob")
    bob.open(unit_of(project, "R001"))
    bob.toggle(code_id(project, "Support"), 0, 10)
    bob.mark_done()
    alice = session_for(project, "alice")
    view = alice.open(unit_of(project, "R001"))
    assert view.codings == () and not view.done
    assert alice.others() == []
    assert alice.queue.page(0, 1)[0].codings == 0 and alice.progress() == (0, 6)
    revealed = session_for(project, "alice", reveal=True)
    revealed.open(unit_of(project, "R001"))
    [other] = revealed.others()
    assert other.coder.name == "bob" and other.done and len(other.codings) == 1


def test_memo_goes_on_the_coding_under_the_cursor_else_the_unit(project: Store) -> None:
    session = session_for(project)
    view = session.open(unit_of(project, "R001"))
    session.toggle(code_id(project, "Fear"), 2, 12)
    kind, guid, label = session.memo_target(5)
    assert kind == "coding" and "Fear" in label
    session.set_memo(kind, guid, "fear of judgement")
    assert [m.text for m in project.memos("coding", guid)] == ["fear of judgement"]
    assert session.view.coding_memos == {guid}
    kind, guid, _ = session.memo_target(20)
    assert (kind, guid) == ("unit", view.unit.guid)
    session.set_memo(kind, guid, "come back to this")
    assert session.view.memo is not None and session.memo_text(kind, guid) == "come back to this"
    event, unit_id = session.undo()
    assert event.action == "memo.set" and unit_id == view.unit.id
    assert session.view.memo is None


def test_other_coders_memos_stay_hidden(project: Store) -> None:
    unit = project.unit(unit_of(project, "R003"))
    project.set_memo("unit", unit.guid, "bob's thoughts", coder_id=project.coder("bob").id)
    session = session_for(project)
    session.open(unit.id)
    assert session.view.memo is None and session.memo_text("unit", unit.guid) == ""


def test_added_code_is_shared_and_undoable(project: Store) -> None:
    session = session_for(project)
    theme = project.codebook().find("Emotions")[0]
    code = session.add_code("Shame", parent_id=theme.id, shortcut="h", description="d")
    assert project.codebook().by_shortcut("h") == code
    assert session.codebook.by_shortcut("h") == code
    other = session_for(project, "bob")
    assert other.codebook.by_shortcut("h") is not None
    event, unit_id = session.undo()
    assert event.action == "code.add" and unit_id is None
    assert session.codebook.by_shortcut("h") is None


def test_refresh_codebook_sees_another_coders_new_code(project: Store) -> None:
    session = session_for(project)
    assert session.refresh_codebook() is False
    project.add_code("Hope", shortcut="o", actor_id=project.coder("bob").id)
    assert session.refresh_codebook() is True
    assert session.codebook.by_shortcut("o").name == "Hope"


def test_layer_is_the_coders_own(project: Store) -> None:
    session = session_for(project)
    session.open(unit_of(project, "R002"))
    session.toggle(code_id(project, "Workload"))
    assert [c.layer for c in project.codings()] == [Layer.CODER]


class FixedSuggester:
    """Always proposes Fear, to check the session passes the unit's text through."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def suggest(self, source_text: str, top: int) -> list[Suggestion]:
        self.seen.append(source_text)
        return [Suggestion(code_id=2, score=0.9, terms=("afraid",))][:top]


def test_suggestions_come_from_the_suggester(project: Store) -> None:
    suggester = FixedSuggester()
    session = session_for(project, suggester=suggester)
    view = session.open(unit_of(project, "R001"))
    assert session.suggestions(view.text, top=3)[0].terms == ("afraid",)
    assert suggester.seen == [view.text]
    assert session_for(project).suggestions(view.text) == []
