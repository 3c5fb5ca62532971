"""Times as the window shows them."""

from __future__ import annotations

import math


def format_seconds(seconds: int) -> str:
    """`45` or `1:30`: plain seconds under a minute, read fastest from afar."""
    seconds = max(0, seconds)
    if seconds < 60:
        return str(seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def format_duration(ms: int) -> str:
    """`30 s`, `1:30` or `12 min` for the smaller texts."""
    seconds = math.ceil(ms / 1000)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 600:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{round(seconds / 60)} min"
