"""Start-up without the garbage collector's passes.

Starting the app allocates tens of thousands of objects (modules, classes, Qt wrappers, the
workouts) and frees almost none of them, so the cyclic collector's passes over them before the
window appears are wasted work: about 3 ms of a 150 ms start (docs/perf-window.md). The
command holds collection from its first line; when the start is over, `resume` moves what the
start made into the collector's permanent generation (`gc.freeze`), where later passes no
longer walk it, and turns collection back on.
"""

from __future__ import annotations

import gc


def hold_collection() -> None:
    gc.disable()


def resume_collection() -> None:
    """Collection on again, without walking what the start made; harmless when not held."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
