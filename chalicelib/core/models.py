"""Shared request and response shapes: pages, field types."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

RegionCode = Annotated[str, StringConstraints(pattern=r"^(\d{6}|\d{9})$")]
Ulid = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
# Free text must hold more than spaces (a schema pattern says so, unanchored); it is stored trimmed.
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"\S"), AfterValidator(str.strip)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=5000, pattern=r"\S"), AfterValidator(str.strip)]
Note = Annotated[str, StringConstraints(max_length=2000), AfterValidator(str.strip)]
Filename = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]*[^/\\\s][^/\\\x00-\x1f]*$"),
    AfterValidator(str.strip),
]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9]{5,20}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,24}$")]


class View(BaseModel):
    """Responses. Validators are built on first use, not at import: it keeps the Lambdas' cold start short."""

    model_config = ConfigDict(defer_build=True)


class Strict(BaseModel):
    """Requests reject unknown fields: a typo is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class PageQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = Field(default=None, max_length=2048)
