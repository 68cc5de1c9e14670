"""The SQLite Store and the ProjectStore interface list the same public methods.

mypy checks the signatures (``_conforms`` in qualcode/storage/store.py); this test checks
the lists, so a method added to one and not the other fails here.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Protocol

from qualcode.storage import ProjectStore, Store, interface, open_project

# Ways to get a store, not things to ask of one: the interface starts from an open store.
CONSTRUCTORS = {"create", "open"}


def _public(names: object) -> set[str]:
    return {name for name in names if not name.startswith("_")}  # type: ignore[attr-defined]


def store_methods() -> set[str]:
    """Public methods and attributes of the SQLite Store, bar its constructors."""
    names = set()
    for klass in Store.__mro__[:-1]:
        names |= _public(vars(klass))
    return names - CONSTRUCTORS


def protocol_members(protocol: type) -> set[str]:
    """Public members declared by a protocol and the protocols it composes."""
    names: set[str] = set()
    for klass in protocol.__mro__:
        if klass is Protocol or klass is object or not getattr(klass, "_is_protocol", False):
            continue
        names |= _public(vars(klass))
    return names


def test_every_public_store_method_is_in_the_interface() -> None:
    missing = store_methods() - protocol_members(ProjectStore)
    assert not missing, f"add to qualcode/storage/interface.py: {sorted(missing)}"


def test_every_interface_member_is_on_the_store() -> None:
    extra = protocol_members(ProjectStore) - store_methods() - {"path", "readonly"}
    assert not extra, f"Store lacks: {sorted(extra)}"


def test_each_member_belongs_to_one_concern() -> None:
    concerns = [c for c in ProjectStore.__mro__[1:]
                if c is not Protocol and getattr(c, "_is_protocol", False)]
    assert len(concerns) >= 6
    seen: dict[str, str] = {}
    for concern in concerns:
        for name in _public(vars(concern)):
            assert name not in seen, f"{name} is in both {seen[name]} and {concern.__name__}"
            seen[name] = concern.__name__
    assert set(seen) == protocol_members(ProjectStore)


def test_signatures_match_by_parameter_names() -> None:
    """Keyword names are part of the interface: callers pass most arguments by name."""
    for name in sorted(protocol_members(ProjectStore) - {"path", "readonly"}):
        wanted = inspect.signature(getattr(ProjectStore, name))
        got = inspect.signature(getattr(Store, name))
        assert list(wanted.parameters) == list(got.parameters), name


def test_attributes_are_there_on_an_open_store(tmp_path: Path) -> None:
    Store.create(tmp_path / "p.qualcode").close()
    with open_project(tmp_path / "p.qualcode") as store:
        assert isinstance(store, Store)
        assert store.path == tmp_path / "p.qualcode"
        assert store.readonly is False


def test_the_interface_module_imports_no_implementation() -> None:
    """The interface names no SQLite module, so a second implementation can stand beside."""
    source = Path(interface.__file__).read_text(encoding="utf-8")
    imports = [line for line in source.splitlines() if line.startswith(("from ", "import "))]
    assert not [line for line in imports if "sqlite" in line or "qualcode.storage" in line]


def test_storage_functions_refuse_an_object_that_is_not_a_store() -> None:
    """Storage functions that run their own SQL (on either engine) need a qualcode Store."""
    from qualcode.storage.pins import pinned_quotes
    from qualcode.storage.suggestion_log import acceptance_summary

    class OtherStore:
        """Stands in for something that is not a store."""

    for call in (lambda: pinned_quotes(OtherStore()),  # type: ignore[arg-type]
                 lambda: acceptance_summary(OtherStore())):  # type: ignore[arg-type]
        try:
            call()
        except TypeError as error:
            assert "OtherStore is not a qualcode Store" in str(error)
        else:
            raise AssertionError("an object that is no store was accepted")


def test_only_storage_reaches_the_sqlite_connection() -> None:
    """``sqlite_db`` is storage's own seam: the layers above use ProjectStore methods."""
    root = Path(interface.__file__).parents[1]
    users = [str(path.relative_to(root)) for path in root.rglob("*.py")
             if "storage" not in path.relative_to(root).parts
             and ("sqlite_db" in path.read_text(encoding="utf-8")
                  or "store_db" in path.read_text(encoding="utf-8"))]
    assert not users
