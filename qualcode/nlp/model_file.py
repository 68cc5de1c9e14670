"""Reading a stored suggester model as hostile input: bounded sizes, every setting checked.

A model travels inside a project file, and a project may come from anyone, so its bytes
are untrusted. They are an ``.npz`` archive (a ZIP of ``.npy`` arrays, one of them the
JSON settings); before anything is unpacked, the archive's size, member count,
compression methods and declared sizes are checked, then each array's header (type and
shape) is read and its byte count checked against what the member declares (which
:mod:`zipfile` enforces while inflating), and the shapes are checked against the
settings. Only then are arrays read, and their values checked (finite numbers,
thresholds in [0, 1]). Any failure is a :class:`ModelError`: the caller refits.
"""

from __future__ import annotations

import io
import json
import math
import re
import zipfile
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.lib import format as npy

from qualcode.errors import QualcodeError

MAX_MODEL_BYTES = 256 * 1024 * 1024
"""Largest stored model read (its compressed bytes)."""
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""Largest total of a model's arrays once unpacked (checked before unpacking any)."""
MAX_META_BYTES = 64 * 1024 * 1024
"""Largest JSON settings block (it holds the vocabularies)."""
MAX_MEMBERS = 32
MAX_CODES = 1_000_000
MAX_NGRAM = 10
_NAME = re.compile(r"^[a-z_]{1,32}\.npy$")
_NUMERIC_KINDS = "biuf"


class ModelError(QualcodeError):
    """A stored model that cannot be trusted; the caller refits instead."""


def refuse(problem: str) -> ModelError:
    """Return the error for an unusable stored model (one line, says what happens next)."""
    return ModelError(f"stored suggester model refused: {problem}; it will be refitted")


@dataclass(frozen=True, slots=True)
class Header:
    """An array's declared type and shape, read before its data."""

    dtype: np.dtype
    shape: tuple[int, ...]
    fortran: bool


class ModelArchive:
    """The arrays of a stored model: headers checked on opening, data read on demand."""

    def __init__(self, data: bytes) -> None:
        if len(data) > MAX_MODEL_BYTES:
            raise refuse(f"it is {len(data) / 2**20:.0f} MB, over the "
                         f"{MAX_MODEL_BYTES // 2**20} MB limit")
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
            raise refuse(f"not an .npz archive ({error})") from None
        if len(infos) > MAX_MEMBERS:
            raise refuse(f"it holds {len(infos)} arrays, over the limit of {MAX_MEMBERS}")
        self.infos: dict[str, zipfile.ZipInfo] = {}
        declared = 0
        for info in infos:
            if not _NAME.match(info.filename) or info.filename[:-4] in self.infos:
                raise refuse(f"unexpected member {info.filename[:60]!r}")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # bzip2 and LZMA inflate without an output bound per read in zipfile.
                raise refuse(f"member {info.filename!r} uses compression method "
                             f"{info.compress_type}")
            if info.flag_bits & 0x1:
                raise refuse(f"member {info.filename!r} is encrypted")
            declared += info.file_size
            if declared > MAX_UNPACKED_BYTES:
                raise refuse(f"its arrays unpack to over {MAX_UNPACKED_BYTES // 2**20} MB")
            self.infos[info.filename[:-4]] = info
        self.headers = {name: self._header(info) for name, info in self.infos.items()}

    def _header(self, info: zipfile.ZipInfo) -> Header:
        try:
            with self.zip.open(info) as handle:
                version = npy.read_magic(handle)
                if version == (1, 0):
                    shape, fortran, dtype = npy.read_array_header_1_0(handle)
                elif version == (2, 0):
                    shape, fortran, dtype = npy.read_array_header_2_0(handle)
                else:
                    raise ValueError(f"unsupported .npy version {version}")
        except (ValueError, OSError, EOFError, SyntaxError, TypeError, zipfile.BadZipFile,
                RecursionError, MemoryError) as error:
            raise refuse(f"array {info.filename!r} has an unreadable header "
                         f"({' '.join(str(error).split())[:200]})") from None
        if dtype.hasobject or dtype.kind not in _NUMERIC_KINDS or dtype.itemsize > 8:
            raise refuse(f"array {info.filename!r} has type {dtype}, not a plain number type")
        if len(shape) > 2 or any(not isinstance(n, int) or n < 0 for n in shape):
            raise refuse(f"array {info.filename!r} has shape {shape}")
        if math.prod(shape) * dtype.itemsize > info.file_size:
            raise refuse(f"array {info.filename!r} claims shape {shape}, more than its "
                         f"{info.file_size} bytes hold")
        return Header(dtype, tuple(shape), bool(fortran))

    def shape(self, name: str) -> tuple[int, ...] | None:
        """Return an array's declared shape, or None when the model has no such array."""
        header = self.headers.get(name)
        return header.shape if header is not None else None

    def read(self, name: str) -> np.ndarray:
        """Read one array whose header was checked (its size is bounded by then)."""
        header = self.headers[name]
        count = math.prod(header.shape)
        array = np.empty(count, dtype=header.dtype)
        try:
            with self.zip.open(self.infos[name]) as handle:
                assert isinstance(handle, zipfile.ZipExtFile)  # what a read opens; has readinto
                _past_header(handle)
                view = array.view(np.uint8).data  # any byte order or type
                filled = 0
                while filled < len(view):
                    got = handle.readinto(view[filled:])
                    if not got:
                        raise refuse(f"array {name!r} is truncated")
                    filled += got
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
            raise refuse(f"array {name!r} cannot be read ({error})") from None
        order: Literal["C", "F"] = "F" if header.fortran else "C"
        return array.reshape(header.shape, order=order)

    def close(self) -> None:
        """Close the archive."""
        self.zip.close()


def _past_header(handle: Any) -> None:
    """Read an .npy header (checked when the archive was opened) to reach the data."""
    if npy.read_magic(handle) == (1, 0):
        npy.read_array_header_1_0(handle)
    else:
        npy.read_array_header_2_0(handle)


def read_model(data: bytes, expected_format: str
               ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Return a stored model's (checked settings, checked arrays), or raise :class:`ModelError`."""
    archive = ModelArchive(data)
    try:
        if archive.shape("meta") is None or len(archive.shape("meta") or ()) != 1:
            raise refuse("it has no settings block")
        if archive.headers["meta"].dtype != np.uint8:
            raise refuse("its settings block is not bytes")
        if (archive.shape("meta") or (0,))[0] > MAX_META_BYTES:
            raise refuse(f"its settings are over {MAX_META_BYTES // 2**20} MB")
        try:
            meta = json.loads(archive.read("meta").tobytes().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise refuse(f"its settings are not JSON ({' '.join(str(error).split())[:120]})"
                         ) from None
        from qualcode.nlp.model_schema import check_settings, check_shapes, check_values

        settings = check_settings(meta, expected_format)
        check_shapes(settings, archive)
        arrays = {name: archive.read(name) for name in archive.headers if name != "meta"}
        check_values(arrays)
        return settings, arrays
    finally:
        archive.close()
