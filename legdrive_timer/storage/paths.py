"""Every path the app writes to, from one place.

By default the platformdirs locations for the user; with `--data-dir DIR` (or the
environment variable LEGDRIVE_TIMER_HOME) everything lives under DIR instead, so tests and
portable installs never touch the real profile.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from legdrive_timer.errors import UserError

ENV_HOME = "LEGDRIVE_TIMER_HOME"
APP_DIR_NAME = "legdrive-timer"
_ELSEWHERE = "move it away, or keep the data in another folder with --data-dir"


class _Below:
    """A file or folder of the app: `name` in one of the three folders of DataPaths."""

    def __init__(self, folder: str, name: str) -> None:
        self.folder = folder
        self.name = name

    def __get__(self, paths: DataPaths, owner: type[DataPaths]) -> Path:
        folder: Path = getattr(paths, self.folder)
        return folder / self.name


@dataclass(frozen=True)
class DataPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @classmethod
    def resolve(cls, data_dir: str | os.PathLike[str] | None = None) -> DataPaths:
        """`data_dir` wins over LEGDRIVE_TIMER_HOME, which wins over platformdirs."""
        chosen = data_dir if data_dir is not None else os.environ.get(ENV_HOME)
        if chosen is not None:
            if not str(chosen).strip():
                source = "--data-dir" if data_dir is not None else ENV_HOME
                raise UserError(
                    f"{source} is blank; give the folder to keep the data in, or leave it out."
                )
            root = Path(chosen).expanduser().absolute()
            return cls(data_dir=root, config_dir=root / "config", log_dir=root / "logs")
        return cls(
            data_dir=Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)),
            config_dir=Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False)),
        )

    def folder_problem(self, *, writable: bool) -> str | None:
        """One sentence when the data or config folder cannot be one (a file, a named pipe,
        a loop of links) or cannot be read, or with `writable` when the data folder (the
        history) cannot be written; None when each is a folder or is not made yet.

        The log folder is not asked about: the app goes on without a log (`logs`)."""
        import stat

        for folder in dict.fromkeys((self.data_dir, self.config_dir)):
            try:
                mode = folder.stat().st_mode
            except FileNotFoundError:
                continue  # made when first needed
            except OSError as error:
                why = (error.strerror or type(error).__name__).lower()
                return f"The data folder {folder} cannot be used ({why}); {_ELSEWHERE}."
            if not stat.S_ISDIR(mode):
                what = "a named pipe" if stat.S_ISFIFO(mode) else "a file"
                return f"The data folder {folder} is {what}, not a folder; {_ELSEWHERE}."
            if not os.access(folder, os.R_OK | os.X_OK):
                return f"The data folder {folder} cannot be read (permission denied); {_ELSEWHERE}."
            if writable and folder == self.data_dir and not os.access(folder, os.W_OK):
                return (
                    f"The data folder {folder} cannot be written (permission denied), so "
                    f"nothing could be saved; {_ELSEWHERE}."
                )
        return None

    history_db = _Below("data_dir", "history.sqlite3")
    settings_file = _Below("config_dir", "settings.json")
    workouts_dir = _Below("config_dir", "workouts")
    instance_lock = _Below("data_dir", "instance.lock")
    """Held by the running instance (see ui.single_instance)."""
    log_file = _Below("log_dir", "legdrive-timer.log")

    @property
    def unsaved_dir(self) -> Path:
        """Sessions that could not be written to the history before the app closed; the
        next opening of the history adds them (see storage.journal)."""
        return self.history_db.with_name(self.history_db.name + ".unsaved")

    def own_files(self) -> tuple[Path, ...]:
        """Every file and folder the app keeps: never the target of an export."""
        db = self.history_db
        sidecars = ("-wal", "-shm", "-journal", ".running", ".damaged")
        return (
            db,
            *(db.with_name(db.name + suffix) for suffix in sidecars),
            self.settings_file,
            self.workouts_dir,
            self.log_dir,
            self.unsaved_dir,
            # The copies the history keeps beside it (before a migration, of a damaged file).
            *sorted(db.parent.glob(f"{db.name}.schema-v*")),
            *sorted(db.parent.glob(f"{db.name}.corrupt-*")),
        )
