"""What the table exports use when ``--layer`` or ``--study-field`` is not given.

A meta-synthesis has a consensus layer and a ``study_id`` field; a survey coded by one
person has neither. The same rules serve ``export themes``, ``export matrix``,
``export cooccurrence`` and ``export chart``:

* layer: the consensus layer when it has codings, else the one coder who has codings;
  with several coders and no consensus, one line asks which (listing them);
* studies: the field ``study_id``, else a field named ``study`` (any case), else none.
  A study field other than those names its own columns ("Wards" for ``ward``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Literal

from qualcode.errors import StoreError
from qualcode.model import Layer
from qualcode.storage.arrays import has_codings

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = ["AUTO", "CONSENSUS", "Auto", "StudyChoice", "choose_studies", "default_layer",
           "grouping_words", "resolve_layer"]

CONSENSUS = Layer.CONSENSUS.value
"""The layer name meaning the consensus (adjudicated) codings, and the pseudo-coder the
agreement report compares with (``--coders alice consensus``)."""
STUDY_FIELDS = ("study_id", "study")
"""Fields read as the study without being named, in this order (``study`` in any case)."""


class Auto(Enum):
    """The type of :data:`AUTO`."""

    AUTO = "auto"


AUTO = Auto.AUTO
"""``study_field=AUTO``: find the study field by :data:`STUDY_FIELDS`."""


def default_layer(store: ProjectStore) -> str:
    """Return ``consensus`` when it has codings, else the only coder who has codings.

    With several coders and no consensus, or nobody, one clear line says what to do.
    """
    if has_codings(store, layer=Layer.CONSENSUS):
        return CONSENSUS
    names = [c.name for c in store.coders()
             if has_codings(store, layer=Layer.CODER, coder_id=c.id)]
    if len(names) == 1:
        return names[0]
    if not names:
        raise StoreError("nobody has coded anything yet: code some units first "
                         "(qualcode code PROJECT --coder NAME)")
    choices = " or ".join(f"--layer {name}" for name in names)
    raise StoreError(f"the consensus layer has no codings yet and {len(names)} coders have: "
                     f"choose whose codings with {choices} (or adjudicate first: "
                     "qualcode adjudicate)")


def resolve_layer(store: ProjectStore, layer: str | None) -> str:
    """The layer to export: ``layer`` as given, or :func:`default_layer` when None."""
    return default_layer(store) if layer is None else layer


@dataclass(frozen=True)
class StudyChoice:
    """The metadata field that groups sources, and how it was chosen (for the notes)."""

    field: str | None  #: None: no grouping
    how: Literal["given", "found", "none found", "off"]
    singular: str = "study"
    plural: str = "studies"

    @property
    def heading(self) -> str:
        """The column listing the groups: "Contributing studies", or "Wards" for ``ward``."""
        return "Contributing studies" if self.plural == "studies" else self.plural.capitalize()

    def note(self, label_field: str | None = None) -> str | None:
        """One sentence for a table's notes saying where the groups come from (None: off)."""
        if self.how == "off":
            return None
        if self.field is None:
            return ("No studies: no source metadata field is named study_id or study "
                    "(group sources with --study-field FIELD).")
        shown = f", shown by {label_field}" if label_field else ""
        found = " (found by its name; choose another with --study-field)" \
            if self.how == "found" and self.field != "study_id" else ""
        return (f"{self.plural.capitalize()} are the values of the source metadata field "
                f"{self.field}{shown}{found}.")


def grouping_words(field: str) -> tuple[str, str]:
    """Singular and plural words for the groups a metadata field makes.

    >>> grouping_words("study_id"), grouping_words("Ward"), grouping_words("site_ID")
    (('study', 'studies'), ('ward', 'wards'), ('site', 'sites'))
    >>> grouping_words("country"), grouping_words("class"), grouping_words("day")
    (('country', 'countries'), ('class', 'classes'), ('day', 'days'))
    """
    words = re.sub(r"[\s_\-]+", " ", field).strip()
    words = re.sub(r"(?i)\s*\bid$", "", words).strip() or words
    singular = words.lower()
    if singular == "study":
        return "study", "studies"
    if re.search(r"[^aeiou]y$", singular):
        plural = singular[:-1] + "ies"
    elif re.search(r"(s|x|z|ch|sh)$", singular):
        plural = singular + "es"
    else:
        plural = singular + "s"
    return singular, plural


def choose_studies(fields: list[str], study_field: str | None | Auto, *,
                   instead: str = "leave studies out with --no-studies") -> StudyChoice:
    """Settle the grouping field: given (it must exist), found by name, or none.

    ``study_field`` None leaves studies out; :data:`AUTO` looks for ``study_id``, then a
    field named ``study`` in any case. ``instead`` ends the error for a missing field.
    """
    if study_field is None:
        return StudyChoice(None, "off")
    if study_field is AUTO:
        found = next((f for f in fields if f == "study_id"), None) or next(
            (f for f in fields if f.casefold() == "study"), None)
        if found is None:
            return StudyChoice(None, "none found")
        return StudyChoice(found, "found", *grouping_words(found))
    if study_field not in fields:
        raise StoreError(f"no source has a metadata field {study_field!r} to group sources "
                         f"by (fields: {', '.join(fields) or 'none'}); name one with "
                         f"--study-field FIELD or {instead}")
    return StudyChoice(study_field, "given", *grouping_words(study_field))
