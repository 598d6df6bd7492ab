"""One exception hierarchy for the whole project; the gateway renders it as problem+json."""
from __future__ import annotations


class DraftctlError(Exception):
    """Base error: carries an HTTP status, a short title and a detail for the user."""

    status: int = 400
    title: str = "Bad request"

    def __init__(self, detail: str, *, title: str | None = None, status: int | None = None,
                 extra: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}  # further members of the problem+json body (e.g. per-line errors)
        if title is not None:
            self.title = title
        if status is not None:
            self.status = status


class BadDocument(DraftctlError):
    """The uploaded bytes are not a document we can read (wrong type, broken, empty, scanned…)."""

    status = 422
    title = "Unreadable document"


class UnsupportedType(BadDocument):
    status = 415
    title = "Unsupported file type"


class TooLarge(BadDocument):
    status = 413
    title = "Document too large"


class InvalidInput(DraftctlError):
    """Input that is well-formed but breaks a rule (an unknown agency, a date in the future)."""

    status = 422
    title = "Invalid input"


class NotFound(DraftctlError):
    status = 404
    title = "Not found"


class Unauthorized(DraftctlError):
    status = 401
    title = "Unauthorized"


class Forbidden(DraftctlError):
    status = 403
    title = "Forbidden"


class Conflict(DraftctlError):
    status = 409
    title = "Conflict"
