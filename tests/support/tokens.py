"""Tokens that must be refused: forged, expired, from another issuer, for another client."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import jwt
import moto
from cryptography.hazmat.primitives.asymmetric import rsa


def _moto_private_key() -> Any:
    raw = gzip.decompress((Path(moto.__file__).parent / "cognitoidp/resources/jwks-private.json.gz").read_bytes())
    return jwt.PyJWK(json.loads(raw)).key


def claims_of(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def forged(token: str) -> str:
    """The same claims, signed with a key the issuer never had."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims_of(token), key, algorithm="RS256", headers={"kid": "dummy"})


def resigned(token: str, **changes: Any) -> str:
    """The issuer's own key (moto's), with some claims changed: expired, other issuer, other audience."""
    claims = {**claims_of(token), **changes}
    return jwt.encode(claims, _moto_private_key(), algorithm="RS256", headers={"kid": "dummy"})


def bad_tokens(token: str) -> dict[str, str]:
    now = int(time.time())
    return {
        "malformed": "not-a-jwt",
        "forged": forged(token),
        "expired": resigned(token, exp=now - 3600, iat=now - 7200),
        "other-issuer": resigned(token, iss="https://idp.example.com/other"),
        "other-audience": resigned(token, aud="someone-else"),
        "alg-none": jwt.encode(claims_of(token), None, algorithm="none"),
    }
