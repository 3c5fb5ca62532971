"""Legdrive Timer: a follow-along interval timer for leg drive training."""

__version__ = "0.1.0"
APP_ID = "io.github.legdrive_timer.LegdriveTimer"
APP_NAME = "Legdrive Timer"
