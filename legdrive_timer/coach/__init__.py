"""The camera coach: poses from camera or video frames, and per-rep measures of knee drives.

Optional: the pose runtime and the video decoder come with the `coach` extra
(`pip install "legdrive-timer[coach]"`). The measures (`joints`, `measures`) are pure Python
and never import Qt; the camera capture adapter lives in `ui/`.
"""

from __future__ import annotations

import importlib.util

INSTALL_HINT = 'pip install "legdrive-timer[coach]"'
"""How a person adds the coach to an install that lacks it."""

RUNTIME_MODULES = ("numpy", "ai_edge_litert", "av", "legdrive_timer_pose_models")
"""What the `coach` extra installs: the array library, the pose runtime, the video decoder
and the pose models."""


def missing_runtime() -> str | None:
    """None when the coach can run here, else one sentence saying how to add it."""
    missing = [name for name in RUNTIME_MODULES if importlib.util.find_spec(name) is None]
    if not missing:
        return None
    return (
        f"The camera coach is not installed (missing {', '.join(missing)}); "
        f"add it with: {INSTALL_HINT}"
    )
