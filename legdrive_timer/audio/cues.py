"""The cue vocabulary: every sound and voice line the session can play, with its priority.

Two channels. Sounds are short tones that may overlap each other; at one instant only the
most important one plays. Voice lines never overlap: a line that would start while a more
important one is speaking is dropped, and a more important one cuts a less important one
(a phase line outranks a count).
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import BinaryIO

from legdrive_timer.asset_files import asset_path


class Channel(StrEnum):
    SOUND = "sounds"
    VOICE = "voice"


class Cue(Enum):
    """Each member's value is (channel, file stem, priority); higher priority wins."""

    PREP_TICK = (Channel.SOUND, "prep_tick", 30)
    COUNTDOWN = (Channel.SOUND, "countdown", 30)
    WORK_START = (Channel.SOUND, "work_start", 70)
    REST_START = (Channel.SOUND, "rest_start", 60)
    HALFWAY = (Channel.SOUND, "halfway", 40)
    SWITCH_SIDES = (Channel.SOUND, "switch_sides", 80)
    SET_DONE = (Channel.SOUND, "set_done", 90)
    SESSION_COMPLETE = (Channel.SOUND, "session_complete", 100)
    REP_DRIVE = (Channel.SOUND, "rep_drive", 20)
    REP_LOWER = (Channel.SOUND, "rep_lower", 10)

    VOICE_GET_READY = (Channel.VOICE, "get_ready", 20)
    VOICE_DRIVE = (Channel.VOICE, "drive", 30)
    VOICE_REST = (Channel.VOICE, "rest", 30)
    VOICE_LAST_ROUND = (Channel.VOICE, "last_round", 35)
    VOICE_SWITCH_LEFT = (Channel.VOICE, "switch_left", 40)
    VOICE_SWITCH_RIGHT = (Channel.VOICE, "switch_right", 40)
    VOICE_DONE = (Channel.VOICE, "done", 50)
    VOICE_HALFWAY = (Channel.VOICE, "halfway", 10)
    """A count: cut by any phase line."""
    VOICE_HIGHER = (Channel.VOICE, "higher", 5)
    VOICE_CONTROL_DOWN = (Channel.VOICE, "control_down", 5)
    """The camera coach's form cues: the lowest lines, spoken only when nothing else is."""

    @property
    def channel(self) -> Channel:
        return self.value[0]

    @property
    def key(self) -> str:
        """The file stem: `work_start` for `sounds/work_start.wav`."""
        return self.value[1]

    @property
    def priority(self) -> int:
        return self.value[2]

    @property
    def is_voice(self) -> bool:
        return self.channel is Channel.VOICE

    @property
    def relative_path(self) -> str:
        return f"{self.channel.value}/{self.key}.wav"


COACH_VOICE: Mapping[str, Cue] = {
    "higher": Cue.VOICE_HIGHER,
    "control_down": Cue.VOICE_CONTROL_DOWN,
}
"""The voice line of each form cue of the camera coach, by the cue's key (`FormCue.key`;
the coach is optional, so the audio layer names its cues by key rather than importing it)."""

TEST_CUE = Cue.WORK_START
"""What the "test sound" button plays: the cue the user most needs to hear."""


@dataclass(frozen=True)
class CueAsset:
    cue: Cue
    path: Path
    duration_ms: int
    """Length of the WAV, so the planner knows when a voice line has finished."""


class WavError(ValueError):
    """A file that is not a WAV file of PCM samples."""


@dataclass(frozen=True)
class WavHeader:
    channels: int
    rate: int
    sample_width: int
    """Bytes per sample."""
    data_start: int
    """Where the samples begin in the file."""
    data_size: int
    """Bytes of samples: what the data chunk declares, or what the file holds if less."""

    @property
    def frames(self) -> int:
        return self.data_size // (self.channels * self.sample_width)


_PCM = 1
_EXTENSIBLE = 0xFFFE


def read_wav_header(file: BinaryIO) -> WavHeader:
    """The format of a RIFF WAVE file of PCM samples and where its samples are, read from
    the start of `file`, which is left at the first sample.

    What the standard library's `wave` module reads, without loading it at every start
    for twenty headers: the chunks before the data chunk are walked (word aligned), the
    `fmt ` chunk must come first and say PCM (plainly, or as WAVE_FORMAT_EXTENSIBLE with
    the PCM sub-format). Raises `WavError`, or `EOFError` for a file that ends too soon.
    """
    riff = file.read(12)
    if len(riff) < 12:
        raise EOFError("the file ends inside its RIFF header")
    if riff[:4] != b"RIFF" or riff[8:] != b"WAVE":
        raise WavError("not a RIFF WAVE file")
    header: tuple[int, int, int] | None = None
    while True:
        chunk = file.read(8)
        if len(chunk) < 8:
            raise EOFError("the file ends before its data chunk")
        name, size = chunk[:4], int.from_bytes(chunk[4:], "little")
        if name == b"data":
            if header is None:
                raise WavError("data chunk before fmt chunk")
            start = file.tell()
            end = file.seek(0, 2)  # a file cut short holds fewer samples than it declares
            file.seek(start)
            return WavHeader(*header, data_start=start, data_size=min(size, end - start))
        if name != b"fmt ":
            file.seek(size + (size & 1), 1)
            continue
        # The fields read are in the first 26 bytes: a damaged size never sizes a read.
        body = file.read(min(size, 26))
        file.seek(size + (size & 1) - len(body), 1)
        if len(body) < 16:
            raise WavError("fmt chunk too short")
        tag = int.from_bytes(body[:2], "little")
        if tag == _EXTENSIBLE and len(body) >= 26:
            tag = int.from_bytes(body[24:26], "little")  # the sub-format GUID's first field
        if tag != _PCM:
            raise WavError(f"unknown format: {tag}")
        channels = int.from_bytes(body[2:4], "little")
        rate = int.from_bytes(body[4:8], "little")
        width = (int.from_bytes(body[14:16], "little") + 7) // 8
        if not channels or not width or not rate:
            raise WavError("bad number of channels, sample width or rate")
        header = (channels, rate, width)


def wav_duration_ms(path: Path) -> int:
    with path.open("rb") as file:
        header = read_wav_header(file)
    return round(header.frames * 1000 / header.rate)


class CueAssetError(Exception):
    """A cue file is missing or not a readable WAV."""


def open_assets(stack: ExitStack) -> dict[Cue, CueAsset]:
    """Every cue's WAV as a real file path, valid until `stack` closes.

    From the installed assets folder; from temporary copies kept alive by the exit stack
    where the package is installed zipped.
    """
    assets: dict[Cue, CueAsset] = {}
    for cue in Cue:
        try:
            path = asset_path(stack, cue.channel.value, f"{cue.key}.wav")
            assets[cue] = CueAsset(cue, path, wav_duration_ms(path))
        except (OSError, WavError, EOFError) as error:
            raise CueAssetError(f"the sound file {cue.relative_path} could not be read") from error
    return assets


def durations(assets: Mapping[Cue, CueAsset]) -> dict[Cue, int]:
    return {cue: asset.duration_ms for cue, asset in assets.items()}
