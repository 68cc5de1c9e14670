"""An action of the event log in the words a coder used for it: the code, the unit, the file.

Undo and redo name what they took back ("+Fear on R001 (whole unit)"), not the event's
type ("coding.add"), in the shell and in the coding screen alike. Codes and codings are
read whether or not they are deleted now: an undone coding is soft-deleted, yet it is the
one the message must name.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.model import Event
from qualcode.storage.store_base import store_db

if TYPE_CHECKING:
    from qualcode.storage.interface import ProjectStore

__all__ = ["describe_event"]


def _code_name(store: ProjectStore, code_id: Any) -> str:
    row = store_db(store).execute("SELECT name FROM codes WHERE id = ?", [code_id]).fetchone()
    return row[0] if row else f"code {code_id}"


def _unit_name(store: ProjectStore, unit_id: Any) -> str:
    """'R001' for a whole source, 'R001 sentence 2' for a smaller unit."""
    row = store_db(store).execute(
        "SELECT s.external_id, u.kind, u.position FROM units u JOIN sources "
        "s ON s.id = u.source_id WHERE u.id = ?", [unit_id]).fetchone()
    if row is None:
        return f"unit {unit_id}"
    external_id, kind, position = row
    return external_id if kind == "source" else f"{external_id} {kind} {position + 1}"


def _coding(store: ProjectStore, coding_id: Any, sign: str) -> str:
    """'+Fear on R001 (whole unit)' or '-Fear on R001 (characters 4-19)'."""
    row = store_db(store).execute(
        'SELECT c.code_id, s.external_id, c.start, c."end", EXISTS (SELECT 1 FROM units u '
        'WHERE u.source_id = c.source_id AND u.start = c.start AND u."end" = c."end") '
        "FROM codings c JOIN sources s ON s.id = c.source_id WHERE c.id = ?",
        [coding_id]).fetchone()
    if row is None:
        return f"{sign}coding {coding_id}"
    code_id, external_id, start, end, whole = row
    where = "whole unit" if whole else f"characters {start}-{end}"
    return f"{sign}{_code_name(store, code_id)} on {external_id} ({where})"


def _memo_target(store: ProjectStore, memo_id: Any) -> str:
    """' on R001', ' on Fear on R001 (whole unit)', ' on code Fear', '' when unknown."""
    row = store_db(store).execute("SELECT target_kind, target_guid FROM memos WHERE id = ?",
                                   [memo_id]).fetchone()
    if row is None:
        return ""
    kind, guid = row
    if kind == "project":
        return " on the project"
    table = {"unit": "units", "source": "sources", "code": "codes", "coding": "codings"}[kind]
    found = store_db(store).execute(f"SELECT id FROM {table} WHERE guid = ?", [guid]).fetchone()
    if found is None:
        return ""
    if kind == "unit":
        return f" on {_unit_name(store, found[0])}"
    if kind == "source":
        ext = store_db(store).execute("SELECT external_id FROM sources WHERE id = ?",
                                       found).fetchone()
        return f" on {ext[0]}"
    if kind == "code":
        return f" on code {_code_name(store, found[0])}"
    return f" on {_coding(store, found[0], '')}"


def _count(payload: dict[str, Any], key: str, word: str) -> str:
    number = len(payload.get(key) or [])
    return f"{number} {word}" + ("" if number == 1 else "s")


def describe_event(store: ProjectStore, event: Event) -> str:
    """Return what an action did, naming its code and unit (or file), in a few words."""
    payload = dict(event.payload)
    action = event.action
    if action in ("coding.add", "coding.remove"):
        return _coding(store, payload.get("coding_id"), "+" if action == "coding.add" else "-")
    if action == "review.done":
        return f"done mark on {_unit_name(store, payload.get('unit_id'))}"
    if action == "review.undone":
        return f"not-done mark on {_unit_name(store, payload.get('unit_id'))}"
    if action == "memo.set":
        what = "memo" if payload.get("after") else "memo removal"
        return what + _memo_target(store, payload.get("memo_id"))
    if action in ("code.add", "code.update", "code.move"):
        what = {"code.add": "new code", "code.update": "edit of", "code.move": "move of"}[action]
        return f"{what} {_code_name(store, payload.get('code_id'))}"
    if action == "code.delete":
        names = [_code_name(store, i) for i in payload.get("code_ids") or []]
        return f"deletion of {names[0]}" if names else "code deletion"
    if action == "code.merge":
        return (f"merge of {_code_name(store, payload.get('from_id'))} into "
                f"{_code_name(store, payload.get('into_id'))}")
    if action == "codings.import":
        file = Path(str(payload["file"])).name if payload.get("file") else "a file"
        return (f"import of {file} ({_count(payload, 'coding_ids', 'coding')}, "
                f"{_count(payload, 'review_unit_ids', 'done mark')})")
    if action == "codebook.import":
        return (f"codebook import ({_count(payload, 'added', 'code')} added, "
                f"{len(payload.get('updated') or [])} updated)")
    if action == "consensus.settle":
        # The log keeps the first 50 unit keys of a bulk copy.
        units = [str(u) for u in payload.get("units") or []]
        many = f"{len(units)}+" if len(units) >= 50 else str(len(units))
        return "decision on " + (units[0] if len(units) == 1 else f"{many} units")
    if action in ("quote.pin", "quote.unpin"):  # storage/pins.py
        code = _code_name(store, payload.get("code_id"))
        if action == "quote.unpin":
            return f"unpin of {_count(payload, 'pin_ids', 'quote')} of {code}"
        row = store_db(store).execute("SELECT external_id FROM sources WHERE id = ?",
                                       [payload.get("source_id")]).fetchone()
        return f"pin of a quote from {row[0] if row else 'a source'} to {code}"
    return action
