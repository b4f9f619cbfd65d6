"""Token verification: OIDC JWTs checked against the issuer's JWKS, expiry, issuer and audience."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .config import Settings, get_settings
from .errors import Unauthenticated

ALGORITHMS = ["RS256", "RS384", "RS512", "ES256", "ES384"]


if TYPE_CHECKING:
    import jwt


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    import jwt  # only the authorizer Lambda verifies tokens: keep it out of the API's cold start

    # PyJWKClient caches the key set and refetches on an unknown `kid` (key rotation).
    return jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)


def verify_token(token: str, settings: Settings | None = None) -> dict[str, Any]:
    """Claims of a valid token; any fault (shape, signature, expiry, issuer, audience) is a 401."""
    import jwt

    settings = settings or get_settings()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token or not settings.oidc_issuer:
        raise Unauthenticated("no token, or no issuer configured")
    try:
        key = _jwks_client(settings.jwks_url).get_signing_key_from_jwt(token)
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=ALGORITHMS,
            issuer=settings.oidc_issuer,
            options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
            leeway=30,
        )
    except (jwt.PyJWTError, ValueError) as exc:
        raise Unauthenticated("the token is not valid") from exc
    # Cognito IdTokens carry `aud`, access tokens `client_id`: either must name an accepted client.
    audiences = claims.get("aud") or claims.get("client_id")
    audiences = [audiences] if isinstance(audiences, str) else list(audiences or [])
    if settings.oidc_audience and not set(audiences) & set(settings.oidc_audience):
        raise Unauthenticated("the token is for another client")
    return claims
