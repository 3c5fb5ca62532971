"""Which part of the app's CPU while a session runs is sound: thread by thread, in one run.

    python bench/sound_cpu.py [--runs 3] [--seconds 30] [--settle S] [--base DIR]

A base tree: `mkdir /tmp/base && git archive COMMIT | tar -x -C /tmp/base`.

Starts side by side, as `bench/startup.py` does for its CPU figure: the app running a
session with sound (miniaudio into a private PulseAudio null sink), the same app with
`--audio off`, and the bare window updating a label at 10 Hz; with `--base DIR`, also the
app from another source tree (say, an export of an older commit) with sound, so that a
change to the sound engine is measured against what it replaced in the same run, on the
same machine load. Each app has its own profile folder (one instance per data folder).

`--settle S` starts measuring S seconds after the first frames, past the sound engine's
loading (after the first frame), to see the steady cost alone.

CPU is each thread's run time from /proc (schedstat, in nanoseconds: finer than the clock
ticks of `stat`), split into the GUI thread (the process's first thread) and the others
(with sound: the device's audio thread, the sound watcher; Qt's own pool); wake-ups are
the context switches of the threads. The app without sound shows the window's own share.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import startup  # the start-up bench's launchers and sound server


@dataclass(frozen=True)
class Sample:
    """Per thread id: run time in ns and context switches."""

    threads: dict[str, tuple[int, int]]


@dataclass(frozen=True)
class Share:
    gui_pct: float
    other_pct: float
    gui_wakeups: float
    other_wakeups: float

    @property
    def total_pct(self) -> float:
        return self.gui_pct + self.other_pct

    @property
    def wakeups(self) -> float:
        return self.gui_wakeups + self.other_wakeups


def sample(pid: int) -> Sample:
    threads: dict[str, tuple[int, int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ns = int((task / "schedstat").read_text().split()[0])
            status = (task / "status").read_text().splitlines()
        except OSError:
            continue  # a thread that ended meanwhile
        switches = sum(int(line.split()[1]) for line in status if "ctxt_switches" in line)
        threads[task.name] = (ns, switches)
    return Sample(threads)


def share(pid: int, before: Sample, after: Sample, seconds: float) -> Share:
    gui = [0.0, 0.0]
    other = [0.0, 0.0]
    for tid, (ns, switches) in after.threads.items():
        ns0, switches0 = before.threads.get(tid, (0, 0))
        into = gui if tid == str(pid) else other
        into[0] += (ns - ns0) / 1e9 / seconds * 100
        into[1] += (switches - switches0) / seconds
    return Share(gui[0], other[0], gui[1], other[1])


def _app(audio: str) -> list[str]:
    command = startup._app_command(session=False)
    return [*command, "run", "hiit", "--audio", audio]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--base", type=Path, help="another source tree to run with sound too")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.0,
        help="seconds after the first frames before measuring (default 0, as bench/startup.py:"
        " the sound engine loading after the first frame counts)",
    )
    args = parser.parse_args(argv)
    programs: dict[str, list[str]] = {
        "app, sound": _app("miniaudio"),
        "app, --audio off": _app("off"),
        "bare 10 Hz label": startup._bare_command(),
    }
    if args.base is not None:
        programs["base app, sound"] = _app("miniaudio")
    results: dict[str, list[Share]] = {name: [] for name in programs}
    with tempfile.TemporaryDirectory(prefix="legdrive-sound-cpu-") as tmp, ExitStack() as stack:
        root = Path(tmp)
        sound = startup._sound_server(root, stack)
        envs = {}
        for number, name in enumerate(programs):
            env = {**startup._environment(root / f"program-{number}"), **sound}
            if name.startswith("base"):
                env["PYTHONPATH"] = str(args.base.resolve())
            subprocess.run([sys.executable, "-c", startup.SEED_SETTINGS], env=env, check=True)
            envs[name] = env
        for name, command in programs.items():  # compiled bytecode, a warm disk cache
            warm = startup.start_until_painted(command, envs[name])
            time.sleep(2.0)
            startup.stop(warm.process)
        for run in range(args.runs):
            names = list(programs) if run % 2 == 0 else list(reversed(programs))
            started = {n: startup.start_until_painted(programs[n], envs[n]) for n in names}
            try:
                time.sleep(args.settle)
                before = {n: sample(s.process.pid) for n, s in started.items()}
                time.sleep(args.seconds)
                after = {n: sample(s.process.pid) for n, s in started.items()}
            finally:
                for s in started.values():
                    startup.stop(s.process)
            for n, s in started.items():
                results[n].append(share(s.process.pid, before[n], after[n], args.seconds))
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"{args.runs} run(s) of {args.seconds:.0f} s from {args.settle:.0f} s after the first"
        f" frames, side by side; load average {' '.join(load)}"
    )
    print(
        f"{'program':<18} {'CPU %':>7} {'x bare':>7} {'GUI thr':>8} {'others':>7}"
        f" {'wake/s':>7} {'GUI':>5} {'others':>7}"
    )
    bare = statistics.median(s.total_pct for s in results["bare 10 Hz label"])
    for name, shares in results.items():

        def med(values: list[float]) -> float:
            return statistics.median(values)

        total = med([s.total_pct for s in shares])
        gui, other = med([s.gui_pct for s in shares]), med([s.other_pct for s in shares])
        wakeups = med([s.wakeups for s in shares])
        gui_wakeups = med([s.gui_wakeups for s in shares])
        other_wakeups = med([s.other_wakeups for s in shares])
        print(
            f"{name:<18} {total:>7.3f} {total / bare:>7.2f} {gui:>8.3f} {other:>7.3f}"
            f" {wakeups:>7.0f} {gui_wakeups:>5.0f} {other_wakeups:>7.0f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
