"""Where the installed sounds, voice lines and icons are as real files.

The assets install as the package `legdrive_timer.assets`. Installed as files (pip, the
bundle) they lie in that package's folder, and the app reads them from there. Only where
the folder does not hold them (a zipped install) does `importlib.resources` copy each one
out to a temporary file: that module and its readers are about 0.1 MiB at every start.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

ASSETS_PACKAGE = "legdrive_timer.assets"


def assets_folder() -> Path | None:
    """The assets package's folder, or None where it is not a folder on disk."""
    from importlib import import_module

    file = import_module(ASSETS_PACKAGE).__file__
    if file is None:
        return None
    folder = Path(file).parent
    return folder if folder.is_dir() else None


def asset_path(stack: ExitStack, *parts: str) -> Path:
    """The real path of one asset (e.g. "sounds", "halfway.wav"), valid until `stack`
    closes; it may not exist (the caller checks or reads it)."""
    folder = assets_folder()
    if folder is not None:
        return folder.joinpath(*parts)
    from importlib import resources

    resource = resources.files(ASSETS_PACKAGE).joinpath(*parts)
    return Path(stack.enter_context(resources.as_file(resource)))
