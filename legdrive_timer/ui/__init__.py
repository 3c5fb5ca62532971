"""PySide6 widgets, the Qt scheduler adapter and the composition root."""

from __future__ import annotations

import os
import sys


def _skip_pyside_source_scan() -> None:
    """Tell PySide6 which modules do not use its `__feature__` switches, so that it need not
    read their sources to find out.

    From the moment PySide6 is imported, its import hook looks once at every module that an
    `import` statement names and reads the module's whole source, to find "PySide6" in it
    (`shibokensupport.feature`), and `linecache` keeps the lines. Two kinds of module are
    marked as the hook would mark one that does not switch a feature on ("ignore this
    module"), without being read:

    - every module loaded before PySide6 (typing, logging, enum, dataclasses ...): it cannot
      have switched a feature on; 40-50 modules, about 15 ms of the start;
    - this app's own modules, found by their files: none uses `__feature__` (a test checks),
      and two dozen of them load after PySide6 on the way to the first frame.

    Where the hook keeps no such table (another PySide6), nothing changes.
    """
    import PySide6  # noqa: F401  (sets up the hook and its table)

    feature = sys.modules.get("shibokensupport.feature")
    marks = getattr(feature, "pyside_feature_dict", None)
    if isinstance(marks, dict):
        for name in list(sys.modules):
            marks.setdefault(name, -1)
        for name in _own_module_names():
            marks.setdefault(name, -1)


def _own_module_names() -> list[str]:
    """The dotted names of this app's modules, from the files of its package (os.scandir:
    pathlib's walk would cost ten times as much)."""
    names: list[str] = []

    def scan(folder: str, prefix: str) -> None:
        for entry in os.scandir(folder):
            name = entry.name
            if name.endswith(".py"):
                names.append(prefix if name == "__init__.py" else f"{prefix}.{name[:-3]}")
            elif entry.is_dir() and not name.startswith(("_", ".")):
                scan(entry.path, f"{prefix}.{name}")

    package = __name__.partition(".")[0]
    scan(os.path.dirname(os.path.dirname(__file__)), package)  # noqa: PTH120
    return names


_skip_pyside_source_scan()
