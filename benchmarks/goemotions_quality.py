"""Suggestion quality on real data: goemotions and the two demo corpora, against the baseline.

Baseline (measured in the same run, independent of qualcode's code): scikit-learn
TF-IDF word 1-2 grams (sublinear tf) + OneVsRestClassifier(LogisticRegression(
class_weight="balanced", solver="liblinear")), threshold 0.5. Then qualcode's suggester
with each candidate change. goemotions: train on train.tsv (100%, 50%, 20%, seeded
subsample), score test.tsv. Demo corpora: 5-fold cross-validation per coder.
Nothing trained here is saved.

    .venv/bin/python benchmarks/goemotions_quality.py [--data ../shared/data/goemotions]
        [--fractions 0.2,0.5,1.0] [--skip-demo]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualcode.model import Code, Codebook  # noqa: E402
from qualcode.nlp.evaluation import evaluate, label_matrix, score_predictions  # noqa: E402
from qualcode.nlp.features import FeatureConfig  # noqa: E402
from qualcode.nlp.suggester import CodeSuggester, SuggesterConfig  # noqa: E402

BASE = SuggesterConfig.baseline()
PROTOTYPES = replace(BASE, min_positives=3)
CHARS = replace(PROTOTYPES, features=FeatureConfig(char_ngrams=(2, 4)))
LEMMAS = replace(PROTOTYPES, features=FeatureConfig(char_ngrams=(2, 4), lemmas=True))
VARIANTS = {
    "qualcode, baseline settings": BASE,
    "+ prototypes for codes with < 3 examples": PROTOTYPES,
    "+ char 2-4 grams": CHARS,
    "+ lemma unigrams": LEMMAS,
    "+ calibrated thresholds": replace(LEMMAS, calibrate=True),
}
"""Each variant adds one change to the one above it, at every size. The shipped default
is "+ lemma unigrams" up to 20,000 training units and "+ prototypes" above that (fit time;
see benchmarks/bench_suggest.py)."""

METRICS = ("micro_f1", "macro_f1", "top1_hit", "top3_recall")


def read_tsv(path: Path) -> tuple[list[str], list[set[int]]]:
    """Read a goemotions TSV (text, comma-separated label ids, comment id; no quoting)."""
    texts, labels = [], []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            text, ids, _ = line.rstrip("\n").split("\t")
            texts.append(text)
            labels.append({int(i) + 1 for i in ids.split(",")})  # code ids start at 1
    return texts, labels


class SklearnBaseline:
    """The plain baseline, written with scikit-learn only (no qualcode code)."""

    def fit(self, texts: list[str], labels: list[set[int]], codebook: Codebook) -> None:
        """Fit TF-IDF + one-vs-rest balanced logistic regression."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier

        self.code_ids = [c.id for c in codebook]
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        x = self.vectorizer.fit_transform(texts)
        y = label_matrix(labels, self.code_ids)
        self.model = OneVsRestClassifier(LogisticRegression(class_weight="balanced",
                                                            solver="liblinear"))
        self.model.fit(x, y)
        self.thresholds = np.full(len(self.code_ids), 0.5)

    def scores(self, texts: list[str]) -> np.ndarray:
        """Return per-code probabilities."""
        return self.model.predict_proba(self.vectorizer.transform(texts))


def run_goemotions(data: Path, fractions: list[float]) -> None:
    """Print the goemotions table (markdown) for each training fraction."""
    names = (data / "emotions.txt").read_text(encoding="utf-8").split()
    book = Codebook(tuple(Code(i + 1, f"g{i}", n) for i, n in enumerate(names)))
    train_texts, train_labels = read_tsv(data / "train.tsv")
    test_texts, test_labels = read_tsv(data / "test.tsv")
    gold = label_matrix(test_labels, [c.id for c in book])
    print(f"goemotions: {len(train_texts)} train, {len(test_texts)} test, {len(book)} codes\n")
    print("| train units | model | micro F1 | macro F1 | top-1 hit | top-3 recall | fit s |")
    print("|---|---|---|---|---|---|---|")
    for fraction in fractions:
        keep = np.sort(np.random.default_rng(0).permutation(len(train_texts))
                       [:int(len(train_texts) * fraction)])
        texts = [train_texts[i] for i in keep]
        labels = [train_labels[i] for i in keep]
        models = {"baseline (sklearn)": SklearnBaseline(),
                  **{name: CodeSuggester(config=config) for name, config in VARIANTS.items()}}
        for name, model in models.items():
            started = time.perf_counter()
            model.fit(texts, labels, book)
            fit = time.perf_counter() - started
            scores = model.scores(test_texts)
            result = score_predictions(gold, scores >= model.thresholds, scores)
            cells = " | ".join(f"{result[m]:.3f}" for m in METRICS)
            print(f"| {len(texts):,} | {name} | {cells} | {fit:.1f} |", flush=True)


def run_demo() -> None:
    """Print 5-fold results per demo corpus and coder, baseline beside each variant."""
    from qualcode.analysis.suggestions import training_units
    from qualcode.interchange.demo import build_demo_project
    from qualcode.storage import Store

    print("\n| demo corpus, coder | units | model | micro F1 | macro F1 | top-1 hit | top-3 recall "
          "|")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for corpus in ("metasynthesis", "survey"):
            path = Path(folder) / f"{corpus}.qualcode"
            build_demo_project(path, corpus)
            with Store.open(path) as store:
                book = store.codebook()
                codable = Codebook(tuple(c for c in book if c.codable))
                for coder in store.coders():
                    data = training_units(store, coder=coder)
                    makers = {"baseline (sklearn)": SklearnBaseline,
                              **{name: (lambda c=config: CodeSuggester(config=c))
                                 for name, config in VARIANTS.items()}}
                    for name, make in makers.items():
                        result = evaluate(make, data.texts, data.labels,
                                          codable if name.startswith("baseline") else book,
                                          folds=5, seed=0)
                        cells = " | ".join(f"{result[m]:.3f}" for m in METRICS)
                        print(f"| {corpus}, {coder.name} | {len(data)} | {name} | {cells} |",
                              flush=True)


def main() -> None:
    """Parse arguments and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/goemotions")
    parser.add_argument("--fractions", default="0.2,0.5,1.0")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-goemotions", action="store_true")
    args = parser.parse_args()
    if not args.skip_demo:
        run_demo()
    if not args.skip_goemotions:
        run_goemotions(args.data, [float(f) for f in args.fractions.split(",")])


if __name__ == "__main__":
    main()
