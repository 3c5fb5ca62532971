"""Record a PulseAudio source to stdout (raw s16le, 48 kHz stereo) without keeping it awake.

`parec` holds the null sink's monitor, and so the sink, awake: module-suspend-on-idle never
suspends a sink that someone records. This recorder asks for
PA_STREAM_DONT_INHIBIT_AUTO_SUSPEND, so the sink sleeps through a silence as it would on a
real machine with nobody listening; while it sleeps no data arrives at all. libpulse is
used through ctypes (it comes with pulseaudio-utils; no Python package needed).

    python -m tests.e2e.pulse_record SOURCE [LATENCY_MS]

The server is the one in $PULSE_SERVER.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

PA_CONTEXT_READY = 4
PA_CONTEXT_FAILED = 5
PA_CONTEXT_TERMINATED = 6
PA_STREAM_READY = 2
PA_STREAM_FAILED = 3
PA_SAMPLE_S16LE = 3
PA_STREAM_ADJUST_LATENCY = 0x2000
PA_STREAM_DONT_INHIBIT_AUTO_SUSPEND = 0x8000
RATE = 48_000
CHANNELS = 2


class SampleSpec(ctypes.Structure):
    _fields_ = [("format", ctypes.c_int), ("rate", ctypes.c_uint32), ("channels", ctypes.c_uint8)]


class BufferAttr(ctypes.Structure):
    _fields_ = [
        ("maxlength", ctypes.c_uint32),
        ("tlength", ctypes.c_uint32),
        ("prebuf", ctypes.c_uint32),
        ("minreq", ctypes.c_uint32),
        ("fragsize", ctypes.c_uint32),
    ]


REQUEST = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p)


def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("pulse") or "libpulse.so.0"
    pa = ctypes.CDLL(name)
    vp = ctypes.c_void_p
    for fn, res, args in [
        ("pa_threaded_mainloop_new", vp, []),
        ("pa_threaded_mainloop_get_api", vp, [vp]),
        ("pa_threaded_mainloop_start", ctypes.c_int, [vp]),
        ("pa_threaded_mainloop_lock", None, [vp]),
        ("pa_threaded_mainloop_unlock", None, [vp]),
        ("pa_threaded_mainloop_wait", None, [vp]),
        ("pa_threaded_mainloop_signal", None, [vp, ctypes.c_int]),
        ("pa_context_new", vp, [vp, ctypes.c_char_p]),
        ("pa_context_connect", ctypes.c_int, [vp, ctypes.c_char_p, ctypes.c_int, vp]),
        ("pa_context_get_state", ctypes.c_int, [vp]),
        ("pa_context_set_state_callback", None, [vp, vp, vp]),
        ("pa_stream_new", vp, [vp, ctypes.c_char_p, vp, vp]),
        ("pa_stream_connect_record", ctypes.c_int, [vp, ctypes.c_char_p, vp, ctypes.c_int]),
        ("pa_stream_get_state", ctypes.c_int, [vp]),
        ("pa_stream_set_read_callback", None, [vp, REQUEST, vp]),
        ("pa_stream_set_state_callback", None, [vp, vp, vp]),
        ("pa_stream_peek", ctypes.c_int, [vp, ctypes.POINTER(vp), ctypes.POINTER(ctypes.c_size_t)]),
        ("pa_stream_drop", ctypes.c_int, [vp]),
    ]:
        getattr(pa, fn).restype = res
        getattr(pa, fn).argtypes = args
    return pa


def main(argv: list[str]) -> int:
    source = argv[0].encode()
    latency_ms = int(argv[1]) if len(argv) > 1 else 5
    server = os.environ.get("PULSE_SERVER", "").encode() or None
    pa = _library()
    loop = pa.pa_threaded_mainloop_new()
    context = pa.pa_context_new(pa.pa_threaded_mainloop_get_api(loop), b"cue-recorder")
    state_changed = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)(
        lambda _obj, _data: pa.pa_threaded_mainloop_signal(loop, 0)
    )
    pa.pa_context_set_state_callback(context, state_changed, None)
    if pa.pa_context_connect(context, server, 0, None) < 0:
        print("cannot connect to the PulseAudio server", file=sys.stderr)
        return 1
    pa.pa_threaded_mainloop_lock(loop)
    pa.pa_threaded_mainloop_start(loop)
    while (state := pa.pa_context_get_state(context)) != PA_CONTEXT_READY:
        if state in (PA_CONTEXT_FAILED, PA_CONTEXT_TERMINATED):
            print("the PulseAudio connection failed", file=sys.stderr)
            return 1
        pa.pa_threaded_mainloop_wait(loop)
    spec = SampleSpec(PA_SAMPLE_S16LE, RATE, CHANNELS)
    stream = pa.pa_stream_new(context, b"cue capture", ctypes.byref(spec), None)
    readable = REQUEST(lambda _s, _n, _d: pa.pa_threaded_mainloop_signal(loop, 0))
    pa.pa_stream_set_read_callback(stream, readable, None)
    pa.pa_stream_set_state_callback(stream, state_changed, None)
    fragment = RATE * CHANNELS * 2 * latency_ms // 1000
    attr = BufferAttr(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, fragment)
    flags = PA_STREAM_ADJUST_LATENCY | PA_STREAM_DONT_INHIBIT_AUTO_SUSPEND
    if pa.pa_stream_connect_record(stream, source, ctypes.byref(attr), flags) < 0:
        print("cannot record from the source", file=sys.stderr)
        return 1
    while (state := pa.pa_stream_get_state(stream)) != PA_STREAM_READY:
        if state == PA_STREAM_FAILED:
            print("the recording stream failed", file=sys.stderr)
            return 1
        pa.pa_threaded_mainloop_wait(loop)
    out = sys.stdout.buffer
    data = ctypes.c_void_p()
    size = ctypes.c_size_t()
    try:
        while True:
            if pa.pa_stream_peek(stream, ctypes.byref(data), ctypes.byref(size)) < 0:
                return 1
            if size.value == 0:
                pa.pa_threaded_mainloop_wait(loop)
                continue
            chunk = ctypes.string_at(data.value, size.value) if data.value else b""
            pa.pa_stream_drop(stream)
            if chunk:
                # Written without the lock held: the server's thread goes on meanwhile.
                pa.pa_threaded_mainloop_unlock(loop)
                try:
                    out.write(chunk)
                    out.flush()
                finally:
                    pa.pa_threaded_mainloop_lock(loop)
    except (BrokenPipeError, KeyboardInterrupt):
        return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
