"""Start-up without the garbage collector's passes, and without the sources PySide6 read.

Starting the app allocates tens of thousands of objects (modules, classes, Qt wrappers, the
workouts) and frees almost none of them, so the cyclic collector's passes over them before the
window appears are wasted work: about 3 ms of a 150 ms start (docs/perf-window.md). The
command holds collection from its first line; when the start is over, `resume` moves what the
start made into the collector's permanent generation (`gc.freeze`), where later passes no
longer walk it, and turns collection back on.

With a window, collection stays on one thread. CPython's cyclic collector runs on whichever
thread's allocation passes its threshold, and the window's workers run Python too (the
history's writer, the sound device's watcher, the sleep watch, the camera coach's pose
worker): a pass on one of them destroys the Qt objects caught in the garbage's cycles from
the wrong thread, which Qt does not allow and which can deadlock the two threads (a pass on
the history's writer, in an object's destructor waiting for the interpreter while the
window's thread, holding the interpreter, waited for that object's lock). So the window
resumes with automatic passes off and makes them itself, on a timer, by `collect_due`.
"""

from __future__ import annotations

import gc
import linecache

YOUNG_PASSES_PER_MIDDLE = 10
MIDDLE_PASSES_PER_OLD = 10
"""How often `collect_due` takes the older generations along, as CPython's own thresholds do."""

_resumed = True
_young_passes = 0


def hold_collection() -> None:
    global _resumed
    _resumed = False
    gc.disable()


def resume_collection(*, automatic: bool = True) -> None:
    """Collection on again, without walking what the start made; harmless when not held.

    `automatic=False` leaves the collector's own passes off: the caller makes them with
    `collect_due`, on its thread."""
    global _resumed
    if not gc.isenabled() and not _resumed:
        gc.freeze()
    if automatic:
        gc.enable()
    else:
        gc.disable()
    _resumed = True


def collection_resumed() -> bool:
    """Whether the start is over for the collector (`resume_collection` has run)."""
    return _resumed


def collect_due() -> int | None:
    """The pass the collector would have made by itself by now, made on this thread: the
    youngest generation once its count of new objects passes its threshold, and every
    tenth time the middle one, every hundredth the oldest, as CPython's default thresholds
    (700, 10, 10) make them. Returns the generation collected, or None."""
    global _young_passes
    if gc.get_count()[0] <= gc.get_threshold()[0]:
        return None
    _young_passes += 1
    generation = 0
    if _young_passes % YOUNG_PASSES_PER_MIDDLE == 0:
        generation = 1
        if _young_passes % (YOUNG_PASSES_PER_MIDDLE * MIDDLE_PASSES_PER_OLD) == 0:
            generation = 2
    gc.collect(generation)
    return generation


def forget_module_sources() -> None:
    """Drop the source files read while modules were imported; nothing here needs them.

    Once PySide6 is imported, its import hook (shiboken's `__feature__` support) reads the
    source of every module an `import` statement names, looking for "PySide6" in it, and
    `linecache` keeps each file it read for the life of the process: about 20,000 lines
    (2 MiB) by the time the window is built, and as many again once the services are up.
    A traceback reads the lines it shows again.
    """
    linecache.clearcache()
