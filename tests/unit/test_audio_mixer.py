"""The mixer behind the miniaudio engine: silence, overlap, voice lines, volume, limiting."""

from __future__ import annotations

from array import array

from hypothesis import given
from hypothesis import strategies as st

from legdrive_timer.audio.cues import Cue
from legdrive_timer.audio.mixer import Mixer


def tone(value: int, length: int) -> array[int]:
    return array("h", [value] * length)


def mixer(**pcm: array[int]) -> Mixer:
    names = {
        "pip": Cue.COUNTDOWN,
        "bell": Cue.WORK_START,
        "drive": Cue.VOICE_DRIVE,
        "rest": Cue.VOICE_REST,
    }
    return Mixer({names[key]: samples for key, samples in pcm.items()})


def test_silence_is_an_empty_block() -> None:
    m = mixer(pip=tone(1000, 10))
    assert m.render(240) == b""
    assert not m.sounding
    assert m.blocks_rendered == 1


def test_one_cue_at_full_volume_is_copied_and_ends_inside_a_block() -> None:
    m = mixer(pip=array("h", range(10)))
    m.play(Cue.COUNTDOWN, 1.0)
    assert m.sounding
    assert list(m.render(4)) == [0, 1, 2, 3]
    assert list(m.render(4)) == [4, 5, 6, 7]
    assert list(m.render(4)) == [8, 9]
    assert m.render(4) == b""
    assert not m.sounding


def test_volume_scales_the_samples() -> None:
    m = mixer(pip=tone(10_000, 8))
    m.play(Cue.COUNTDOWN, 0.25)
    assert list(m.render(8)) == [2500] * 8


def test_overlapping_sounds_are_summed() -> None:
    m = mixer(pip=tone(1000, 4), bell=tone(3000, 8))
    m.play(Cue.COUNTDOWN, 1.0)
    m.play(Cue.WORK_START, 1.0)
    assert list(m.render(6)) == [4000] * 4 + [3000] * 2
    assert list(m.render(6)) == [3000] * 2


def test_a_voice_line_replaces_the_one_speaking_and_can_be_stopped() -> None:
    m = mixer(drive=tone(100, 100), rest=tone(200, 100), pip=tone(1000, 100))
    m.play(Cue.VOICE_DRIVE, 1.0)
    assert set(m.render(10)) == {100}
    m.play(Cue.VOICE_REST, 1.0)
    assert set(m.render(10)) == {200}
    m.play(Cue.COUNTDOWN, 1.0)
    assert set(m.render(10)) == {1200}
    m.stop_voice()
    assert set(m.render(10)) == {1000}
    m.stop_all()
    assert m.render(10) == b""


def test_a_loud_overlap_is_limited_not_clipped() -> None:
    m = mixer(pip=tone(30_000, 400), bell=tone(30_000, 400))
    m.play(Cue.COUNTDOWN, 1.0)
    m.play(Cue.WORK_START, 1.0)
    block = m.render(100)
    assert max(block) <= 32767
    assert max(block) > 30_000  # as loud as it can be, not halved
    assert len(set(block)) == 1  # one gain over the block: the waveform keeps its shape


@given(
    st.lists(
        st.tuples(
            st.sampled_from([Cue.COUNTDOWN, Cue.WORK_START, Cue.VOICE_DRIVE, Cue.VOICE_REST]),
            st.floats(0, 1),
        ),
        max_size=6,
    ),
    st.integers(1, 300),
)
def test_any_mix_stays_in_range(plays: list[tuple[Cue, float]], frames: int) -> None:
    m = Mixer(
        {
            Cue.COUNTDOWN: array("h", [32767, -32768] * 200),
            Cue.WORK_START: array("h", [-32768, 32767] * 150),
            Cue.VOICE_DRIVE: array("h", [32767] * 500),
            Cue.VOICE_REST: array("h", [-32768] * 500),
        }
    )
    for cue, volume in plays:
        m.play(cue, volume)
    for _ in range(5):
        block = m.render(frames)
        assert len(block) <= frames * (2 if isinstance(block, bytes) else 1)
        if isinstance(block, array):
            assert all(-32768 <= s <= 32767 for s in block)


def test_a_cue_is_scaled_once_per_volume_then_handed_over_as_a_view() -> None:
    m = mixer(pip=array("h", range(0, 100, 10)), drive=tone(-2000, 50))
    m.play(Cue.COUNTDOWN, 0.5)
    first = [m.render(4) for _ in range(3)]  # the first time at half volume: computed
    assert [list(b) for b in first] == [[0, 5, 10, 15], [20, 25, 30, 35], [40, 45]]
    assert not any(isinstance(b, memoryview) for b in first)
    m.play(Cue.COUNTDOWN, 0.5)
    again = [m.render(4) for _ in range(3)]  # then views of what was kept
    assert all(isinstance(b, memoryview) for b in again)
    assert [list(b) for b in again] == [list(b) for b in first]
    m.play(Cue.COUNTDOWN, 0.5)
    m.play(Cue.VOICE_DRIVE, 0.5)
    assert list(m.render(2)) == [0 - 1000, 5 - 1000]  # mixed from the kept samples
    m.stop_all()
    m.play(Cue.COUNTDOWN, 1.0)
    full = m.render(2)  # full volume: a view of the cue itself
    assert isinstance(full, memoryview) and list(full) == [0, 10]
    m.stop_all()
    m.play(Cue.COUNTDOWN, 0.25)  # another volume: computed again
    assert list(m.render(3)) == [0, 2, 5]


def test_a_cue_stopped_part_way_keeps_what_was_scaled() -> None:
    m = mixer(pip=array("h", range(0, 100, 10)))
    m.play(Cue.COUNTDOWN, 0.5)
    m.render(4)
    m.stop_all()
    m.play(Cue.COUNTDOWN, 0.5)
    start = m.render(4)
    assert isinstance(start, memoryview) and list(start) == [0, 5, 10, 15]
    rest = m.render(8)
    assert list(rest) == [20, 25, 30, 35, 40, 45]
    m.play(Cue.COUNTDOWN, 0.5)
    whole = m.render(10)
    assert isinstance(whole, memoryview) and list(whole) == list(range(0, 50, 5))


def test_a_cue_being_taken_up_counts_as_sounding_throughout() -> None:
    """Another thread deciding whether to pause the stream must never see a queued cue as
    neither queued nor sounding, even in the middle of the audio thread taking it up."""
    m = mixer(pip=tone(1000, 100), drive=tone(100, 100))
    seen: list[bool] = []
    take_up = m._scaled_at

    def watched(cue: Cue, gain: int) -> object:
        seen.append(m.sounding)  # the moment the watcher may look, between queue and mix
        return take_up(cue, gain)

    m._scaled_at = watched  # type: ignore[method-assign,assignment]
    m.play(Cue.COUNTDOWN, 0.5)
    assert len(m.render(10)) == 10
    for _ in range(10):
        m.render(10)  # the pip plays out
    assert not m.sounding
    m.play(Cue.VOICE_DRIVE, 0.5)
    assert len(m.render(10)) == 10
    assert seen == [True, True]
