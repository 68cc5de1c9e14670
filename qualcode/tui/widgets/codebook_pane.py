"""The codebook pane: a filter box, the tree of themes and codes, and the code's definition."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.color import Color
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode

from qualcode.model import Code, Codebook, CodeKind
from qualcode.tui.colours import badge

NodeData = int


class CodeChosen(Message):
    """The coder asked to toggle a code (enter, double-click, or enter in the filter box)."""

    def __init__(self, code_id: int) -> None:
        super().__init__()
        self.code_id = code_id


class CodeTree(Tree[NodeData]):
    """The codebook as a tree; enter or double-click toggles the highlighted code."""

    BINDINGS = [Binding("enter", "choose", "Apply code", show=False)]

    def action_choose(self) -> None:
        """Toggle the highlighted code, or fold a theme that cannot be coded."""
        node = self.cursor_node
        if node is None or node.data is None:
            return
        pane = self._pane()
        if pane is not None and pane.codable(node.data):
            self.post_message(CodeChosen(node.data))
        else:
            node.toggle()

    def on_click(self, event: events.Click) -> None:
        """A double-click applies the code, like enter."""
        if event.chain == 2:
            self.action_choose()

    def _pane(self) -> CodebookPane | None:
        for ancestor in self.ancestors:
            if isinstance(ancestor, CodebookPane):
                return ancestor
        return None


def describe(code: Code, codebook: Codebook) -> Text:
    """Return a code's definition, inclusion, exclusion and examples for the details box."""
    text = Text()
    text.append(codebook.path(code), style="bold")
    kind = {CodeKind.THEME: "theme", CodeKind.SUBTHEME: "sub-theme"}.get(code.kind, "code")
    key = f"  key {code.shortcut}" if code.shortcut else ""
    text.append(f"\n{kind}{key}{'' if code.codable else '  (not codable)'}", style="dim")
    for label, value in (("Definition", code.description), ("Include", code.inclusion),
                         ("Exclude", code.exclusion)):
        if value.strip():
            text.append(f"\n{label}: ", style="bold")
            text.append(value.strip())
    for example in code.examples:
        text.append("\nExample: ", style="bold")
        text.append(f"“{example.strip()}”", style="italic")
    return text


class CodebookPane(Vertical):
    """Filter box, tree and details of the shared codebook."""

    class Leave(Message):
        """The coder pressed escape in the filter box: go back to the text."""

    def __init__(self, codebook: Codebook, colours: dict[int, Color], *,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.codebook = codebook
        self.colours = colours

    def compose(self) -> ComposeResult:
        """Filter box, tree, details."""
        yield Input(placeholder="filter codes (ctrl+f)", compact=True, id="code-filter")
        tree: CodeTree = CodeTree("Codebook", id="code-tree")
        tree.show_root = False
        tree.auto_expand = False
        tree.guide_depth = 2
        yield tree
        with VerticalScroll(id="code-details-scroll"):
            yield Static("", id="code-details")

    def on_mount(self) -> None:
        """Fill the tree."""
        self.rebuild()

    def codable(self, code_id: int) -> bool:
        """Return True when a code can be applied (themes usually cannot)."""
        try:
            return self.codebook.by_id(code_id).codable
        except KeyError:
            return False

    def set_codebook(self, codebook: Codebook, colours: dict[int, Color]) -> None:
        """Show a changed codebook (a code added here or by another coder)."""
        self.codebook = codebook
        self.colours = colours
        self.rebuild()

    def _label(self, code: Code) -> Text:
        label = Text()
        colour = self.colours.get(code.id)
        key_style = f"bold {colour.hex}" if colour else "bold"
        if code.shortcut:
            label.append(f"[{badge(code)}] ", style=key_style)
        elif code.kind == CodeKind.CODE:
            label.append("    ")  # keeps code names aligned with those that have a key
        name_style = "bold" if code.kind != CodeKind.CODE else ""
        if not code.codable:
            name_style += " dim"
        label.append(code.name, style=name_style.strip())
        return label

    def matching(self, term: str) -> list[Code]:
        """Return the codes whose name, path or definition contains ``term``."""
        folded = term.strip().casefold()
        if not folded:
            return list(self.codebook)
        return [c for c in self.codebook
                if folded in self.codebook.path(c).casefold()
                or folded in c.description.casefold() or folded == (c.shortcut or "")]

    def rebuild(self) -> None:
        """Fill the tree with the codes that match the filter box, and their ancestors."""
        tree = self.query_one(CodeTree)
        term = self.query_one("#code-filter", Input).value
        keep: set[int] | None = None
        if term.strip():
            keep = set()
            for code in self.matching(term):
                keep.add(code.id)
                keep.update(a.id for a in self.codebook.ancestors(code))
        highlighted = tree.cursor_node.data if tree.cursor_node is not None else None
        tree.clear()
        nodes: dict[int | None, TreeNode[NodeData]] = {None: tree.root}
        for _, code in self.codebook.walk():
            if keep is not None and code.id not in keep:
                continue
            parent = nodes.get(code.parent_id, tree.root)
            has_children = bool(self.codebook.children(code.id))
            if has_children:
                node = parent.add(self._label(code), data=code.id, expand=True)
            else:
                node = parent.add_leaf(self._label(code), data=code.id)
            nodes[code.id] = node
        target = nodes.get(highlighted) if highlighted is not None else None
        if target is not None and target is not tree.root:
            tree.move_cursor(target)
        elif tree.root.children:
            tree.move_cursor(tree.root.children[0])
        self._show_details(tree.cursor_node.data if tree.cursor_node else None)

    def first_match(self) -> int | None:
        """Return the first codable code the filter box matches."""
        term = self.query_one("#code-filter", Input).value
        for code in self.matching(term):
            if code.codable:
                return code.id
        return None

    def _show_details(self, code_id: int | None) -> None:
        details = self.query_one("#code-details", Static)
        if code_id is None:
            details.update(Text("Highlight a code to read its definition.", style="dim"))
            return
        try:
            details.update(describe(self.codebook.by_id(code_id), self.codebook))
        except KeyError:
            details.update("")

    @on(Tree.NodeHighlighted)
    def _highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        self._show_details(event.node.data)

    @on(Input.Changed, "#code-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.rebuild()

    @on(Input.Submitted, "#code-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        code_id = self.first_match()
        if code_id is not None:
            self.post_message(CodeChosen(code_id))

    def on_key(self, event: events.Key) -> None:
        """Escape in the filter box clears it and leaves; down moves into the tree."""
        box = self.query_one("#code-filter", Input)
        if not box.has_focus:
            return
        if event.key == "escape":
            event.stop()
            box.value = ""
            self.post_message(self.Leave())
        elif event.key == "down":
            event.stop()
            self.query_one(CodeTree).focus()

    def focus_filter(self) -> None:
        """Put the cursor in the filter box."""
        self.query_one("#code-filter", Input).focus()

    def highlighted_code(self) -> int | None:
        """Return the code under the tree's cursor."""
        node = self.query_one(CodeTree).cursor_node
        return node.data if node is not None else None
