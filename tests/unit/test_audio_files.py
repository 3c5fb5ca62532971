"""Reading the cue files: the samples the sound engines play, mapped from the files."""

from __future__ import annotations

import io
import mmap
import wave
from array import array
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legdrive_timer.audio.backends import _read_pcm
from legdrive_timer.audio.cues import (
    Cue,
    CueAsset,
    WavError,
    open_assets,
    read_wav_header,
    wav_duration_ms,
)


def write_wav(path: Path, samples: list[int], *, channels: int = 1, width: int = 2) -> CueAsset:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(48_000)
        if width == 2:
            wav.writeframes(array("h", samples).tobytes())
        else:
            wav.writeframes(bytes(len(samples) * width))
    return CueAsset(Cue.COUNTDOWN, path, 0)


def test_every_cue_reads_the_same_samples_as_the_wave_module_bit_for_bit() -> None:
    with ExitStack() as stack:
        for cue, asset in open_assets(stack).items():
            pcm = _read_pcm(asset)
            with wave.open(str(asset.path), "rb") as wav:
                expected = wav.readframes(wav.getnframes())
                assert (pcm.channels, pcm.rate) == (wav.getnchannels(), wav.getframerate())
            assert pcm.samples.format == "h", cue
            assert isinstance(pcm.samples.obj, mmap.mmap), cue  # mapped, not copied
            assert pcm.samples.tobytes() == expected, cue


def old_trim(samples: array[int], keep_silence: int) -> bytes:
    """How the mixer cut the cues' trailing silence before the files were mapped."""
    view = memoryview(samples)
    window = 2 * min(len(view), keep_silence + 48_000)
    tail = view.cast("B")[-window:] if window else b""
    zeros = (len(tail) - len(bytes(tail).rstrip(b"\0"))) // 2
    return view[: len(view) - max(0, zeros - keep_silence)].tobytes()


def test_the_shipped_cues_are_cut_where_they_were_cut_before() -> None:
    with ExitStack() as stack:
        for cue, asset in open_assets(stack).items():
            pcm = _read_pcm(asset)
            copy = array("h", pcm.samples.tobytes())
            assert pcm.trimmed(960).tobytes() == old_trim(copy, 960), cue
            assert len(pcm.trimmed(960)) < len(pcm.samples), cue  # the files end in zeros


@given(
    sound=st.lists(st.integers(-32768, 32767), max_size=40),
    zeros=st.integers(0, 20_000),
    keep=st.integers(0, 30),
)
def test_trailing_silence_is_cut_to_what_is_kept(
    tmp_path_factory: pytest.TempPathFactory, sound: list[int], zeros: int, keep: int
) -> None:
    path = tmp_path_factory.mktemp("wav") / "cue.wav"
    samples = sound + [0] * zeros
    pcm = _read_pcm(write_wav(path, samples))
    assert list(pcm.samples) == samples
    last = max((i + 1 for i, s in enumerate(sound) if s), default=0)
    assert list(pcm.trimmed(keep)) == samples[: min(len(samples), last + keep)]


def test_a_zero_low_byte_is_sound(tmp_path: Path) -> None:
    pcm = _read_pcm(write_wav(tmp_path / "cue.wav", [5, 0, 1, 256, 0, 0, 0]))
    assert list(pcm.trimmed(1)) == [5, 0, 1, 256, 0]
    assert list(pcm.trimmed(0)) == [5, 0, 1, 256]


def test_an_empty_or_cut_short_file(tmp_path: Path) -> None:
    empty = _read_pcm(write_wav(tmp_path / "empty.wav", []))
    assert len(empty.samples) == 0 and len(empty.trimmed(10)) == 0
    path = tmp_path / "short.wav"
    write_wav(path, [7] * 100)
    path.write_bytes(path.read_bytes()[:-51])  # the data chunk claims 100 samples
    short = _read_pcm(CueAsset(Cue.COUNTDOWN, path, 0))
    assert list(short.samples) == [7] * 74


def test_an_8_bit_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WavError):
        _read_pcm(write_wav(tmp_path / "cue.wav", [1, 2, 3], width=1))


# -- the WAV header, read without the wave module --------------------------------------


def wav_bytes(
    *,
    channels: int = 1,
    rate: int = 48_000,
    bits: int = 16,
    tag: int = 1,
    frames: int = 10,
    before_fmt: list[tuple[bytes, bytes]] = (),  # type: ignore[assignment]
    after_fmt: list[tuple[bytes, bytes]] = (),  # type: ignore[assignment]
    extensible_tag: int | None = None,
) -> bytes:
    """A RIFF WAVE file built by hand: chunks (name, body) may come before and after fmt."""

    def chunk(name: bytes, body: bytes) -> bytes:
        return name + len(body).to_bytes(4, "little") + body + b"\0" * (len(body) & 1)

    width = (bits + 7) // 8
    fmt = (
        tag.to_bytes(2, "little")
        + channels.to_bytes(2, "little")
        + rate.to_bytes(4, "little")
        + (rate * channels * width).to_bytes(4, "little")
        + (channels * width).to_bytes(2, "little")
        + bits.to_bytes(2, "little")
    )
    if extensible_tag is not None:
        fmt += (22).to_bytes(2, "little") + bits.to_bytes(2, "little") + bytes(4)
        fmt += extensible_tag.to_bytes(2, "little") + bytes(14)
    body = b"".join(chunk(n, b) for n, b in before_fmt) + chunk(b"fmt ", fmt)
    body += b"".join(chunk(n, b) for n, b in after_fmt)
    body += chunk(b"data", payload(frames * channels * width))
    return b"RIFF" + (4 + len(body)).to_bytes(4, "little") + b"WAVE" + body


