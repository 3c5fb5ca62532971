"""Phase colours for the session screen, and the colour arithmetic that checks them.

Derived from the Okabe-Ito palette, which stays distinct under the common colour-vision
deficiencies; on top of hue, work and rest differ strongly in lightness so that they tell
apart in grey as well. Text colour is picked per background for contrast (WCAG ratio).
"""

from __future__ import annotations

import math
from typing import NamedTuple

from legdrive_timer.core.formatting import phase_name
from legdrive_timer.core.timeline import PhaseKind


class PhaseStyle(NamedTuple):
    """A phase's title and colours.

    A NamedTuple rather than a frozen dataclass: this module loads with the session screen,
    at the first Start, and a dataclass takes several times longer to define.
    """

    title: str
    background: str
    foreground: str


WORK = PhaseStyle(phase_name(PhaseKind.WORK).upper(), "#a33c00", "#ffffff")
"""Dark vermillion: the darkest screen, so 'go' reads at a glance."""
REST = PhaseStyle(phase_name(PhaseKind.REST).upper(), "#56b4e9", "#000000")
"""Sky blue, much lighter than work."""
PREP = PhaseStyle(phase_name(PhaseKind.PREP).upper(), "#009e73", "#000000")
"""Bluish green."""
SWITCH = PhaseStyle(phase_name(PhaseKind.SWITCH).upper(), "#f0e442", "#000000")
"""Yellow, the lightest: a side switch must not be missed."""
SET_REST = PhaseStyle(phase_name(PhaseKind.SET_REST).upper(), "#0a4f8a", "#ffffff")
"""Deep blue: a longer rest than between rounds."""
BLOCK_REST = PhaseStyle(phase_name(PhaseKind.BLOCK_REST).upper(), "#0a4f8a", "#ffffff")
DONE = PhaseStyle("DONE", "#2b2b2b", "#ffffff")
PAUSED_OVERLAY = "#000000"
FLASH = "#ffffff"

PHASE_STYLES: dict[PhaseKind, PhaseStyle] = {
    PhaseKind.PREP: PREP,
    PhaseKind.WORK: WORK,
    PhaseKind.REST: REST,
    PhaseKind.SWITCH: SWITCH,
    PhaseKind.SET_REST: SET_REST,
    PhaseKind.BLOCK_REST: BLOCK_REST,
}


def style_for(kind: PhaseKind | None) -> PhaseStyle:
    return DONE if kind is None else PHASE_STYLES[kind]


# -- colour arithmetic (sRGB, CIE L*a*b*, WCAG contrast, colour-vision simulation) ------

RGB = tuple[float, float, float]


def parse_hex(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _to_linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _to_srgb(linear: float) -> float:
    c = min(1.0, max(0.0, linear))
    c = 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055
    return c * 255


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    r, g, b = (_to_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def to_lab(rgb: tuple[float, float, float]) -> RGB:
    r, g, b = (_to_linear(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def lightness(rgb: tuple[float, float, float]) -> float:
    return to_lab(rgb)[0]


def delta_e(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = to_lab(a), to_lab(b)
    return math.dist(la, lb)


# Machado, Oliveira and Fernandes (2009), severity 1.0, applied in linear RGB.
_CVD_MATRICES: dict[str, tuple[RGB, RGB, RGB]] = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
CVD_KINDS = tuple(_CVD_MATRICES)


def simulate_cvd(rgb: tuple[float, float, float], kind: str) -> RGB:
    """How `rgb` looks with the given colour-vision deficiency."""
    linear = [_to_linear(c) for c in rgb]
    rows = _CVD_MATRICES[kind]
    out = [sum(m * c for m, c in zip(row, linear, strict=True)) for row in rows]
    return _to_srgb(out[0]), _to_srgb(out[1]), _to_srgb(out[2])
