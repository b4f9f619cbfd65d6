"""Domain errors: each knows its HTTP status and RFC 9457 problem type once."""

from __future__ import annotations

from typing import Any, ClassVar

PROBLEM_BASE = "https://agritrace.cn/problems/"


class DomainError(Exception):
    """Base of every error a user can cause; never a 500."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title_en: ClassVar[str] = "Bad request"
    title_zh: ClassVar[str] = "请求有误"

    def __init__(self, detail: str = "", *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail or self.title_en)
        self.detail = detail or self.title_en
        self.errors = errors or []

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def problem(self, instance: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type,
            "title": f"{self.title_zh} / {self.title_en}",
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = self.errors
        return body


class ValidationFailed(DomainError):
    status = 400
    slug = "validation"
    title_en = "The request is not valid"
    title_zh = "请求内容不合规"


# The pydantic error type of a number the schema allows and the table cannot hold (core/models.py): core/api.py
# answers it with a 422, a rule the schema does not state, not with the 400 of a schema fault.
UNSTORABLE = "unstorable_number"


class Unprocessable(DomainError):
    """Well-formed, but against a rule the schema cannot state (an unknown region, a role the agency lacks)."""

    status = 422
    slug = "unprocessable"
    title_en = "The request breaks a rule of the platform"
    title_zh = "请求不符合业务规则"


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title_en = "Sign-in required"
    title_zh = "需要登录"


class ForbiddenError(DomainError):
    status = 403
    slug = "forbidden"
    title_en = "Your role does not allow this"
    title_zh = "无此操作权限"


class NotFoundError(DomainError):
    status = 404
    slug = "not-found"
    title_en = "Not found"
    title_zh = "记录不存在"


class ConflictError(DomainError):
    status = 409
    slug = "conflict"
    title_en = "The record was changed by someone else"
    title_zh = "记录已被他人修改"


class InvalidStateError(DomainError):
    status = 409
    slug = "invalid-state"
    title_en = "Not allowed in the record's current state"
    title_zh = "当前状态不允许此操作"


class AlreadyExistsError(DomainError):
    status = 409
    slug = "already-exists"
    title_en = "Already exists"
    title_zh = "记录已存在"


class IdempotencyMismatch(DomainError):
    status = 422
    slug = "idempotency-key-reused"
    title_en = "The Idempotency-Key was used with another request body"
    title_zh = "幂等键已用于其他请求"


class RequestInProgress(DomainError):
    status = 409
    slug = "request-in-progress"
    title_en = "The same request is still being processed"
    title_zh = "相同请求正在处理中"


class PayloadTooLarge(DomainError):
    status = 413
    slug = "payload-too-large"
    title_en = "The request body is too large"
    title_zh = "请求内容过大"


class UnsupportedMediaType(DomainError):
    status = 415
    slug = "unsupported-media-type"
    title_en = "Unsupported media type"
    title_zh = "不支持的内容类型"


class TooManyRequests(DomainError):
    """A client over a limit of its own (the public filing route's per-client daily count)."""

    status = 429
    slug = "too-many-requests"
    title_en = "Too many requests from this client"
    title_zh = "请求过于频繁"


class ServiceUnavailable(DomainError):
    status = 503
    slug = "unavailable"
    title_en = "A service the platform depends on did not answer; try again"
    title_zh = "依赖服务暂不可用，请重试"
