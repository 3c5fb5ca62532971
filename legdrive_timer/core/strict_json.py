"""JSON as the app accepts it from users: strict, bounded, and every failure one phrase.

The standard library's `json.loads` accepts things a user's file must not hold and fails in
ways that are not sentences: duplicate keys (the last one silently wins), `NaN` and
`Infinity`, numbers of thousands of digits (ValueError from the int limit), strings with lone
surrogates (which later fail to print or store), and nesting deep enough to raise
RecursionError. `loads` refuses each with a JsonError whose message is a phrase without a
full stop, for the caller to put after the file's name.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 64
"""Nesting of arrays and objects; our formats need 5."""
MAX_NUMBER_CHARS = 40
"""Characters of one number: far more than any real value, far fewer than the int limit."""

_OPENERS = re.compile(r'[\[{"]')


class JsonError(ValueError):
    """What is wrong with a JSON text, as a phrase (no full stop)."""


def _too_deep(text: str) -> bool:
    """True when arrays and objects nest deeper than MAX_DEPTH, found without recursion.

    A linear scan that skips strings: cheap next to parsing, and it keeps a 100,000-deep
    file from ever reaching the recursive parser."""
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        match = _OPENERS.search(text, i)
        # Only closers between here and the next opener can lower the depth.
        stop = n if match is None else match.start()
        depth -= text.count("]", i, stop) + text.count("}", i, stop)
        if match is None:
            return False
        char = match.group()
        i = match.end()
        if char == '"':
            # Skip the string: the next quote not escaped by an odd run of backslashes.
            while True:
                end = text.find('"', i)
                if end < 0:
                    return False  # unterminated: the parser will say so
                backslashes = 0
                j = end - 1
                while j >= i and text[j] == "\\":
                    backslashes += 1
                    j -= 1
                i = end + 1
                if backslashes % 2 == 0:
                    break
        else:
            depth = max(depth, 0) + 1
            if depth > MAX_DEPTH:
                return True
    return False


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JsonError(f"the key {_short(key)} appears twice in one object")
        result[key] = value
    return result


def _short(key: str) -> str:
    from legdrive_timer.core.text import shown

    return shown(key, 40)


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonError(f"a number has {len(text)} digits, more than any real value")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise JsonError(f"a number has {len(text)} characters, more than any real value")
    value = float(text)
    if not math.isfinite(value):
        raise JsonError(f"the number {text} is too large")
    return value


def _constant(name: str) -> Any:
    raise JsonError(f"{name} is not a number JSON allows")


def _check_strings(value: Any) -> None:
    """Refuse lone surrogates anywhere (keys included), walking without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key)
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def _check_text(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise JsonError(
                "a text holds a lone surrogate escape (like \\ud800), which is not a character"
            ) from None


def loads(text: str) -> Any:
    """Parse `text` strictly; raises JsonError with a phrase saying what is wrong."""
    if text.startswith("\ufeff"):
        raise JsonError("it starts with a byte order mark (BOM); save it as UTF-8 without a BOM")
    if not text.strip():
        raise JsonError("it is empty")
    if _too_deep(text):
        raise JsonError(f"it nests lists or objects more than {MAX_DEPTH} levels deep")
    try:
        value = json.loads(
            text,
            object_pairs_hook=_pairs,
            parse_int=_int,
            parse_float=_float,
            parse_constant=_constant,
        )
    except JsonError:
        raise
    except json.JSONDecodeError as error:
        raise JsonError(
            f"it is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except (ValueError, RecursionError, MemoryError) as error:  # pragma: no cover - guarded above
        raise JsonError(f"it is not valid JSON ({type(error).__name__})") from None
    _check_strings(value)
    return value
