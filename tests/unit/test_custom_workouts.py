"""Custom workout files: safe names, atomic writes, broken files listed and left alone."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from legdrive_timer.core import workout_format
from legdrive_timer.core.builtins import BUILTIN_IDS, builtin_workout
from legdrive_timer.core.workout import Workout, WorkoutError
from legdrive_timer.storage.workouts import (
    Conflict,
    IdTakenError,
    delete_custom_workout,
    export_workout,
    import_workout,
    load_library,
    read_workout_file,
    save_custom_workout,
    slug,
    unique_id,
)


def mine(workout_id: str = "my-primer", name: str = "My primer") -> Workout:
    primer = builtin_workout("primer")
    assert primer is not None
    return dataclasses.replace(primer, id=workout_id, name=name)


def good_file(folder: Path, workout: Workout | None = None) -> Path:
    workout = workout or mine()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{workout.id}.json"
    path.write_text(workout_format.dumps(workout), encoding="utf-8")
    return path


def valid_text() -> str:
    return workout_format.dumps(mine("other", "Other"))


BAD_FILES = {
    "truncated JSON": (valid_text()[:57].encode(), "is not valid JSON (line"),
    "wrong types": (
        valid_text().replace('"sets": 2', '"sets": "two"').encode(),
        "blocks[0] sets must be a whole number (got 'two').",
    ),
    "unknown version": (
        valid_text().replace('"version": 1', '"version": 7').encode(),
        "workout format version 7 is not supported",
    ),
    "10 MB of junk": (os.urandom(1024) * 10 * 1024, "too large for a workout file"),
    "not UTF-8": (b'{"name": "\xff\xfe"}', "is not UTF-8 text"),
    "a list, not an object": (b"[1, 2, 3]", "the workout must be a JSON object"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_listed_broken_with_one_sentence_and_the_others_load(
    tmp_path: Path, case: str
) -> None:
    folder = tmp_path / "workouts"
    good = good_file(folder)
    content, reason = BAD_FILES[case]
    bad = folder / "bad.json"
    bad.write_bytes(content)
    library = load_library(folder)
    assert library.get("my-primer") is not None
    assert all(library.get(i) is not None for i in BUILTIN_IDS)
    [broken] = library.broken
    assert broken.path == bad
    assert reason in broken.reason, broken.reason
    assert broken.reason.startswith(str(bad))
    assert broken.reason.count("\n") == 0 and broken.reason.endswith(".")
    assert "Traceback" not in broken.reason
    # Left untouched, and nothing else either.
    assert bad.read_bytes() == content
    assert good.read_text(encoding="utf-8") == workout_format.dumps(mine())


def test_a_directory_in_place_of_the_file_is_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "workouts"
    good_file(folder)
    (folder / "odd.json").mkdir()
    library = load_library(folder)
    assert library.get("my-primer") is not None
    assert library.problems == (f"{folder / 'odd.json'} is a folder, not a workout file.",)
    with pytest.raises(WorkoutError, match="is a folder, not a workout file"):
        read_workout_file(folder / "odd.json")


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    folder = tmp_path / "workouts"
    folder.mkdir()
    os.mkfifo(folder / "pipe.json")
    library = load_library(folder)
    assert "is a named pipe (FIFO), not a workout file" in library.problems[0]


def test_a_workouts_folder_that_cannot_be_read_is_one_sentence_and_the_builtins_stay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "file" / "workouts"
    not_a_folder.parent.mkdir()
    not_a_folder.write_text("not a folder", encoding="utf-8")
    loop = tmp_path / "loop" / "workouts"
    loop.parent.mkdir()
    loop.symlink_to("other")
    (loop.parent / "other").symlink_to("workouts")
    refused = tmp_path / "refused" / "workouts"
    refused.mkdir(parents=True)

    def denied(self: Path) -> object:
        if self == refused:
            raise PermissionError(13, "Permission denied", str(self))
        return real_iterdir(self)

    real_iterdir = Path.iterdir
    monkeypatch.setattr(Path, "iterdir", denied)  # root reads a chmod 000 folder
    expected = {
        not_a_folder: f"{not_a_folder} is not a folder; custom workouts are kept in a folder "
        "of that name.",
        loop: f"{loop}: the workouts folder cannot be read (too many levels of symbolic "
        "links); custom workouts are not shown.",
        refused: f"{refused}: the workouts folder cannot be read (permission denied); custom "
        "workouts are not shown.",
    }
    for folder, sentence in expected.items():
        library = load_library(folder)
        assert library.problems == (sentence,)
        assert [w.id for w in library.workouts] == list(BUILTIN_IDS)
    assert not_a_folder.read_text(encoding="utf-8") == "not a folder"


def test_a_file_claiming_a_builtin_id_is_broken(tmp_path: Path) -> None:
    folder = tmp_path / "workouts"
    good_file(folder, mine("hiit", "Not the real one"))
    library = load_library(folder)
    assert library.get("hiit") == builtin_workout("hiit")
    assert "already taken" in library.problems[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x", "x"),
        ("..\\..\\x", "x"),
        ("/etc/passwd", "etc-passwd"),
        ("CON", "con"),
        ("My Primer!", "my-primer"),
        ("", "workout"),
        ("Übung", "bung"),
        ("a" * 100, "a" * 64),
    ],
)
def test_slugs_have_no_separators(name: str, expected: str) -> None:
    assert slug(name) == expected


@pytest.mark.parametrize("reserved", ["con", "nul", "com1", "lpt9", "aux", "prn"])
def test_windows_reserved_names_never_become_file_names(tmp_path: Path, reserved: str) -> None:
    folder = tmp_path / "workouts"
    path = save_custom_workout(folder, mine(reserved, reserved.upper()))
    assert path.parent == folder
    assert path.stem != reserved
    assert path.stem.split(".")[0] not in {"con", "nul", "com1", "lpt9", "aux", "prn"}
    library = load_library(folder)
    assert library.get(reserved) is not None
    assert library.paths[reserved] == path


def test_a_path_like_id_is_refused_by_the_model() -> None:
    with pytest.raises(WorkoutError, match="lowercase letters, digits or dashes"):
        mine("../../x")


def test_unique_ids_avoid_builtins_and_taken_ids() -> None:
    assert unique_id("primer", set()) == "primer-2"
    assert unique_id("mine", {"mine", "mine-2"}) == "mine-3"
    assert unique_id("My Primer", set()) == "my-primer"


def test_built_ins_are_never_written_or_deleted(tmp_path: Path) -> None:
    folder = tmp_path / "workouts"
    primer = builtin_workout("primer")
    assert primer is not None
    with pytest.raises(WorkoutError, match="belongs to a built-in"):
        save_custom_workout(folder, primer)
    with pytest.raises(WorkoutError, match="cannot be deleted"):
        delete_custom_workout(folder, "primer", load_library(folder))
    assert not folder.exists()


def test_saving_again_overwrites_the_same_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    folder = tmp_path / "workouts"
    first = save_custom_workout(folder, mine())
    again = save_custom_workout(folder, mine(name="Renamed"), load_library(folder))
    assert first == again
    assert [p.name for p in folder.iterdir()] == [first.name]
    assert read_workout_file(first).name == "Renamed"


def test_delete_removes_only_that_file(tmp_path: Path) -> None:
    folder = tmp_path / "workouts"
    save_custom_workout(folder, mine())
    other = save_custom_workout(folder, mine("other", "Other"))
    delete_custom_workout(folder, "my-primer", load_library(folder))
    assert [p.name for p in folder.iterdir()] == [other.name]


def test_import_refuses_replaces_or_keeps_both(tmp_path: Path) -> None:
    folder = tmp_path / "workouts"
    save_custom_workout(folder, mine())
    source = tmp_path / "shared.json"
    export_workout(mine(name="Shared primer"), source)
    with pytest.raises(IdTakenError, match="--replace"):
        import_workout(folder, source)
    both = import_workout(folder, source, Conflict.KEEP_BOTH)
    assert both.workout.id == "my-primer-2" and not both.replaced
    replaced = import_workout(folder, source, Conflict.REPLACE)
    assert replaced.replaced
    library = load_library(folder)
    assert library.get("my-primer") is not None
    assert library.get("my-primer").name == "Shared primer"  # type: ignore[union-attr]
    # The replaced file is kept as a copy.
    copies = [p for p in folder.iterdir() if p.name.endswith(".replaced")]
    assert len(copies) == 1
    assert json.loads(copies[0].read_text(encoding="utf-8"))["name"] == "My primer"


def test_import_of_a_builtin_id_needs_keep_both(tmp_path: Path) -> None:
    folder = tmp_path / "workouts"
    source = tmp_path / "hiit.json"
    hiit = builtin_workout("hiit")
    assert hiit is not None
    export_workout(hiit, source)
    for conflict in (Conflict.REFUSE, Conflict.REPLACE):
        with pytest.raises(IdTakenError, match="built-in"):
            import_workout(folder, source, conflict)
    kept = import_workout(folder, source, Conflict.KEEP_BOTH)
    assert kept.workout.id == "hiit-2"


def test_export_keeps_a_copy_of_a_file_it_replaces(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("my notes", encoding="utf-8")
    assert export_workout(mine(), target)
    assert (tmp_path / "out.json.bak").read_text(encoding="utf-8") == "my notes"
    assert read_workout_file(target) == mine()


def test_a_full_disk_when_saving_is_one_sentence_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from legdrive_timer.storage import workouts

    def full(path: Path, text: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(workouts, "write_text_atomic", full)
    folder = tmp_path / "workouts"
    folder.mkdir()
    with pytest.raises(WorkoutError) as raised:
        save_custom_workout(folder, mine())
    assert str(raised.value) == (
        f"the workout could not be saved in {folder} (no space left on device)."
    )
    assert list(folder.iterdir()) == []
