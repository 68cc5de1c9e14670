"""User text is never read as markup: every command and screen shows it as typed.

CHAT transcripts hold ``[laughs]``, ``[inaudible]`` and ``[/]``; a name may hold
``[link=...]`` or ``[@click=...]``. Rich and Textual read such strings as markup wherever
a ``str`` reaches them, so the text vanished, a ``MarkupError`` crashed the command, or
the text became a hyperlink. The project below is built from :data:`HOSTILE` in every
place a user or a file can put text (source ids, texts, metadata, code names,
definitions, coder names, memos, file names); each command that shows text runs on it
with colours forced on, and must exit 0 with every string in its output literally and
no OSC-8 hyperlink. The screens are driven with Pilot and read back from what Textual
drew.
"""

from __future__ import annotations

import asyncio
import csv
import json
import re
import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers.robust_harness import Run
from qualcode.model import CodeKind, SourceRecord
from qualcode.storage import Store

HOSTILE = ("[laughs]", "[inaudible]", "[/]", "[bold]x[/bold]",
           "[link=https://example.com]click[/link]", "[@click=app.quit]x[/]", "[red", "\\[",
           "end\\", ":warning:", "[/bold]", "[b]a[i]b[/i][/b]")
"""Markup, a link, an action, broken tags, escapes, a trailing backslash, an emoji code."""

SGR = re.compile(r"\x1b\[[0-9;]*m")
OSC8 = "\x1b]8;"
CODED = len(HOSTILE)


def no_slash(text: str) -> str:
    """The string where '/' is refused (code names, file names): still markup-like."""
    return text.replace("/", "|")


def coder_name(i: int) -> str:
    """Coder ``i``'s name."""
    return f"coder{i}{HOSTILE[i]}"


def code_name(i: int) -> str:
    """Code ``i``'s name (under the theme)."""
    return f"code{i}{no_slash(HOSTILE[i])}"


THEME = f"Theme{no_slash(HOSTILE[3])}"


def source_id(i: int) -> str:
    """Source ``i``'s id: coded sources first, then the uncoded ones."""
    return f"id{i}{HOSTILE[i % CODED]}" if i < CODED else f"new{i}{HOSTILE[i % CODED]}"


def source_text(i: int) -> str:
    """Source ``i``'s text: short enough for every table to show it whole."""
    topic = ("dog", "cat", "owl")[i % 3]
    return f"Said {HOSTILE[i % CODED]} on {topic}{i}."


