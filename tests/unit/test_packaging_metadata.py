"""The desktop entry and AppStream metainfo are valid and agree with the package."""

from __future__ import annotations

import ast
import configparser
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from legdrive_timer import APP_ID, APP_NAME, __version__
from tests.helpers import require

ROOT = Path(__file__).parents[2]
PACKAGING = ROOT / "packaging"
DESKTOP = PACKAGING / f"{APP_ID}.desktop"
METAINFO = PACKAGING / f"{APP_ID}.metainfo.xml"
SPEC = PACKAGING / "legdrive-timer.spec"


def run_validator(*command: str) -> subprocess.CompletedProcess[str]:
    require(shutil.which(command[0]) is not None, f"{command[0]} is not installed")
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    # Desktop entry keys are case-sensitive.
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def metainfo() -> ET.Element:
    return ET.parse(METAINFO).getroot()


def test_desktop_file_passes_desktop_file_validate() -> None:
    result = run_validator("desktop-file-validate", str(DESKTOP))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "error:" not in output, output
    assert "warning:" not in output, output


def test_metainfo_passes_appstreamcli_validate() -> None:
    result = run_validator("appstreamcli", "validate", "--no-net", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr


def test_newest_release_is_the_package_version() -> None:
    releases = metainfo().findall("./releases/release")
    assert releases, "metainfo lists no release"
    newest = max(releases, key=lambda r: date.fromisoformat(r.get("date", "")))
    # AppStream lists releases newest first.
    assert newest is releases[0]
    assert newest.get("version") == __version__


def test_metainfo_agrees_with_the_package() -> None:
    root = metainfo()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("name") == APP_NAME
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("./provides/binary") == "legdrive-timer"
    rating = root.find("content_rating")
    assert rating is not None
    assert rating.get("type") == "oars-1.1"


def test_desktop_entry_agrees_with_the_package() -> None:
    entry = desktop_entry()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert entry["Type"] == "Application"
    assert entry["Name"] == APP_NAME
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] in scripts
    assert "Utility" in entry["Categories"].split(";")


def test_pyinstaller_spec_reads_name_and_version_from_the_package() -> None:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "legdrive_timer"
        for alias in node.names
    }
    assert {"__version__", "APP_NAME", "APP_ID"} <= imported
    assert "legdrive_timer/assets" in SPEC.read_text(encoding="utf-8")


def test_every_package_folder_is_installed() -> None:
    """A package missing from pyproject's list is missing from the wheel (and the app
    fails at its import once installed, while tests from the checkout pass)."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    folders = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "legdrive_timer").rglob("__init__.py")
    }
    assert folders <= listed, f"add to [tool.setuptools] packages: {sorted(folders - listed)}"
