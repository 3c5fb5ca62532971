"""Errors that reach the user as one sentence (on stderr, or in the window)."""


class UserError(Exception):
    """Bad input from the user or on disk: the message is one sentence, shown as is."""
