"""Audio cues: the cue vocabulary, the planner that decides what plays when, and the
playback backends (miniaudio, simpleaudio, silent) behind `CueSystem`."""

from typing import TYPE_CHECKING, Any

from legdrive_timer.audio.cues import Channel, Cue
from legdrive_timer.audio.system import SOUND_OFF, CueSystem
from legdrive_timer.core.sound_choices import AUDIO_CHOICES as CHOICES

if TYPE_CHECKING:
    from legdrive_timer.audio.planner import CuePlanner

__all__ = [
    "CHOICES",
    "SOUND_OFF",
    "Channel",
    "Cue",
    "CuePlanner",
    "CueSystem",
]


def __getattr__(name: str) -> Any:
    # The planner is needed once a session runs, not to open the device at start.
    if name == "CuePlanner":
        from legdrive_timer.audio.planner import CuePlanner

        return CuePlanner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
