"""Agreement of a project's coders, per code and per theme: store -> presence -> statistics.

What is counted (design.md §4):

* The unit of analysis is a whole source, a sentence or a paragraph (stored units of that
  kind when the project has them, else cut by :mod:`qualcode.segmentation`, without
  changing the project), optionally grouped by a metadata field such as ``study_id``.
* A code is present for (unit, coder) when any live coding of that coder with that code
  overlaps the unit; a theme when the theme or any code below it is.
* Only units every compared coder marked done count. A sentence or paragraph is done
  when its source was marked done as a whole or the unit itself was. A group counts only
  when every coder finished every unit in it (``partial_groups=True``: over the units
  every coder finished in it). Everything else is reported in
  ``excluded`` with the reason.
* The pseudo-coder :data:`CONSENSUS` is the consensus layer (codings and done marks with
  layer 'consensus', whoever wrote them).
* With three or more coders every pair is compared over the units *all* coders finished,
  and Krippendorff's alpha (nominal) and Fleiss' kappa are given per row over all coders.
* A code (or theme) neither coder used on the units counted is "not applicable": no kappa,
  AC1, PABAK or agreement, because 100 % agreement on never using it says nothing.
* An interval whose standard error is 0 (perfect agreement, a coder who gave every unit
  the same value) is not estimable (None, reason in ``ci_note``), see
  :mod:`qualcode.agreement.intervals`; the limits shown are cut to [-1, 1].
* Rows have unique names: a code that is also a theme, or has codes below it, is named
  ``PATH (own codings)`` at the code level (its theme row counts everything below it).
* ``suggestions_shown`` counts, per coder, the units counted where the coder was shown
  code suggestions before marking the unit done; ``split_by_suggestions`` adds the
  comparison of :mod:`qualcode.analysis.agreement_by_suggestions`.

The numbers come from :mod:`qualcode.agreement`; nothing is recomputed here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from qualcode.agreement import (
    binary_agreement,
    bootstrap_binary,
    fleiss_kappa,
    krippendorff_alpha,
    landis_koch,
    paradox_note,
)
from qualcode.agreement.intervals import REASON_BOOT_FLAT, clipped
from qualcode.agreement.presence import AnalysisUnit
from qualcode.agreement.spans import Done, keep_done_spans
from qualcode.analysis.agreement_by_suggestions import (
    SplitRow,
    shown_units,
    split_rows,
    suggestions_note,
)
from qualcode.analysis.agreement_records import (
    CONSENSUS,
    LEVELS,
    AgreementReport,
    AgreementRow,
    Disagreement,
    MultiRaterRow,
    PooledKappa,
)
from qualcode.analysis.agreement_units import (
    SpeakerFilter,
    UnitList,
    build_span_units,
    done_marks,
    layer_presence,
    level_columns,
)
from qualcode.errors import QualcodeError, StoreError
from qualcode.model import Code, Codebook, Layer, UnitKind
from qualcode.storage.arrays import ColumnReads, source_rows

if TYPE_CHECKING:
    from qualcode.storage import ProjectStore

__all__ = [
    "CONSENSUS", "LEVELS", "AgreementReport", "AgreementRow", "Disagreement", "MultiRaterRow",
    "PooledKappa", "agreement_report", "disagreements",
]

# -- gathering -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Prepared:
    coders: tuple[str, ...]
    nodes: dict[str, np.ndarray]  #: per coder, (kept units, codebook nodes) direct presence
    units: UnitList
    excluded: dict[str, int]
    book: Codebook
    unit_source: str
    group_by: str | None = None
    partial_groups: bool = False
    coder_ids: tuple[int | None, ...] = ()  #: per coder, its id (None for the consensus layer)


def _layer_key(store: ProjectStore, name: str) -> tuple[Layer, int | None]:
    """The layer and coder id of a coder's name, or of :data:`CONSENSUS`."""
    if name == CONSENSUS:
        return Layer.CONSENSUS, None
    return Layer.CODER, store.coder(name, create=False).id


