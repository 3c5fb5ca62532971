"""When the camera coach says something about form, and what it says.

The article's two cues, as the measures can check them on each rep:

- **"Higher"**: the thigh did not reach parallel ("parallel to the floor or higher"). A rep
  slips when it is not `parallel` (peak thigh angle under 80 deg, the measures'
  `PARALLEL_DEG`): the same test as the tick per parallel rep in the window, so a rep
  without a tick is a rep that slips.
- **"Control the way down"**: the lowering was quicker than the drive ("the drive portion
  should be explosive and fast; the lowering phase should be controlled"). A rep that
  reached parallel slips when its lowering time is shorter than its drive time, or shorter
  than `MIN_LOWER_S` whatever the drive: a leg let fall covers the middle 60% of its lift
  in about 0.2 s, so a quick drive followed by a drop is not excused by the drive being
  quick too. A rep whose drive or lowering was not seen is not judged on it.

One thing at a time, height first: the descent of a rep short of parallel is not judged.
Its 20%-80% times are taken against its own lower peak, and through the pose model they are
the least reliable figures there are (a drawn 58 deg rep with a 0.41 s lowering read as a
71 deg rep lowered in 0.09 s: a peak that jitters up shrinks both times), so judging them
would add false "Control the way down" cues to the right "Higher" ones.

One rep is not enough to speak. A pose model misplaces a hip by a few degrees and a single
time is good to about +-50-120 ms at 30 fps, so a rep near a threshold can slip by noise
alone; and a coach who talks on every rep is not listened to. So:

- a cue is given only when its slip **repeats**: at least `repeat` of the last `window` reps
  (the current one included, and it must slip too);
- at most one cue every `gap` reps, whatever the cue: after a cue, the next `gap - 1` reps
  are quiet.

So a slip that persists from rep r on is cued by rep r + `gap`, and with the defaults a set
of 15 reps in which every rep is short hears "Higher" after reps 2, 7 and 12. The rule is a
pure function of the reps of one side's set so far: the window asks it after each counted
rep, with the reps before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from legdrive_timer.coach.measures import Rep

MIN_LOWER_S = 0.25
"""A lowering (20% to 80% of the lift) quicker than this is a drop, however quick the drive."""


class FormCue(StrEnum):
    """A cue about form; its value is the key of its voice line (`audio.cues.COACH_VOICE`)."""

    HIGHER = "higher"
    CONTROL_DOWN = "control_down"

    @property
    def key(self) -> str:
        return self.value

    @property
    def text(self) -> str:
        """What the window shows (and the voice line says)."""
        return CUE_TEXT[self]


CUE_TEXT = {FormCue.HIGHER: "Higher", FormCue.CONTROL_DOWN: "Control the way down"}


@dataclass(frozen=True, slots=True)
class FormRule:
    """How often the coach may speak: see the module's description."""

    repeat: int = 2
    window: int = 3
    gap: int = 5
    min_lower_s: float = MIN_LOWER_S

    def __post_init__(self) -> None:
        if not 1 <= self.repeat <= self.window:
            raise ValueError("repeat must be between 1 and the window")
        if self.gap < 1:
            raise ValueError("gap must be at least 1 rep")


DEFAULT_RULE = FormRule()


def slip(rep: Rep, rule: FormRule = DEFAULT_RULE) -> FormCue | None:
    """What this one rep deserves on its own, before the rule about repeating."""
    if not rep.parallel:
        return FormCue.HIGHER
    drive, lower = rep.drive_s, rep.lower_s
    if drive is not None and lower is not None and lower < max(drive, rule.min_lower_s):
        return FormCue.CONTROL_DOWN
    return None


def form_cues(reps: Sequence[Rep], rule: FormRule = DEFAULT_RULE) -> list[FormCue | None]:
    """The cue given after each rep of one side's set, in order (None: say nothing)."""
    given: list[FormCue | None] = []
    found: list[FormCue | None] = []
    spoke: int | None = None
    for i, rep in enumerate(reps):
        cue = slip(rep, rule)
        found.append(cue)
        repeated = cue is not None and found[-rule.window :].count(cue) >= rule.repeat
        quiet = spoke is not None and i - spoke < rule.gap
        if repeated and not quiet:
            spoke = i
            given.append(cue)
        else:
            given.append(None)
    return given


def form_cue(
    rep: Rep, previous: Sequence[Rep] = (), rule: FormRule = DEFAULT_RULE
) -> FormCue | None:
    """The cue to give now that `rep` is done, after the `previous` reps of the same set."""
    return form_cues([*previous, rep], rule)[-1]
