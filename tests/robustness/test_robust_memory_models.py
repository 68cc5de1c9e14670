"""Stored suggester models that are hostile are refitted with a note, never a crash.

Classes tried: a compression bomb, arrays whose headers lie, settings of the wrong type or
range, a truncated or oversized blob, NaN weights; both in process and in the coding
screen's fitter child (the ceiling and the capped child: tests/helpers/memory_ceiling.py).
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from helpers.memory_ceiling import CEILING_MB, measured, rows
from helpers.robust_harness import make_project
from qualcode.analysis.suggestions import load_or_fit_suggester
from qualcode.nlp.suggester import FORMAT
from qualcode.storage import Store
from qualcode.storage.suggester_models import stored_model

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(),
                                reason="peak memory is read from /proc (Linux)")


# -- stored suggester models ---------------------------------------------------------------
def _coded_project(path: Path) -> Path:
    """A project where alice coded and marked done 30 units: a model with word features."""
    make_project(path, units=30)
    with Store.open(path) as store:
        alice = store.coder("alice")
        book = store.codebook()
        listening, pressure = book.find("Listening")[0], book.find("Time pressure")[0]
        for source in store.iter_sources():
            code = (listening if "listen" in source.text else
                    pressure if "Sessions" in source.text else None)
            if code is not None:
                store.add_coding(alice.id, source.id, code.id)
            store.mark_done(store.whole_unit(source.id).id, alice.id)
        assert load_or_fit_suggester(store, "alice").origin == "fitted"
    return path


def _npz(arrays: dict[str, np.ndarray], meta: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays, **({} if meta is None else {
        "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)}))
    return buffer.getvalue()


def _parts(blob: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    with np.load(io.BytesIO(blob)) as archive:
        arrays = {name: archive[name] for name in archive.files}
    return json.loads(arrays.pop("meta").tobytes()), arrays


def _with_member(blob: bytes, name: str, data: Callable[[zipfile.ZipFile], None]) -> bytes:
    """The model with member ``name`` replaced by what ``data`` writes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info, src.read(info))
        data(dst)
    return out.getvalue()