def _prepare(store: ProjectStore, coders: Sequence[str], unit: UnitKind | str,
             group_by: str | None, partial_groups: bool = False,
             reads: ColumnReads | None = None,
             speakers: SpeakerFilter | None = None) -> _Prepared:
    names = tuple(c.strip() for c in coders)
    if len(names) < 2:
        raise QualcodeError("name at least two coders to compare, e.g. --coders alice bob")
    if len(set(names)) != len(names):
        raise QualcodeError(f"a coder is named twice in {', '.join(names)}; name each once")
    try:
        kind = UnitKind(unit)
    except ValueError:
        raise QualcodeError(f"unknown unit {unit!r}; use source, sentence or paragraph") from None
    if group_by is not None and group_by not in store.metadata_fields():
        fields = ", ".join(store.metadata_fields()) or "none"
        raise StoreError(f"no source has a metadata field {group_by!r} to group by "
                         f"(fields: {fields})")
    keys = {name: _layer_key(store, name) for name in names}
    done: dict[str, Done] = {}
    for name in names:
        done[name] = done_marks(store, *keys[name])
        if not len(done[name][0]) and not done[name][1]:
            what = ("the consensus layer has no unit marked done; adjudicate first"
                    if name == CONSENSUS else
                    f"coder {name!r} has not marked any unit done; only finished units count")
            raise StoreError(what)
    reads = reads or ColumnReads(store)
    spans, groups, how = build_span_units(store, kind, group_by, reads, speakers)
    kept, index, excluded = keep_done_spans(
        spans, done, require_all=group_by is not None and not partial_groups)
    book = store.codebook()
    nodes = {name: layer_presence(store, kept, book, *keys[name], reads) for name in names}
    units = UnitList(store, kept, None if groups is None else [groups[i] for i in index],
                     whole=kind == UnitKind.SOURCE)
    return _Prepared(names, nodes, units, excluded, book, how, group_by, partial_groups,
                     tuple(keys[name][1] for name in names))


def _levels(level: str) -> list[str]:
    if level not in LEVELS:
        raise QualcodeError(f"unknown level {level!r}; use code, theme or both")
    return ["code", "theme"] if level == "both" else [level]


def _columns(prep: _Prepared, level: str) -> tuple[tuple[Code, ...], np.ndarray]:
    per_coder = [level_columns(prep.book, prep.nodes[name], level) for name in prep.coders]
    columns = per_coder[0][0] if per_coder else ()
    return columns, np.stack([matrix for _, matrix in per_coder])


def _order(book: Codebook, levels: list[str]) -> list[tuple[str, int]]:
    """(level, code id) in codebook order, each theme before the codes under it."""
    order: list[tuple[str, int]] = []
    for depth, code in book.walk():
        if depth == 0 and "theme" in levels:
            order.append(("theme", code.id))
        if code.codable and "code" in levels:
            order.append(("code", code.id))
    return order


# -- the report ------------------------------------------------------------------------------
OWN_CODINGS = " (own codings)"
"""Suffix of the code-level row of a code that is also a theme or has codes below it."""
NOT_APPLICABLE = ("not applicable: neither coder used this on the units counted, so there is "
                  "no agreement to measure (100 % agreement on never using it says nothing)")


def row_name(book: Codebook, code: Code, level: str, parents: set[int | None] | None = None) -> str:
    """The unique name of a report row: theme rows the path; code rows of a theme or of a
    code with codes below it ``PATH (own codings)``, since their theme row or the rows below
    them count more than the code's own codings. ``parents``: ids of nodes with children."""
    path = book.path(code)
    if parents is None:
        parents = {c.parent_id for c in book.codes}
    if level == "code" and (code.parent_id is None or code.id in parents):
        return path + OWN_CODINGS
    return path


def _num(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) else v


def _none(x: Any) -> None:
    return None


