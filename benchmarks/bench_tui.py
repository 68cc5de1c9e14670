"""Coding-screen benchmark: the real ``qualcode code`` in a pseudo-terminal, 100,000 units.

Measures, end to end as a coder experiences them:

- key press -> coding stored and screen redrawn: the time from writing a code's key to
  the terminal until the app has finished writing the redrawn screen (the last byte
  before the output goes quiet), median and p99 over many presses;
- the same for ``d`` (mark done, find and open the next not-done unit), for ctrl+down
  (open the next unit) and, on a 300,000-character transcript, for coding a sentence and
  for page down;
- time to first paint: process start to the first unit's text on the terminal;
- all with ``--suggest off`` (no model fitted, no suggestion pane): the plain screen.
- peak memory: the child's maximum resident set size (``os.wait4``).

Baselines measured in the same run: a bare ``Store.add_coding`` call (the write every
code key makes, without any screen) and a minimal Textual app in the same terminal (first
paint, key -> redraw of one label, memory). Ratios divide qualcode's figure by the
baseline's.

    .venv/bin/python benchmarks/bench_tui.py            # 100,000 units, 300 presses
    .venv/bin/python benchmarks/bench_tui.py --units 20000 --presses 100 --dir /tmp/b
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import random
import select
import shutil
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qualcode.model import CodeKind, SourceRecord  # noqa: E402
from qualcode.storage import Store  # noqa: E402

COLUMNS, ROWS = 120, 36
QUIET = 0.12
"""Output silent this long after a key means the app has finished redrawing (the app
draws at most 60 frames a second, and a key can cause two or three frames)."""
KEYS = "abcefghi"
CTRL_DOWN, ALT_DOWN, PAGE_DOWN = "\x1b[1;5B", "\x1b[1;3B", "\x1b[6~"
WORDS = ("the patient felt group support was hard time fear family work pain meeting case "
         "talk listen leader session doctor nurse night shift relief shame anger trust").split()

HELLO_APP = '''
from textual.app import App
from textual.widgets import Static

class Hello(App):
    def compose(self):
        yield Static("HELLO-MARKER", id="label")
    def on_key(self, event):
        if event.key == "q":
            self.exit()
        self.query_one("#label").update(f"HELLO-MARKER {event.key} {id(event)}")

Hello().run()
'''


def sentence(rng: random.Random) -> str:
    """A pseudo-sentence of 6-16 words."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
    return " ".join(words).capitalize() + "."


def build_project(path: Path, units: int) -> None:
    """A project of ``units`` answers (about 200 characters each) and a ten-code codebook."""
    rng = random.Random(20)
    store = Store.create(path)
    store.import_sources(
        SourceRecord(f"U{i:06d}", " ".join(sentence(rng) for _ in range(2)),
                     metadata={"study": f"S{i % 12:02d}"}) for i in range(units))
    for theme_index, theme_name in enumerate(("Experience", "Barriers")):
        theme = store.add_code(theme_name, kind=CodeKind.THEME)
        for key in KEYS[theme_index * 4:theme_index * 4 + 4]:
            store.add_code(f"Code {key}", parent_id=theme.id, shortcut=key)
    store.close()


def build_long(path: Path, characters: int = 300_000) -> None:
    """A project holding one transcript of ``characters`` characters in paragraphs."""
    rng = random.Random(21)
    parts: list[str] = []
    size = 0
    while size < characters:
        paragraph = " ".join(sentence(rng) for _ in range(rng.randint(3, 8)))
        parts.append(paragraph)
        size += len(paragraph) + 2
    store = Store.create(path)
    store.import_sources([SourceRecord("T1", "\n\n".join(parts)[:characters])])
    theme = store.add_code("Experience", kind=CodeKind.THEME)
    for key in KEYS[:4]:
        store.add_code(f"Code {key}", parent_id=theme.id, shortcut=key)
    store.close()


