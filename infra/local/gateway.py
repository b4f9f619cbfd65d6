"""Make Chalice's local gateway answer as API Gateway does when the authorizer rejects a token (CORS included)."""

from __future__ import annotations

from typing import Any

from chalice.local import LocalGateway, LocalGatewayAuthorizer, LocalGatewayException, NotAuthorizedError

from chalicelib.core import cors

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
    handle_request = LocalGateway.handle_request

    def handle_with_cors(self: LocalGateway, method: str, path: str, headers: Any, body: Any) -> Any:
        """The gateway's own 401/403 carry the console's CORS headers, as the template's gateway responses do."""
        try:
            return handle_request(self, method, path, headers, body)
        except LocalGatewayException as exc:
            origin = cors.allowed_origin(headers or {})
            if origin:
                exc.headers = {**(exc.headers or {}), **cors.response_headers(origin)}
            raise

    LocalGateway.handle_request = handle_with_cors  # type: ignore[method-assign]
    _installed = True
