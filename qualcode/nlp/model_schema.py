"""The settings and arrays a stored suggester model must have: types, ranges and shapes.

Used by :func:`qualcode.nlp.model_file.read_model` on untrusted bytes; each check names
the setting or array that is wrong.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.nlp.model_file import MAX_CODES, MAX_NGRAM, refuse

if TYPE_CHECKING:
    from qualcode.nlp.model_file import ModelArchive

LARGE = 10**12
"""Upper bound of counts in the settings (units, examples, document frequencies)."""
MAX_TERMS = 10_000_000
PER_CODE = ("examples", "trained", "thresholds", "intercepts")
KNOWN_ARRAYS = {*PER_CODE, "meta", "weights", "proto_idf", "prototypes", "word_idf",
                "char_idf", "lemma_idf", "telling"}


def _int(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise refuse(f"setting {where} is {_shown(value)}, expected a whole number from "
                     f"{low} to {high}")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise refuse(f"setting {where} is {_shown(value)}, expected true or false")
    return value


def _float(value: Any, where: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value) or not low < value <= high:
        raise refuse(f"setting {where} is {_shown(value)}, expected a number above {low} "
                     f"up to {high}")
    return float(value)


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise refuse(f"setting {where} is {_shown(value)}, expected an object")
    return value


def _terms(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_TERMS \
            or not all(isinstance(term, str) for term in value):
        raise refuse(f"setting {where} is not a list of words")
    if len(set(value)) != len(value):
        raise refuse(f"setting {where} lists a word twice")
    return value


def _ngrams(value: Any, where: str) -> tuple[int, int]:
    if not isinstance(value, list) or len(value) != 2:
        raise refuse(f"setting {where} is {_shown(value)}, expected [low, high]")
    low = _int(value[0], where, 1, MAX_NGRAM)
    high = _int(value[1], where, low, MAX_NGRAM)
    return low, high


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _feature_config(value: Any, where: str) -> dict[str, Any]:
    raw = _dict(value, where)
    char = raw.get("char_ngrams")
    max_features = raw.get("max_features")
    return {"word_ngrams": _ngrams(raw.get("word_ngrams"), f"{where}.word_ngrams"),
            "char_ngrams": None if char is None else _ngrams(char, f"{where}.char_ngrams"),
            "min_df": _int(raw.get("min_df"), f"{where}.min_df", 1, LARGE),
            "max_features": None if max_features is None else
            _int(max_features, f"{where}.max_features", 1, LARGE),
            "lemmas": _bool(raw.get("lemmas", False), f"{where}.lemmas")}


def check_settings(meta: Any, expected_format: str) -> dict[str, Any]:
    """Return the settings with every type and range checked (and tuples for n-grams)."""
    meta = _dict(meta, "(top level)")
    if meta.get("format") != expected_format:
        raise refuse(f"format {_shown(meta.get('format'))}, expected {expected_format!r}")
    pipeline = meta.get("pipeline")
    if pipeline is not None and (not isinstance(pipeline, str) or len(pipeline) > 200):
        raise refuse(f"setting pipeline is {_shown(pipeline)}, expected a name")
    code_ids = meta.get("code_ids")
    if not isinstance(code_ids, list) or len(code_ids) > MAX_CODES:
        raise refuse("setting code_ids is not a list of code ids")
    code_ids = [_int(i, "code_ids", 1, 2**63 - 1) for i in code_ids]
    if len(set(code_ids)) != len(code_ids):
        raise refuse("setting code_ids lists a code twice")
    config = _dict(meta.get("config"), "config")
    settings: dict[str, Any] = {
        "pipeline": pipeline, "code_ids": code_ids,
        "config": {"min_positives": _int(config.get("min_positives"), "config.min_positives",
                                         0, LARGE),
                   "c": _float(config.get("c"), "config.c", 0.0, 1e6),
                   "calibrate": _bool(config.get("calibrate"), "config.calibrate"),
                   "small_corpus_up_to": _int(config.get("small_corpus_up_to"),
                                              "config.small_corpus_up_to", 0, LARGE),
                   "features": _feature_config(config.get("features"), "config.features")},
        "prototypes": {"terms": _terms(_dict(meta.get("prototypes"), "prototypes")
                                       .get("terms"), "prototypes.terms")}}
    if "features" in meta:
        raw = _dict(meta["features"], "features")
        features: dict[str, Any] = {"config": _feature_config(raw.get("config"), "features.config"),
                    "terms": _terms(raw.get("terms"), "features.terms")}
        if features["config"]["char_ngrams"] is not None:
            features["char_terms"] = _terms(raw.get("char_terms"), "features.char_terms")
        if features["config"]["lemmas"]:
            features["lemma_terms"] = _terms(raw.get("lemma_terms"), "features.lemma_terms")
        settings["features"] = features
    return settings


def expected_shapes(settings: dict[str, Any]) -> dict[str, tuple[tuple[int, ...], str]]:
    """Return, per array, the shape the settings imply and the number kinds it may have."""
    codes = len(settings["code_ids"])
    proto_terms = len(settings["prototypes"]["terms"])
    shapes: dict[str, tuple[tuple[int, ...], str]] = {
        "examples": ((codes,), "iu"), "trained": ((codes,), "biu"),
        "thresholds": ((codes,), "f"), "intercepts": ((codes,), "f"),
        "proto_idf": ((proto_terms,), "f"), "prototypes": ((codes, proto_terms), "f"),
        "weights": ((0, codes), "f")}
    features = settings.get("features")
    if features is not None:
        columns = 0
        for block, array in (("terms", "word_idf"), ("char_terms", "char_idf"),
                             ("lemma_terms", "lemma_idf")):
            if block in features:
                shapes[array] = ((len(features[block]),), "f")
                columns += len(features[block])
        shapes["weights"] = ((columns, codes), "f")
        shapes["telling"] = ((len(features["terms"]),), "biu")
    return shapes


def check_shapes(settings: dict[str, Any], archive: ModelArchive) -> None:
    """Refuse arrays missing, unknown, or of a type or shape the settings do not imply."""
    expected = expected_shapes(settings)
    for name in archive.headers:
        if name not in KNOWN_ARRAYS or (name not in expected and name != "meta"):
            raise refuse(f"unexpected array {name!r}")
    for name, (shape, kinds) in expected.items():
        header = archive.headers.get(name)
        if header is None:
            if name == "telling":
                continue  # models stored before it was kept compute it on use
            raise refuse(f"array {name!r} is missing")
        if header.shape != shape:
            raise refuse(f"array {name!r} has shape {header.shape}, its settings imply {shape}")
        if header.dtype.kind not in kinds:
            raise refuse(f"array {name!r} has type {header.dtype}")


def check_values(arrays: dict[str, np.ndarray]) -> None:
    """Refuse numbers a fitted model cannot hold (NaN, infinity, negative counts)."""
    for name, array in arrays.items():
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise refuse(f"array {name!r} holds a value that is not a finite number")
    if ((arrays["thresholds"] < 0) | (arrays["thresholds"] > 1)).any():
        raise refuse("array 'thresholds' holds a value outside [0, 1]")
    if (arrays["examples"] < 0).any():
        raise refuse("array 'examples' holds a negative count")