def _pair_rows(level: str, columns: Sequence[Code], book: Codebook, a: str, b: str,
               pa: np.ndarray, pb: np.ndarray, bootstrap: int, seed: int
               ) -> tuple[dict[int, AgreementRow], PooledKappa]:
    n = pa.shape[0]
    res = binary_agreement(pa, pb)
    boot = bootstrap_binary(pa, pb, n_resamples=bootstrap, seed=seed) if bootstrap and n else None
    labels = landis_koch(res.kappa)
    parents = {c.parent_id for c in book.codes}
    rows: dict[int, AgreementRow] = {}
    for j, code in enumerate(columns):
        a_count, b_count = int(res.both[j] + res.only_a[j]), int(res.both[j] + res.only_b[j])
        unused = n > 0 and a_count == 0 and b_count == 0
        one_sided = ""
        if (a_count == 0) != (b_count == 0):
            user = a if a_count else b
            one_sided = (f"only {user} used this on the units counted, so kappa is 0 "
                         "whatever the agreement; ")
        note = NOT_APPLICABLE if unused else str(res.undefined[j]) or one_sided + paradox_note(
            float(res.percent_agreement[j]), float(res.kappa[j]), float(res.ac1[j]),
            float(res.pabak[j]), float(res.prevalence_index[j]))
        ci_notes = [str(res.interval_undefined[j])] if not unused else []
        if boot is not None and boot.flat["kappa"][j] and not unused:
            ci_notes.append("bootstrap: " + REASON_BOOT_FLAT)
        value = _none if unused else _num  # not-applicable rows show no numbers
        rows[code.id] = AgreementRow(
            level=level, code_id=code.id, path=book.path(code), coder_a=a, coder_b=b,
            n_units=int(res.n[j]), percent_agreement=value(res.percent_agreement[j]),
            kappa=value(res.kappa[j]), kappa_se=value(res.kappa_se[j]),
            kappa_ci_low=clipped(res.kappa_low[j]), kappa_ci_high=clipped(res.kappa_high[j]),
            scott_pi=value(res.scott_pi[j]), ac1=value(res.ac1[j]), ac1_se=value(res.ac1_se[j]),
            pabak=value(res.pabak[j]), prevalence_index=value(res.prevalence_index[j]),
            bias_index=value(res.bias_index[j]), kappa_max=value(res.kappa_max[j]),
            boot_ci_low=clipped(boot.low["kappa"][j]) if boot else None,
            boot_ci_high=clipped(boot.high["kappa"][j]) if boot else None,
            label="not applicable" if unused else str(labels[j]), note=note,
            a_count=a_count, b_count=b_count, both_count=int(res.both[j]),
            name=row_name(book, code, level, parents), ci_note="; ".join(x for x in ci_notes if x))
    summary = res.summary() if len(columns) else {"pooled_kappa": math.nan, "mean_kappa": math.nan,
                                                  "codes_with_kappa": 0}
    pooled = PooledKappa(
        coder_a=a, coder_b=b, level=level, kappa=_num(summary["pooled_kappa"]),
        mean_kappa=_num(summary["mean_kappa"]), n_rows=len(columns),
        n_rows_with_kappa=int(summary["codes_with_kappa"]),
        boot_ci_low=clipped(boot.pooled_kappa_low) if boot else None,
        boot_ci_high=clipped(boot.pooled_kappa_high) if boot else None)
    return rows, pooled