def payload(size: int) -> bytes:
    return (bytes(range(256)) * (size // 256 + 1))[:size]


extra_chunks = st.lists(
    st.tuples(st.sampled_from([b"LIST", b"fact", b"junk", b"cue "]), st.binary(max_size=9)),
    max_size=3,
)


@given(
    channels=st.integers(1, 4),
    rate=st.integers(1, 192_000),
    bits=st.sampled_from([8, 16, 24, 32]),
    frames=st.integers(0, 50),
    before=extra_chunks,
    after=extra_chunks,
)
def test_the_header_reads_as_the_wave_module_reads_it(
    channels: int, rate: int, bits: int, frames: int, before: list, after: list
) -> None:
    data = wav_bytes(
        channels=channels, rate=rate, bits=bits, frames=frames, before_fmt=before, after_fmt=after
    )
    file = io.BytesIO(data)
    header = read_wav_header(file)
    with wave.open(io.BytesIO(data), "rb") as wav:
        expected = (wav.getnchannels(), wav.getframerate(), wav.getsampwidth(), wav.getnframes())
    # The RIFF header, each chunk with its header and pad byte, fmt's 16 bytes, data's header.
    start = 12 + sum(8 + len(b) + (len(b) & 1) for _, b in before + after) + 8 + 16 + 8
    assert (header.channels, header.rate, header.sample_width, header.frames) == expected
    assert header.data_start == start == file.tell()  # left at the first sample
    assert data[start : start + header.data_size] == payload(frames * channels * bits // 8)


@given(data=st.binary(max_size=80), cut=st.integers(0, 60))
def test_any_bytes_give_a_header_or_a_clear_error(data: bytes, cut: int) -> None:
    """Random files, and real headers cut short anywhere: a header or WavError/EOFError."""
    for candidate in (data, wav_bytes(frames=3)[:cut], b"RIFF\0\0\0\0WAVE" + data):
        try:
            header = read_wav_header(io.BytesIO(candidate))
        except (WavError, EOFError):
            continue
        assert header.channels > 0 and header.rate > 0 and header.sample_width > 0
        assert 12 <= header.data_start <= len(candidate)


def test_headers_the_cue_files_cannot_have_are_refused() -> None:
    with pytest.raises(WavError, match="format"):
        read_wav_header(io.BytesIO(wav_bytes(tag=3)))  # float samples
    with pytest.raises(WavError, match="RIFF"):
        read_wav_header(io.BytesIO(b"RIFX" + bytes(8)))
    with pytest.raises(WavError, match="before fmt"):
        read_wav_header(io.BytesIO(b"RIFF\x10\0\0\0WAVEdata\0\0\0\0"))
    with pytest.raises(WavError, match="channels"):
        read_wav_header(io.BytesIO(wav_bytes(channels=0)))
    with pytest.raises(EOFError):
        read_wav_header(io.BytesIO(wav_bytes()[:16]))


def test_an_extensible_header_of_pcm_samples_is_read() -> None:
    header = read_wav_header(io.BytesIO(wav_bytes(tag=0xFFFE, extensible_tag=1, frames=7)))
    assert (header.channels, header.rate, header.sample_width, header.frames) == (1, 48_000, 2, 7)
    with pytest.raises(WavError, match="format"):
        read_wav_header(io.BytesIO(wav_bytes(tag=0xFFFE, extensible_tag=3)))


def test_every_cue_lasts_what_the_wave_module_says() -> None:
    with ExitStack() as stack:
        for cue, asset in open_assets(stack).items():
            with wave.open(str(asset.path), "rb") as wav:
                expected = round(wav.getnframes() * 1000 / wav.getframerate())
            assert asset.duration_ms == wav_duration_ms(asset.path) == expected, cue


def test_a_damaged_size_is_never_read_as_such(tmp_path: Path) -> None:
    """A fmt chunk claiming 4 GiB reads 26 bytes (and then finds the file ends); a data
    chunk claiming more than the file holds counts what it holds."""
    huge = bytearray(wav_bytes(frames=5))
    huge[16:20] = (0xFFFFFFF0).to_bytes(4, "little")  # the fmt chunk's size
    path = tmp_path / "huge.wav"
    path.write_bytes(bytes(huge))
    with path.open("rb") as file, pytest.raises(EOFError):
        read_wav_header(file)
    long = bytearray(wav_bytes(frames=5))
    long[40:44] = (1_000_000).to_bytes(4, "little")  # the data chunk's size
    path.write_bytes(bytes(long))
    with path.open("rb") as file:
        assert read_wav_header(file).frames == 5
    assert wav_duration_ms(path) == 0  # 5 frames at 48 kHz
