"""The message of an action, shown once where it was taken (under the field or button), not at
the top of the page: an on_change or on_click callback says it, the next run shows it."""

from __future__ import annotations

import streamlit as st

_ICONS = {"error": ":material/error:", "warning": ":material/sync_problem:", "ok": ":material/check_circle:"}


def say(box: str, code: str, kind: str, text: str) -> None:
    """Keep `text` ("error", "warning" or "ok") for the place `code` of the page `box`."""
    st.session_state.setdefault(box, {})[code] = (kind, text)


def show(box: str, code: str, where=st) -> None:
    """Show, once, what was said for `code`, in `where` (the page, a column, a container)."""
    kind, text = st.session_state.get(box, {}).pop(code, ("", ""))
    if kind == "error":
        where.error(text, icon=_ICONS[kind])
    elif kind == "warning":
        where.warning(text, icon=_ICONS[kind])
    elif kind == "ok":
        where.success(text, icon=_ICONS[kind])
