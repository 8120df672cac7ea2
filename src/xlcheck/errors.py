"""The one exception type for input and usage problems (a one-line Chinese reason, exit code 2),
and the signal that ends a run as Ctrl-C does."""


class InputError(Exception):
    """A file or option xlcheck cannot use. `str(exc)` is the one-line message shown to the user."""


class NotAReport(InputError):
    """A file read without trouble that holds no statutory table at all (a readme, a letter): not
    a report, as distinct from a report that could not be read."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP: the run ends as on Ctrl-C, through every cleanup on the way out, and
    exits 128 + the signal's number."""

    def __init__(self, signum: int = 15):
        super().__init__(signum)
        self.signum = signum