def _multi_rows(level: str, columns: Sequence[Code], book: Codebook,
                presence: np.ndarray) -> dict[int, MultiRaterRow]:
    rows: dict[int, MultiRaterRow] = {}
    parents = {c.parent_id for c in book.codes}
    for j, code in enumerate(columns):
        ratings = presence[:, :, j].T.astype(np.int64)  # units x coders
        name = row_name(book, code, level, parents)
        if ratings.shape[0] == 0:
            rows[code.id] = MultiRaterRow(level, code.id, book.path(code), 0, None, None, None,
                                          None, None, None, "undefined",
                                          "no units were finished by every coder", name)
            continue
        if not ratings.any():
            rows[code.id] = MultiRaterRow(level, code.id, book.path(code), int(ratings.shape[0]),
                                          None, None, None, None, None, None, "not applicable",
                                          NOT_APPLICABLE.replace("neither coder", "no coder"), name)
            continue
        # Both categories are always declared, so a code nobody used is "one category", not an
        # error.
        alpha = krippendorff_alpha(ratings, level="nominal", categories=[0, 1])
        fk = fleiss_kappa(ratings, categories=[0, 1])
        rows[code.id] = MultiRaterRow(
            level=level, code_id=code.id, path=book.path(code), n_units=int(ratings.shape[0]),
            krippendorff_alpha=_num(alpha.alpha), fleiss_kappa=_num(fk.value),
            fleiss_se=_num(fk.se), fleiss_ci_low=clipped(fk.ci_low),
            fleiss_ci_high=clipped(fk.ci_high), percent_agreement=_num(fk.percent_agreement),
            label=str(landis_koch(fk.value)), note="; ".join(
                x for x in (alpha.note or fk.note, fk.ci_note) if x), name=name)
    return rows


def agreement_report(store: ProjectStore, coders: Sequence[str], *, level: str = "both",
                     unit: UnitKind | str = UnitKind.SOURCE, group_by: str | None = None,
                     bootstrap: int = 0, seed: int = 0, partial_groups: bool = False,
                     reads: ColumnReads | None = None,
                     split_by_suggestions: bool = False,
                     speakers: SpeakerFilter | None = None) -> AgreementReport:
    """Agreement per code and/or theme of two or more coders (or a coder and ``consensus``).

    With ``group_by`` a group counts only when every coder finished all its units; with
    ``partial_groups`` it counts over the units every coder finished in it instead.
    ``split_by_suggestions`` adds, per pair, code and theme, agreement on the units where
    suggestions were shown to either coder before coding and on the others
    (:mod:`qualcode.analysis.agreement_by_suggestions`). ``speakers`` counts only the
    paragraphs of some speakers (transcripts imported with ``--speakers``).

    Raises a :class:`~qualcode.errors.QualcodeError` for an unknown coder, a coder with
    nothing marked done, an unknown group field, level or unit. ``reads`` shares column
    reads with a caller that already made them (the theme table).
    """
    levels = _levels(level)
    if bootstrap < 0:
        raise QualcodeError(f"--bootstrap must be 0 or more resamples, got {bootstrap}")
    prep = _prepare(store, coders, unit, group_by, partial_groups, reads, speakers)
    pairs = list(combinations(prep.coders, 2))
    shown = {name: shown_units(store, prep.units.spans, cid)
             for name, cid in zip(prep.coders, prep.coder_ids, strict=True)}
    split: list[SplitRow] = []
    by_key: dict[tuple[str, int, str, str], AgreementRow] = {}
    multi: dict[tuple[str, int], MultiRaterRow] = {}
    pooled: list[PooledKappa] = []
    for lv in levels:
        columns, presence = _columns(prep, lv)
        for a, b in pairs:
            i, k = prep.coders.index(a), prep.coders.index(b)
            rows, pk = _pair_rows(lv, columns, prep.book, a, b, presence[i], presence[k],
                                  bootstrap, seed)
            pooled.append(pk)
            by_key.update({(lv, cid, a, b): r for cid, r in rows.items()})
            if split_by_suggestions:
                split += split_rows(lv, columns, prep.book, [rows[c.id].name for c in columns],
                                    a, b, presence[i], presence[k], shown[a] | shown[b])
        if len(prep.coders) > 2:
            multi.update({(lv, cid): r for cid, r in
                          _multi_rows(lv, columns, prep.book, presence).items()})
    order = _order(prep.book, levels)
    pair_rows = [by_key[(lv, cid, a, b)] for a, b in pairs for lv, cid in order
                 if (lv, cid, a, b) in by_key]
    multi_rows = [multi[key] for key in order if key in multi]
    rank = {key: i for i, key in enumerate(order)}
    split.sort(key=lambda r: (pairs.index((r.coder_a, r.coder_b)), rank[(r.level, r.code_id)]))
    warnings = _warnings(prep, bootstrap)
    seen = {name: int(m.sum()) for name, m in shown.items()
            if prep.coder_ids[prep.coders.index(name)] is not None}
    if note := suggestions_note(seen, len(prep.units)):
        warnings.append(note)
    return AgreementReport(rows=pair_rows, pooled=pooled, n_units=len(prep.units),
                           excluded=prep.excluded, unit=UnitKind(unit), group_by=group_by,
                           coders=prep.coders, multi_rater=multi_rows, warnings=warnings,
                           level=level, bootstrap=bootstrap, seed=seed,
                           unit_source=prep.unit_source, partial_groups=partial_groups,
                           suggestions_shown=seen, split=split)


