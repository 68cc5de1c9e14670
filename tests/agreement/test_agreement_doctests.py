"""Run the worked examples in the agreement docstrings as part of the suite.

The docstrings reproduce published figures (SAS PROC FREQ, Gwet's irrCAC, Krippendorff 2011,
Feinstein & Cicchetti 1990); pytest's ``testpaths`` only covers ``tests/``, so they are
collected here explicitly.
"""

from __future__ import annotations

import doctest
import importlib

import pytest

# The statistics modules of this library (presence.py, the codings-to-matrices bridge, has its own tests).
MODULES = [
    "qualcode.agreement._common",
    "qualcode.agreement._labels",
    "qualcode.agreement.binary",
    "qualcode.agreement.categorical",
    "qualcode.agreement.interpretation",
    "qualcode.agreement.intervals",
    "qualcode.agreement.krippendorff",
    "qualcode.agreement.multirater",
    "qualcode.agreement.resampling",
    "qualcode.agreement.results",
    "qualcode.agreement.weights",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {name}"
