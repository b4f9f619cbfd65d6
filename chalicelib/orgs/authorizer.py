"""The API's built-in authorizer: a valid OIDC token of a known, active user, or no entry."""

from __future__ import annotations

from typing import Any

from chalice import AuthResponse, Blueprint
from chalice.app import AuthRequest

from chalicelib.core.errors import DomainError

auth_bp = Blueprint(__name__)

# API Gateway caches a decision per token for this long: a disabled user is shut out within a minute.
AUTHORIZER_TTL_SECONDS = 60


@auth_bp.authorizer(name="jwt_authorizer", ttl_seconds=AUTHORIZER_TTL_SECONDS)
def jwt_authorizer(auth_request: AuthRequest) -> Any:
    # Imported on first use: the API Lambda imports this module for the authorizer's name only.
    from chalicelib.core.auth import verify_token

    from .service import principal_for

    try:
        claims = verify_token(auth_request.token or "")
    except DomainError:
        # API Gateway answers 401 to exactly this exception from a Lambda authorizer.
        raise Exception("Unauthorized") from None
    # A table outage here fails the request as a server error: it must not read as "signed out".
    principal = principal_for(str(claims["sub"]))
    if principal is None:
        return {
            "principalId": str(claims["sub"]),
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [auth_request.method_arn]}
                ],
            },
        }
    return AuthResponse(routes=["*"], principal_id=principal.user_id, context=principal.to_context())


@auth_bp.authorizer(name="instrument_authorizer", ttl_seconds=0)
def instrument_authorizer(auth_request: AuthRequest) -> Any:
    """Lab instruments: `Authorization: Instrument <key id>.<secret>`. Not cached, so a revoked key stops at once."""
    from .instruments import principal_for_credential

    principal = principal_for_credential(auth_request.token or "")
    if principal is None:
        raise Exception("Unauthorized")
    return AuthResponse(routes=["*"], principal_id=principal.user_id, context=principal.to_context())
