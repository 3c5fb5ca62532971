"""PySide6 widgets, the Qt scheduler adapter and the composition root."""

from __future__ import annotations

import sys


def _skip_pyside_source_scan() -> None:
    """Tell PySide6 that the modules loaded before it do not use its `__feature__` switches.

    From the moment PySide6 is imported, its import hook looks once at every module that an
    `import` statement names and reads the module's whole source, to find "PySide6" in it
    (`shibokensupport.feature`): 40-50 modules by the first frame, most of them large
    standard ones that were loaded before Qt (typing, logging, enum, dataclasses ...),
    about 15 ms of the start, and their lines stay in `linecache`. A module loaded before
    PySide6 cannot have switched a feature on, so each is marked as the hook would mark it
    ("ignore this module") without being read. Where the hook keeps no such table (another
    PySide6), nothing changes.
    """
    import PySide6  # noqa: F401  (sets up the hook and its table)

    feature = sys.modules.get("shibokensupport.feature")
    marks = getattr(feature, "pyside_feature_dict", None)
    if isinstance(marks, dict):
        for name in list(sys.modules):
            marks.setdefault(name, -1)


_skip_pyside_source_scan()
