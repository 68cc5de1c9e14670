"""The coding-screen test project with two coders' finished, partly disputed work.

alice and bob both finished R001-R004:
R001: alice Fear, bob Fear + Relief (dispute: Relief).
R002: alice Workload, bob Support (disputes: Workload, Support).
R003: both Support (agreed).  R004: neither coded anything (agreed).
"""

from __future__ import annotations

from pathlib import Path

from helpers.tui_project import build_project, code_id, unit_of
from qualcode.storage import Store

PLAN = {"R001": (["Fear"], ["Fear", "Relief"]), "R002": (["Workload"], ["Support"]),
        "R003": (["Support"], ["Support"]), "R004": ([], [])}


def build_disputed(path: Path) -> Store:
    """Build the project of the module docstring."""
    store = build_project(path)
    alice, bob = store.coder("alice"), store.coder("bob")
    for external_id, (mine, theirs) in PLAN.items():
        source = store.source_by_external_id(external_id)
        for coder, names in ((alice, mine), (bob, theirs)):
            for name in names:
                store.add_coding(coder.id, source.id, code_id(store, name))
            store.mark_done(unit_of(store, external_id), coder.id)
    return store
