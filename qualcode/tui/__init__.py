"""The coding screen: a Textual app built by :func:`qualcode.tui.app.make_app`.

Textual is imported only when the app is built, so importing this package (for the
text-layout helpers, say) stays cheap.
"""

from __future__ import annotations

from typing import Any

__all__ = ["make_app"]


def __getattr__(name: str) -> Any:
    """Load :func:`make_app` on first use (it pulls in Textual)."""
    if name == "make_app":
        from qualcode.tui.app import make_app

        return make_app
    raise AttributeError(name)
