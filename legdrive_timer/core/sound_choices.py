"""The sound output choices, named once for the command line, the settings and the cue system."""

from __future__ import annotations

AUDIO_CHOICES = ("auto", "miniaudio", "simpleaudio", "off")
"""`auto` picks the first engine that works: miniaudio, then simpleaudio."""

RETIRED_AUDIO_CHOICES = {"qt": "miniaudio"}
"""Names still accepted for what replaced them. `qt` was Qt's QSoundEffect, retired because
it froze the event loop on PulseAudio from Qt 6.10; miniaudio plays what it played."""


def audio_choice(name: str) -> str | None:
    """The choice `name` stands for, or None when it is not one."""
    if name in AUDIO_CHOICES:
        return name
    return RETIRED_AUDIO_CHOICES.get(name)
