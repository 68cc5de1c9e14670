"""REFI-QDA exchange (NVivo, ATLAS.ti, MAXQDA, QualCoder): ``.qdc`` codebooks, ``.qdpx`` projects.

* :func:`export_qdc` / :func:`read_qdc`: the codebook alone.
* :func:`export_qdpx` / :func:`read_qdpx`: the whole project; a read gives a
  :class:`~qualcode.storage.snapshot.Snapshot` that :mod:`qualcode.interchange.merge_input`
  applies in one transaction.

Input is hostile until proven otherwise: see :mod:`.safe_xml` and :mod:`.safe_zip`.
"""

from qualcode.interchange.refi.offsets import Counting
from qualcode.interchange.refi.project_xml import ExportReport
from qualcode.interchange.refi.qdc import export_qdc, read_qdc, to_specs
from qualcode.interchange.refi.qdpx import export_qdpx, read_qdpx

__all__ = ["Counting", "ExportReport", "export_qdc", "export_qdpx", "read_qdc", "read_qdpx",
           "to_specs"]
