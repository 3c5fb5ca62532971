"""Per-rep measures of single-leg knee drives from a track of poses.

How the figures are defined (docs/coach.md says the same for the person):

- **Calibration**: the first 3 s in which the person stands still, both feet down. It gives
  the standing heights of hip, knee and ankle, the thigh length (hip to knee) and the torso
  length (shoulders to hips). The torso length is the scale: if the person steps closer to
  or further from the camera, the thigh length follows the torso.
- **Thigh angle**: the angle between the thigh and the downward vertical, 0 deg standing,
  90 deg with the thigh parallel to the floor. It comes from the vertical extent of the
  hip-knee line against the calibrated thigh length, `acos(dy / thigh)`, which holds from the
  front (the thigh comes towards the camera and only foreshortens) as from the side.
- **Lift**: `1 - cos(angle)`, the knee's rise above its standing height in thigh lengths:
  0 standing, 1 at parallel.
- **Driving leg**: in each frame, the leg whose knee is higher. A front view can swap the
  model's left and right labels, so the side comes from the workout, never from the labels.
- **A rep** is counted when the driving thigh rises above `up_deg` and comes back below
  `down_deg` (hysteresis), seen the whole way: a stretch without a person longer than
  `max_gap_s` in the middle of a rep drops that rep.
- **Drive and lowering times** are taken between 20% and 80% of the rep's lift: the drive
  from the last upward crossing of 20% to the first of 80%, the lowering from the last
  downward crossing of 80% to the first of 20% after it. A pause at the top counts in
  neither. Crossings are interpolated between frames.
- **Sway**: how far the shoulder-hip line leans away from its standing direction; per rep,
  the largest such lean in degrees between the start of the drive and the end of the
  lowering; for a set, the median over reps.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum, auto

from legdrive_timer.coach.joints import Joint, Point, Pose, PoseSample, is_complete
from legdrive_timer.core.workout import Side

CALIBRATION_S = 3.0
"""How long the person stands still before the first rep."""

CALIBRATION_SPREAD = 0.05
"""Standing still: the height of every knee and hip varies by less than this many thigh
lengths (standard deviation; a pose model's keypoints jitter by a few pixels)."""

UP_DEG = 45.0
DOWN_DEG = 30.0
"""Hysteresis on the thigh angle: a rep starts above UP_DEG and ends below DOWN_DEG."""

PARALLEL_DEG = 80.0
"""A rep reaches parallel when its peak thigh angle is at least this (horizontal is 90 deg;
the margin covers the few degrees a pose model misplaces a hip)."""

MAX_GAP_S = 0.4
"""The longest stretch without a person that a rep in progress survives."""

SMOOTHING_FRAMES = 3
"""The lift is averaged over the last few frames against keypoint jitter. The lag this adds
is the same on the way up and down, so it cancels out of the drive and lowering times."""

SMOOTHING_GAP_S = 0.1

TAIL_S = 1.0
"""How long after falling below DOWN_DEG a rep waits for the knee to reach 20% of its lift."""

LOW_FRACTION = 0.2
HIGH_FRACTION = 0.8


class CoachError(ValueError):
    """The track cannot be measured; the message is one sentence for the person."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """Standing posture, in pixels (y down), from the first still stretch."""

    start_s: float
    end_s: float
    hip_y: float
    knee_y: float
    ankle_y: float
    thigh: float
    torso: float
    lean_deg: float


@dataclass(frozen=True, slots=True)
class Rep:
    index: int
    start_s: float
    peak_thigh_deg: float
    parallel: bool
    drive_s: float | None
    lower_s: float | None
    sway_deg: float


class RepFigures:
    """The summary of one side's reps; the medians skip reps that lack the figure."""

    __slots__ = ()
    reps: tuple[Rep, ...]

    @property
    def parallel_share(self) -> float | None:
        if not self.reps:
            return None
        return sum(rep.parallel for rep in self.reps) / len(self.reps)

    @property
    def median_peak_thigh_deg(self) -> float | None:
        return _median([rep.peak_thigh_deg for rep in self.reps])

    @property
    def median_drive_s(self) -> float | None:
        return _median([rep.drive_s for rep in self.reps if rep.drive_s is not None])

    @property
    def median_lower_s(self) -> float | None:
        return _median([rep.lower_s for rep in self.reps if rep.lower_s is not None])

    @property
    def drive_lower_ratio(self) -> float | None:
        """Median drive time over median lowering time: below 1 is a fast drive and a
        controlled descent, as the article asks."""
        drive, lower = self.median_drive_s, self.median_lower_s
        if drive is None or lower is None or lower <= 0:
            return None
        return drive / lower

    @property
    def sway_deg(self) -> float | None:
        return _median([rep.sway_deg for rep in self.reps])


@dataclass(frozen=True, slots=True)
class SideAnalysis(RepFigures):
    """The reps of one side in a video, with what the measuring saw."""

    side: Side
    calibration: Calibration
    reps: tuple[Rep, ...]
    frames: int
    frames_without_person: int
    dropped_reps: int


@dataclass(frozen=True, slots=True)
class RepSet(RepFigures):
    """The reps the live coach counted in one side's set."""

    side: Side
    reps: tuple[Rep, ...]


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _mid(a: Point, b: Point) -> Point:
    return Point((a.x + b.x) / 2, (a.y + b.y) / 2)


def _distance(a: Point, b: Point) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def _torso(pose: Pose) -> float:
    shoulders = _mid(pose[Joint.LEFT_SHOULDER], pose[Joint.RIGHT_SHOULDER])
    hips = _mid(pose[Joint.LEFT_HIP], pose[Joint.RIGHT_HIP])
    return _distance(shoulders, hips)


def trunk_lean_deg(pose: Pose) -> float:
    """Signed lean of the shoulder-hip line from vertical (positive: shoulders to the right)."""
    shoulders = _mid(pose[Joint.LEFT_SHOULDER], pose[Joint.RIGHT_SHOULDER])
    hips = _mid(pose[Joint.LEFT_HIP], pose[Joint.RIGHT_HIP])
    return math.degrees(math.atan2(shoulders.x - hips.x, hips.y - shoulders.y))


_LEGS = (
    (Joint.LEFT_HIP, Joint.LEFT_KNEE, Joint.LEFT_ANKLE),
    (Joint.RIGHT_HIP, Joint.RIGHT_KNEE, Joint.RIGHT_ANKLE),
)


def calibrate(
    samples: Sequence[PoseSample],
    window_s: float = CALIBRATION_S,
    spread: float = CALIBRATION_SPREAD,
) -> Calibration:
    """The first `window_s` of standing still, every frame with a person in it."""
    run: list[PoseSample] = []
    for sample in samples:
        if not is_complete(sample.pose):
            run = []
            continue
        run.append(sample)
        while run and not _still(run, spread):
            run.pop(0)
        if run and run[-1].t_s - run[0].t_s >= window_s - 1e-9:
            return _calibration(run)
    raise CoachError(
        f"Nobody stood still for {window_s:g} s in view of the camera, so there is nothing "
        "to measure the knee drives against."
    )


def _still(run: Sequence[PoseSample], spread: float) -> bool:
    poses = [s.pose for s in run if s.pose is not None]
    thigh = statistics.median(_distance(p[hip], p[knee]) for p in poses for hip, knee, _ in _LEGS)
    if thigh <= 0:
        return False
    for joint in (Joint.LEFT_HIP, Joint.RIGHT_HIP, Joint.LEFT_KNEE, Joint.RIGHT_KNEE):
        if len(poses) > 1 and statistics.pstdev(p[joint].y for p in poses) > spread * thigh:
            return False
    # Standing: each knee sits below its hip by most of a thigh length.
    latest = poses[-1]
    return all(latest[knee].y - latest[hip].y > 0.8 * thigh for hip, knee, _ in _LEGS)


def _calibration(run: Sequence[PoseSample]) -> Calibration:
    poses = [s.pose for s in run if s.pose is not None]

    def median_y(*joints: Joint) -> float:
        return statistics.median(p[j].y for p in poses for j in joints)

    return Calibration(
        start_s=run[0].t_s,
        end_s=run[-1].t_s,
        hip_y=median_y(Joint.LEFT_HIP, Joint.RIGHT_HIP),
        knee_y=median_y(Joint.LEFT_KNEE, Joint.RIGHT_KNEE),
        ankle_y=median_y(Joint.LEFT_ANKLE, Joint.RIGHT_ANKLE),
        thigh=statistics.median(_distance(p[h], p[k]) for p in poses for h, k, _ in _LEGS),
        torso=statistics.median(_torso(p) for p in poses),
        lean_deg=statistics.median(trunk_lean_deg(p) for p in poses),
    )


@dataclass(frozen=True, slots=True)
class _Frame:
    t_s: float
    lift: float
    angle_deg: float
    lean_deg: float


def measure_frame(pose: Pose, calibration: Calibration, t_s: float = 0.0) -> _Frame:
    """Lift and thigh angle of the higher knee, and the trunk lean, in one pose."""
    scale = _torso(pose) / calibration.torso if calibration.torso > 0 else 1.0
    thigh = calibration.thigh * scale
    best: tuple[float, float] | None = None
    for hip, knee, _ in _LEGS:
        cos = max(-1.0, min(1.0, (pose[knee].y - pose[hip].y) / thigh))
        lift = 1.0 - cos
        if best is None or lift > best[0]:
            best = (lift, math.degrees(math.acos(cos)))
    assert best is not None
    return _Frame(t_s, best[0], best[1], trunk_lean_deg(pose))


class _State(Enum):
    WAIT_DOWN = auto()  # not yet seen standing (start, or after losing the person)
    DOWN = auto()
    UP = auto()
    TAIL = auto()  # back below DOWN_DEG, waiting for 20% of the lift


@dataclass
class RepCounter:
    """Counts and measures reps as frames arrive (the live coach feeds it frame by frame).

    `push` returns the reps that completed with that frame, at most a second after the knee
    came back down.
    """

    calibration: Calibration
    up_deg: float = UP_DEG
    down_deg: float = DOWN_DEG
    parallel_deg: float = PARALLEL_DEG
    max_gap_s: float = MAX_GAP_S
    count: int = 0
    dropped: int = 0
    _state: _State = _State.WAIT_DOWN
    _before: deque[_Frame] = field(default_factory=lambda: deque(maxlen=120))
    _rep: list[_Frame] = field(default_factory=list)
    _last_t: float | None = None
    _recent: deque[float] = field(default_factory=lambda: deque(maxlen=SMOOTHING_FRAMES))

    @property
    def knee_up(self) -> bool:
        return self._state is _State.UP

    def push(self, sample: PoseSample) -> list[Rep]:
        if not is_complete(sample.pose):
            return []
        assert sample.pose is not None
        done: list[Rep] = []
        if self._last_t is not None and sample.t_s - self._last_t > self.max_gap_s:
            done += self._lose_sight()
        elif self._last_t is not None and sample.t_s - self._last_t > SMOOTHING_GAP_S:
            self._recent.clear()  # do not average across missing frames
        self._last_t = sample.t_s
        frame = self._smoothed(measure_frame(sample.pose, self.calibration, sample.t_s))
        up = frame.angle_deg >= self.up_deg
        down = frame.angle_deg < self.down_deg
        if self._state is _State.WAIT_DOWN:
            if down:
                self._state = _State.DOWN
                self._before.clear()
                self._before.append(frame)
        elif self._state is _State.DOWN:
            self._before.append(frame)
            if up:
                self._state = _State.UP
                self._rep = [frame]
        elif self._state is _State.UP:
            self._rep.append(frame)
            if down:
                self._state = _State.TAIL
                done += self._finish_if_low(frame)
        else:  # TAIL
            if up:
                # The next rep began before this one reached 20%: end it at what we have.
                done += self._finish()
                self._state = _State.UP
                self._rep = [frame]
            else:
                self._rep.append(frame)
                done += self._finish_if_low(frame)
        return done

    def _smoothed(self, frame: _Frame) -> _Frame:
        self._recent.append(frame.lift)
        lift = sum(self._recent) / len(self._recent)
        angle = math.degrees(math.acos(max(-1.0, min(1.0, 1.0 - lift))))
        return _Frame(frame.t_s, lift, angle, frame.lean_deg)

    def finish(self) -> list[Rep]:
        """End of the track: a rep already back down is counted, one still up is dropped."""
        if self._state is _State.TAIL:
            return self._finish()
        if self._state is _State.UP:
            self.dropped += 1
        self._state = _State.WAIT_DOWN
        return []

    def _lose_sight(self) -> list[Rep]:
        done = self.finish()
        self._before.clear()
        self._recent.clear()
        return done

    def _finish_if_low(self, frame: _Frame) -> list[Rep]:
        peak = max(f.lift for f in self._rep)
        tail_start = next(f.t_s for f in self._rep if f.angle_deg < self.down_deg)
        if frame.lift <= LOW_FRACTION * peak or frame.t_s - tail_start >= TAIL_S:
            return self._finish()
        return []

    def _finish(self) -> list[Rep]:
        rep_frames = self._rep
        self._rep = []
        # The frames after this rep stand for the next rep's approach.
        tail = [f for f in rep_frames if f.angle_deg < self.down_deg]
        before = list(self._before)
        self._before.clear()
        self._before.extend(tail[-1:])
        self._state = _State.DOWN
        self.count += 1
        return [self._measure(self.count, before, rep_frames)]

    def _measure(self, index: int, before: list[_Frame], rep: list[_Frame]) -> Rep:
        frames = before + rep
        peak = max(f.lift for f in rep)
        low, high = LOW_FRACTION * peak, HIGH_FRACTION * peak
        first_high = next(i for i, f in enumerate(frames) if f.lift >= high)
        last_high = max(i for i, f in enumerate(frames) if f.lift >= high)
        drive_start = _crossing_before(frames, first_high, low)
        drive_end = _crossing_before(frames, first_high, high)
        lower_start = _crossing_after(frames, last_high, high)
        lower_end = _crossing_after(frames, last_high, low)
        drive_s = None if drive_start is None or drive_end is None else drive_end - drive_start
        lower_s = None if lower_start is None or lower_end is None else lower_end - lower_start
        start_s = drive_start if drive_start is not None else rep[0].t_s
        end_s = lower_end if lower_end is not None else rep[-1].t_s
        leans = [f.lean_deg for f in frames if start_s <= f.t_s <= end_s] or [
            f.lean_deg for f in rep
        ]
        peak_deg = max(f.angle_deg for f in rep)
        return Rep(
            index=index,
            start_s=start_s,
            peak_thigh_deg=peak_deg,
            parallel=peak_deg >= self.parallel_deg,
            drive_s=drive_s,
            lower_s=lower_s,
            sway_deg=max(abs(lean - self.calibration.lean_deg) for lean in leans),
        )


def _crossing_before(frames: Sequence[_Frame], i: int, level: float) -> float | None:
    """The time the lift rose through `level` last before (or at) frame i, interpolated."""
    if frames[i].lift < level:
        return None
    for j in range(i, 0, -1):
        a, b = frames[j - 1], frames[j]
        if a.lift < level <= b.lift:
            return _interpolate(a, b, level)
    return None


def _crossing_after(frames: Sequence[_Frame], i: int, level: float) -> float | None:
    """The time the lift fell through `level` first after frame i, interpolated."""
    for j in range(i, len(frames) - 1):
        a, b = frames[j], frames[j + 1]
        if a.lift >= level > b.lift:
            return _interpolate(a, b, level)
    return None


def _interpolate(a: _Frame, b: _Frame, level: float) -> float:
    if b.lift == a.lift:
        return a.t_s
    return a.t_s + (level - a.lift) / (b.lift - a.lift) * (b.t_s - a.t_s)


def analyze_track(samples: Iterable[PoseSample], side: Side) -> SideAnalysis:
    """Calibrate on the first still stretch, then count and measure every rep after it."""
    track = list(samples)
    calibration = calibrate(track)
    counter = RepCounter(calibration)
    reps: list[Rep] = []
    for sample in _after(track, calibration.end_s):
        reps += counter.push(sample)
    reps += counter.finish()
    return SideAnalysis(
        side=side,
        calibration=calibration,
        reps=tuple(reps),
        frames=len(track),
        frames_without_person=sum(not is_complete(s.pose) for s in track),
        dropped_reps=counter.dropped,
    )


def _after(track: Sequence[PoseSample], t_s: float) -> Iterator[PoseSample]:
    return (s for s in track if s.t_s >= t_s)
