"""Codebook edits: each one a transaction and an undoable event; deletion is reversible."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from qualcode.codebook_shape import CodebookShape
from qualcode.errors import CodebookError, ConfirmationRequired, NotFoundError
from qualcode.model import (
    PATH_SEPARATOR,
    RESERVED_KEYS,
    Code,
    Codebook,
    CodeKind,
    CodeSpec,
    ImportReport,
    fold_guid,
    new_guid,
)
from qualcode.storage.connection import log_event, utc_now, write_transaction
from qualcode.storage.rows import CODE_COLUMNS, to_code
from qualcode.storage.store_base import StoreBase

EDITABLE_FIELDS = ("name", "description", "inclusion", "exclusion", "examples", "colour",
                   "shortcut", "codable")
COLOUR_PATTERN = re.compile(r"^#[0-9A-F]{6}$")


def code_fields(code: Code) -> dict[str, Any]:
    """Return the editable fields of a code as JSON-ready values (for event payloads)."""
    return {"name": code.name, "description": code.description, "inclusion": code.inclusion,
            "exclusion": code.exclusion, "examples": list(code.examples), "colour": code.colour,
            "shortcut": code.shortcut, "codable": code.codable}


def _check_fields(fields: dict[str, Any]) -> None:
    """Refuse values the codebook cannot hold, with a message saying what to do."""
    if "name" in fields:
        name = str(fields["name"]).strip()
        if not name:
            raise CodebookError("a code name cannot be empty")
        if PATH_SEPARATOR in name:
            raise CodebookError(f"code name {name!r} contains '/', which separates path parts")
        fields["name"] = name
    colour = fields.get("colour")
    if colour:
        colour = str(colour).upper()
        if not COLOUR_PATTERN.match(colour):
            raise CodebookError(f"colour {fields['colour']!r} is not #RRGGBB (e.g. #1F77B4)")
        fields["colour"] = colour
    shortcut = fields.get("shortcut")
    if shortcut:
        if len(shortcut) != 1 or not shortcut.isprintable() or shortcut.isspace():
            raise CodebookError(f"shortcut {shortcut!r} must be one printable character")
        if shortcut in RESERVED_KEYS:
            raise CodebookError(f"shortcut {shortcut!r} is reserved by the coding screen "
                                f"(reserved: {' '.join(sorted(RESERVED_KEYS))})")
    if "examples" in fields:
        fields["examples"] = [str(e) for e in fields["examples"]]


class CodebookStore(StoreBase):
    """The codebook: the part of :class:`~qualcode.storage.Store` that edits codes."""

    def codebook(self) -> Codebook:
        """Return the live codebook (deleted codes are left out)."""
        rows = self.db.execute(f"SELECT {CODE_COLUMNS} FROM codes WHERE deleted_at IS NULL "
                               "ORDER BY position, id")
        return Codebook(tuple(to_code(row) for row in rows))

    def code(self, code_id: int) -> Code:
        """Return one live code by id."""
        row = self.db.execute(f"SELECT {CODE_COLUMNS} FROM codes WHERE id = ? AND "
                              "deleted_at IS NULL", [code_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no code with id {code_id}")
        return to_code(row)

    def coding_counts(self) -> dict[int, int]:
        """Return the number of live codings per code id, all coders and layers."""
        rows = self.db.execute("SELECT code_id, count(*) FROM codings WHERE deleted_at IS NULL "
                               "GROUP BY code_id")
        return {code_id: count for code_id, count in rows}

    def deleted_code_names(self) -> dict[int, str]:
        """Return the names of the deleted codes by id (what older records may still name)."""
        return {int(code_id): name for code_id, name in self.db.execute(
            "SELECT id, name FROM codes WHERE deleted_at IS NOT NULL")}

    def shape_problems(self) -> list[str]:
        """Return how the live codebook breaks the shape rules (:class:`CodebookShape`)."""
        return CodebookShape.problems(self.codebook())

    def keep_shape(self, before: Sequence[str]) -> None:
        """Refuse (inside the caller's transaction) a write that broke a shape rule.

        ``before`` is :meth:`shape_problems` from before the write: a codebook an older
        version left misshapen can still be edited, but no write makes it worse.
        """
        new = [problem for problem in self.shape_problems() if problem not in before]
        if new:
            more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
            raise CodebookError(f"{new[0]}{more}; nothing was changed")

    def add_code(self, name: str, *, parent_id: int | None = None,
                 kind: CodeKind = CodeKind.CODE, description: str = "", inclusion: str = "",
                 exclusion: str = "", examples: Sequence[str] = (), colour: str | None = None,
                 shortcut: str | None = None, codable: bool | None = None,
                 guid: str | None = None, actor_id: int | None = None) -> Code:
        """Add a code to the shared codebook (one event)."""
        fields: dict[str, Any] = {"name": name, "description": description,
                                  "inclusion": inclusion, "exclusion": exclusion,
                                  "examples": list(examples), "colour": colour,
                                  "shortcut": shortcut}
        _check_fields(fields)
        if codable is None:
            codable = CodebookShape.default_codable(kind)
        with write_transaction(self.db):
            parent = self.code(parent_id) if parent_id is not None else None
            problem = CodebookShape.placement_problem(self.codebook(), parent, kind)
            if problem:
                raise CodebookError(problem)
            code_id = self._insert_code(fields, parent_id=parent_id, kind=kind,
                                        codable=codable, guid=guid)
            log_event(self.db, "code.add", {"code_id": code_id}, coder_id=actor_id)
        return self.code(code_id)

    def _insert_code(self, fields: dict[str, Any], *, parent_id: int | None, kind: CodeKind,
                     codable: bool, guid: str | None) -> int:
        position = self.db.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM codes WHERE parent_id IS ?",
            [parent_id]).fetchone()[0]
        try:
            with self.db.write_transaction():  # a savepoint: PostgreSQL goes on after a refusal
                code_id = self.db.insert_id(
                "INSERT INTO codes(guid, parent_id, name, kind, description, inclusion, "
                "exclusion, examples, colour, shortcut, position, codable) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [guid or new_guid(), parent_id, fields["name"], kind.value,
                 fields["description"], fields["inclusion"], fields["exclusion"],
                 json.dumps(fields["examples"], ensure_ascii=False), fields["colour"],
                 fields["shortcut"] or None, position, int(codable)])
        except self.db.integrity_error as error:
            raise self._conflict(fields, parent_id, error) from None
        return code_id

    def _conflict(self, fields: dict[str, Any], parent_id: int | None,
                  error: Exception) -> CodebookError:
        """Explain a uniqueness violation in the user's terms."""
        message = str(error)
        if "shortcut" in message:
            holder = self.codebook().by_shortcut(fields.get("shortcut") or "")
            owner = f" (used by {self.codebook().path(holder)!r})" if holder else ""
            return CodebookError(f"shortcut {fields.get('shortcut')!r} is already taken{owner}; "
                                 "choose another key")
        if "guid" in message:
            return CodebookError("a code with the same GUID already exists")
        where = "at the top level" if parent_id is None else "under the same parent"
        return CodebookError(f"a code named {fields.get('name')!r} already exists {where}; "
                             "choose another name")

    def update_code(self, code_id: int, *, actor_id: int | None = None, **fields: Any) -> Code:
        """Change a code's name, definition, colour or shortcut (one event)."""
        unknown = set(fields) - set(EDITABLE_FIELDS)
        if unknown:
            raise CodebookError(f"cannot edit {', '.join(sorted(unknown))}; editable fields: "
                                f"{', '.join(EDITABLE_FIELDS)}")
        _check_fields(fields)
        with write_transaction(self.db):
            before = code_fields(self.code(code_id))
            after = {**before, **fields}
            if after == before:
                return self.code(code_id)
            self._write_fields(code_id, after)
            log_event(self.db, "code.update",
                      {"code_id": code_id, "before": before, "after": after},
                      coder_id=actor_id)
        return self.code(code_id)

    def _write_fields(self, code_id: int, values: dict[str, Any]) -> None:
        try:
            with self.db.write_transaction():  # a savepoint: PostgreSQL goes on after a refusal
                self.db.execute(
                "UPDATE codes SET name = ?, description = ?, inclusion = ?, exclusion = ?, "
                "examples = ?, colour = ?, shortcut = ?, codable = ? WHERE id = ?",
                [values["name"], values["description"], values["inclusion"],
                 values["exclusion"], json.dumps(values["examples"], ensure_ascii=False),
                 values["colour"], values["shortcut"] or None, int(values["codable"]), code_id])
        except self.db.integrity_error as error:
            parent = self.db.execute("SELECT parent_id FROM codes WHERE id = ?",
                                     [code_id]).fetchone()[0]
            raise self._conflict(values, parent, error) from None

    def move_code(self, code_id: int, new_parent_id: int | None, *,
                  actor_id: int | None = None) -> Code:
        """Move a code (with everything below it) under another parent, or to the top."""
        with write_transaction(self.db):
            code = self.code(code_id)
            book = self.codebook()
            parent = self.code(new_parent_id) if new_parent_id is not None else None
            problem = CodebookShape.placement_problem(book, parent, None, moving=code)
            if problem:
                raise CodebookError(problem)
            before = {"parent_id": code.parent_id, "position": code.position}
            position = self.db.execute(
                "SELECT coalesce(max(position), -1) + 1 FROM codes WHERE parent_id IS ?",
                [new_parent_id]).fetchone()[0]
            after = {"parent_id": new_parent_id, "position": position}
            self._place(code_id, after, name=code.name)
            log_event(self.db, "code.move", {"code_id": code_id, "before": before,
                                             "after": after}, coder_id=actor_id)
        return self.code(code_id)

    def _place(self, code_id: int, place: dict[str, Any], *, name: str) -> None:
        try:
            with self.db.write_transaction():  # a savepoint: PostgreSQL goes on after a refusal
                self.db.execute("UPDATE codes SET parent_id = ?, position = ? WHERE id = ?",
                                [place["parent_id"], place["position"], code_id])
        except self.db.integrity_error:
            raise CodebookError(f"the new parent already has a code named {name!r}; "
                                "rename one of them first") from None

    def delete_code(self, code_id: int, *, force: bool = False,
                    actor_id: int | None = None) -> int:
        """Hide a code, everything below it and their codings; undo brings them back.

        Nothing is erased: codes and codings are marked deleted, so the file never
        breaks and the event can be undone. Returns the number of codings hidden.
        """
        with write_transaction(self.db):
            code = self.code(code_id)
            book = self.codebook()
            ids = [code.id] + [c.id for c in book.descendants(code)]
            marks = ",".join("?" * len(ids))
            coding_ids = [row[0] for row in self.db.execute(
                f"SELECT id FROM codings WHERE code_id IN ({marks}) AND deleted_at IS NULL", ids)]
            if coding_ids and not force:
                raise ConfirmationRequired(
                    f"{book.path(code)!r} has {len(coding_ids)} codings; deleting it hides "
                    "them (undo restores them); confirm with --yes")
            now = utc_now()
            self.db.execute(f"UPDATE codes SET deleted_at = ? WHERE id IN ({marks})", [now, *ids])
            self.set_deleted("codings", coding_ids, now)
            log_event(self.db, "code.delete", {"code_ids": ids, "coding_ids": coding_ids},
                      coder_id=actor_id)
        return len(coding_ids)

    def merge_codes(self, from_id: int, into_id: int, *, actor_id: int | None = None) -> Code:
        """Move every coding and child of one code into another, then hide the first."""
        if from_id == into_id:
            raise CodebookError("cannot merge a code into itself")
        with write_transaction(self.db):
            source, target = self.code(from_id), self.code(into_id)
            book = self.codebook()
            if target in book.descendants(source):
                raise CodebookError(f"cannot merge {book.path(source)!r} into its own "
                                    f"descendant {book.path(target)!r}")
            shape_before = CodebookShape.problems(book)
            coding_ids = [row[0] for row in self.db.execute(
                "SELECT id FROM codings WHERE code_id = ? AND deleted_at IS NULL", [from_id])]
            child_ids = [c.id for c in book.children(from_id)]
            self.set_code("codings", coding_ids, into_id)
            self.db.execute("UPDATE codes SET deleted_at = ? WHERE id = ?", [utc_now(), from_id])
            for child_id in child_ids:
                child = book.by_id(child_id)
                self._place(child_id, {"parent_id": into_id, "position": child.position},
                            name=child.name)
            self.keep_shape(shape_before)
            duplicates = self._duplicate_codings(into_id)
            self.set_deleted("codings", duplicates, utc_now())
            log_event(self.db, "code.merge",
                      {"from_id": from_id, "into_id": into_id, "coding_ids": coding_ids,
                       "child_ids": child_ids, "duplicate_coding_ids": duplicates},
                      coder_id=actor_id)
        return self.code(into_id)

    def _duplicate_codings(self, code_id: int) -> list[int]:
        """Return live codings of a code that repeat an earlier identical one."""
        rows = self.db.execute(
            'SELECT id FROM codings c WHERE code_id = ? AND deleted_at IS NULL AND EXISTS ('
            ' SELECT 1 FROM codings o WHERE o.code_id = c.code_id AND o.deleted_at IS NULL'
            ' AND o.coder_id = c.coder_id AND o.source_id = c.source_id AND o.layer = c.layer'
            ' AND o.start = c.start AND o."end" = c."end" AND o.id < c.id)', [code_id])
        return [row[0] for row in rows]

    def import_codebook(self, roots: Sequence[CodeSpec], *,
                        actor_id: int | None = None) -> ImportReport:
        """Add or update codebook nodes from a file, in one transaction and one event.

        Existing nodes are matched by GUID, or by path when the file has no GUID. Nodes
        missing from the file are kept: a codebook import never deletes.
        """
        added: list[int] = []
        updated: list[dict[str, Any]] = []
        unchanged = 0
        with write_transaction(self.db):
            shape_before = self.shape_problems()
            for root in roots:
                for parents, spec in root.walk():
                    book = self.codebook()
                    parent_id = self._resolve_parent(book, parents)
                    existing = self._match_spec(book, spec, parents)
                    fields = {"name": spec.name, "description": spec.description,
                              "inclusion": spec.inclusion, "exclusion": spec.exclusion,
                              "examples": list(spec.examples), "colour": spec.colour,
                              "shortcut": spec.shortcut, "codable": spec.codable}
                    try:
                        _check_fields(fields)
                        if existing is None:
                            added.append(self._insert_code(fields, parent_id=parent_id,
                                                           kind=spec.kind, codable=spec.codable,
                                                           guid=spec.guid))
                            continue
                        before = code_fields(existing)
                        if before == fields and existing.parent_id == parent_id:
                            unchanged += 1
                            continue
                        self._write_fields(existing.id, fields)
                        self._place(existing.id, {"parent_id": parent_id,
                                                  "position": existing.position}, name=spec.name)
                    except CodebookError as error:
                        raise CodebookError(error.message, line=spec.line) from None
                    updated.append({"code_id": existing.id, "before": before, "after": fields,
                                    "parent_before": existing.parent_id,
                                    "parent_after": parent_id})
            self.keep_shape(shape_before)
            log_event(self.db, "codebook.import", {"added": added, "updated": updated},
                      coder_id=actor_id)
        return ImportReport(added=len(added), updated=len(updated), unchanged=unchanged)

    def _resolve_parent(self, book: Codebook, parents: tuple[str, ...]) -> int | None:
        if not parents:
            return None
        matches = book.find(PATH_SEPARATOR.join(parents))
        return matches[0].id if matches else None

    def _match_spec(self, book: Codebook, spec: CodeSpec, parents: tuple[str, ...]) -> Code | None:
        if spec.guid:
            row = self.db.execute(f"SELECT {CODE_COLUMNS} FROM codes WHERE lower(guid) = ? "
                                  "AND deleted_at IS NULL", [fold_guid(spec.guid)]).fetchone()
            return to_code(row) if row else None
        path = PATH_SEPARATOR.join(parents + (spec.name,))
        matches = book.find(path) if parents else [c for c in book.roots()
                                                   if c.name.casefold() == spec.name.casefold()]
        return matches[0] if matches else None
