"""The keyboard contract of the coding screen, in one table.

Bindings, the help screen and ``docs/keyboard.md`` are all generated from :data:`KEYS`,
so they cannot drift apart. Printable keys other than ``d u m q r ? /`` belong to the
codebook (a code's shortcut), so every other command uses keys that type nothing:
control and alt combinations, arrows, Tab, Enter, Escape, Delete.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.model import RESERVED_KEYS


@dataclass(frozen=True, slots=True)
class Key:
    """One row of the keyboard table.

    ``binding`` is the Textual key string (comma-separated alternatives) or ``None`` for
    a row that documents behaviour handled elsewhere (code shortcuts, the mouse).
    """

    shown: str
    description: str
    where: str
    action: str | None = None
    binding: str | None = None
    footer: str | None = None


ANYWHERE = "anywhere"
TEXT = "text pane"
QUEUE = "unit queue"
CODEBOOK = "codebook"

KEYS: tuple[Key, ...] = (
    Key("a code's key", "Toggle that code on the selection, or on the whole unit when "
        "nothing is selected", ANYWHERE),
    Key("d", 'Mark the unit done (with or without codes: "no code applies" is a decision) '
        "and go to the next not-done unit", ANYWHERE, "done_next", "d", "Done"),
    Key("u", "Undo your last action (press again to undo more)", ANYWHERE, "undo", "u", "Undo"),
    Key("r", "Redo what you undid", ANYWHERE, "redo", "r", "Redo"),
    Key("m", "Memo on the coding under the cursor, or on the unit", ANYWHERE, "memo", "m",
        "Memo"),
    Key("/", "Search and filter the unit queue (text, done, code, metadata)", ANYWHERE,
        "search", "slash", "Search"),
    Key("?", "This help", ANYWHERE, "help", "question_mark", "Help"),
    Key("q", "Quit (everything is already saved)", ANYWHERE, "quit", "q", "Quit"),
    Key("ctrl+↓ / ctrl+↑", "Next / previous unit in the queue", ANYWHERE, "next_unit",
        "ctrl+down"),
    Key("", "", ANYWHERE, "previous_unit", "ctrl+up"),
    Key("ctrl+g", "Go to the next not-done unit (without marking this one)", ANYWHERE,
        "next_not_done", "ctrl+g"),
    Key("ctrl+n", "Add a code to the shared codebook", ANYWHERE, "add_code", "ctrl+n"),
    Key("alt+1 / alt+2 / alt+3", "Accept suggestion 1, 2 or 3: apply its code to the selection, "
        "or the whole unit, as its key would (u undoes it; on a Mac, Option+1/2/3)", ANYWHERE,
        "accept_suggestion_1", "alt+1,inverted_exclamation_mark"),
    # Most terminals send alt+digit as ESC digit, which Textual reads as the character
    # macOS types for Option+digit (¡ ™ £): bind both spellings.
    Key("", "", ANYWHERE, "accept_suggestion_2", "alt+2,trade_mark_sign"),
    Key("", "", ANYWHERE, "accept_suggestion_3", "alt+3,pound_sign"),
    Key("ctrl+o", "Switch the queue between queue order and most uncertain first (the "
        "suggester's least sure units)", ANYWHERE, "toggle_order", "ctrl+o"),
    Key("ctrl+e", "Explore candidate themes among the units nobody has coded; make one a "
        "new code",
        ANYWHERE, "discover", "ctrl+e"),
    # Bound on the app (tui/app.py), so they work from every screen: documented here only.
    Key("ctrl+k", "Agreement screen: kappa and its peers per theme and code, with CI bars "
        "(asks first while you code blind)", ANYWHERE),
    Key("ctrl+t", "Code and theme frequencies per coder, as bar charts (asks first while "
        "you code blind)", ANYWHERE),
    Key("ctrl+x", "Pin the selection (or the unit) as an exemplar quote of its code (of the "
        "code highlighted in the codebook when several are there): the theme table shows it "
        "first", ANYWHERE, "pin_quote", "ctrl+x"),
    Key("ctrl+f", "Filter the codebook by typing", ANYWHERE, "filter_codes", "ctrl+f"),
    Key("ctrl+l", "Show or hide the unit queue (below 110 columns it takes the codebook's "
        "place)", ANYWHERE, "toggle_queue", "ctrl+l"),
    Key("ctrl+s", "Show or hide the suggestions pane (the codebook gets its rows)", ANYWHERE,
        "toggle_suggestions", "ctrl+s"),
    Key("ctrl+y", "Show or hide the code definition box under the codebook (the tree gets "
        "its rows)", ANYWHERE, "toggle_definitions", "ctrl+y"),
    Key("ctrl+d", "Unit details: every metadata field of the unit's source, whole "
        "(scrollable; escape closes)", ANYWHERE, "unit_details", "ctrl+d"),
    Key("escape", "Back to the text pane", ANYWHERE, "focus_text", "escape"),
    Key("ctrl+p", "Command palette: every action by name", ANYWHERE),
    Key("tab / shift+tab", "Move between queue, text and codebook", ANYWHERE),
    Key("arrows, page up/down, home/end", "Move the cursor (ctrl+home / ctrl+end: start / "
        "end of the text)", TEXT),
    Key("shift + arrows / home / end", "Select by character or line", TEXT),
    Key("ctrl+← / ctrl+→", "Move by word", TEXT),
    Key("alt+→ / alt+← (or ctrl+shift+→ / ←)", "Extend the selection by a word", TEXT),
    Key("alt+↓ / alt+↑ (or ctrl+shift+↓ / ↑)", "Extend the selection by a sentence (the "
        "first press selects the sentence at the cursor)", TEXT),
    Key("escape", "Clear the selection", TEXT),
    Key("delete / backspace", "Remove your coding under the cursor (innermost first)", TEXT),
    Key("mouse", "Click to place the cursor, drag to select, double-click a word, "
        "triple-click a sentence", TEXT),
    Key("↑ ↓, page up/down, home/end", "Move in the queue", QUEUE),
    Key("enter / click", "Open the unit", QUEUE),
    Key("↑ ↓, enter / double-click", "Pick a code; enter toggles it on the selection or unit",
        CODEBOOK),
    Key("typing in the filter box", "Narrow the tree; enter applies the first match, escape "
        "clears and returns to the text", CODEBOOK),
)


def bindings(where: str) -> list[tuple[str, str, str, bool]]:
    """Return ``(keys, action, description, show)`` for the bindings of one area."""
    result = []
    for key in KEYS:
        if key.where == where and key.binding and key.action:
            result.append((key.binding, key.action, key.footer or key.description,
                           key.footer is not None))
    return result


def keyboard_markdown() -> str:
    """Return the keyboard table as Markdown (the help screen and docs/keyboard.md)."""
    lines = ["# Keyboard", "",
             "Code shortcut keys come from the codebook; "
             f"`{' '.join(sorted(RESERVED_KEYS))}` are reserved for the screen.", ""]
    for where in (ANYWHERE, TEXT, QUEUE, CODEBOOK):
        lines += [f"## {where.capitalize()}", "", "| Key | Action |", "|---|---|"]
        for key in KEYS:
            if key.where == where and key.shown:
                shown = key.shown.replace("|", "\\|")
                lines.append(f"| {shown} | {key.description} |")
        lines.append("")
    return "\n".join(lines)
