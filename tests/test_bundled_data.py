"""Checks on the bundled illustrative data: corpora/, codebooks/balint.yaml and the codings.

Self-contained on purpose (csv + yaml.safe_load): it must not depend on qualcode's own
importers, so it can tell whether the data or the importer is wrong.
"""

from __future__ import annotations

import csv
import importlib.util
import os
import re
import statistics
import sys
from collections import Counter, defaultdict
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
CODINGS = CORPORA / "codings"
TOOLS = CORPORA / "tools"
CODEBOOK = ROOT / "codebooks" / "balint.yaml"
SEEDS = Path(os.environ.get("QUALCODE_SEEDS", "/work/shared/seeds"))

META_COLUMNS = ["id", "study_id", "author_year", "country", "population", "finding_type", "text"]
SURVEY_COLUMNS = ["id", "participant", "question", "question_text", "cohort", "text"]
CODING_COLUMNS = ["source_id", "code", "start", "end"]
CORPUS_FILES = {"metasynthesis": "balint_metasynthesis.csv", "survey": "balint_survey.csv"}
CODERS = ("alice", "bob")
RESERVED_KEYS = set("dumqr?/")
COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
# Same word definition as corpora/tools/derive_codings.py: "don't" and "push-back" are one word.
WORD = re.compile(r"\w+(?:['’-]\w+)*")


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file that must decode as strict UTF-8."""
    text = path.read_bytes().decode("utf-8")  # raises on invalid UTF-8
    reader = csv.DictReader(text.splitlines())
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def load_corpus(name: str) -> dict[str, dict[str, str]]:
    """Units of one corpus keyed by id."""
    _, rows = read_csv(CORPORA / CORPUS_FILES[name])
    return {row["id"]: row for row in rows}


def load_codings(name: str, coder: str) -> list[dict[str, str]]:
    """One coder's coding rows for one corpus."""
    _, rows = read_csv(CODINGS / f"{name}_{coder}.csv")
    return rows


def codebook() -> dict:
    """The parsed codebook YAML."""
    return yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))


def walk(book: dict) -> list[tuple[str, dict, str]]:
    """(path, node, kind) for every theme, sub-theme and code in the codebook."""
    out: list[tuple[str, dict, str]] = []

    def visit(node: dict, prefix: str, kind: str) -> None:
        path = f"{prefix}/{node['name']}" if prefix else node["name"]
        out.append((path, node, kind))
        for sub in node.get("subthemes") or []:
            visit(sub, path, "subtheme")
        for code in node.get("codes") or []:
            visit(code, path, "code")

    for theme in book["themes"]:
        visit(theme, "", "theme")
    return out


def code_paths() -> set[str]:
    """Paths of all codable codes."""
    return {path for path, _, kind in walk(codebook()) if kind == "code"}


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    """True when [start, end) begins at the start of a word and stops at the end of one."""
    words = list(WORD.finditer(text))
    return start in {m.start() for m in words} and end in {m.end() for m in words}