def _zeros_member(name: str, size: int, *, shape: tuple[int, ...] | None = None,
                  method: int = zipfile.ZIP_DEFLATED) -> Callable[[zipfile.ZipFile], None]:
    """An .npy member of ``size`` zero bytes (with its header), streamed, never in memory."""
    def with_method(archive: zipfile.ZipFile) -> None:
        info = zipfile.ZipInfo(name)
        info.compress_type = method
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(header, {
            "descr": "<f4", "fortran_order": False, "shape": shape or (size // 4,)})
        with archive.open(info, "w", force_zip64=True) as handle:
            handle.write(header.getvalue())
            block = bytes(8 << 20)
            for _ in range(size // len(block)):
                handle.write(block)
    return with_method


def _tamper(meta: dict, path: tuple, value: object) -> dict:
    meta = json.loads(json.dumps(meta))
    target = meta
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return meta


def _model_cases(good: bytes) -> dict[str, bytes | str]:
    """Hostile stored models, by name (bytes, or an SQL expression for the column)."""
    meta, arrays = _parts(good)
    codes = len(meta["code_ids"])
    terms = len(meta["features"]["terms"])
    nan = dict(arrays, weights=np.full_like(arrays["weights"], np.nan))
    return {
        "gzip bomb": gzip.compress(bytes(64 << 20), 9),
        "zlib bomb": zlib.compress(bytes(64 << 20), 9),
        "npz member inflating to 300 MB": _with_member(
            good, "weights.npy", _zeros_member("weights.npy", 300 << 20)),
        "npz member inflating to 200 MB, shape from the settings' wrong": _with_member(
            good, "weights.npy", _zeros_member("weights.npy", 200 << 20)),
        "header claiming 10**10 numbers": _with_member(
            good, "weights.npy", _zeros_member("weights.npy", 1 << 20, shape=(10**10,))),
        "bzip2 member": _with_member(good, "weights.npy", _zeros_member(
            "weights.npy", 8 << 20, shape=(terms, codes), method=zipfile.ZIP_BZIP2)),
        "lzma member": _with_member(good, "weights.npy", _zeros_member(
            "weights.npy", 8 << 20, shape=(terms, codes), method=zipfile.ZIP_LZMA)),
        "min_df a string": _npz(arrays, _tamper(meta, ("config", "features", "min_df"), "2")),
        "c negative": _npz(arrays, _tamper(meta, ("config", "c"), -1.0)),
        "c infinite": _npz(arrays, _tamper(meta, ("config", "c"), 1e400)),
        "word n-grams (0, 99)": _npz(arrays, _tamper(meta, ("features", "config",
                                                           "word_ngrams"), [0, 99])),
        "code ids not numbers": _npz(arrays, _tamper(meta, ("code_ids",), ["a"] * codes)),
        "code ids a huge integer": _npz(arrays, _tamper(meta, ("code_ids",),
                                                        [10**30] * codes)),
        "terms a number": _npz(arrays, _tamper(meta, ("features", "terms"), 5)),
        "calibrate a list": _npz(arrays, _tamper(meta, ("config", "calibrate"), [1])),
        "settings nested 100,000 deep": _deep_meta(arrays),
        "format of another version": _npz(arrays, _tamper(meta, ("format",), "other/9")),
        "weights of the wrong shape": _npz(dict(arrays, weights=np.zeros((terms + 7, codes),
                                                                         np.float32)), meta),
        "an array missing": _npz({k: v for k, v in arrays.items() if k != "intercepts"}, meta),
        "an object array": _with_member(good, "extra.npy", _object_member),
        "NaN weights": _npz(nan, meta),
        "thresholds above 1": _npz(dict(arrays, thresholds=arrays["thresholds"] + 2), meta),
        "truncated": good[: len(good) // 2],
        "empty": b"",
        "text, not a blob": "'not a model'",
        "300 MB blob": "zeroblob(300 * 1024 * 1024)",
    }


def _deep_meta(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    nested = ("[" * 100_000 + "]" * 100_000).encode()
    np.savez_compressed(buffer, **arrays, meta=np.frombuffer(nested, dtype=np.uint8))
    return buffer.getvalue()


def _object_member(archive: zipfile.ZipFile) -> None:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "|O", "fortran_order": False,
                                                 "shape": (1,)})
    archive.writestr("extra.npy", header.getvalue() + b"\x80\x04N.")


def _store_blob(project: Path, blob: bytes | str) -> None:
    """Put ``blob`` where the model is (in a child: SQLite builds a zeroblob in memory)."""
    code = ("import sqlite3, sys\nconn = sqlite3.connect(sys.argv[1])\n"
            "conn.execute(f'UPDATE suggester_models SET model = {sys.argv[2]}', "
            "[sys.stdin.buffer.read()] if sys.argv[2] == '?' else [])\n"
            "conn.commit()\nconn.close()\n")
    subprocess.run([sys.executable, "-c", code, str(project),
                    blob if isinstance(blob, str) else "?"],
                   input=b"" if isinstance(blob, str) else blob, check=True)


def test_a_hostile_stored_model_is_refitted_with_a_note(tmp_path: Path) -> None:
    project = _coded_project(tmp_path / "study.qualcode")
    (good,) = rows(project, "SELECT model FROM suggester_models")[0]
    cases = _model_cases(good)
    for name, blob in cases.items():
        _store_blob(project, blob)
        done, peak = measured(["suggest", str(project), "--coder", "alice"], tmp_path)
        assert "Traceback" not in done.stderr, (name, done.stderr[-1500:])
        assert done.returncode == 0, (name, done.stderr[-800:])
        notes = done.stderr.strip().splitlines()
        assert len(notes) == 1 and "stored suggester model refused" in notes[0] \
            and "refitted" in notes[0] and project.name in notes[0], (name, notes)
        assert "model: fitted now" in done.stdout, name
        assert peak < CEILING_MB, f"{name}: peak {peak} MB"
        # The refitted model replaced the hostile one, and is reused from now on.
        with Store.open(project) as store:
            again = load_or_fit_suggester(store, "alice")
            assert again.origin == "stored" and again.note is None, name
            alice = store.coder("alice")
            found = stored_model(store, layer="coder", coder_id=alice.id, pipeline="blank:en")
            assert found is not None and found.model != blob


def test_model_checks_in_process_say_what_is_wrong(tmp_path: Path) -> None:
    """The checks themselves (no child): each case is refused with its reason."""
    from qualcode.nlp.model_file import ModelError
    from qualcode.nlp.suggester import CodeSuggester

    project = _coded_project(tmp_path / "study.qualcode")
    (good,) = rows(project, "SELECT model FROM suggester_models")[0]
    assert CodeSuggester.from_bytes(good).fitted
    meta, arrays = _parts(good)  # any byte order and memory layout of a number array
    swapped = dict(arrays, weights=np.asfortranarray(arrays["weights"].astype(">f4")))
    text = "the group helped me listen"
    assert CodeSuggester.from_bytes(_npz(swapped, meta)).suggest(text, 2) == \
        CodeSuggester.from_bytes(good).suggest(text, 2)
    expected = {"min_df a string": "config.features.min_df", "c negative": "config.c",
                "word n-grams (0, 99)": "features.config.word_ngrams",
                "header claiming 10**10 numbers": "claims shape",
                "bzip2 member": "compression method", "NaN weights": "finite",
                "weights of the wrong shape": "settings imply", "format of another version":
                "format", "an object array": "not a plain number type",
                "npz member inflating to 300 MB": "over 256 MB"}
    cases = _model_cases(good)
    for name, reason in expected.items():
        with pytest.raises(ModelError, match="refused") as caught:
            CodeSuggester.from_bytes(cases[name])  # type: ignore[arg-type]
        assert reason in str(caught.value), (name, str(caught.value))
        assert "\n" not in str(caught.value)
    assert _parts(good)[0]["format"] == FORMAT
    from qualcode.nlp import model_file
    from qualcode.storage import suggester_models

    # read as much as is decoded
    assert suggester_models.MAX_MODEL_BYTES == model_file.MAX_MODEL_BYTES


def test_the_coding_screens_fitter_refits_a_hostile_model_with_a_note(tmp_path: Path) -> None:
    """The coding screen fits in a child process: the refusal's reason reaches the screen."""
    from qualcode.model import UnitKind
    from qualcode.tui.suggesting import fit_in_child

    project = _coded_project(tmp_path / "study.qualcode")
    (good,) = rows(project, "SELECT model FROM suggester_models")[0]
    cases = _model_cases(good)
    for name in ("gzip bomb", "min_df a string", "header claiming 10**10 numbers"):
        _store_blob(project, cases[name])
        with Store.open(project) as store:
            suggester = fit_in_child(store, store.coder("alice"), UnitKind.SOURCE)
        assert suggester.origin == "refitted", name
        assert suggester.note and "stored suggester model refused" in suggester.note, name
        assert suggester.suggest("the group helped me listen", 2)
