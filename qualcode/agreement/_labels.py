"""Turn ratings (labels with missing values) into integer category indices."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from qualcode.agreement._common import AgreementInputError


def _is_missing_scalar(v: Any, missing: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float | np.floating) and math.isnan(v):
        return True
    return missing is not None and v == missing


def missing_mask(arr: np.ndarray, missing: Any = None) -> np.ndarray:
    """True where a rating is missing: None, NaN, or equal to the ``missing`` marker."""
    if arr.dtype.kind == "f":
        mask = np.isnan(arr)
        return mask | (arr == missing) if missing is not None else mask
    if arr.dtype.kind in "iubUS":
        if missing is None:
            return np.zeros(arr.shape, dtype=bool)
        return np.asarray(arr == missing, dtype=bool)
    if arr.dtype.kind == "O":
        flat = [_is_missing_scalar(v, missing) for v in arr.ravel().tolist()]
        return np.array(flat, dtype=bool).reshape(arr.shape)
    raise AgreementInputError(f"ratings of dtype {arr.dtype} are not supported; use numbers or "
                              "strings")


def encode(
    ratings: Any, categories: Sequence[Any] | None = None, missing: Any = None
) -> tuple[np.ndarray, tuple[Any, ...]]:
    """Return (integer codes with -1 for missing, categories) for an array of labels of any shape.

    Without ``categories`` the categories are the sorted distinct non-missing
    labels; give ``categories`` to fix their order (ordinal weights follow it) or to
    include categories nobody used.
    """
    arr = np.asarray(ratings)
    ints_with_none = False
    if arr.dtype.kind == "O" and arr.size:
        # Lists mixing numbers and None arrive as object arrays; make them numeric so NaN marks
        # missing.
        flat = arr.ravel().tolist()
        numbers = (int, float, np.integer, np.floating)
        if all(v is None or (isinstance(v, numbers) and not isinstance(v, bool)) for v in flat):
            arr = np.array([math.nan if v is None else v for v in flat], dtype=float).reshape(
                arr.shape
            )
            ints_with_none = all(v is None or isinstance(v, int | np.integer) for v in flat)
    mask = missing_mask(arr, missing)
    present = arr[~mask]
    if categories is None:
        try:
            cats = tuple(np.unique(present).tolist()) if present.size else ()
            if ints_with_none:
                cats = tuple(int(c) for c in cats)
        except TypeError as exc:
            raise AgreementInputError(
                "ratings mix labels that cannot be sorted; pass categories=[...] in the order to "
                "use"
            ) from exc
    else:
        cats = tuple(c.item() if hasattr(c, "item") else c for c in categories)
        if len(set(cats)) != len(cats):
            raise AgreementInputError(f"categories contain duplicates: {list(cats)!r}")
    lookup = {c: i for i, c in enumerate(cats)}
    codes = np.full(arr.shape, -1, dtype=np.int64)
    if not present.size:
        return codes, cats
    numeric_cats = all(isinstance(c, int | float) and not isinstance(c, bool) for c in cats)
    if arr.dtype.kind in "iuf" and numeric_cats and cats:
        # Vectorised lookup for numbers: sort the categories once, then searchsorted.
        cat_arr = np.asarray(cats, dtype=float)
        order = np.argsort(cat_arr, kind="stable")
        pos = np.clip(np.searchsorted(cat_arr[order], present), 0, len(cats) - 1)
        found = cat_arr[order][pos] == present
        if not found.all():
            bad = present[~found][0]
            raise AgreementInputError(
                f"rating {bad.item()!r} is not one of the categories {list(cats)!r}; add it to "
                "categories or mark it missing"
            )
        codes[~mask] = order[pos]
        return codes, cats
    lookup = {c: i for i, c in enumerate(cats)}
    try:
        codes[~mask] = [lookup[v] for v in present.tolist()]
    except KeyError as exc:
        raise AgreementInputError(
            f"rating {exc.args[0]!r} is not one of the categories {list(cats)!r}; add it to "
            "categories or mark it missing"
        ) from None
    return codes, cats
