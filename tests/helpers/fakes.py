"""A clock and a scheduler moved by hand: a whole session runs in milliseconds, no sleeping.

The engine and the cue planner take them in place of the monotonic clock and the Qt timer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


class FakeClock:
    def __init__(self, start_ms: int = 1_000_000) -> None:
        self.now_ms = start_ms

    def __call__(self) -> int:
        return self.now_ms


class FakeScheduler:
    """A scheduler driven by hand; `advance` fires every callback that falls due, in order.

    `lateness_ms` makes each callback run that much after its deadline, to model a busy
    machine or a laptop waking from suspend.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pending: tuple[int, Callable[[], None]] | None = None
        self.lateness_ms = 0
        self.fired = 0

    def call_at(self, deadline_ms: int, callback: Callable[[], None]) -> None:
        self.pending = (deadline_ms, callback)

    def cancel(self) -> None:
        self.pending = None

    @property
    def next_deadline(self) -> int | None:
        return None if self.pending is None else self.pending[0]

    def advance(self, ms: int) -> None:
        """Let `ms` milliseconds pass, firing callbacks as they fall due."""
        end = self.clock.now_ms + ms
        while self.pending is not None:
            deadline, callback = self.pending
            fire_at = max(deadline, self.clock.now_ms) + self.lateness_ms
            if fire_at > end:
                break
            self.pending = None
            self.clock.now_ms = fire_at
            self.fired += 1
            callback()
        self.clock.now_ms = max(self.clock.now_ms, end)

    def run_until_idle(self, limit: int = 1_000_000) -> None:
        """Fire callbacks until nothing is pending (the session ended or paused)."""
        for _ in range(limit):
            if self.pending is None:
                return
            deadline, callback = self.pending
            self.pending = None
            self.clock.now_ms = max(deadline, self.clock.now_ms) + self.lateness_ms
            self.fired += 1
            callback()
        raise RuntimeError("the scheduler was still busy after the call limit")


def run_schedulers(schedulers: Iterable[FakeScheduler], limit: int = 1_000_000) -> None:
    """Fire the pending calls of several fake schedulers on one clock, earliest first."""
    pool = list(schedulers)
    for _ in range(limit):
        due = [s for s in pool if s.next_deadline is not None]
        if not due:
            return
        first = min(due, key=lambda s: s.next_deadline or 0)
        deadline = first.next_deadline
        assert deadline is not None
        first.advance(max(0, deadline - first.clock.now_ms))
    raise RuntimeError("the schedulers were still busy after the call limit")
