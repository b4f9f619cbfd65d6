"""Make Chalice's local gateway answer as API Gateway does when the authorizer rejects a token."""

from __future__ import annotations

from typing import Any

from chalice.local import LocalGatewayAuthorizer, LocalGatewayException, NotAuthorizedError

_installed = False


def install() -> None:
    """API Gateway turns `raise Exception("Unauthorized")` in an authorizer into a 401; Chalice crashes."""
    global _installed
    if _installed:
        return
    original = LocalGatewayAuthorizer.authorize

    def authorize(self: LocalGatewayAuthorizer, raw_path: str, lambda_event: Any, lambda_context: Any) -> Any:
        try:
            return original(self, raw_path, lambda_event, lambda_context)
        except LocalGatewayException:
            raise
        except Exception as exc:
            if str(exc) == "Unauthorized":
                raise NotAuthorizedError(
                    {"x-amzn-RequestId": lambda_context.aws_request_id, "x-amzn-ErrorType": "UnauthorizedException"},
                    b'{"message":"Unauthorized"}',
                ) from None
            raise

    LocalGatewayAuthorizer.authorize = authorize  # type: ignore[method-assign]
    _installed = True
