"""Words for the status line: progress, the filter in force, and what an undo changed."""

from __future__ import annotations

from rich.text import Text

from qualcode.model import Event
from qualcode.storage.event_words import describe_event as event_in_words
from qualcode.storage.queue import QueueFilter, Status
from qualcode.tui.session import CodingSession


def describe_event(session: CodingSession, event: Event) -> str:
    """Return what an action did in a few words, naming its code and unit ('+Fear on R001
    (whole unit)'), as ``qualcode undo`` does."""
    return event_in_words(session.store, event)


def describe_filter(queue_filter: QueueFilter, session: CodingSession) -> str:
    """Return the filter in force in a few words ('' when none)."""
    parts = []
    if queue_filter.status != Status.ALL:
        parts.append(queue_filter.status.value.replace("_", " "))
    if queue_filter.code_ids:
        parts.append(f"has {session.code_name(queue_filter.code_ids[0])}")
    if queue_filter.field:
        parts.append(f"{queue_filter.field}={queue_filter.value or ''}")
    if queue_filter.text:
        parts.append(f"“{queue_filter.text}”")
    return ", ".join(parts)


def status_text(session: CodingSession, project: str) -> Text:
    """Return the status line: project, coder, progress bar, filter, blind or revealed."""
    done, total = session.progress()
    share = done / total if total else 0.0
    bar_width = 10
    filled = round(share * bar_width)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f" {project} ", style="bold")
    text.append(f" {session.coder.name} ", style="reverse")
    text.append("  ")
    text.append("█" * filled, style="green")
    text.append("░" * (bar_width - filled), style="dim")
    text.append(f" {done}/{total} done ({share:.0%})")
    described = describe_filter(session.queue.filter, session)
    if described:
        text.append(f"  filter: {described} ({session.queue.count()})", style="italic")
    if session.reveal:
        text.append("  REVEALED: other coders visible", style="bold reverse")
    return text
