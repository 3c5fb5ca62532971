"""The mixer a streaming sound device pulls from: cues in, blocks of 16-bit samples out.

Runs on the device's audio thread. The window's thread only queues commands (`play`,
`stop_voice`, `stop_all`: appends to a deque, which is thread-safe); `render` applies them
at the start of the next block, so all mixing state belongs to the audio thread alone.

- Silence costs nothing: with nothing sounding `render` returns an empty block at once (the
  device fills it with silence) and does no arithmetic.
- One cue alone costs next to nothing either: its block is a view of samples already scaled
  to the volume, handed over without copying or computing. A cue is scaled block by block
  the first time it plays at a volume, and those samples are kept for its next plays.
- Sounds overlap; voice lines never do: a new line replaces the one speaking.
- Overlapping cues are summed in integers; when the sum would pass full scale the block is
  scaled down as a whole (a limiter that recovers over about 80 ms), so nothing clips.
- Volume is a fixed-point gain; plain integer arithmetic over `array` blocks, no numpy and
  no `audioop` (gone from Python 3.13).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import repeat
from operator import add, mul, rshift
from typing import TypeAlias

from legdrive_timer.audio.cues import Cue

UNITY = 1 << 10
"""Fixed-point gain of 1.0 (Q10)."""
FULL_SCALE = 32767
LIMITER_RELEASE_PER_BLOCK = 64
"""How fast the limiter's gain returns to unity, in Q10 per block (16 blocks of 5 ms)."""

Block: TypeAlias = "memoryview | array[int] | bytes"
"""What `render` returns: 16-bit samples, or empty bytes for silence."""


@dataclass
class _Scaled:
    """One cue's samples at one gain, filled in as the cue first plays at it."""

    gain: int
    samples: array[int]
    """As long as the cue; never resized, so views of it stay valid."""
    view: memoryview
    ready: int = 0
    """Samples from the start that are scaled."""


@dataclass
class _Voice:
    cue: Cue
    source: memoryview
    scaled: _Scaled | None
    """None at full volume: the source is played as it is."""
    position: int = 0


_Command = tuple[str, Cue | None, int]


class Mixer:
    def __init__(self, pcm: Mapping[Cue, array[int] | memoryview]) -> None:
        """`pcm`: every cue's samples, mono 16-bit at the device's rate (arrays or views of
        them, never copied)."""
        self._pcm = {cue: memoryview(samples) for cue, samples in pcm.items()}
        self._scaled: dict[Cue, _Scaled] = {}
        """Each cue at the volume it last played at (the audio thread's alone)."""
        self._commands: deque[_Command] = deque()
        self._sounds: list[_Voice] = []
        self._voice: _Voice | None = None
        self._limiter = UNITY
        self.blocks_rendered = 0
        """Blocks asked for by the device: a stalled device stops counting."""

    # -- any thread -----------------------------------------------------------------------

    def play(self, cue: Cue, volume: float) -> None:
        if cue in self._pcm:
            self._commands.append(("play", cue, round(max(0.0, min(1.0, volume)) * UNITY)))

    def stop_voice(self) -> None:
        self._commands.append(("stop_voice", None, 0))

    def stop_all(self) -> None:
        self._commands.append(("stop_all", None, 0))

    @property
    def sounding(self) -> bool:
        return bool(self._sounds) or self._voice is not None or bool(self._commands)

    # -- the audio thread -----------------------------------------------------------------

    def render(self, frames: int) -> Block:
        """The next `frames` samples; empty when nothing sounds (the device plays silence),
        shorter than asked when the last cue ends inside the block."""
        self.blocks_rendered += 1
        if self._commands:
            self._apply_commands()
        if not self._sounds and self._voice is None:
            return b""
        # A copy: a cue that plays its last sample leaves `_sounds` during the loop.
        voices = [*self._sounds] if self._voice is None else [*self._sounds, self._voice]
        if len(voices) == 1 and self._limiter == UNITY:
            return self._take(voices[0], frames)
        mixed: list[int] = []
        for voice in voices:
            chunk = self._take(voice, frames)
            if not mixed:
                mixed = list(chunk)
                continue
            common = min(len(mixed), len(chunk))
            mixed[:common] = map(add, mixed, chunk)  # stops at the shorter
            if len(chunk) > common:
                mixed.extend(chunk[common:])
        return self._limit(mixed)

    def _apply_commands(self) -> None:
        while self._commands:
            # Taken off the queue only once it is in place: `sounding`, asked from another
            # thread deciding whether the stream may pause, never misses a cue in between.
            action, cue, gain = self._commands[0]
            if action == "play" and cue is not None:
                voice = _Voice(cue, self._pcm[cue], self._scaled_at(cue, gain))
                if cue.is_voice:
                    self._voice = voice
                else:
                    self._sounds.append(voice)
            elif action == "stop_voice":
                self._voice = None
            elif action == "stop_all":
                self._voice = None
                self._sounds = []
            self._commands.popleft()

    def _scaled_at(self, cue: Cue, gain: int) -> _Scaled | None:
        if gain == UNITY:
            return None
        scaled = self._scaled.get(cue)
        if scaled is None or scaled.gain != gain:
            samples = array("h", bytes(2 * len(self._pcm[cue])))
            scaled = self._scaled[cue] = _Scaled(gain, samples, memoryview(samples))
        return scaled

    def _take(self, voice: _Voice, frames: int) -> memoryview | array[int]:
        start = voice.position
        end = min(start + frames, len(voice.source))
        voice.position = start + frames
        if voice.position >= len(voice.source):
            self._end(voice)
        scaled = voice.scaled
        if scaled is None:
            return voice.source[start:end]
        if end <= scaled.ready:
            return scaled.view[start:end]
        chunk = array("h", _scale(voice.source[start:end], scaled.gain))
        if start <= scaled.ready:  # continues the scaled part: kept for the next play
            scaled.samples[start:end] = chunk
            scaled.ready = end
        return chunk

    def _end(self, voice: _Voice) -> None:
        if voice is self._voice:
            self._voice = None
        elif voice in self._sounds:
            self._sounds.remove(voice)

    def _limit(self, mixed: list[int]) -> array[int]:
        peak = max(max(mixed), -min(mixed)) if mixed else 0
        gain = min(UNITY, self._limiter + LIMITER_RELEASE_PER_BLOCK)
        if peak * gain > FULL_SCALE * UNITY:
            gain = FULL_SCALE * UNITY // peak
        self._limiter = gain
        return array("h", mixed if gain == UNITY else _scale(mixed, gain))


def _scale(samples: Iterable[int], gain: int) -> Iterable[int]:
    """`s * gain >> 10` for each sample, looped in C (`map`), not in Python bytecode."""
    return map(rshift, map(mul, samples, repeat(gain)), repeat(10))
