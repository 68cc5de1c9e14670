"""``qualcode suggest`` and ``qualcode evaluate``: code suggestions, and how good they are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from qualcode.cli.base import main, open_store, project_argument
from qualcode.errors import QualcodeError

MIN_EVALUATION_UNITS = 10
LAYERS = click.Choice(["coder", "consensus"])


def _common(func: Any) -> Any:
    func = click.option("--spacy-model", default=None, metavar="NAME",
                        help="Installed spaCy pipeline to lemmatise with (never downloaded); "
                             "default: built-in blank English + lookup lemmas.")(func)
    func = click.option("--layer", type=LAYERS, default="coder", show_default=True,
                        help="Learn from the coder's own codings or from the consensus.")(func)
    func = click.option("--format", "fmt", type=click.Choice(["table", "json"]),
                        default="table", show_default=True, help="Output format.")(func)
    return click.option("--coder", required=True, help="Coder whose work is used.")(func)


@main.command()
@project_argument
@_common
@click.option("--top", type=click.IntRange(min=1), default=3, show_default=True,
              help="Suggestions per unit.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Only the first N units not done (default: all).")
def suggest(project: Path, coder: str, fmt: str, layer: str, spacy_model: str | None,
            top: int, limit: int | None) -> None:
    """Suggest codes for the units CODER has not marked done yet.

    The model learns from CODER's done units (or the consensus with --layer consensus);
    before anything is coded it ranks codes by their codebook definitions and examples.
    The fitted model is kept in the project and reused while the codings are unchanged.

    Example: qualcode suggest study.qualcode --coder alice --top 3
    """
    from qualcode.analysis.suggestions import load_or_fit_suggester, pending_units
    from qualcode.model import Layer, UnitKind

    with open_store(project) as store:
        who = store.coder(coder, create=False)
        # The header counts the coder's whole backlog, whatever --limit shows of it.
        backlog = store.unit_count(UnitKind.SOURCE) - store.done_count(who.id)
        suggester = load_or_fit_suggester(store, who, layer=Layer(layer),
                                          spacy_model=spacy_model)
        book = store.codebook()
        unit_ids, external_ids, texts = pending_units(store, who, limit=limit)
        results = suggester.suggest_many(texts, top)
        rows = [
            {
                "unit_id": unit_id,
                "source": ext,
                "text": text,
                "suggestions": [
                    {
                        "code": book.path(book.by_id(s.code_id)),
                        "score": s.score,
                        "terms": list(s.terms),
                    }
                    for s in found
                ],
            }
            for unit_id, ext, text, found in zip(
                unit_ids, external_ids, texts, results, strict=True
            )
        ]
        if fmt == "json":
            click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        _print_suggestions(rows, suggester, who.name, backlog)


def _print_suggestions(rows: list[dict[str, Any]], suggester: Any, coder: str,
                       pending: int) -> None:
    """The header (the coder's backlog, the model), then a table of the units shown."""
    from rich.table import Table

    from qualcode.interchange.literal import literal_console

    console = literal_console()
    learnt = int(sum(suggester.examples > 0))
    origin = "reused stored model" if suggester.origin == "stored" else "fitted now"
    shown = f" (showing the first {len(rows)})" if len(rows) < pending else ""
    console.print(f"{pending} {'unit' if pending == 1 else 'units'} not done by {coder}"
                  f"{shown}; model: {origin}, "
                  f"{learnt} of {len(suggester.code_ids)} codes have coded examples"
                  + ("" if learnt else " (cold start from the codebook)"))
    if not rows:
        console.print("Nothing left to suggest: every unit is done.")
        return
    table = Table("source", "text", "suggested code", "score", "because of")
    for row in rows:
        text = row["text"] if len(row["text"]) <= 60 else row["text"][:59] + "…"
        found = row["suggestions"] or [{"code": "-", "score": "", "terms": []}]
        for i, item in enumerate(found):
            table.add_row(row["source"] if i == 0 else "", text if i == 0 else "",
                          item["code"], f"{item['score']:.2f}" if item["score"] != "" else "",
                          ", ".join(item["terms"]))
    console.print(table)


@main.command()
@project_argument
@_common
@click.option("--train-fraction", type=float, default=None,
              help="Train on this share of the coder's done units, score the rest "
                   "(default 0.8).")
@click.option("--folds", type=click.IntRange(min=2), default=None,
              help="K-fold cross-validation instead of one split.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random split (same seed, same numbers).")
def evaluate(project: Path, coder: str, fmt: str, layer: str, spacy_model: str | None,
             train_fraction: float | None, folds: int | None, seed: int) -> None:
    """Score the suggester on CODER's own done units: train on part, predict the rest.

    Reports micro/macro F1 of the predicted code sets, top-1 hit rate, top-3 recall,
    per-code precision/recall/F1/support, fit time and prediction time per 1,000 units.

    Example: qualcode evaluate study.qualcode --coder alice --folds 5 --seed 1
    """
    from qualcode.analysis.suggestions import training_units
    from qualcode.model import Layer
    from qualcode.nlp.evaluation import evaluate as run_evaluation
    from qualcode.nlp.pipeline import build_pipeline
    from qualcode.nlp.suggester import CodeSuggester

    if train_fraction is not None and folds is not None:
        raise QualcodeError("give either --train-fraction or --folds, not both")
    if train_fraction is not None and not 0 < train_fraction < 1:
        raise QualcodeError(f"--train-fraction must be between 0 and 1 (got {train_fraction})")
    with open_store(project) as store:
        who = store.coder(coder, create=False)
        data = training_units(store, coder=who, layer=Layer(layer))
        book = store.codebook()
    what = "consensus" if layer == "consensus" else coder
    if len(data) < MIN_EVALUATION_UNITS:
        raise QualcodeError(f"{what} has {len(data)} done units; evaluating needs at least "
                            f"{MIN_EVALUATION_UNITS} (code and mark more units done first)")
    if not any(data.labels):
        raise QualcodeError(f"none of the {len(data)} done units of {what} carries a code; "
                            "there is nothing to learn or score")
    if folds is not None and folds > len(data):
        raise QualcodeError(f"--folds {folds} is more than the {len(data)} done units")
    fraction = 0.8 if train_fraction is None and folds is None else train_fraction
    if fraction is not None and min(round(len(data) * fraction),
                                    len(data) - round(len(data) * fraction)) < 1:
        raise QualcodeError(f"--train-fraction {fraction} leaves no units to train on or to "
                            f"score among {len(data)}")
    pipeline = build_pipeline(spacy_model)
    result = run_evaluation(lambda: CodeSuggester(pipeline=pipeline), data.texts, data.labels,
                            book, train_fraction=fraction, folds=folds, seed=seed)
    per_code = result["per_code"]
    assert isinstance(per_code, dict)  # run_evaluation's figures per code id
    result["per_code"] = {book.path(book.by_id(code_id)): stats
                          for code_id, stats in per_code.items()}
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    _print_evaluation(result, what, len(data), fraction, folds, seed)


def _print_evaluation(result: dict[str, Any], what: str, units: int, fraction: float | None,
                      folds: int | None, seed: int) -> None:
    from rich.table import Table

    from qualcode.interchange.literal import literal_console

    console = literal_console()
    how = f"{folds}-fold cross-validation" if folds else f"train {fraction:.0%} / score the rest"
    console.print(f"{what}: {units} done units, {how}, seed {seed}")
    console.print(f"micro F1 {result['micro_f1']:.3f}   macro F1 {result['macro_f1']:.3f}   "
                  f"top-1 hit {result['top1_hit']:.3f}   top-3 recall {result['top3_recall']:.3f}")
    console.print(f"fit {result['fit_seconds']:.2f} s   predict "
                  f"{result['predict_ms_per_1000']:.1f} ms per 1,000 units")
    table = Table("code", "precision", "recall", "F1", "support", title="Per code")
    for name, stats in result["per_code"].items():
        table.add_row(name, f"{stats['precision']:.2f}", f"{stats['recall']:.2f}",
                      f"{stats['f1']:.2f}", str(stats["support"]))
    console.print(table)
