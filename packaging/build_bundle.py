"""Build the one-folder PyInstaller bundle, lay out its Linux desktop files, and try it.

    python packaging/build_bundle.py [--dist DIR] [--work DIR] [--smoke] [--hello-world]

Builds `DIST/legdrive-timer-<version>/` from `packaging/legdrive-timer.spec` (default
DIST: `dist/`). On Linux the bundle also gets the layout a package or `install` would copy
under a prefix: `share/applications`, `share/metainfo` and `share/icons/hicolor`, with the
desktop entry's `Exec` line pointing at the bundle's executable name.

`--smoke` then starts the built executable: `--version`, and a 3-second session offscreen
(`run hiit` with 1-second phases, `--audio off --quit-when-done`) on a temporary data
folder, which must end with status 0, with the sounds, voice lines and icon found inside the
bundle (the app logs where it found them) and the session in the history.

`--hello-world` also builds a bare PySide6 window the same way (same PyInstaller, same
options) and prints both sizes and their ratio: the bundle's own weight over what any
PySide6 app weighs.

Needs the app and PyInstaller installed in the running Python (`pip install . pyinstaller`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "legdrive-timer.spec"

HELLO_WORLD = """
import sys
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv[:1])
label = QLabel("Hello")
label.show()
if "--version" in sys.argv:
    print("hello 1")
    sys.exit(0)
sys.exit(app.exec())
"""

SMOKE_RUN = (
    "run",
    "hiit",
    "--prep",
    "1",
    "--work",
    "1",
    "--rest",
    "1",
    "--rounds",
    "1",
    "--audio",
    "off",
    "--quit-when-done",
    "--verbose",
)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def pyinstaller(spec: Path, dist: Path, work: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(spec),
    ]
    subprocess.run(command, check=True, cwd=ROOT)


def install_desktop_files(bundle: Path, app_id: str, executable: str) -> None:
    """The bundle's share/ tree, as a prefix would hold it (Linux)."""
    share = bundle / "share"
    applications = share / "applications"
    applications.mkdir(parents=True, exist_ok=True)
    entry = (ROOT / "packaging" / f"{app_id}.desktop").read_text(encoding="utf-8")
    (applications / f"{app_id}.desktop").write_text(entry, encoding="utf-8")
    metainfo = share / "metainfo"
    metainfo.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(
        ROOT / "packaging" / f"{app_id}.metainfo.xml", metainfo / f"{app_id}.metainfo.xml"
    )
    icons = ROOT / "assets" / "icons"
    scalable = share / "icons" / "hicolor" / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(icons / f"{executable}.svg", scalable / f"{app_id}.svg")
    for size in (48, 128, 256):
        sized = share / "icons" / "hicolor" / f"{size}x{size}" / "apps"
        sized.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(icons / f"{executable}-{size}.png", sized / f"{app_id}.png")


def smoke(bundle: Path, executable: str, version: str) -> None:
    exe = bundle / (executable + (".exe" if os.name == "nt" else ""))
    shown = subprocess.run(
        [str(exe), "--version"], capture_output=True, text=True, timeout=60, check=True
    )
    assert shown.stdout.strip() == f"{executable} {version}", shown.stdout
    print(f"smoke: {exe.name} --version: {shown.stdout.strip()}")

    with tempfile.TemporaryDirectory(prefix="legdrive-smoke-") as data:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        env.pop("LEGDRIVE_TIMER_HOME", None)
        started = time.monotonic()
        done = subprocess.run(
            [str(exe), "--data-dir", data, *SMOKE_RUN],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=False,
        )
        seconds = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(f"smoke: the session ended with {done.returncode}:\n{done.stderr}")
        found = [line for line in done.stderr.splitlines() if "assets in " in line]
        assert found, f"the app did not say where its assets are:\n{done.stderr}"
        assets_line = found[0].split("assets in ", 1)[1]
        assert assets_line.startswith(str(bundle.resolve())), assets_line
        assert " 0 " not in f" {assets_line} ", f"an asset kind is missing: {assets_line}"
        history = Path(data) / "history.sqlite3"
        with sqlite3.connect(history) as db:
            statuses = [row[0] for row in db.execute("SELECT status FROM sessions")]
        assert statuses == ["completed"], statuses
        print(f"smoke: a 3 s session ran to completion in {seconds:.1f} s; assets in {assets_line}")


def hello_world(dist: Path, work: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="legdrive-hello-") as folder:
        script = Path(folder) / "hello.py"
        script.write_text(HELLO_WORLD, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--onedir",
            "--windowed",
            "--name",
            "hello-pyside6",
            "--distpath",
            str(dist),
            "--workpath",
            str(work),
            "--specpath",
            folder,
            "--exclude-module",
            "tkinter",
            str(script),
        ]
        subprocess.run(command, check=True, cwd=ROOT)
    return folder_size(dist / "hello-pyside6")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    parser.add_argument("--smoke", action="store_true", help="start the built executable")
    parser.add_argument("--hello-world", action="store_true", help="size against bare PySide6")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from legdrive_timer import APP_ID, __version__

    executable = "legdrive-timer"
    started = time.monotonic()
    pyinstaller(SPEC, args.dist, args.work)
    bundle = args.dist / f"{executable}-{__version__}"
    if sys.platform.startswith("linux"):
        install_desktop_files(bundle, APP_ID, executable)
    size = folder_size(bundle)
    print(f"bundle: {bundle} ({mib(size)}), built in {time.monotonic() - started:.0f} s")
    if args.smoke:
        smoke(bundle, executable, __version__)
    if args.hello_world:
        baseline = hello_world(args.dist / "baseline", args.work / "baseline")
        print(
            f"size: bundle {mib(size)}, hello-world PySide6 {mib(baseline)}, "
            f"ratio {size / baseline:.2f} (target <= 1.10)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