def _warnings(prep: _Prepared, bootstrap: int) -> list[str]:
    out: list[str] = []
    n = len(prep.units)
    if n == 0 and prep.group_by is not None and not prep.partial_groups:
        out.append("no group was finished by every compared coder; --partial-groups counts each "
                   "group over the units every coder finished in it")
    elif n == 0:
        out.append("no unit was finished by every compared coder, so nothing could be counted")
    elif n < 30:
        out.append(f"only {n} {'groups' if prep.group_by else 'units'} counted: standard errors "
                   "and confidence intervals are "
                   "large-sample approximations and unreliable this small")
    if bootstrap and 0 < bootstrap < 1000:
        out.append(f"{bootstrap} bootstrap resamples: use 1000 or more for reportable intervals")
    return out


def counted_units(store: ProjectStore, coder_a: str, coder_b: str, *,
                  unit: UnitKind | str = UnitKind.SOURCE,
                  group_by: str | None = None) -> Sequence[AnalysisUnit]:
    """The units both coders finished, cut and kept exactly as the report counts them."""
    return _prepare(store, [coder_a, coder_b], unit, group_by).units


def disagreements(store: ProjectStore, coder_a: str, coder_b: str, *, level: str = "code",
                  unit: UnitKind | str = UnitKind.SOURCE,
                  group_by: str | None = None,
                  partial_groups: bool = False,
                  speakers: SpeakerFilter | None = None) -> list[Disagreement]:
    """Units both coders finished where they differ on a code or theme (by unit, then codebook)."""
    levels = _levels(level)
    prep = _prepare(store, [coder_a, coder_b], unit, group_by, partial_groups,
                    speakers=speakers)
    order = {key: i for i, key in enumerate(_order(prep.book, levels))}
    differ: list[tuple[str, tuple[Code, ...], np.ndarray, np.ndarray]] = []
    for lv in levels:
        columns, presence = _columns(prep, lv)
        differ.append((lv, columns, presence, np.argwhere(presence[0] != presence[1])))
    units = prep.units.pick(int(i) for *_, where in differ for i in where[:, 0])
    # Only the texts of the units shown are read, not the whole corpus.
    rows = source_rows(store, ("text", "external_id"),
                       sorted({s[0] for u in units.values() for s in u.spans}))
    found: list[tuple[int, int, Disagreement]] = []
    parents = {c.parent_id for c in prep.book.codes}
    for lv, columns, presence, where in differ:
        for i, j in where.tolist():
            u = units[i]
            code = columns[j]
            ids = tuple(dict.fromkeys(s[0] for s in u.spans))
            found.append((i, order[(lv, code.id)], Disagreement(
                unit=u, source_ids=ids, sources=tuple(rows[s][1] for s in ids),
                text="\n\n".join(rows[s[0]][0][s[1]:s[2]] for s in u.spans),
                code_id=code.id, path=prep.book.path(code), level=lv,
                a_present=bool(presence[0][i, j]), b_present=bool(presence[1][i, j]),
                name=row_name(prep.book, code, lv, parents))))
    found.sort(key=lambda t: (t[0], t[1]))
    return [d for _, _, d in found]
