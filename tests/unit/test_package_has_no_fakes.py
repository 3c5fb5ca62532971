"""The installed package holds the product only: the tests' fakes and helpers stay in tests/."""

from __future__ import annotations

import ast
from pathlib import Path

import legdrive_timer

PACKAGE = Path(legdrive_timer.__file__).parent


def test_no_module_defines_or_imports_a_fake_or_the_tests() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name.startswith(("Fake", "Stub")):
                offenders.append(f"{where}: defines {node.name}")
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [alias.name for alias in node.names]
                if node.module.split(".")[0] == "tests" or any(
                    n.startswith(("Fake", "Stub")) for n in names
                ):
                    offenders.append(f"{where}: imports {', '.join(names)} from {node.module}")
            elif isinstance(node, ast.Import):
                offenders += [
                    f"{where}: imports {a.name}" for a in node.names if a.name.startswith("tests")
                ]
    assert offenders == []
