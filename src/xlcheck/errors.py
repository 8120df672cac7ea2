"""The one exception type for input and usage problems: a one-line Chinese reason, exit code 2."""


class InputError(Exception):
    """A file or option xlcheck cannot use. `str(exc)` is the one-line message shown to the user."""
