"""Errors that services raise. One DRF handler (core.api) and the HTML views turn them into messages."""

from typing import Any


class ApplicationError(Exception):
    """A business rule said no. `message` is shown to the person; `extra` carries details (e.g. `field`)."""

    def __init__(self, message: str, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
