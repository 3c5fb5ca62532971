"""The core never imports Qt: checked on the source and in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import legdrive_timer.core

CORE = Path(legdrive_timer.core.__file__).parent


def test_no_core_module_imports_qt() -> None:
    offenders = []
    for path in sorted(CORE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}" for n in names if n.split(".")[0].startswith("PySide")
            ]
    assert offenders == []


def test_importing_the_core_loads_no_qt_module() -> None:
    modules = ", ".join(
        f"legdrive_timer.core.{p.stem}" for p in sorted(CORE.glob("*.py")) if p.stem != "__init__"
    )
    code = (
        f"import sys, importlib\nfor m in '{modules}'.split(', '): importlib.import_module(m)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide', 'shiboken'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