def load_script(name: str) -> ModuleType:
    """Import one of the corpora/tools scripts by path."""
    sys.path.insert(0, str(TOOLS))
    spec = importlib.util.spec_from_file_location(f"qualcode_data_{name}", TOOLS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


# --- corpora -------------------------------------------------------------------------------


def test_corpora_parse_as_utf8_csv_with_documented_columns() -> None:
    header, rows = read_csv(CORPORA / "balint_metasynthesis.csv")
    assert header == META_COLUMNS
    header2, rows2 = read_csv(CORPORA / "balint_survey.csv")
    assert header2 == SURVEY_COLUMNS
    for row in rows + rows2:
        assert None not in row, f"extra field in row {row.get('id')}"
        assert all(v is not None and v.strip() for v in row.values()), row
        assert row["text"] == row["text"].strip() and "\n" not in row["text"]


def test_ids_are_unique_and_well_formed() -> None:
    for name, pattern in (("metasynthesis", r"F\d{3}"), ("survey", r"R\d{4}")):
        _, rows = read_csv(CORPORA / CORPUS_FILES[name])
        ids = [r["id"] for r in rows]
        assert len(ids) == len(set(ids)), f"duplicate ids in {name}"
        assert all(re.fullmatch(pattern, i) for i in ids), name


def test_metasynthesis_meets_minimums() -> None:
    units = load_corpus("metasynthesis")
    assert len(units) >= 150
    studies: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for row in units.values():
        assert re.fullmatch(r"S\d{2}", row["study_id"])
        assert re.fullmatch(r".+ (19|20)\d\d", row["author_year"]), row["author_year"]
        studies[row["study_id"]].add((row["author_year"], row["country"], row["population"]))
    assert len(studies) >= 12
    # Metadata is a property of the study, so it must not vary between its findings.
    assert all(len(meta) == 1 for meta in studies.values())
    types = Counter(row["finding_type"] for row in units.values())
    assert set(types) == {"participant_quote", "author_interpretation"}
    assert min(types.values()) >= 40
    fictional = [m for s in studies.values() for m in s if m[0].startswith("Illustrative")]
    assert all(re.fullmatch(r"Illustrative [A-Z] \d{4}", m[0]) for m in fictional)


def test_survey_meets_minimums() -> None:
    units = load_corpus("survey")
    assert len(units) >= 300
    per_participant = Counter(row["participant"] for row in units.values())
    assert len(per_participant) >= 50
    assert statistics.mean(per_participant.values()) >= 3  # each answers several questions
    texts: dict[str, set[str]] = defaultdict(set)
    for row in units.values():
        texts[row["question"]].add(row["question_text"])
        assert re.fullmatch(r"P\d{3}", row["participant"])
    assert len(texts) == 5 and all(len(t) == 1 for t in texts.values())
    lengths = [len(row["text"]) for row in units.values()]
    assert min(lengths) <= 10 and max(lengths) >= 300  # very short and long answers


def test_texts_exercise_unicode() -> None:
    texts = [r["text"] for n in CORPUS_FILES for r in load_corpus(n).values()]
    non_ascii = {ch for t in texts for ch in t if ord(ch) > 127}
    assert {"–", "’"} <= non_ascii
    assert any(ch.isalpha() for ch in non_ascii)  # accented letters, e.g. "Järvinen"
    # Characters outside the BMP: code-point and UTF-16 offsets differ after them.
    assert any(ord(ch) > 0xFFFF for ch in non_ascii)


def test_no_corpus_sentence_is_copied_from_the_seeds() -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed texts not available at {SEEDS} (set QUALCODE_SEEDS)")

    def norm(s: str) -> str:
        s = s.lower().translate(str.maketrans("‘’“”", "''\"\""))
        return re.sub(r"\s+", " ", s)

    seed_text = norm(" ".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))))
    assert len(seed_text) > 1000
    seed_words = WORD.findall(seed_text)
    shingles = {tuple(seed_words[i : i + 8]) for i in range(len(seed_words) - 7)}
    texts = [r["text"] for n in CORPUS_FILES for r in load_corpus(n).values()]
    texts += [ex for _, node, kind in walk(codebook()) if kind == "code" for ex in node["examples"]]
    copied, close = [], []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if len(sentence) >= 40 and norm(sentence) in seed_text:
                copied.append(sentence)
        words = WORD.findall(norm(text))
        close += [" ".join(words[i : i + 8]) for i in range(len(words) - 7)
                  if tuple(words[i : i + 8]) in shingles]
    assert not copied, copied
    assert not close, close  # eight words in a row shared with a seed = too close


def test_corpora_are_reproducible_from_the_sources() -> None:
    build = load_script("build_corpora")
    keys = build.code_paths()
    meta, meta_refs = build.build_metasynthesis(keys)
    survey, survey_refs = build.build_survey(keys)
    assert meta == list(load_corpus("metasynthesis").values())
    assert survey == list(load_corpus("survey").values())
    _, refs = read_csv(TOOLS / "reference_codes.csv")
    assert [{k: str(v) for k, v in r.items()} for r in meta_refs + survey_refs] == refs


# --- codebook ------------------------------------------------------------------------------


def test_codebook_codes_are_fully_defined() -> None:
    book = codebook()
    assert book["format"] == "qualcode-codebook/1"
    nodes = walk(book)
    codes = [(path, node) for path, node, kind in nodes if kind == "code"]
    assert 4 <= len(book["themes"]) <= 6
    assert 15 <= len(codes) <= 25
    for path, node in codes:
        for field in ("description", "inclusion", "exclusion"):
            assert isinstance(node.get(field), str) and node[field].strip(), f"{path}: {field}"
        assert isinstance(node.get("examples"), list) and node["examples"], path
        assert all(isinstance(e, str) and e.strip() for e in node["examples"]), path
        assert COLOUR.fullmatch(str(node.get("colour", ""))), f"{path}: colour"
    for path, node, _ in nodes:
        assert "/" not in node["name"], path
        if "colour" in node:
            assert COLOUR.fullmatch(node["colour"]), path


def test_codebook_shortcuts_are_unique_and_allowed() -> None:
    keys = [str(node.get("shortcut", "")) for _, node, kind in walk(codebook()) if kind == "code"]
    assert all(len(k) == 1 and k.isalnum() and k.isascii() for k in keys), keys
    assert not set(keys) & RESERVED_KEYS
    assert len(keys) == len(set(keys))


def test_codebook_sibling_names_are_unique() -> None:
    children: dict[str, list[str]] = defaultdict(list)
    for path, _, _ in walk(codebook()):
        parent, _, name = path.rpartition("/")
        children[parent].append(name.casefold())
    for parent, names in children.items():
        assert len(names) == len(set(names)), parent


