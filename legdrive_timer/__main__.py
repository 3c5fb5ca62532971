"""`python -m legdrive_timer` does what the `legdrive-timer` command does."""

import sys

from legdrive_timer.cli import main

sys.exit(main())
