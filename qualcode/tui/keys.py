"""The keyboard contract of every screen, in one table.

Each row names the screen it belongs to (the coding screen, the app around it, the
agreement, frequencies and adjudication screens). Every screen's bindings, its help, the
command palette's entries, ``docs/keyboard.md`` and the README's keyboard block are all
generated from :data:`KEYS`, so they cannot drift apart. On the coding screen printable
keys other than ``d u m q r ? /`` belong to the codebook (a code's shortcut), so every
other command uses keys that type nothing: control and alt combinations, arrows, Tab,
Enter, Escape, Delete.
"""

from __future__ import annotations

from dataclasses import dataclass

from qualcode.model import RESERVED_KEYS


@dataclass(frozen=True, slots=True)
class Key:
    """One row of the keyboard table.

    ``binding`` is the Textual key string (comma-separated alternatives) or ``None`` for
    a row that documents behaviour handled elsewhere (code shortcuts, the mouse). A row
    with an empty ``shown`` is left out of the help and the documents (a second binding
    of the row above it, or a palette command without a key). ``show`` overrides whether
    the footer shows the key (by default: when it has a ``footer`` label); ``palette`` is
    the command palette's title for the action (the key is added in brackets).
    """

    shown: str
    description: str
    where: str
    action: str | None = None
    binding: str | None = None
    footer: str | None = None
    screen: str = "coding"
    show: bool | None = None
    palette: str | None = None


CODING = "coding"
APP = "app"
AGREEMENT = "agreement"
FREQUENCIES = "frequencies"
ADJUDICATION = "adjudication"


ANYWHERE = "anywhere"
TEXT = "text pane"
QUEUE = "unit queue"
CODEBOOK = "codebook"
AGREEMENT_AREA = "agreement screen (ctrl+k)"
FREQUENCIES_AREA = "frequencies screen (ctrl+t)"
ADJUDICATION_AREA = "adjudication screen (qualcode adjudicate)"
AREAS = (ANYWHERE, TEXT, QUEUE, CODEBOOK, AGREEMENT_AREA, FREQUENCIES_AREA, ADJUDICATION_AREA)
KEY_NAMES = {"slash": "/", "question_mark": "?"}

