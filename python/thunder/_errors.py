"""Exceptions of the thunder Python API: the CLI's errors, with its messages."""


class ThunderError(RuntimeError):
    """thunder failed (the CLI's exit status 1). `output` holds what it printed before."""
    output = ""


class UsageError(ThunderError, ValueError):
    """A bad option or argument (the CLI's exit status 2), e.g. an unknown --symb set."""


class InputError(ThunderError, ValueError):
    """An invalid robot description or parameter file: the message names FILE:LINE: FIELD."""
