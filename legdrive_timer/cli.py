"""Command line: `legdrive-timer` opens the window; subcommands run, list and export.

Bad input ends with one sentence on stderr and exit status 2, never a traceback. Qt is
imported only by the commands that open a window, so the others start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from legdrive_timer import APP_NAME, __version__
from legdrive_timer.core.sound_choices import AUDIO_CHOICES, RETIRED_AUDIO_CHOICES, audio_choice
from legdrive_timer.core.text import sentence
from legdrive_timer.core.workout import WorkoutError
from legdrive_timer.errors import UserError
from legdrive_timer.logs import Diagnostics
from legdrive_timer.startup import resume_collection
from legdrive_timer.storage.paths import ENV_HOME, DataPaths

if TYPE_CHECKING:
    from legdrive_timer.core.overrides import OverrideField, Overrides
    from legdrive_timer.core.workout import Tempo
    from legdrive_timer.storage.settings import Settings

# The modules of one command's work are imported by that command: opening the window (the
# launcher starts it with no arguments) loads only what the start screen needs before its
# first frame, and the rest once it is painted.

PROG = "legdrive-timer"
EXIT_USAGE = 2
EXIT_UNEXPECTED = 1
# Retired names stay accepted (with a notice) so that existing scripts keep working.
AUDIO_ARGUMENTS = (*AUDIO_CHOICES, *RETIRED_AUDIO_CHOICES)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{PROG}: {sentence(message)} (see '{PROG} --help').\n")


def _override_type(field: OverrideField) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            return field.from_text(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = field.name  # argparse names the type in some of its messages
    return parse


def _tempo_type(text: str) -> Tempo:
    from legdrive_timer.core.overrides import parse_tempo

    try:
        return parse_tempo(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


_tempo_type.__name__ = "tempo"


COMMANDS = {
    "run": "open the window and start a workout at once",
    "workouts": "list, show, import, export or delete workouts",
    "history": "list, show, export, import",
    "coach": "measure the knee drives in a video (with the coach extra)",
}


def build_parser(set_up: Collection[str] = tuple(COMMANDS)) -> argparse.ArgumentParser:
    """The command line, with the arguments of the commands in `set_up`. The others are only
    named, for the help and the choice of command: argparse's sub-parsers cost a few ms to
    build, which opening the window need not wait for. `parse_args` first parses with the
    top level alone to learn the command."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help=f"keep history, settings, workouts and logs under DIR (or set {ENV_HOME})",
    )
    common.add_argument(
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="also print the log on stderr",
    )

    parser = _Parser(
        prog=PROG,
        description=f"{APP_NAME}: follow-along leg drive primers and HIIT finishers.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        if name in set_up:
            sub = commands.add_parser(name, parents=[common], help=help_text)
            _COMMAND_ARGUMENTS[name](sub, common)
        else:
            # Named only: no help of its own, so '-h' after it waits for the full parse.
            commands.add_parser(name, help=help_text, add_help=False)
    parser.add_argument(
        "--audio", choices=AUDIO_ARGUMENTS, default=None, help="sound output (default: auto)"
    )
    parser.add_argument("--fullscreen", action="store_true", help="start in fullscreen")
    return parser


def _run_arguments(run: _Parser, common: _Parser) -> None:
    from legdrive_timer.core.overrides import FIELDS, LEADS

    run.add_argument("workout", metavar="WORKOUT", help="a workout id or a workout JSON file")
    for field in FIELDS:
        if field.option is None:
            continue
        run.add_argument(
            field.option,
            dest=field.name,
            type=_override_type(field),
            metavar=field.unit.metavar,
            help=field.help,
        )
    run.add_argument(
        "--tempo",
        type=_tempo_type,
        metavar="UP/DOWN",
        help="seconds for the drive up and the lowering of one rep, e.g. 1/1.5",
    )
    run.add_argument(
        "--lead",
        choices=LEADS,
        help="the leading leg of every two-legged set; alternate changes it each session",
    )
    # Also after the command; given before it (`--audio off run primer`), the value stands:
    # a command's own default would otherwise overwrite it.
    run.add_argument(
        "--audio",
        choices=AUDIO_ARGUMENTS,
        default=argparse.SUPPRESS,
        help="sound output (default: auto)",
    )
    run.add_argument(
        "--fullscreen", action="store_true", default=argparse.SUPPRESS, help="start in fullscreen"
    )
    run.add_argument(
        "--quit-when-done",
        action="store_true",
        help="close the app when the session ends (exit status 0)",
    )


def _workouts_arguments(workouts: _Parser, common: _Parser) -> None:
    from legdrive_timer.storage.workouts import Conflict

    workout_commands = workouts.add_subparsers(
        dest="workouts_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    workout_commands.add_parser("list", parents=[common], help="list the workouts")
    show = workout_commands.add_parser("show", parents=[common], help="print a workout as JSON")
    show.add_argument("id", metavar="ID", help="a workout id or a workout JSON file")
    import_ = workout_commands.add_parser(
        "import", parents=[common], help="add a workout file to your workouts"
    )
    import_.add_argument("file", metavar="FILE")
    taken = import_.add_mutually_exclusive_group()
    for option, conflict, then in (
        ("--replace", Conflict.REPLACE, "replace that workout (its file is kept as a copy)"),
        ("--keep-both", Conflict.KEEP_BOTH, "add this one under a new id"),
    ):
        taken.add_argument(
            option,
            dest="conflict",
            action="store_const",
            const=conflict,
            help=f"if the id exists, {then}",
        )
    export = workout_commands.add_parser("export", parents=[common], help="write a workout file")
    export.add_argument("id", metavar="ID", help="a workout id")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default stdout)")
    delete = workout_commands.add_parser("delete", parents=[common], help="delete a workout")
    delete.add_argument("id", metavar="ID", help="the id of one of your workouts")


def _history_arguments(history: _Parser, common: _Parser) -> None:
    history_commands = history.add_subparsers(
        dest="history_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    history_commands.add_parser("list", parents=[common], help="list past sessions")
    show = history_commands.add_parser(
        "show", parents=[common], help="every phase of one session, with the coach's measures"
    )
    show.add_argument(
        "session",
        metavar="SESSION",
        nargs="?",
        default="1",
        help="a session id, or its place in `history list` (1, the default, is the newest)",
    )
    export = history_commands.add_parser("export", parents=[common], help="export history")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default stdout)")
    export.add_argument(
        "--force", action="store_true", help="replace FILE if it exists (never the app's own)"
    )
    import_ = history_commands.add_parser("import", parents=[common], help="merge a history export")
    import_.add_argument("file", metavar="FILE")


def _coach_arguments(coach: _Parser, common: _Parser) -> None:
    coach_commands = coach.add_subparsers(
        dest="coach_command", metavar="ACTION", required=True, parser_class=_Parser
    )
    analyze = coach_commands.add_parser(
        "analyze", parents=[common], help="count and measure the reps of one side in a video"
    )
    analyze.add_argument("video", metavar="VIDEO", help="a video file of one side's set")
    analyze.add_argument(
        "--side", choices=("left", "right"), required=True, help="the leg that drives"
    )
    analyze.add_argument("--json", action="store_true", help="print one JSON object")


_COMMAND_ARGUMENTS = {
    "run": _run_arguments,
    "workouts": _workouts_arguments,
    "history": _history_arguments,
    "coach": _coach_arguments,
}


WINDOW_DEFAULTS = {"command": None, "audio": None, "fullscreen": False}
"""What the parser gives for no arguments at all."""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse with the top level alone, then again with the named command's arguments."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        # How the desktop launcher starts the app: it need not wait for a parser.
        return argparse.Namespace(**WINDOW_DEFAULTS)
    args, extras = build_parser(set_up=()).parse_known_args(argv)
    if args.command is None and not extras:
        return args
    return build_parser(set_up=(args.command,)).parse_args(argv)


def _overrides(args: argparse.Namespace) -> Overrides:
    from legdrive_timer.core.overrides import FIELDS, Overrides

    values = {f.name: getattr(args, f.name) for f in FIELDS if f.option is not None}
    for field in FIELDS:
        if field.option is not None and isinstance(values[field.name], list):
            # What argparse makes of '--work=--': an empty list, without calling the type.
            seconds = field.unit.metavar == "S"
            kind, example = ("a number of seconds", "30") if seconds else ("a whole number", "8")
            raise UserError(f"{field.option} needs {kind} after it, like {field.option} {example}.")
    tempo: Tempo | None = args.tempo
    if tempo is not None:
        values.update(tempo_up_s=tempo.up_s, tempo_down_s=tempo.down_s)
    return Overrides(**values)


def _saved_settings(paths: DataPaths) -> Settings:
    from legdrive_timer.storage.settings import load_settings

    settings, problem = load_settings(paths.settings_file)
    if problem is not None:
        print(f"{PROG}: {sentence(problem)}", file=sys.stderr)
    return settings


def _workouts(args: argparse.Namespace, paths: DataPaths) -> int:
    from legdrive_timer.core import workout_format
    from legdrive_timer.core.text import printable
    from legdrive_timer.core.workout_words import ADJUSTED, describe_workout, workout_length
    from legdrive_timer.storage.settings import adjusted_workout
    from legdrive_timer.storage.workouts import (
        Conflict,
        delete_custom_workout,
        export_workout,
        import_workout,
        load_library,
        resolve_workout,
    )

    library = load_library(paths.workouts_dir)
    for problem in library.problems:
        print(f"{PROG}: {sentence(problem)}", file=sys.stderr)
    command = args.workouts_command
    if command == "list":
        # As the start screen lists them: with the lengths saved in the window's Adjust.
        settings = _saved_settings(paths)
        for workout in library.workouts:
            effective, unused = adjusted_workout(workout, settings)
            if unused is not None:
                print(f"{PROG}: {sentence(unused)}", file=sys.stderr)
            origin = "custom" if workout.id in library.custom_ids else "built-in"
            if effective != workout:
                origin += f", {ADJUSTED}"
            name = printable(workout.name)
            print(
                f"{printable(workout.id):<16} {workout_length(effective):>7}  {name} ({origin})"
                f"  {printable(describe_workout(effective))}"
            )
        return 0
    if command == "import":
        imported = import_workout(
            paths.workouts_dir, Path(args.file), args.conflict or Conflict.REFUSE
        )
        verb = "Replaced" if imported.replaced else "Imported"
        print(f"{verb} {imported.workout.id!r} ({imported.workout.name}).")
        return 0
    if command == "delete":
        path = delete_custom_workout(paths.workouts_dir, args.id, library)
        print(f"Deleted {args.id!r} ({path}).")
        return 0
    if command == "export":
        chosen = library.get(args.id)
        if chosen is None:
            raise WorkoutError(f"no workout called {args.id!r}; see '{PROG} workouts list'.")
        if args.output is None or args.output == "-":
            sys.stdout.write(workout_format.dumps(chosen))
            return 0
        target = Path(args.output)
        kept = export_workout(chosen, target)
        note = f"; the file that was there is kept as {target}.bak" if kept else ""
        print(f"Exported {chosen.id!r} to {target}{note}.")
        return 0
    workout = resolve_workout(args.id, library)
    sys.stdout.write(workout_format.dumps(workout))
    return 0


def _history(args: argparse.Namespace, paths: DataPaths) -> int:
    from legdrive_timer import history_cli

    if args.history_command == "list":
        return history_cli.list_sessions(paths, sys.stdout)
    if args.history_command == "show":
        return history_cli.show_session(paths, args.session, sys.stdout)
    if args.history_command == "export":
        return history_cli.export_history(
            paths, args.format, args.output, sys.stdout, force=args.force
        )
    return history_cli.import_history(paths, args.file, sys.stdout)


def _coach(args: argparse.Namespace) -> int:
    from legdrive_timer.coach import missing_runtime

    problem = missing_runtime()
    if problem is not None:
        print(f"{PROG}: {problem}", file=sys.stderr)
        return EXIT_USAGE
    from legdrive_timer.coach.analyze import run
    from legdrive_timer.coach.measures import CoachError
    from legdrive_timer.core.workout import Side

    try:
        return run(Path(args.video), Side(args.side), args.json, sys.stdout)
    except CoachError as error:
        print(f"{PROG}: {sentence(str(error))}", file=sys.stderr)
        return EXIT_USAGE


def _open_window(args: argparse.Namespace, paths: DataPaths, diagnostics: Diagnostics) -> int:
    workout = None
    if args.command == "run":
        from legdrive_timer.core.overrides import apply_lead, apply_overrides
        from legdrive_timer.storage.settings import adjusted_workout
        from legdrive_timer.storage.workouts import load_library, resolve_workout

        # Bad input is refused before Qt is even loaded.
        library = load_library(paths.workouts_dir)
        workout = resolve_workout(args.workout, library)
        if library.get(args.workout) is not None:
            # The lengths saved in the window's Adjust, then the ones given here on top.
            workout, problem = adjusted_workout(workout, _saved_settings(paths))
            if problem is not None:
                print(f"{PROG}: {sentence(problem)}", file=sys.stderr)
        workout = apply_overrides(workout, _overrides(args))
        workout = apply_lead(workout, args.lead)

    audio = args.audio
    if audio in RETIRED_AUDIO_CHOICES:
        audio = audio_choice(audio)
        print(f"{PROG}: --audio {args.audio} is retired; playing through {audio}.", file=sys.stderr)

    from legdrive_timer.ui.app import run_app

    return run_app(
        paths,
        workout=workout,
        audio=audio,
        fullscreen=args.fullscreen,
        quit_when_done=getattr(args, "quit_when_done", False),
        diagnostics=diagnostics,
    )


def _safe_streams() -> None:
    """Text that cannot be encoded for the terminal is escaped rather than fatal."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    _safe_streams()
    args = parse_args(argv)
    if args.command in ("workouts", "history", "coach"):
        resume_collection()  # no window: the window resumes it once it is up
    try:
        paths = DataPaths.resolve(getattr(args, "data_dir", None))
    except UserError as error:
        print(f"{PROG}: {sentence(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    # Said once, before any part of the app trips over it in its own words. The window
    # writes from the start (settings, history, lock); a command that only reads goes on.
    problem = paths.folder_problem(writable=args.command not in ("workouts", "history", "coach"))
    if problem is not None:
        print(f"{PROG}: {problem}", file=sys.stderr)
        if args.command in (None, "run"):
            from legdrive_timer.ui.app import show_start_problem

            show_start_problem(problem)
        return EXIT_USAGE
    diagnostics = Diagnostics(paths.log_file, verbose=getattr(args, "verbose", False))
    diagnostics.install()
    try:
        status = _command(args, paths, diagnostics)
        return EXIT_UNEXPECTED if diagnostics.failed and status == 0 else status
    except Exception:
        # Anything not foreseen above: logged with its traceback, one sentence to the user.
        diagnostics.report(sys.exc_info())  # type: ignore[arg-type]
        return EXIT_UNEXPECTED
    finally:
        diagnostics.uninstall()


def _command(args: argparse.Namespace, paths: DataPaths, diagnostics: Diagnostics) -> int:
    try:
        status = _run_command(args, paths, diagnostics)
        # Into a pipe, output waits in a buffer: a reader that has gone away shows here,
        # not at exit, where Python would print "Exception ignored ... BrokenPipeError".
        sys.stdout.flush()
        return status
    except (WorkoutError, UserError) as error:
        print(f"{PROG}: {sentence(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away ('| head'): nothing left to say, and no one to say it to.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as error:
        from legdrive_timer.storage.reader import describe

        where = f" ({describe(error.filename)})" if error.filename else ""
        print(f"{PROG}: {sentence(f'{error.strerror or error}{where}.')}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


def _run_command(args: argparse.Namespace, paths: DataPaths, diagnostics: Diagnostics) -> int:
    if args.command == "workouts":
        return _workouts(args, paths)
    if args.command == "history":
        return _history(args, paths)
    if args.command == "coach":
        return _coach(args)
    return _open_window(args, paths, diagnostics)
