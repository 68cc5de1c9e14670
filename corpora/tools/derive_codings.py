"""Derive two coders' codings (alice, bob) from the reference codes, deterministically.

The bundled corpora were written together with a reference ("gold") set of codes
(``reference_codes.csv``, produced by build_corpora.py). Real double coding is noisier than
that, so this script simulates two coders from the reference with a fixed random seed:

* Coverage: each corpus's units are shuffled; alice codes the first 78% of the shuffled
  order, bob the last 72%, so at least 50% of the units are coded by both.
* Omissions: each reference code is dropped with a per-code probability (higher for fuzzy
  codes such as Multiple viewpoints or Doctor-patient dynamics; bob omits a little more).
* Confusions: with a per-code probability a reference code is replaced by a neighbouring
  code (e.g. Empathy for patients <-> Patient's perspective, Safe space <-> Shared experience).
* Additions: with a per-coder probability a neighbour of one of the unit's codes is added
  as an extra whole-unit code; vague non-empty answers with no reference code sometimes get
  a plausible code (alice is the more inclusive coder).
* Spans: a reference span is sometimes coded as the whole unit instead, and sometimes has
  its start or end moved by one word (always onto a word boundary, see ``word_bounds``).
* A covered unit left with no code gets one row with an empty code ("no code applies").

Output: corpora/codings/{metasynthesis,survey}_{alice,bob}.csv with columns
source_id,code,start,end (offsets in Unicode code points, end exclusive; empty = whole unit).
Run:  python corpora/tools/derive_codings.py [--report]   (--report prints per-code kappa)
The result depends only on SEED and the input files; rerunning rewrites identical files.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT / "corpora"
TOOLS = CORPORA / "tools"
OUT = CORPORA / "codings"

SEED = 20250611
CORPUS_FILES = {"metasynthesis": "balint_metasynthesis.csv", "survey": "balint_survey.csv"}
CODERS = ("alice", "bob")
ALICE_SHARE, BOB_SHARE = 0.78, 0.72

# A word is letters/digits, optionally joined by an apostrophe or hyphen ("don't", "push-back").
WORD = re.compile(r"\w+(?:['’-]\w+)*")

# Neighbouring codes a coder may pick instead of (or as well as) the reference code.
NEIGHBOURS = {
    "Listening and history-taking": ["Trust and advocacy", "Patient's perspective"],
    "Trust and advocacy": ["Listening and history-taking", "Doctor-patient dynamics"],
    "Empathy for patients": ["Patient's perspective", "Doctor-patient dynamics"],
    "Patient's perspective": ["Empathy for patients", "Multiple viewpoints"],
    "Doctor-patient dynamics": ["Recognising own emotions", "Patient's perspective"],
    "Recognising own emotions": ["Reflective practice", "Doctor-patient dynamics"],
    "Stress and burnout": ["Shared experience", "Accepting limits"],
    "Accepting limits": ["Stress and burnout", "Silence and ambiguity"],
    "Safe space": ["Shared experience", "Facilitation"],
    "Shared experience": ["Safe space", "Stress and burnout"],
    "Team cooperation": ["Shared experience", "Multiple viewpoints"],
    "Professional identity": ["Reflective practice", "Recognising own emotions"],
    "Reflective practice": ["Recognising own emotions", "Professional identity"],
    "Multiple viewpoints": ["Patient's perspective", "Reflective practice"],
    "Time and scheduling": ["Relevance to stage of training", "Online format"],
    "Online format": ["Time and scheduling", "Silence and ambiguity"],
    "Relevance to stage of training": ["Unclear purpose", "Time and scheduling"],
    "Self-disclosure and judgement": ["Silence and ambiguity", "Safe space"],
    "Silence and ambiguity": ["Unclear purpose", "Self-disclosure and judgement"],
    "Unclear purpose": ["Silence and ambiguity", "Facilitation"],
    "Facilitation": ["Unclear purpose", "Safe space"],
}
# Codes whose boundaries coders find hard: omitted and confused more often.
FUZZY = {"Multiple viewpoints": 2.6, "Doctor-patient dynamics": 1.9, "Reflective practice": 1.5,
         "Accepting limits": 1.4, "Team cooperation": 1.3}
BASE_MISS = {"alice": 0.08, "bob": 0.12}
BASE_CONFUSE = 0.06
ADD_NEIGHBOUR = {"alice": 0.14, "bob": 0.08}
ADD_TO_EMPTY = {"alice": 0.18, "bob": 0.08}
VAGUE_POSITIVE = ["Stress and burnout", "Shared experience", "Reflective practice", "Safe space"]
SPAN_AS_WHOLE = 0.12
SPAN_JITTER = 0.3


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file with a header."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def word_bounds(text: str) -> tuple[list[int], list[int]]:
    """Offsets where words start and where they end (end exclusive), in code points."""
    starts, ends = [], []
    for match in WORD.finditer(text):
        starts.append(match.start())
        ends.append(match.end())
    return starts, ends


def jitter_span(rng: random.Random, text: str, start: int, end: int) -> tuple[int, int]:
    """Move one end of a span by one word, keeping it on word boundaries and non-empty."""
    starts, ends = word_bounds(text)
    side, direction = rng.choice(["start", "end"]), rng.choice([-1, 1])
    if side == "start" and start in starts:
        i = starts.index(start) + direction
        if 0 <= i < len(starts) and starts[i] < end:
            start = starts[i]
    elif side == "end" and end in ends:
        i = ends.index(end) + direction
        if 0 <= i < len(ends) and ends[i] > start:
            end = ends[i]
    return start, end


def leaf(path: str) -> str:
    """Last element of a code path."""
    return path.rsplit("/", 1)[-1]


def code_coder(
    rng: random.Random, coder: str, text: str, gold: list[tuple[str, str, str]],
    full_path: dict[str, str],
) -> list[tuple[str, str, str]]:
    """One coder's codings of one unit, derived from its reference codings."""
    out: list[tuple[str, str, str]] = []
    for path, start, end in gold:
        if not path:
            continue
        name = leaf(path)
        factor = FUZZY.get(name, 1.0)
        miss, confuse = BASE_MISS[coder] * factor, BASE_CONFUSE * factor
        roll = rng.random()
        if roll < miss:
            continue
        if roll < miss + confuse:
            path = full_path[rng.choice(NEIGHBOURS[name])]
        if start:
            if rng.random() < SPAN_AS_WHOLE:
                start = end = ""
            elif rng.random() < SPAN_JITTER:
                s, e = jitter_span(rng, text, int(start), int(end))
                start, end = str(s), str(e)
        out.append((path, start, end))
    gold_names = [leaf(p) for p, _, _ in gold if p]
    if gold_names and rng.random() < ADD_NEIGHBOUR[coder]:
        out.append((full_path[rng.choice(NEIGHBOURS[rng.choice(gold_names)])], "", ""))
    if not gold_names and len(WORD.findall(text)) >= 5 and rng.random() < ADD_TO_EMPTY[coder]:
        out.append((full_path[rng.choice(VAGUE_POSITIVE)], "", ""))
    seen: set[str] = set()
    unique = []
    # Whole-unit codings first, so a code given both ways keeps only the whole-unit one.
    for row in sorted(out, key=lambda r: (r[1] != "", r[0])):
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    return unique or [("", "", "")]


