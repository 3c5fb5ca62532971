"""The assets are read from the installed package's folder, and from temporary copies made by
importlib.resources only where the package is not a folder on disk (a zipped install)."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest

from legdrive_timer import asset_files
from legdrive_timer.asset_files import asset_path, assets_folder
from legdrive_timer.audio.cues import Cue, durations, open_assets
from tests.helpers import run_python

ROOT = Path(__file__).resolve().parents[2]


def test_an_install_as_files_reads_the_assets_in_the_packages_folder() -> None:
    import legdrive_timer.assets as package

    folder = assets_folder()
    assert folder is not None
    assert folder == Path(package.__file__).parent
    with ExitStack() as stack:
        assert asset_path(stack, "sounds", "halfway.wav") == folder / "sounds" / "halfway.wav"
        assets = open_assets(stack)
    assert set(assets) == set(Cue)
    assert all(asset.path.parent.parent == folder for asset in assets.values())
    # Nothing was copied: the files are still there once the stack has closed.
    assert all(asset.path.is_file() for asset in assets.values())


def test_without_the_folder_the_assets_are_copied_out_by_importlib_resources(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from_folder = ExitStack()
    with from_folder:
        expected = durations(open_assets(from_folder))
    monkeypatch.setattr(asset_files, "assets_folder", lambda: None)
    with ExitStack() as stack:
        assets = open_assets(stack)
        assert durations(assets) == expected
        assert all(asset.path.is_file() for asset in assets.values())
    assert durations(assets) == expected


def test_a_zipped_install_reads_every_cue_from_temporary_copies(tmp_path: Path) -> None:
    """The assets package imported from a zip file, as Python's zip import does it."""
    code = f"""
        import importlib.util, sys, zipfile, zipimport
        from contextlib import ExitStack
        from pathlib import Path

        archive = Path({str(tmp_path)!r}) / "app.zip"
        source = Path({str(ROOT / "assets")!r})
        with zipfile.ZipFile(archive, "w") as zipped:
            for file in source.rglob("*"):
                if file.is_file() and "__pycache__" not in file.parts:
                    name = file.relative_to(source).as_posix()
                    zipped.write(file, "legdrive_timer/assets/" + name)
        spec = zipimport.zipimporter(str(archive / "legdrive_timer")).find_spec(
            "legdrive_timer.assets"
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)

        from legdrive_timer.asset_files import assets_folder
        from legdrive_timer.audio.cues import open_assets

        print(assets_folder())
        with ExitStack() as stack:
            assets = open_assets(stack)
            print(len(assets), all(a.path.is_file() for a in assets.values()))
            print(all(str(archive) not in str(a.path) for a in assets.values()))
        print(any(a.path.exists() for a in assets.values()))
        """
    assert run_python(code).split("\n")[:4] == ["None", f"{len(Cue)} True", "True", "False"]