KEYS: tuple[Key, ...] = (
    Key("a code's key", "Toggle that code on the selection, or on the whole unit when "
        "nothing is selected", ANYWHERE),
    Key("d", 'Mark the unit done (with or without codes: "no code applies" is a decision) '
        "and go to the next not-done unit", ANYWHERE, "done_next", "d", "Done",
        palette="Done and next"),
    Key("", "Take back the done mark of this unit", ANYWHERE, "mark_not_done",
        palette="Mark not done"),
    Key("u", "Undo your last action (press again to undo more)", ANYWHERE, "undo", "u", "Undo",
        palette="Undo"),
    Key("r", "Redo what you undid", ANYWHERE, "redo", "r", "Redo", palette="Redo"),
    Key("m", "Memo on the coding under the cursor, or on the unit", ANYWHERE, "memo", "m",
        "Memo", palette="Memo"),
    Key("/", "Search and filter the unit queue (text, done, code, metadata)", ANYWHERE,
        "search", "slash", "Search", palette="Search units"),
    Key("", "Show every unit in the queue", ANYWHERE, "clear_filter",
        palette="Clear the unit filter"),
    Key("?", "This help", ANYWHERE, "help", "question_mark", "Help", palette="Help"),
    Key("q", "Quit (everything is already saved)", ANYWHERE, "quit", "q", "Quit"),
    Key("ctrl+↓ / ctrl+↑", "Next / previous unit in the queue", ANYWHERE, "next_unit",
        "ctrl+down", palette="Next unit"),
    Key("", "Open the previous unit of the queue", ANYWHERE, "previous_unit", "ctrl+up",
        palette="Previous unit"),
    Key("ctrl+g", "Go to the next not-done unit (without marking this one)", ANYWHERE,
        "next_not_done", "ctrl+g", palette="Next not-done unit"),
    Key("ctrl+n", "Add a code to the shared codebook", ANYWHERE, "add_code", "ctrl+n",
        palette="Add a code"),
    Key("alt+1 / alt+2 / alt+3", "Accept suggestion 1, 2 or 3: apply its code to the selection, "
        "or the whole unit, as its key would (u undoes it; on a Mac, Option+1/2/3)", ANYWHERE,
        "accept_suggestion_1", "alt+1,inverted_exclamation_mark",
        palette="Accept suggestion 1"),
    # Most terminals send alt+digit as ESC digit, which Textual reads as the character
    # macOS types for Option+digit (¡ ™ £): bind both spellings.
    Key("", "Apply the second suggested code", ANYWHERE, "accept_suggestion_2",
        "alt+2,trade_mark_sign", palette="Accept suggestion 2"),
    Key("", "Apply the third suggested code", ANYWHERE, "accept_suggestion_3",
        "alt+3,pound_sign", palette="Accept suggestion 3"),
    Key("ctrl+o", "Switch the queue between queue order and most uncertain first (the "
        "suggester's least sure units)", ANYWHERE, "toggle_order", "ctrl+o",
        palette="Queue order: most uncertain first / queue order"),
    Key("ctrl+e", "Explore candidate themes among the units nobody has coded; make one a "
        "new code",
        ANYWHERE, "discover", "ctrl+e", palette="Candidate themes"),
    # Bound on the app (tui/app.py), so they work from every screen.
    Key("ctrl+k", "Agreement screen: kappa and its peers per theme and code, with CI bars "
        "(asks first while you code blind)", ANYWHERE, "statistics('agreement')", "ctrl+k",
        "Agreement", screen=APP, show=False, palette="Agreement with other coders"),
    Key("ctrl+t", "Code and theme frequencies per coder, as bar charts (asks first while "
        "you code blind)", ANYWHERE, "statistics('frequencies')", "ctrl+t", "Frequencies",
        screen=APP, show=False, palette="Code frequencies"),
    Key("ctrl+x", "Pin the selection (or the unit) as an exemplar quote of its code (of the "
        "code highlighted in the codebook when several are there): the theme table shows it "
        "first", ANYWHERE, "pin_quote", "ctrl+x", palette="Pin an exemplar quote"),
    Key("ctrl+f", "Filter the codebook by typing", ANYWHERE, "filter_codes", "ctrl+f",
        palette="Filter the codebook"),
    Key("ctrl+l", "Show or hide the unit queue (below 110 columns it takes the codebook's "
        "place)", ANYWHERE, "toggle_queue", "ctrl+l", palette="Show or hide the unit queue"),
    Key("ctrl+s", "Show or hide the suggestions pane (the codebook gets its rows)", ANYWHERE,
        "toggle_suggestions", "ctrl+s", palette="Show or hide the suggestions"),
    Key("ctrl+y", "Show or hide the code definition box under the codebook (the tree gets "
        "its rows)", ANYWHERE, "toggle_definitions", "ctrl+y",
        palette="Show or hide the code definitions"),
    Key("ctrl+d", "Unit details: every metadata field of the unit's source, whole "
        "(scrollable; escape closes)", ANYWHERE, "unit_details", "ctrl+d",
        palette="Unit details"),
    Key("escape", "Back to the text pane", ANYWHERE, "focus_text", "escape",
        palette="Back to the text"),
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
    # Bound on the text widget (tui/widgets/coded_text.py); the palette runs the screen's.
    Key("delete / backspace", "Remove your coding under the cursor (innermost first)", TEXT,
        "remove_under_cursor", palette="Remove coding under cursor"),
    Key("mouse", "Click to place the cursor, drag to select, double-click a word, "
        "triple-click a sentence", TEXT),
    Key("↑ ↓, page up/down, home/end", "Move in the queue", QUEUE),
    Key("enter / click", "Open the unit", QUEUE),
    Key("↑ ↓, enter / double-click", "Pick a code; enter toggles it on the selection or unit",
        CODEBOOK),
    Key("typing in the filter box", "Narrow the tree; enter applies the first match, escape "
        "clears and returns to the text", CODEBOOK),
    # -- the agreement screen (tui/screens/agreement.py) --
    *(Key(shown, text, AGREEMENT_AREA, action, binding, label, screen=AGREEMENT, show=show)
      for shown, binding, action, label, text, show in (
          ("s", "s", "sort", "Sort", "Sort by the next column (codebook order, n, %, κ, CI "
           "width, AC1, PABAK); codes stay under their theme", None),
          ("i", "i", "invert", "Invert", "Reverse the sort order", None),
          ("p", "p", "pair", "Pair", "Next pair of coders (and each coder with the consensus)",
           None),
          ("l", "l", "level", "Level", "Themes and codes, themes only, codes only", None),
          ("n", "n", "unit", "Unit", "Unit of analysis: source, sentence, paragraph", None),
          ("?", "question_mark", "help", "Help", "This help", None),
          ("q", "q", "leave", "Back", "Back (or quit)", None),
          ("escape", "escape", "leave", "Back", "Back (or quit)", False))),
    # -- the frequencies screen (tui/screens/frequencies.py) --
    *(Key(shown, text, FREQUENCIES_AREA, action, binding, label, screen=FREQUENCIES,
          show=show)
      for shown, binding, action, label, text, show in (
          ("p", "p", "pair", "Pair", "Per-theme kappa of the next pair of coders", None),
          ("?", "question_mark", "help", "Help", "This help", None),
          ("q", "q", "leave", "Back", "Back (or quit)", None),
          ("escape", "escape", "leave", "Back", "Back (or quit)", False))),
    # -- the adjudication screen (tui/screens/adjudication.py) --
    *(Key(shown, text, ADJUDICATION_AREA, action, binding, label, screen=ADJUDICATION,
          show=show)
      for shown, binding, action, label, text, show in (
          ("a", "a", "decide('a')", "A", "Take A: the unit as the first coder coded it", None),
          ("b", "b", "decide('b')", "B", "Take B: the unit as the second coder coded it", None),
          ("o", "o", "decide('both')", "Both", "Both: every code either coder applied", None),
          ("n", "n", "decide('neither')", "Neither",
           "Neither: drop the disputed codes, keep the agreed ones", None),
          ("e", "e", "edit", "Edit", "Edit: tick the consensus codes yourself", None),
          ("u", "u", "undo", "Undo", "Undo your last decision (again to undo more)", None),
          ("r", "r", "redo", "Redo", "Redo what you undid", False),
          ("→", "right", "go(1)", "Next", "Next disputed unit (settled or not)", False),
          ("←", "left", "go(-1)", "Prev", "Previous disputed unit", False),
          ("s", "s", "skip", "Skip", "Skip to the next unsettled unit", None),
          ("g", "g", "copy_agreed", "Copy agreed units",
           "Copy the units the coders agreed on into the consensus", False),
          ("c", "c", "report", "Report", "Each coder's agreement with the consensus", None),
          ("?", "question_mark", "help", "Help", "This help", None),
          ("q", "q", "leave", "Quit", "Leave (every decision is already saved)", None),
          ("escape", "escape", "leave", "Back", "Back (or quit)", False))),
)


