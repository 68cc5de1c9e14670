"""Real double coding: ConvAbuse (Cercas Curry, Abercrombie & Rieser, EMNLP 2021; CC BY 4.0).

The validation split (831 user utterances, 8 named annotators, 2-7 per item) is imported
through the real command line: the items as the corpus (``user`` is the text), a codebook, and one
codings file per annotator, each annotator a coder who marked done exactly the items they labelled.
Pairwise kappas of ``agreement_report`` must equal scikit-learn's ``cohen_kappa_score`` on the same
items, and Krippendorff's alpha over three annotators must equal the ``krippendorff`` package.

Coding rule (decided here): each annotator gives a severity, one-hot over
``is_abuse.{1,0,-1,-2,-3}`` (1 not abusive, 0 ambiguous, -1..-3 mildly to very strongly
abusive). Code ``Abuse/Abusive`` = severity -1, -2 or -3; code ``Abuse/Ambiguous`` =
severity 0; so the theme ``Abuse`` = severity <= 0. A handful of upstream cells hold
several comma-separated annotations by the same annotator ("1, 0"); the first is used.
"""

from __future__ import annotations

import csv
import itertools
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score

from qualcode.analysis.agreement_report import agreement_report
from qualcode.cli import main
from qualcode.storage import Store

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "convabuse"
SPLIT = DATA / "ConvAbuseEMNLPvalid.csv"
LEVELS = ("1", "0", "-1", "-2", "-3")
CODEBOOK = """\
format: qualcode-codebook/1
name: ConvAbuse severity
themes:
  - name: Abuse
    description: The user's utterance is abusive or possibly abusive towards the agent.
    codes:
      - name: Abusive
        description: Mildly, strongly or very strongly abusive (is_abuse -1, -2, -3).
      - name: Ambiguous
        description: Possibly abusive (is_abuse 0).
"""

pytestmark = pytest.mark.skipif(not SPLIT.exists(), reason=f"{SPLIT} is not available")


def severities() -> dict[str, dict[str, int]]:
    """annotator -> {example_id: severity} for the items they labelled."""
    out: dict[str, dict[str, int]] = {}
    with SPLIT.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        annotators = sorted({c.split("_")[0] for c in reader.fieldnames or []
                             if c.startswith("Annotator")})
        for row in reader:
            for who in annotators:
                cells = [row[f"{who}_is_abuse.{v}"] for v in LEVELS]
                if not any(cells):
                    continue
                first = [c.split(",")[0].strip() for c in cells]
                out.setdefault(who, {})[row["example_id"]] = int(LEVELS[first.index("1")])
    return out


def invoke(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, int]]]:
    folder = tmp_path_factory.mktemp("convabuse")
    path = folder / "convabuse.qualcode"
    (folder / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    invoke("init", str(path))
    invoke("codebook", "import", str(path), str(folder / "codebook.yaml"))
    # The upstream header names 'Annotator6_transphobic' twice, which `qualcode import`
    # rightly refuses; the corpus file keeps the three columns the project needs.
    corpus = folder / "items.csv"
    with SPLIT.open(encoding="utf-8", newline="") as src, \
            corpus.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["example_id", "conv_id", "user"])
        for row in csv.DictReader(src):
            writer.writerow([row["example_id"], row["conv_id"], row["user"]])
    invoke("import", str(path), str(corpus), "--id-col", "example_id", "--text-col", "user")
    labels = severities()
    for who, items in labels.items():
        coded = folder / f"{who}.csv"
        with coded.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["source_id", "code"])
            for item, severity in items.items():
                code = ("Abuse/Abusive" if severity < 0 else "Abuse/Ambiguous" if severity == 0
                        else "")  # empty code: labelled "not abusive", i.e. done, no code
                writer.writerow([item, code])
        invoke("codings", "import", str(path), str(coded), "--coder", who)
    return path, labels


PAIRS = [("Annotator2", "Annotator3"), ("Annotator4", "Annotator8"),
         ("Annotator5", "Annotator7"), ("Annotator4", "Annotator5")]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_pairwise_kappas_equal_scikit_learn(project: tuple[Path, dict], a: str, b: str) -> None:
    path, labels = project
    items = sorted(labels[a].keys() & labels[b].keys())
    with Store.open(path) as store:
        report = agreement_report(store, [a, b], level="both")
    assert report.n_units == len(items) > 100
    assert report.excluded.get(f"not done by {b}") == len(labels[a].keys() - labels[b].keys())
    rows = {(r.level, r.path): r for r in report.rows}
    rules = {("theme", "Abuse"): lambda s: s <= 0, ("code", "Abuse/Abusive"): lambda s: s < 0,
             ("code", "Abuse/Ambiguous"): lambda s: s == 0}
    for key, rule in rules.items():
        x = [rule(labels[a][i]) for i in items]
        y = [rule(labels[b][i]) for i in items]
        row = rows[key]
        assert row.percent_agreement == pytest.approx(np.mean(np.equal(x, y)))
        assert (row.a_count, row.b_count) == (sum(x), sum(y))
        if len(set(x) | set(y)) > 1:
            assert row.kappa == pytest.approx(cohen_kappa_score(x, y)), key
        else:
            assert row.kappa is None


def test_three_annotators_alpha_equals_the_krippendorff_package(project: tuple[Path, dict]) -> None:
    path, labels = project
    trio = max(itertools.combinations(sorted(labels), 3),
               key=lambda t: len(labels[t[0]].keys() & labels[t[1]].keys() & labels[t[2]].keys()))
    items = sorted(set.intersection(*(set(labels[w]) for w in trio)))
    with Store.open(path) as store:
        report = agreement_report(store, list(trio), level="theme")
    assert report.n_units == len(items) >= 30
    data = np.array([[float(labels[w][i] <= 0) for i in items] for w in trio])
    (row,) = report.multi_rater
    assert row.krippendorff_alpha == pytest.approx(
        krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    assert len({(r.coder_a, r.coder_b) for r in report.rows}) == 3
