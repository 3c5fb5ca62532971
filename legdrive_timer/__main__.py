"""The `legdrive-timer` command, and `python -m legdrive_timer`, which does the same."""

from __future__ import annotations

import sys

from legdrive_timer.startup import hold_collection


def main() -> int:
    hold_collection()  # before the imports: they are most of the start (see startup)
    from legdrive_timer.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
