"""Suggester speed and memory: fit at 10,000 and 50,000 units, suggest per 1,000 units.

Texts and labels are goemotions comments (train + dev + test, 54k; ../shared/data). Each
measurement runs in a fresh Python process so its peak resident memory (ru_maxrss) is
its own. Named baseline, measured in the same run: scikit-learn TF-IDF word 1-2 grams
(sublinear) + OneVsRestClassifier(LogisticRegression(class_weight="balanced",
solver="liblinear")), the plain model of design.md §5. Nothing is saved.

    .venv/bin/python benchmarks/bench_suggest.py [--sizes 10000,50000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "goemotions"
PREDICT_UNITS = 5_000


def load(limit: int) -> tuple[list[str], list[set[int]]]:
    """Return the first ``limit`` goemotions texts and label sets (code ids from 1)."""
    texts: list[str] = []
    labels: list[set[int]] = []
    for name in ("train.tsv", "dev.tsv", "test.tsv"):
        with (DATA / name).open(encoding="utf-8") as handle:
            for line in handle:
                text, ids, _ = line.rstrip("\n").split("\t")
                texts.append(text)
                labels.append({int(i) + 1 for i in ids.split(",")})
    return texts[:limit], labels[:limit]


def measure(model_name: str, size: int) -> dict[str, float]:
    """Fit one model on ``size`` units and time predictions; runs inside the child process."""
    sys.path.insert(0, str(ROOT))
    from qualcode.model import Code, Codebook

    names = (DATA / "emotions.txt").read_text(encoding="utf-8").split()
    book = Codebook(tuple(Code(i + 1, f"g{i}", n) for i, n in enumerate(names)))
    texts, labels = load(size + PREDICT_UNITS)
    train_texts, train_labels = texts[:size], labels[:size]
    unseen = texts[size:size + PREDICT_UNITS]
    if len(unseen) < PREDICT_UNITS:
        unseen = texts[:PREDICT_UNITS]
    if model_name == "baseline":
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from goemotions_quality import SklearnBaseline

        model = SklearnBaseline()
    else:
        from qualcode.nlp.pipeline import build_pipeline
        from qualcode.nlp.suggester import CodeSuggester

        build_pipeline()  # loading spaCy is start-up cost, not fitting
        model = CodeSuggester()
    started = time.perf_counter()
    model.fit(train_texts, train_labels, book)
    fit = time.perf_counter() - started
    model.scores(unseen[:100])  # warm caches
    started = time.perf_counter()
    model.scores(unseen)
    scores_ms = (time.perf_counter() - started) * 1000 / (len(unseen) / 1000)
    suggest_ms = float("nan")
    if hasattr(model, "suggest_many"):
        started = time.perf_counter()
        model.suggest_many(unseen, 3)
        suggest_ms = (time.perf_counter() - started) * 1000 / (len(unseen) / 1000)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"fit_s": fit, "scores_ms": scores_ms, "suggest_ms": suggest_ms, "peak_mb": peak_mb}


def child(model_name: str, size: int) -> dict[str, float]:
    """Run :func:`measure` in a fresh interpreter and return its numbers."""
    output = subprocess.run([sys.executable, __file__, "--child", model_name, str(size)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    """Print a markdown table: qualcode beside the baseline at each size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return
    print("| units | model | fit s | fit vs baseline | scores ms/1,000 | suggest+terms "
          "ms/1,000 | peak MB |")
    print("|---|---|---|---|---|---|---|")
    for size in (int(s) for s in args.sizes.split(",")):
        runs = {name: min((child(name, size) for _ in range(args.repeat)),
                          key=lambda r: r["fit_s"]) for name in ("baseline", "qualcode")}
        for name, run in runs.items():
            ratio = run["fit_s"] / runs["baseline"]["fit_s"]
            suggest = "-" if run["suggest_ms"] != run["suggest_ms"] else f"{run['suggest_ms']:.0f}"
            print(f"| {size:,} | {name} | {run['fit_s']:.2f} | {ratio:.2f}x | "
                  f"{run['scores_ms']:.0f} | {suggest} | {run['peak_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
