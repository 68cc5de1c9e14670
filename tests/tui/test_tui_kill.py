"""Killing ``qualcode code`` loses nothing the screen showed as saved.

The real command runs in a pseudo-terminal; the test waits until the screen says
"saved: ..." for a coding, a done mark and a memo, kills the process with SIGKILL (no
chance to clean up), and reads the project file.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from pathlib import Path

import pytest

from helpers.tui_project import build_project
from qualcode.storage import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


class Screen:
    """The app on a pseudo-terminal, with what it has written so far."""

    def __init__(self, project: Path) -> None:
        argv = [str(Path(sys.executable).parent / "qualcode"), "code", str(project),
                "--coder", "alice"]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execvpe(argv[0], argv, {**os.environ, "TERM": "xterm-256color",
                                        "COLUMNS": "100", "LINES": "30"})
        self.output = b""

    def wait_for(self, text: str, timeout: float = 30.0) -> None:
        """Read the terminal until ``text`` has been drawn."""
        deadline = time.monotonic() + timeout
        while text.encode() not in self.output:
            assert time.monotonic() < deadline, f"{text!r} never appeared on screen"
            ready, _, _ = select.select([self.fd], [], [], 0.2)
            if ready:
                self.output += os.read(self.fd, 1 << 16)

    def press(self, keys: str) -> None:
        """Type keys (escape sequences allowed)."""
        os.write(self.fd, keys.encode())

    def kill(self) -> None:
        """SIGKILL the app: no exit handlers, no flushing, nothing."""
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)


def test_sigkill_after_saved_keeps_every_action(tmp_path: Path) -> None:
    path = tmp_path / "study.qualcode"
    build_project(path).close()
    screen = Screen(path)
    try:
        screen.wait_for("R001")
        screen.press("f")
        screen.wait_for("saved: +Fear")
        screen.press("\x1b[1;3B")  # alt+down: select the first sentence
        screen.wait_for("selected chars")
        screen.press("s")
        screen.wait_for("saved: +Support")
        screen.press("m")
        screen.wait_for("Memo on")
        screen.press("keep this")
        screen.wait_for("keep this")
        screen.press("\x13")  # ctrl+s
        screen.wait_for("saved: memo")
        screen.press("d")
        screen.wait_for("saved: R001 done")
    finally:
        screen.kill()
    with Store.open(path) as store:
        alice = store.coder("alice", create=False)
        r1 = store.source_by_external_id("R001")
        names = sorted(store.code(c.code_id).name for c in store.codings(coder_id=alice.id))
        assert names == ["Fear", "Support"]
        unit = store.whole_unit(r1.id)
        assert store.is_done(unit.id, alice.id)
        assert [m.text for m in store.memos("coding", store.codings(coder_id=alice.id)[1].guid)
                + store.memos("unit", unit.guid)] == ["keep this"]
        assert store.integrity_ok()
