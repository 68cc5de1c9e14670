"""Fixtures for the suggester tests: a tiny hand-labelled corpus shipped in tests/data/nlp."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from qualcode.model import Code, Codebook

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "nlp" / "staff_wellbeing.json"


@dataclass
class Corpus:
    """The fixture as model objects: codebook, units with labels (code ids), probes."""

    raw: dict[str, Any]
    codebook: Codebook

    def ids(self, names: list[str]) -> set[int]:
        """Return the code ids of code names."""
        return {self.codebook.find(n)[0].id for n in names}

    def units(self, key: str = "units") -> tuple[list[str], list[set[int]]]:
        """Return (texts, labels) of a list of the fixture."""
        items = self.raw[key]
        return [u["text"] for u in items], [self.ids(u["codes"]) for u in items]


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """The staff-wellbeing fixture."""
    raw = json.loads(FIXTURE.read_text(encoding="utf-8"))
    codes = tuple(Code(i + 1, f"guid-{i}", c["name"], description=c["description"],
                       inclusion=c["inclusion"], examples=tuple(c["examples"]), position=i)
                  for i, c in enumerate(raw["codes"]))
    return Corpus(raw, Codebook(codes))