# -- the pseudo-terminal ---------------------------------------------------------------
class Terminal:
    """A child process on a pseudo-terminal of COLUMNS x ROWS, read without blocking."""

    def __init__(self, argv: list[str]) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the program
            env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
                   "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
            os.execvpe(argv[0], argv, env)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.seen = b""

    def read_until(self, marker: bytes, timeout: float = 60.0) -> float:
        """Read until ``marker`` appears; return the time it arrived."""
        deadline = time.perf_counter() + timeout
        while marker not in self.seen:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{marker!r} never appeared")
            ready, _, _ = select.select([self.fd], [], [], 0.5)
            if ready:
                self.seen += os.read(self.fd, 1 << 16)
        return time.perf_counter()

    def settle(self, quiet: float = QUIET) -> tuple[float | None, float | None]:
        """Read until the output has been quiet for ``quiet`` s; return when the first and
        the last byte came."""
        first = last = None
        while True:
            ready, _, _ = select.select([self.fd], [], [], quiet)
            if not ready:
                return first, last
            chunk = os.read(self.fd, 1 << 16)
            if chunk:
                last = time.perf_counter()
                first = first or last

    def press(self, key: str) -> tuple[float, float]:
        """Write a key; return seconds until the redraw began and until it was complete."""
        self.settle()
        start = time.perf_counter()
        os.write(self.fd, key.encode())
        first, last = self.settle()
        if first is None or last is None:
            raise RuntimeError(f"key {key!r} caused no redraw")
        return first - start, last - start

    def quit(self) -> int:
        """Press q and return the child's peak resident memory in MB."""
        os.write(self.fd, b"q")
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.2)
                if ready:
                    os.read(self.fd, 1 << 16)
            except OSError:
                pass
            pid, _, usage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                os.close(self.fd)
                return usage.ru_maxrss // 1024
        raise TimeoutError("the app did not quit")


def qualcode(project: Path) -> list[str]:
    """The command a coder types, suggestions off: this measures the plain coding screen.

    ``qualcode code`` shows suggestions by default, which fits a model in the background;
    the screen with suggestions is ``bench_tui_suggest.py``'s, against this one.
    """
    return [str(Path(sys.executable).parent / "qualcode"), "code", str(project),
            "--coder", "bench", "--suggest", "off"]


def first_paint(argv: list[str], marker: bytes) -> tuple[float, Terminal]:
    """Start a program on a terminal; return seconds until ``marker`` is on screen."""
    terminal = Terminal(argv)
    painted = terminal.read_until(marker)
    terminal.settle(1.0)  # let start-up finish before any key is timed
    return painted - terminal.started, terminal


# -- measurements ------------------------------------------------------------------------
def summary(pairs: list[tuple[float, float]] | list[float]) -> dict[str, float]:
    """Median and 99th percentile in milliseconds of the complete redraw (the second of
    each pair), and the median of the first byte."""
    firsts = [p[0] if isinstance(p, tuple) else p for p in pairs]
    samples = [p[1] if isinstance(p, tuple) else p for p in pairs]
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"n": len(samples), "median": statistics.median(samples) * 1000, "p99": p99 * 1000,
            "first": statistics.median(firsts) * 1000}


def bare_add_coding(project: Path, calls: int) -> list[float]:
    """Time ``Store.add_coding`` alone (one committed transaction and event per call)."""
    store = Store.open(project)
    coder = store.coder("baseline")
    code_ids = [c.id for c in store.codebook() if c.codable]
    source_ids = [row[0] for row in store.db.execute("SELECT id FROM sources LIMIT ?",
                                                     [calls])]
    samples = []
    for index in range(calls):
        start = time.perf_counter()
        store.add_coding(coder.id, source_ids[index % len(source_ids)],
                         code_ids[index % len(code_ids)])
        samples.append(time.perf_counter() - start)
    store.close()
    return samples


def code_many_units(project: Path, presses: int) -> dict[str, object]:
    """Drive ``qualcode code`` on the big project: code keys, d, ctrl+down."""
    paint, terminal = first_paint(qualcode(project), b"U000000")
    code_keys, done_keys, next_keys = [], [], []
    for index in range(presses):
        code_keys.append(terminal.press(KEYS[index % len(KEYS)]))
        if index % 16 == 15:
            done_keys.append(terminal.press("d"))
        if index % 32 == 31:
            next_keys.append(terminal.press(CTRL_DOWN))
    memory = terminal.quit()
    store = Store.open(project)
    coder = store.coder("bench")
    stored = len(store.codings(coder_id=coder.id))
    events = len(store.events(coder_id=coder.id))
    store.close()
    return {"paint": paint, "code": code_keys, "done": done_keys, "next": next_keys,
            "memory": memory, "codings": stored, "events": events}


