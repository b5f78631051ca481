"""The one error type users see: foreign exceptions are wrapped into it at the boundary."""


class GeneratorError(Exception):
    """A user-facing error: its message names the file, model or page it concerns."""
