"""The mixer a streaming sound device pulls from: cues in, blocks of 16-bit samples out.

Runs on the device's audio thread. The window's thread only queues commands (`play`,
`stop_voice`, `stop_all`: appends to a deque, which is thread-safe); `render` applies them
at the start of the next block, so all mixing state belongs to the audio thread alone.

- Silence costs nothing: with nothing sounding `render` returns an empty block at once (the
  device fills it with silence) and does no arithmetic.
- Sounds overlap; voice lines never do: a new line replaces the one speaking.
- Overlapping cues are summed in integers; when the sum would pass full scale the block is
  scaled down as a whole (a limiter that recovers over about 80 ms), so nothing clips.
- Volume is a fixed-point gain applied while mixing; plain integer arithmetic over
  `array` blocks, no numpy and no `audioop` (gone from Python 3.13).
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from legdrive_timer.audio.cues import Cue

UNITY = 1 << 10
"""Fixed-point gain of 1.0 (Q10)."""
FULL_SCALE = 32767
LIMITER_RELEASE_PER_BLOCK = 64
"""How fast the limiter's gain returns to unity, in Q10 per block (16 blocks of 5 ms)."""


@dataclass
class _Voice:
    cue: Cue
    samples: array[int]
    gain: int
    position: int = 0


_Command = tuple[str, Cue | None, int]


class Mixer:
    def __init__(self, pcm: Mapping[Cue, array[int]]) -> None:
        """`pcm`: every cue's samples, mono 16-bit at the device's rate."""
        self._pcm = dict(pcm)
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

    def render(self, frames: int) -> array[int] | bytes:
        """The next `frames` samples; empty when nothing sounds (the device plays silence),
        shorter than asked when the last cue ends inside the block."""
        self.blocks_rendered += 1
        if self._commands:
            self._apply_commands()
        if not self._sounds and self._voice is None:
            return b""
        # A copy: a cue that plays its last sample leaves `_sounds` during the loop.
        voices = [*self._sounds] if self._voice is None else [*self._sounds, self._voice]
        if len(voices) == 1 and voices[0].gain == UNITY and self._limiter == UNITY:
            return self._take(voices[0], frames)
        mixed: list[int] = []
        for voice in voices:
            chunk = self._take(voice, frames)
            gain = voice.gain
            if not mixed:
                mixed = [s * gain for s in chunk]
                continue
            common = min(len(mixed), len(chunk))
            mixed[:common] = [a + s * gain for a, s in zip(mixed, chunk, strict=False)]
            if len(chunk) > common:
                mixed.extend(s * gain for s in chunk[common:])
        return self._limit(mixed)

    def _apply_commands(self) -> None:
        while self._commands:
            action, cue, gain = self._commands.popleft()
            if action == "play" and cue is not None:
                voice = _Voice(cue, self._pcm[cue], gain)
                if cue.is_voice:
                    self._voice = voice
                else:
                    self._sounds.append(voice)
            elif action == "stop_voice":
                self._voice = None
            elif action == "stop_all":
                self._voice = None
                self._sounds = []

    def _take(self, voice: _Voice, frames: int) -> array[int]:
        start = voice.position
        voice.position = start + frames
        chunk = voice.samples[start : start + frames]
        if voice.position >= len(voice.samples):
            self._end(voice)
        return chunk

    def _end(self, voice: _Voice) -> None:
        if voice is self._voice:
            self._voice = None
        elif voice in self._sounds:
            self._sounds.remove(voice)

    def _limit(self, mixed: list[int]) -> array[int]:
        peak = max(max(mixed), -min(mixed)) if mixed else 0
        gain = min(UNITY, self._limiter + LIMITER_RELEASE_PER_BLOCK)
        if peak * gain > FULL_SCALE * UNITY * UNITY:
            gain = FULL_SCALE * UNITY * UNITY // peak
        self._limiter = gain
        # Each sample carries the cue's Q10 gain; the limiter's is another Q10 factor.
        return array("h", [s * gain >> 20 for s in mixed])
