"""Text from users and files, made safe to show: bounded, printable, encodable.

A name in a workout file or an id on the command line can hold anything: escape sequences
that rewrite a terminal, lone surrogates that no encoder accepts, or fifty megabytes. What
the app prints of such text goes through `shown` (one line, bounded) or `printable`.
"""

from __future__ import annotations

import re

SHOWN_LIMIT = 60
"""Characters of a user's value echoed back in a sentence."""
SENTENCE_LIMIT = 600
"""Characters of a whole message printed on the terminal or shown in the window."""

# C0 and C1 controls, DEL, lone surrogates, the line and paragraph separators (a line break
# to `str.splitlines` and to some terminals), and the bidirectional overrides that reorder
# what a terminal shows (CVE-2021-42574, "Trojan Source").
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == "\r":
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with control characters, lone surrogates and direction overrides escaped as
    `\\x1b`, `\\n`, `\\ud800`...: safe on any terminal and in any encoding."""
    return _UNSAFE.sub(_escape, text)


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """A user's value for a sentence: printable and bounded; text in single quotes, other
    values as Python writes them (`True`, `1.0`, `None`)."""
    if not isinstance(value, str):
        return clip(printable(repr(value)), limit)
    return "'" + clip(printable(value), limit) + "'"


def sentence(text: str, limit: int = SENTENCE_LIMIT) -> str:
    """A message made safe to print: printable and bounded (newlines between sentences of a
    multi-line report are kept)."""
    lines = [printable(line) for line in text.split("\n")]
    return clip("\n".join(lines), limit)


def has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