def code_long_text(project: Path, presses: int) -> dict[str, object]:
    """Drive ``qualcode code`` on one 300,000-character transcript."""
    paint, terminal = first_paint(qualcode(project), b"T1")
    code_keys, page_keys = [], []
    for index in range(presses):
        terminal.press(ALT_DOWN)  # select the next sentence (timed separately below)
        code_keys.append(terminal.press(KEYS[index % 4]))
        page_keys.append(terminal.press(PAGE_DOWN))
    memory = terminal.quit()
    return {"paint": paint, "code": code_keys, "page": page_keys, "memory": memory}


def hello_baseline(folder: Path, presses: int) -> dict[str, object]:
    """A minimal Textual app: first paint, key -> label redraw, memory."""
    script = folder / "hello_app.py"
    script.write_text(HELLO_APP, encoding="utf-8")
    paint, terminal = first_paint([sys.executable, str(script)], b"HELLO-MARKER")
    keys = [terminal.press(KEYS[index % len(KEYS)]) for index in range(presses)]
    return {"paint": paint, "key": keys, "memory": terminal.quit()}


def main() -> None:
    """Build the projects, run every measurement, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--presses", type=int, default=300)
    parser.add_argument("--dir", type=Path, help="keep projects here (default: temporary)")
    args = parser.parse_args()
    folder = args.dir or Path(tempfile.mkdtemp(prefix="qualcode-bench-tui-"))
    folder.mkdir(parents=True, exist_ok=True)
    pristine = folder / f"units-{args.units}.qualcode"
    if not pristine.exists():
        print(f"building a {args.units:,}-unit project ...", file=sys.stderr)
        build_project(pristine, args.units)
    big, baseline_copy = folder / "coding.qualcode", folder / "baseline.qualcode"
    for copy in (big, baseline_copy):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(pristine, copy)
    long_project = folder / "long.qualcode"
    if not long_project.exists():
        build_long(long_project)

    baseline = summary(bare_add_coding(baseline_copy, args.presses))
    hello = hello_baseline(folder, min(args.presses, 100))
    many = code_many_units(big, args.presses)
    long = code_long_text(long_project, max(10, args.presses // 10))
    if args.dir is None:
        shutil.rmtree(folder, ignore_errors=True)

    hello_key = summary(hello["key"])
    rows = [
        (f"code key -> stored + redrawn ({args.units:,} units)", summary(many["code"])),
        ("d -> done, next not-done unit shown", summary(many["done"])),
        ("ctrl+down -> next unit shown", summary(many["next"])),
        ("code key on a 300,000-char transcript", summary(long["code"])),
        ("page down on the transcript", summary(long["page"])),
        ("baseline: bare Store.add_coding", baseline),
        ("baseline: minimal Textual app, key -> redraw", hello_key),
    ]
    print(f"\n{args.units:,} units, {COLUMNS}x{ROWS} terminal, Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print("| measurement | n | first byte, median ms | complete, median ms | complete, p99 ms "
          "| median / add_coding | median / Textual key |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, stats in rows:
        print(f"| {label} | {stats['n']} | {stats['first']:.1f} | {stats['median']:.1f} | "
              f"{stats['p99']:.1f} | {stats['median'] / baseline['median']:.1f} | "
              f"{stats['median'] / hello_key['median']:.2f} |")
    print(f"\n| start-up and memory | qualcode ({args.units:,} units) | qualcode (300k-char "
          "text) | minimal Textual app | ratio (units / minimal) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| first paint, s | {many['paint']:.2f} | {long['paint']:.2f} | "
          f"{hello['paint']:.2f} | {many['paint'] / hello['paint']:.2f} |")
    print(f"| peak memory, MB | {many['memory']} | {long['memory']} | {hello['memory']} | "
          f"{many['memory'] / hello['memory']:.2f} |")
    expected = len(many["code"]) + len(many["done"])
    verdict = "every one stored" if many["events"] == expected else "MISSING ACTIONS"
    print(f"\nEvents logged for the coder: {many['events']} for {expected} code and d "
          f"presses ({verdict}); {many['codings']} codings live at the end.")


if __name__ == "__main__":
    main()
