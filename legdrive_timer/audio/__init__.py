"""Audio cues: the cue vocabulary, the planner that decides what plays when, and the
playback backends (miniaudio, simpleaudio, silent) behind `CueSystem`."""

from legdrive_timer.audio.cues import Channel, Cue
from legdrive_timer.audio.planner import CuePlanner, PlayedCue
from legdrive_timer.audio.system import SOUND_OFF, CueSystem
from legdrive_timer.core.sound_choices import AUDIO_CHOICES as CHOICES

__all__ = [
    "CHOICES",
    "SOUND_OFF",
    "Channel",
    "Cue",
    "CuePlanner",
    "CueSystem",
    "PlayedCue",
]
