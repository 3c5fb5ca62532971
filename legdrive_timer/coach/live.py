"""The live coach of one side's set: poses arrive one by one from the camera; it calibrates
on the first 3 still seconds, then counts and measures reps as they complete.

A coach made with the calibration of an earlier one counts from its first frame: the person
who stood still before the set need not stand still again when it starts or restarts."""

from __future__ import annotations

from dataclasses import dataclass, field

from legdrive_timer.coach.joints import PoseSample
from legdrive_timer.coach.measures import (
    CALIBRATION_S,
    Calibration,
    CoachError,
    Rep,
    RepCounter,
    RepSet,
    calibrate,
)
from legdrive_timer.core.workout import Side

KEEP_S = 3 * CALIBRATION_S
"""How much of the wait for a still stretch is kept: enough to find one, bounded."""

CALIBRATE_EVERY = 10
"""Frames between two attempts at the calibration (each looks at the whole buffer)."""


@dataclass
class LiveCoach:
    side: Side
    reps: list[Rep] = field(default_factory=list)
    calibration: Calibration | None = None
    _waiting: list[PoseSample] = field(default_factory=list)
    _counter: RepCounter | None = None

    def __post_init__(self) -> None:
        if self.calibration is not None:
            self._counter = RepCounter(self.calibration)

    def push(self, sample: PoseSample) -> list[Rep]:
        """The reps completed by this frame (usually none)."""
        if self._counter is not None:
            done = self._counter.push(sample)
            self.reps += done
            return done
        self._waiting.append(sample)
        while self._waiting and sample.t_s - self._waiting[0].t_s > KEEP_S:
            self._waiting.pop(0)
        if len(self._waiting) % CALIBRATE_EVERY:
            return []
        try:
            self.calibration = calibrate(self._waiting)
        except CoachError:
            return []
        self._counter = RepCounter(self.calibration)
        done = []
        for waiting in self._waiting:
            if waiting.t_s >= self.calibration.end_s:
                done += self._counter.push(waiting)
        self._waiting = []
        self.reps += done
        return done

    @property
    def figures(self) -> RepSet:
        return RepSet(self.side, tuple(self.reps))

    def finish(self) -> list[Rep]:
        """The set is over: a rep already back down is counted, one still up is not."""
        if self._counter is None:
            return []
        done = self._counter.finish()
        self.reps += done
        return done
