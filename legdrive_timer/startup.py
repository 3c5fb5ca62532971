"""Start-up without the garbage collector's passes, and without the sources PySide6 read.

Starting the app allocates tens of thousands of objects (modules, classes, Qt wrappers, the
workouts) and frees almost none of them, so the cyclic collector's passes over them before the
window appears are wasted work: about 3 ms of a 150 ms start (docs/perf-window.md). The
command holds collection from its first line; when the start is over, `resume` moves what the
start made into the collector's permanent generation (`gc.freeze`), where later passes no
longer walk it, and turns collection back on.
"""

from __future__ import annotations

import gc
import linecache


def hold_collection() -> None:
    gc.disable()


def resume_collection() -> None:
    """Collection on again, without walking what the start made; harmless when not held."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def forget_module_sources() -> None:
    """Drop the source files read while modules were imported; nothing here needs them.

    Once PySide6 is imported, its import hook (shiboken's `__feature__` support) reads the
    source of every module an `import` statement names, looking for "PySide6" in it, and
    `linecache` keeps each file it read for the life of the process: about 20,000 lines
    (2 MiB) by the time the window is built, and as many again once the services are up.
    A traceback reads the lines it shows again.
    """
    linecache.clearcache()
