"""Identifiers: ULIDs, also made by clients for records captured offline."""

from __future__ import annotations

import re

from ulid import ULID

from .errors import ValidationFailed

_ULID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")


def new_id() -> str:
    return str(ULID())


def check_id(value: str, field: str = "id") -> str:
    """A client-made id must be a canonical ULID; anything else is a field error."""
    if not _ULID.match(value or ""):
        raise ValidationFailed(f"{field} is not a ULID", errors=[{"field": field, "message": "not a ULID"}])
    return value
