"""Build the demo projects from the bundled, illustrative data in ``corpora/`` and ``codebooks/``.

The same library calls as ``qualcode init``, ``codebook import``, ``import`` and
``codings import``, so the demo exercises the real import paths. The project is built in
a temporary file beside the target and renamed into place only when every step worked.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qualcode.errors import StoreError
from qualcode.interchange.codebook_yaml import read_codebook_yaml
from qualcode.interchange.codings_import import import_codings_file
from qualcode.interchange.corpus_import import import_corpus
from qualcode.storage import Store, prepare_to_replace, project_exists
from qualcode.storage.backends.urls import server_url
from qualcode.storage.copy import copy_project, copy_replacing

CODEBOOK = Path("codebooks") / "balint.yaml"
CODERS = ("alice", "bob")


@dataclass(frozen=True, slots=True)
class DemoCorpus:
    """One bundled corpus: its table and the stem of its coders' codings files."""

    name: str
    table: Path
    codings_stem: str


CORPORA = {
    "metasynthesis": DemoCorpus("metasynthesis", Path("corpora") / "balint_metasynthesis.csv",
                                "metasynthesis"),
    "survey": DemoCorpus("survey", Path("corpora") / "balint_survey.csv", "survey"),
}


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What went into a freshly built demo project."""

    path: Path
    corpus: str
    sources: int
    codes: int
    codings: dict[str, int]


def find_data_root(start: Path | None = None) -> Path:
    """Return the folder holding ``corpora/`` and ``codebooks/``: the repository checkout.

    Looks only in ``start`` when given; otherwise in the working directory, then beside
    the installed package (an editable install from a clone).
    """
    candidates = [start] if start else [Path.cwd(), Path(__file__).resolve().parents[2]]
    for folder in candidates:
        if (folder / CODEBOOK).is_file() and (folder / "corpora").is_dir():
            return folder
    where = f" in {start}" if start else ""
    raise StoreError(f"the demo data (corpora/ and {CODEBOOK.as_posix()}) was not found{where}; "
                     "run this from a qualcode checkout or pass --data FOLDER")


def build_demo_project(path: Path, corpus: str = "metasynthesis", *,
                       data_root: Path | None = None, replace: bool = False) -> DemoSummary:
    """Build a demo project at ``path`` from one bundled corpus and both coders' codings.

    ``path`` may be a server project's URL: the project is built as a file in a temporary
    folder, then copied to the server in one transaction (``qualcode copy``).
    """
    if corpus not in CORPORA:
        raise StoreError(f"unknown demo corpus {corpus!r}; choose one of "
                         f"{', '.join(CORPORA)}")
    on_server = server_url(path) is not None
    if not on_server:
        path = Path(path)
    exists = project_exists(path)
    if exists and not replace:
        raise StoreError("already exists; open it, or rebuild it with --force (this "
                         "discards the coding done in it)", path=str(path))
    if exists:  # before the build: never someone else's file or schema, nor one in use
        prepare_to_replace(path)
    root = find_data_root(data_root)
    spec = CORPORA[corpus]
    if on_server:
        return _build_on_server(path, root, spec, replace=exists)
    building = path.with_name(f".{path.name}.building")
    _remove_project_files(building)
    try:
        codings = _fill(building, root, spec)
        os.replace(building, path)
    finally:
        _remove_project_files(building)
    return _summary(path, spec, codings)


def _build_on_server(location: Path, root: Path, spec: DemoCorpus, *,
                     replace: bool) -> DemoSummary:
    """Build the demo as a file aside, then copy it to the server project ``location``.

    With ``replace``, the copy is made beside the old project and takes its place in one
    transaction, so a failed build or copy leaves the old project as it was.
    """
    with tempfile.TemporaryDirectory(prefix="qualcode-demo-") as folder:
        building = Path(folder) / "demo.qualcode"
        codings = _fill(building, root, spec)
        with Store.open(building) as built:
            if replace:
                copy_replacing(built, location)
            else:
                copy_project(built, location)
    return _summary(location, spec, codings)


def _summary(location: Path, spec: DemoCorpus, codings: dict[str, int]) -> DemoSummary:
    with Store.open(location) as store:
        sources = store.source_count()
        codes = len(list(store.codebook().walk()))
    return DemoSummary(location, spec.name, sources, codes, codings)


def _fill(building: Path, root: Path, spec: DemoCorpus) -> dict[str, int]:
    """Import the codebook, the corpus and each coder's codings into a new project."""
    codings: dict[str, int] = {}
    with Store.create(building) as store:
        store.import_codebook(read_codebook_yaml(root / CODEBOOK))
        import_corpus(store, root / spec.table)
        for coder in CODERS:
            file = root / "corpora" / "codings" / f"{spec.codings_stem}_{coder}.csv"
            codings[coder] = import_codings_file(store, file, coder).added
        # Fold the WAL into the main file so the rename below moves one complete file.
        store.checkpoint()
    return codings


def _remove_project_files(path: Path) -> None:
    """Delete a project file and its WAL companions, if present."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        candidate.unlink(missing_ok=True)