def bindings(where: str | None = None, *,
             screen: str = CODING) -> list[tuple[str, str, str, bool]]:
    """Return ``(keys, action, description, show)`` for the bindings of a screen (one area)."""
    result = []
    for key in KEYS:
        if key.screen == screen and where in (None, key.where) and key.binding and key.action:
            show = key.footer is not None if key.show is None else key.show
            result.append((key.binding, key.action, key.footer or key.description, show))
    return result


def help_rows(screen: str) -> list[tuple[str, str]]:
    """Return ``(key, what it does)`` for a screen's help, in table order."""
    return [(key.shown, key.description) for key in KEYS
            if key.screen == screen and key.shown]


def palette_entries(screen: str) -> list[tuple[str, str, str]]:
    """Return ``(title, help, action)`` of a screen's command palette entries.

    The title ends with the key in brackets, as the binding spells it first
    (``Next unit (ctrl+down)``); a command without a key has none.
    """
    entries = []
    for key in KEYS:
        if key.screen == screen and key.palette and key.action:
            if key.binding:
                first = key.binding.split(",")[0]
                label: str | None = KEY_NAMES.get(first, first)
            else:
                label = key.shown.split(" / ")[0] or None
            title = f"{key.palette} ({label})" if label else key.palette
            entries.append((title, key.description, key.action))
    return entries


def keyboard_markdown() -> str:
    """Return the keyboard table as Markdown (the help screen and docs/keyboard.md)."""
    lines = ["# Keyboard", "",
             "Code shortcut keys come from the codebook; "
             f"`{' '.join(sorted(RESERVED_KEYS))}` are reserved for the screen.", ""]
    for where in AREAS:
        lines += [f"## {where[0].upper() + where[1:]}", "", "| Key | Action |", "|---|---|"]
        for key in KEYS:
            if key.where == where and key.shown:
                shown = key.shown.replace("|", "\\|")
                lines.append(f"| {shown} | {key.description} |")
        lines.append("")
    return "\n".join(lines)
