"""Identity provisioning behind a small interface: Cognito in global regions, any OIDC issuer elsewhere."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.core.config import get_settings
from chalicelib.core.errors import ServiceUnavailable, Unprocessable


@dataclass(frozen=True)
class NewIdentity:
    username: str
    email: str | None
    phone: str | None
    name: str
    subject: str | None = None  # given when the issuer is managed outside the platform


class IdentityProvider(Protocol):
    def provision(self, identity: NewIdentity) -> str:
        """Create (or find, on a retry) the sign-in identity; returns its OIDC subject."""
        ...

    def set_enabled(self, username: str, enabled: bool) -> None: ...


class CognitoIdentity:
    """A Cognito user pool: the issuer of the global regions and of the local stack."""

    def __init__(self, user_pool_id: str, client: Any = None) -> None:
        self.pool = user_pool_id
        self.client = client or boto3.client("cognito-idp")

    def provision(self, identity: NewIdentity) -> str:
        if not identity.email and not identity.phone:
            raise Unprocessable(
                "an email or a phone is needed to send the sign-in invitation",
                errors=[{"field": "body.email", "message": "email or phone required"}],
            )
        attrs = [{"Name": "name", "Value": identity.name}]
        if identity.email:
            attrs += [{"Name": "email", "Value": identity.email}, {"Name": "email_verified", "Value": "true"}]
        if identity.phone:
            attrs += [{"Name": "phone_number", "Value": identity.phone}]
        try:
            created = self.client.admin_create_user(
                UserPoolId=self.pool,
                Username=identity.username,
                UserAttributes=attrs,
                TemporaryPassword=_temporary_password(),
                DesiredDeliveryMediums=["EMAIL"] if identity.email else ["SMS"] if identity.phone else [],
            )["User"]
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code == "UsernameExistsException":
                # A retried request: the identity exists, and the caller decides whether it is theirs.
                found = self.client.admin_get_user(UserPoolId=self.pool, Username=identity.username)
                return _sub(found.get("UserAttributes", []))
            if code in {"InvalidParameterException", "InvalidPasswordException"}:
                raise Unprocessable(exc.response["Error"].get("Message", "identity rejected")) from exc
            raise ServiceUnavailable("the identity provider did not accept the user") from exc
        except BotoCoreError as exc:
            raise ServiceUnavailable("the identity provider did not answer") from exc
        return _sub(created.get("Attributes", []))

    def set_enabled(self, username: str, enabled: bool) -> None:
        call = self.client.admin_enable_user if enabled else self.client.admin_disable_user
        try:
            call(UserPoolId=self.pool, Username=username)
        except (ClientError, BotoCoreError) as exc:
            raise ServiceUnavailable("the identity provider did not answer") from exc


class ExternalIdentity:
    """The agencies' own OIDC issuer (China regions): identities exist there; we only record the subject."""

    def provision(self, identity: NewIdentity) -> str:
        if not identity.subject:
            raise Unprocessable(
                "subject is required: users sign in with the agency's identity provider",
                errors=[{"field": "body.subject", "message": "required"}],
            )
        return identity.subject

    def set_enabled(self, username: str, enabled: bool) -> None:
        """Disabling takes effect in the platform's user record; the issuer is not ours to change."""


def _sub(attributes: list[dict[str, str]]) -> str:
    for attr in attributes:
        if attr["Name"] == "sub":
            return attr["Value"]
    raise ServiceUnavailable("the identity provider returned no subject")


def _temporary_password() -> str:
    alphabet = string.ascii_letters + string.digits
    return "Tmp-" + "".join(secrets.choice(alphabet) for _ in range(16)) + "9a!"


@lru_cache(maxsize=1)
def identity_provider() -> IdentityProvider:
    pool = get_settings().user_pool_id
    return CognitoIdentity(pool) if pool else ExternalIdentity()