def build(path: Path) -> Path:
    """A closed project with HOSTILE strings in every field, coded by every coder."""
    with Store.create(path) as store:
        store.import_sources(
            SourceRecord(source_id(i), source_text(i), name=f"name{i}{HOSTILE[i % CODED]}",
                         metadata={f"key{HOSTILE[i % CODED]}": f"value{i}{HOSTILE[i % CODED]}"})
            for i in range(2 * CODED))
        theme = store.add_code(THEME, kind=CodeKind.THEME)
        codes = [store.add_code(code_name(i), parent_id=theme.id,
                                description=f"def{i}{HOSTILE[i]}",
                                examples=[f"ex{i}{HOSTILE[i]}"],
                                shortcut="[" if i == 0 else None).id
                 for i in range(CODED)]
        for j in range(CODED):
            coder = store.coder(coder_name(j))
            for i in range(CODED):
                source = store.source_by_external_id(source_id(i))
                store.add_coding(coder.id, source.id, codes[i])
                store.add_coding(coder.id, source.id, codes[(i + j) % CODED])
                unit = store.whole_unit(source.id)
                store.mark_done(unit.id, coder.id)
                store.set_memo("unit", unit.guid, f"memo{i}{HOSTILE[i]}", coder_id=coder.id)
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile project, built once; tests that write use a copy."""
    folder = tmp_path_factory.mktemp(f"markup{no_slash(HOSTILE[0])}")
    return build(folder / f"study{no_slash(HOSTILE[3])}{HOSTILE[7]}.qualcode")


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    """A copy of the hostile project for one test."""
    copy = tmp_path / built.name
    shutil.copy(built, copy)
    return copy


# -- the command line -------------------------------------------------------------------------
def qualcode(*args: object) -> Run:
    """Run qualcode as on a colour terminal 2000 columns wide (no table cuts a string)."""
    from qualcode.cli import main

    env = {"FORCE_COLOR": "1", "COLUMNS": "2000", "NO_COLOR": None, "TTY_COMPATIBLE": None}
    result = CliRunner(env=env).invoke(main, [str(a) for a in args], catch_exceptions=True)
    unexpected = (
        None if isinstance(result.exception, (SystemExit, type(None))) else result.exception
    )
    return Run(result.exit_code, result.stdout, result.stderr, unexpected)


def shown(run: Run, *, status: int = 0) -> str:
    """The plain text a run printed (colours taken out), after checking how it ended."""
    assert run.exception is None, f"raised {type(run.exception).__name__}: {run.exception}"
    assert run.exit_code == status, (run.exit_code, run.stdout[-800:], run.stderr[-800:])
    assert "Traceback" not in run.stderr
    both = run.stdout + run.stderr
    assert OSC8 not in both, "a hyperlink escape reached the terminal"
    return SGR.sub("", both)


def assert_literal(output: str, expected: Iterable[str]) -> None:
    """Every expected string is in the output exactly as typed."""
    missing = [text for text in expected if text not in output]
    assert not missing, f"not shown as typed: {missing!r}"


def test_status_shows_names_as_typed(project: Path) -> None:
    output = shown(qualcode("status", project))
    assert_literal(output, [str(project), THEME, *map(coder_name, range(CODED)),
                            *map(code_name, range(CODED))])


def test_codebook_show_prints_names_definitions_and_examples(project: Path) -> None:
    output = shown(qualcode("codebook", "show", project, "--definitions"))
    assert_literal(output, [str(project), THEME, "  [[]",
                            *(f"{heading}{i}{h}" for i, h in enumerate(HOSTILE)
                              for heading in ("def", "ex")),
                            *map(code_name, range(CODED))])


def test_agreement_table_and_disagreements(project: Path) -> None:
    names = [coder_name(i) for i in range(4)]
    output = shown(qualcode("agreement", project, "--coders", *names, "--disagreements"))
    assert_literal(output, [", ".join(names), f"{names[0]} vs {names[1]}",
                            f"Disagreements, {names[2]} vs {names[3]}",
                            *map(code_name, range(CODED)),
                            *(source_id(i) for i in range(CODED)),
                            *(source_text(i) for i in range(CODED))])


def test_stats_prints_rater_names_and_categories(tmp_path: Path) -> None:
    ratings = tmp_path / f"ratings{no_slash(HOSTILE[4])}.csv"
    with ratings.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", *HOSTILE[:3]])
        for i, h in enumerate(HOSTILE):
            writer.writerow([f"u{i}", h, h, HOSTILE[(i + 1) % CODED]])
    output = shown(qualcode("stats", ratings))
    assert_literal(output, [f"({', '.join(HOSTILE[:3])})", *HOSTILE])


@pytest.mark.parametrize("what", [["themes", "--no-studies"],
                                  ["matrix", "--rows", "code", "--cols", "source"],
                                  ["cooccurrence"]])
def test_exports_to_the_terminal(project: Path, what: list[str]) -> None:
    output = shown(qualcode("export", what[0], project, *what[1:], "--format", "csv",
                            "--layer", coder_name(2)))
    assert_literal(output, map(code_name, range(CODED)) if what[0] != "themes" else [THEME])


def test_codings_export_to_standard_output(project: Path) -> None:
    output = shown(qualcode("codings", "export", project, "--format", "jsonl"))
    rows = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    values = "\n".join(str(v) for row in rows for v in row.values())
    assert_literal(values, [coder_name(0), code_name(5), source_id(7)])


def test_log_shows_coders_and_payloads_as_typed(project: Path) -> None:
    output = shown(qualcode("log", project, "--last", "40"))
    with Store.open(project) as store:
        events = store.events()[-40:]
    details = [json.dumps(dict(e.payload), ensure_ascii=False) for e in events]
    assert_literal(output, [str(project), *(d if len(d) <= 70 else d[:69] + "…" for d in details),
                            coder_name(CODED - 1)])


def test_suggest_and_evaluate_show_ids_texts_and_codes(project: Path) -> None:
    output = shown(qualcode("suggest", project, "--coder", coder_name(1)))
    assert_literal(output, [coder_name(1), *(source_id(i) for i in range(CODED, 2 * CODED)),
                            *(source_text(i) for i in range(CODED, 2 * CODED))])
    assert any(f"{THEME}/{code_name(i)}" in output for i in range(CODED))
    output = shown(qualcode("evaluate", project, "--coder", coder_name(1)))
    assert_literal(output, [coder_name(1), *(f"{THEME}/{code_name(i)}" for i in range(CODED))])


def test_discover_shows_example_units_as_typed(project: Path) -> None:
    found = json.loads(shown(qualcode("discover", project, "--clusters", "2", "--format",
                                      "json")))
    examples = [f"{e['source']}: {e['text']}" for c in found["candidates"] for e in c["examples"]]
    assert examples
    assert_literal(shown(qualcode("discover", project, "--clusters", "2")), examples)


def test_check_findings_quote_what_is_wrong(project: Path) -> None:
    from qualcode.storage.check import check_project

    conn = sqlite3.connect(project)
    with conn:
        conn.execute('UPDATE codings SET "end" = "end" + 1000 WHERE id = '
                     "(SELECT min(id) FROM codings)")
    conn.close()
    findings = check_project(project)
    assert findings
    output = shown(qualcode("check", project), status=1)
    assert_literal(output, [*(f.message for f in findings), *(f.severity for f in findings)])
    # The title wraps at the table's width: compare it without the line breaks.
    assert_literal(re.sub(r"\s+", "", output), [re.sub(r"\s+", "", f"qualcode check {project}")])


def test_undo_redo_and_error_lines_quote_names(project: Path) -> None:
    assert "Undid event" in shown(qualcode("undo", project, "--coder", coder_name(4)))
    assert "Redid event" in shown(qualcode("redo", project, "--coder", coder_name(4)))
    with Store.open(project) as store:
        idle = store.coder(f"idle{HOSTILE[5]}").name
    assert_literal(shown(qualcode("undo", project, "--coder", idle)),
                   [f"Nothing more to undo for {idle}."])
    for h in HOSTILE:
        output = shown(qualcode("log", project, "--coder", f"nobody{h}"), status=1)
        assert_literal(output, [repr(f"nobody{h}")])
        missing = project.parent / f"missing{no_slash(h)}.csv"
        assert_literal(shown(qualcode("import", project, missing), status=1), [str(missing)])


def test_import_and_merge_reports(project: Path, tmp_path: Path) -> None:
    corpus = tmp_path / f"corpus{no_slash(HOSTILE[3])}{HOSTILE[7]}.csv"
    with corpus.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        for i, h in enumerate(HOSTILE):
            writer.writerow([f"blank{i}{h}", ""])
        writer.writerow(["full", "some text"])
    run = qualcode("import", project, corpus, "--skip-empty")
    shown(run)
    # The progress line (on a terminal) names the file too.
    assert_literal(SGR.sub("", run.stdout), [str(corpus)])
    assert_literal(SGR.sub("", run.stderr), [f"Importing {corpus.name}"])
    other = build(tmp_path / f"other{no_slash(HOSTILE[5])}{HOSTILE[8]}.qualcode")
    with Store.open(other) as store:
        store.coder(f"late{HOSTILE[4]}")
        store.add_code(f"extra{no_slash(HOSTILE[6])}")
    output = shown(qualcode("merge", project, other, "--prefer", "theirs"))
    assert_literal(output, [str(other), str(project)])
    output = shown(qualcode("undo", project, "--coder", coder_name(0)))
    assert_literal(output, [str(other)])


@pytest.mark.parametrize("control", ["\x1b]8;;https://example.com\x1b\\click\x1b]8;;\x1b\\",
                                     "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x9b31m"])
def test_control_characters_in_a_text_never_reach_the_terminal(tmp_path: Path,
                                                                control: str) -> None:
    """An escape sequence imported in a text is shown as visible symbols, not obeyed."""
    from qualcode.interchange.literal import visible

    project = tmp_path / "study.qualcode"
    with Store.create(project) as store:
        store.import_sources([SourceRecord(f"esc{control}", f"before {control} after"),
                              SourceRecord("plain", "nothing odd")])
        store.add_code("Listening")
        store.coder("alice")
    run = qualcode("suggest", project, "--coder", "alice")
    output = shown(run)
    assert "\x1b]" not in run.stdout and "\x07" not in run.stdout and "\x9b" not in run.stdout
    assert_literal(output, [visible(f"esc{control}"), visible(f"before {control} after")])


# -- the screens --------------------------------------------------------------------------------
def drawn(app: object) -> str:
    """What the app's top screen shows now, as text; no part of it is a link or an action
    that came from user text."""
    strips = app.screen._compositor.render_strips()  # type: ignore[attr-defined]
    for strip in strips:
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            assert "example.com" not in (style.link or ""), segment.text
            assert "app.quit" not in repr(style.meta.get("@click", "")), segment.text
    return "\n".join(strip.text for strip in strips)


def run_screens(app: object, scenario: object, size: tuple[int, int] = (240, 80)) -> None:
    """Drive ``app`` headless through ``scenario(pilot, app)`` to the end, toasts shown."""

    async def run() -> None:
        async with app.run_test(size=size, notifications=True) as pilot:  # type: ignore[attr-defined]
            await settle(pilot)
            await scenario(pilot, app)  # type: ignore[operator]

    asyncio.run(run())


async def settle(pilot: object) -> None:
    """Let workers finish and the screen redraw."""
    for _ in range(3):
        await pilot.pause()  # type: ignore[attr-defined]
        await pilot.app.workers.wait_for_complete()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


def test_coding_screen_and_its_dialogs_show_text_as_typed(project: Path) -> None:
    from textual.widgets import Select

    from qualcode.tui.app import make_app
    from qualcode.tui.dialogs.search import SearchDialog
    from qualcode.tui.screens.coding import CodingScreen

    seen: list[str] = []

    async def scenario(pilot: object, app: object) -> None:
        screen = app.screen  # type: ignore[attr-defined]
        assert isinstance(screen, CodingScreen)
        for i in range(CODED):
            with Store.open(project) as store:
                unit = store.whole_unit(store.source_by_external_id(source_id(i)).id)
            screen.open_unit(unit.id)
            await settle(pilot)
            text = drawn(app)
            assert_literal(text, [source_id(i), source_text(i), f"key{HOSTILE[i]}=",
                                  f"value{i}{HOSTILE[i]}", code_name(i), coder_name(1),
                                  f"name{i}{HOSTILE[i]}"])
            seen.append(text)
        await pilot.press("m")  # type: ignore[attr-defined]
        await settle(pilot)
        seen.append(drawn(app))
        await pilot.press("escape", "question_mark")  # type: ignore[attr-defined]
        await settle(pilot)
        seen.append(drawn(app))
        await pilot.press("escape", "slash")  # type: ignore[attr-defined]
        await settle(pilot)
        assert isinstance(app.screen, SearchDialog)  # type: ignore[attr-defined]
        app.screen.query_one("#field", Select).value = f"key{HOSTILE[10]}"  # type: ignore[attr-defined]
        with Store.open(project) as store:
            chosen = store.codebook().find(code_name(3))[0].id
        app.screen.query_one("#code", Select).value = chosen  # type: ignore[attr-defined]
        await settle(pilot)
        seen.append(drawn(app))
        await pilot.press("escape", "ctrl+p")  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press(*"Apply code")  # type: ignore[attr-defined]
        await settle(pilot)
        seen.append(drawn(app))
        await pilot.press("escape")  # type: ignore[attr-defined]

    with Store.open(project) as store:
        run_screens(make_app(store, coder_name(0), reveal=True), scenario, size=(400, 80))
    coding, memo, keys, search, palette = seen[CODED - 1:]
    assert_literal("\n".join(seen[:CODED]), [coder_name(0), THEME,
                                               *map(code_name, range(CODED))])
    assert_literal(memo, [f"Memo on unit {source_id(CODED - 1)}", f"memo{CODED - 1}{HOSTILE[-1]}"])
    assert_literal(keys, [f"{THEME}/{code_name(0)}"])
    assert_literal(search, [f"key{HOSTILE[10]}", f"{code_name(3)}  ({THEME})"])
    assert f"Apply code: {THEME}/" in palette


def test_agreement_and_frequencies_screens_show_names_as_typed(project: Path) -> None:
    from qualcode.tui.app import make_app
    from qualcode.tui.screens.agreement import AgreementScreen
    from qualcode.tui.screens.frequencies import FrequenciesScreen

    seen: list[str] = []
    pair = (coder_name(3), coder_name(4))

    async def scenario(pilot: object, app: object) -> None:
        with Store.open(project) as store:
            app.push_screen(AgreementScreen(store, pair))  # type: ignore[attr-defined]
            await settle(pilot)
            seen.append(drawn(app))
            app.pop_screen()  # type: ignore[attr-defined]
            app.push_screen(FrequenciesScreen(store))  # type: ignore[attr-defined]
            await settle(pilot)
            seen.append(drawn(app))

    with Store.open(project) as store:
        run_screens(make_app(store, coder_name(0), reveal=True), scenario, size=(900, 90))
    agreement, frequencies = seen
    assert_literal(agreement, [f"Agreement: {pair[0]} vs {pair[1]}", THEME,
                               *map(code_name, range(CODED))])
    # The name column is 30 cells wide: a longer name is cut, the rest must be as typed.
    assert_literal(frequencies, [*map(coder_name, range(CODED)), THEME,
                                 *(code_name(i)[:26] for i in range(CODED)),
                                 f"per-theme κ: {coder_name(0)} vs {coder_name(1)}"])


def test_adjudication_screen_picker_and_report(project: Path) -> None:
    from qualcode.tui.adjudication_app import make_adjudication_app

    seen: list[str] = []

    async def scenario(pilot: object, app: object) -> None:
        seen.append(drawn(app))
        await pilot.press("e")  # type: ignore[attr-defined]
        await settle(pilot)
        seen.append(drawn(app))
        await pilot.press("escape", "a")  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("c")  # type: ignore[attr-defined]
        await settle(pilot)
        seen.append(drawn(app))

    with Store.open(project) as store:
        app = make_adjudication_app(store, f"judge{HOSTILE[6]}", coder_name(2), coder_name(5))
        run_screens(app, scenario)
        key = app.session.units[0].key
        first = store.source_by_external_id(key)
    screen, picker, report = seen
    assert_literal(screen, [f"A: {coder_name(2)}", f"B: {coder_name(5)}", key, first.text,
                            *(str(v) for v in first.metadata.values()),
                            f"judge{HOSTILE[6]}: {coder_name(2)} vs {coder_name(5)}"])
    assert_literal(picker, [f"Consensus codes for {key}", *map(code_name, range(CODED))])
    assert_literal(report, [f"{coder_name(2)} vs consensus"])


def test_discovery_screen_shows_candidates_as_typed(project: Path) -> None:
    from qualcode.tui.app import make_app
    from qualcode.tui.screens.discovery import DiscoveryScreen

    seen: list[str] = []
    found: list[object] = []

    async def scenario(pilot: object, app: object) -> None:
        screen = DiscoveryScreen(app.session, clusters=2)  # type: ignore[attr-defined]
        app.push_screen(screen)  # type: ignore[attr-defined]
        await settle(pilot)
        found.append(screen.result)
        seen.append(drawn(app))

    with Store.open(project) as store:
        run_screens(make_app(store, coder_name(0)), scenario)
    [result] = found
    assert result is not None and result.candidates  # type: ignore[attr-defined]
    candidate = result.candidates[0]  # type: ignore[attr-defined]
    assert_literal(seen[0], [f"1. {candidate.label}",
                             *(f"{e.source} {e.text}" for e in candidate.examples)])


def test_undo_after_a_merge_notifies_the_file_name_as_typed(project: Path,
                                                             tmp_path: Path) -> None:
    from qualcode.tui.app import make_app

    other = build(tmp_path / f"other{no_slash(HOSTILE[4])}{HOSTILE[8]}.qualcode")
    with Store.open(other) as store:
        store.add_code(f"extra{no_slash(HOSTILE[6])}")
    shown(qualcode("merge", project, other, "--prefer", "ours"))
    seen: list[str] = []

    async def scenario(pilot: object, app: object) -> None:
        from textual.widgets._toast import Toast

        await pilot.press("u")  # type: ignore[attr-defined]
        await settle(pilot)
        drawn(app)
        seen.extend(toast.render().plain for toast in app.screen.query(Toast))  # type: ignore[attr-defined]

    with Store.open(project) as store:
        run_screens(make_app(store, coder_name(0)), scenario)
    assert any(text.startswith(f"{other.name} was merged in") for text in seen), seen