def derive(corpus: str) -> dict[str, list[dict[str, str]]]:
    """Both coders' coding rows for one corpus."""
    units = read_csv(CORPORA / CORPUS_FILES[corpus])
    texts = {u["id"]: u["text"] for u in units}
    gold: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for row in read_csv(TOOLS / "reference_codes.csv"):
        if row["corpus"] == corpus:
            gold[row["source_id"]].append((row["code"], row["start"], row["end"]))
    full_path = codebook_paths()
    order = [u["id"] for u in units]
    random.Random(f"{SEED}-{corpus}-coverage").shuffle(order)
    n = len(order)
    covered = {"alice": set(order[: round(ALICE_SHARE * n)]),
               "bob": set(order[n - round(BOB_SHARE * n):])}
    result: dict[str, list[dict[str, str]]] = {}
    for coder in CODERS:
        rng = random.Random(f"{SEED}-{corpus}-{coder}")
        rows = []
        for unit in units:
            uid = unit["id"]
            if uid not in covered[coder]:
                continue
            for code, start, end in code_coder(rng, coder, texts[uid], gold[uid], full_path):
                rows.append({"source_id": uid, "code": code, "start": start, "end": end})
        result[coder] = rows
    return result


def codebook_paths() -> dict[str, str]:
    """Map code names to full paths, read from codebooks/balint.yaml."""
    sys.path.insert(0, str(TOOLS))
    from build_corpora import code_paths  # sibling script; imported lazily to keep it optional

    return {leaf(p): p for p in code_paths().values()}


def kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa for two binary ratings (nan when chance agreement is 1)."""
    n = len(a)
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return float("nan") if pe == 1 else (po - pe) / (1 - pe)


def report(corpus: str, rows: dict[str, list[dict[str, str]]]) -> None:
    """Print per-code kappa over the units both coders covered."""
    present: dict[str, dict[str, set[str]]] = {}
    for coder, coder_rows in rows.items():
        present[coder] = defaultdict(set)
        for r in coder_rows:
            present[coder][r["source_id"]].add(r["code"])
    both = sorted(set(present["alice"]) & set(present["bob"]))
    codes = sorted({c for p in present.values() for s in p.values() for c in s if c})
    print(f"{corpus}: {len(both)} units coded by both")
    for code in codes:
        a = [code in present["alice"][u] for u in both]
        b = [code in present["bob"][u] for u in both]
        print(f"  {kappa(a, b):6.2f}  n+={sum(a):3d}/{sum(b):3d}  {code}")


def write(path: Path, rows: list[dict[str, str]]) -> None:
    """Write one coder's codings as UTF-8 CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["source_id", "code", "start", "end"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main(argv: list[str] | None = None) -> int:
    """Derive and write both coders' codings for both corpora."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="print per-code kappa")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder")
    args = parser.parse_args(argv)
    for corpus in CORPUS_FILES:
        rows = derive(corpus)
        for coder, coder_rows in rows.items():
            write(args.out / f"{corpus}_{coder}.csv", coder_rows)
        if args.report:
            report(corpus, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
