"""SHA-256 file and socket names, without loading OpenSSL at start.

`hashlib` loads OpenSSL's libcrypto when it is imported (about 3.5 MiB of memory and 13 ms
here), for algorithms this app never uses. CPython carries its own SHA-256, which gives the
same digests: it is used when present (`_sha2` from 3.12, `_sha256` before), `hashlib`
otherwise.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any


@functools.cache
def _sha256() -> Callable[[bytes], Any]:
    for module in ("_sha2", "_sha256"):
        try:
            return importlib.import_module(module).sha256  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            continue
    import hashlib

    return hashlib.sha256


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data` in hexadecimal, as `hashlib.sha256(data).hexdigest()`."""
    return str(_sha256()(data).hexdigest())
