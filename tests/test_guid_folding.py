"""One GUID folding function: qualcode.model.fold_guid (and clean_guid) and nothing else.

The scan looks for the ways a module would fold a GUID by hand (``guid.lower()``,
``.upper()``/``.casefold()`` on a GUID, stripping braces); SQL's ``lower(guid)`` is the
index expression storage compares against and is fed ``fold_guid`` values.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qualcode.model import clean_guid, fold_guid

PACKAGE = Path(__file__).resolve().parents[1] / "qualcode"
HOME = PACKAGE / "model.py"
BY_HAND = re.compile(r"guid\w*\)?\s*\.\s*(lower|upper|casefold)\s*\(|strip\(\s*['\"][{}]{2}",
                     re.IGNORECASE)


def test_no_module_folds_guids_by_hand() -> None:
    found = [f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
             for path in PACKAGE.rglob("*.py") if path != HOME
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if BY_HAND.search(line)]
    assert found == [], "fold GUIDs with qualcode.model.fold_guid:\n" + "\n".join(found)


@pytest.mark.parametrize("spelling", [
    "5215cc69-b628-4e02-afb9-9beeaee55808",
    "5215CC69-B628-4E02-AFB9-9BEEAEE55808",
    "{5215CC69-b628-4E02-AFB9-9beeaee55808}",
    "  {5215cc69-B628-4e02-afb9-9BEEAEE55808} ",
])
def test_every_spelling_of_one_guid_folds_to_one_form(spelling: str) -> None:
    assert fold_guid(spelling) == "5215cc69-b628-4e02-afb9-9beeaee55808"
    assert clean_guid(spelling) is not None and "{" not in clean_guid(spelling)


@pytest.mark.parametrize("bad", ["{5215cc69-b628-4e02-afb9-9beeaee55808", "5215cc69", 17, None])
def test_what_is_not_a_guid_is_not_cleaned(bad: object) -> None:
    assert clean_guid(bad) is None