# --- codings -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
@pytest.mark.parametrize("coder", CODERS)
def test_codings_reference_existing_codes_and_units(name: str, coder: str) -> None:
    header, rows = read_csv(CODINGS / f"{name}_{coder}.csv")
    assert header == CODING_COLUMNS
    units, paths = load_corpus(name), code_paths()
    empty_units = set()
    seen = set()
    for row in rows:
        assert row["source_id"] in units, row
        assert row["code"] == "" or row["code"] in paths, row
        assert (row["start"] == "") == (row["end"] == ""), row
        key = (row["source_id"], row["code"], row["start"], row["end"])
        assert key not in seen, f"duplicate coding {key}"
        seen.add(key)
        if row["code"] == "":
            assert row["start"] == "", "a 'no code applies' row cannot have a span"
            empty_units.add(row["source_id"])
    coded = {r["source_id"] for r in rows if r["code"]}
    assert not empty_units & coded, "a unit is both 'no code applies' and coded"


def test_reference_codes_use_codebook_paths() -> None:
    _, refs = read_csv(TOOLS / "reference_codes.csv")
    paths = code_paths()
    assert all(r["code"] == "" or r["code"] in paths for r in refs)
    for name in CORPUS_FILES:
        assert {r["source_id"] for r in refs if r["corpus"] == name} == set(load_corpus(name))


def test_span_offsets_lie_inside_text_on_word_boundaries() -> None:
    span_counts = Counter()
    for name in CORPUS_FILES:
        units = load_corpus(name)
        for coder in CODERS:
            for row in load_codings(name, coder):
                if row["start"] == "":
                    continue
                start, end = int(row["start"]), int(row["end"])
                text = units[row["source_id"]]["text"]
                assert 0 <= start < end <= len(text), row
                assert on_word_boundaries(text, start, end), (row, text[start:end])
                span_counts[coder] += 1
    assert all(span_counts[c] >= 30 for c in CODERS), span_counts


def test_word_boundary_check_rejects_split_words() -> None:
    text = "I didn't like the push-back – at all 🙂 really."
    assert on_word_boundaries(text, 0, 8)  # "I didn't"
    assert on_word_boundaries(text, text.index("push"), text.index("back") + 4)
    assert not on_word_boundaries(text, 2, 5)  # "did" cuts "didn't"
    assert not on_word_boundaries(text, text.index("push"), text.index("push") + 4)
    assert not on_word_boundaries(text, 1, 8)  # starts on a space
    assert on_word_boundaries(text, text.index("really"), len(text) - 1)


@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
def test_coverage_and_overlap(name: str) -> None:
    units = set(load_corpus(name))
    done = {c: {r["source_id"] for r in load_codings(name, c)} for c in CODERS}
    for coder in CODERS:
        assert len(done[coder]) >= 0.60 * len(units), coder
    assert len(done["alice"] & done["bob"]) >= 0.45 * len(units)
    assert done["alice"] != done["bob"]  # each coder also has units the other lacks


@pytest.mark.parametrize("name", sorted(CORPUS_FILES))
def test_agreement_is_realistic(name: str) -> None:
    """Per-code Cohen's kappa (Cohen 1960) over units both coders did, via scikit-learn."""
    from sklearn.metrics import cohen_kappa_score

    present = {c: defaultdict(set) for c in CODERS}
    for coder in CODERS:
        for row in load_codings(name, coder):
            present[coder][row["source_id"]].add(row["code"])
    both = sorted(set(present["alice"]) & set(present["bob"]))
    kappas = []
    for code in sorted(code_paths()):
        a = [code in present["alice"][u] for u in both]
        b = [code in present["bob"][u] for u in both]
        if any(a) or any(b):
            kappas.append(cohen_kappa_score(a, b))
    assert len(kappas) >= 15
    # Two coders who never disagree, or who code at random, would make a useless demo.
    assert 0.4 <= statistics.median(kappas) <= 0.9, kappas
    assert sum(0.4 <= k <= 0.95 for k in kappas) >= 0.6 * len(kappas), kappas
    assert min(kappas) < 0.5  # a couple of hard codes


def test_codings_are_reproducible(tmp_path: Path) -> None:
    derive = load_script("derive_codings")
    assert derive.main(["--out", str(tmp_path)]) == 0
    for name in CORPUS_FILES:
        for coder in CODERS:
            fresh = (tmp_path / f"{name}_{coder}.csv").read_bytes()
            assert fresh == (CODINGS / f"{name}_{coder}.csv").read_bytes(), (name, coder)


def test_transcripts_are_reproducible_byte_for_byte(tmp_path: Path) -> None:
    """The .docx/.vtt transcripts and their codings come from the source, the same each run."""
    build = load_script("build_transcripts")
    interviews = build.parse(build.SOURCE.read_text(encoding="utf-8"))
    assert len(interviews) == 4
    for interview in interviews:
        made = tmp_path / interview.file
        (build.write_docx if made.suffix == ".docx" else build.write_vtt)(interview, made)
        assert made.read_bytes() == (build.OUT / interview.file).read_bytes(), interview.file
    for coder, rows in build.codings(interviews).items():
        _, stored = read_csv(CORPORA / "codings" / f"transcripts_{coder}.csv")
        assert [[r[k] for k in ("source_id", "code", "start", "end")] for r in stored] == rows
