"""Regenerate docs/keyboard.md and the README's keyboard block from qualcode/tui/keys.py.

Run after changing the key table: ``.venv/bin/python tools/update_keyboard_docs.py``.
The tests fail until the documents match the table.
"""

from __future__ import annotations

import re
from pathlib import Path

from qualcode.tui.keys import keyboard_markdown

ROOT = Path(__file__).resolve().parents[1]
START = "<!-- keyboard:start (generated from qualcode/tui/keys.py; tests check it) -->"
END = "<!-- keyboard:end -->"


def readme_keyboard_block() -> str:
    """The keyboard tables as the README shows them (headings one level down, no title)."""
    lines = keyboard_markdown().splitlines()[1:]
    return "\n".join(("####" + line[2:]) if line.startswith("## ") else line
                     for line in lines).strip()


def main() -> None:
    """Rewrite both documents in place."""
    (ROOT / "docs" / "keyboard.md").write_text(keyboard_markdown() + "\n", encoding="utf-8")
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    pattern = re.compile(re.escape(START) + r"\n.*?\n" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit("README.md has no keyboard block to replace")
    block = f"{START}\n{readme_keyboard_block()}\n{END}"
    readme.write_text(pattern.sub(lambda _: block, text, count=1), encoding="utf-8")


if __name__ == "__main__":
    main()
