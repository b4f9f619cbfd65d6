"""`make token user=NAME`: print a demo user's IdToken from the running local stack (stdout: the token only)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# Same default as infra.local.stack, which is not imported here: it would pull in the whole app.
DEFAULT_STATE_FILE = Path(__file__).resolve().parents[2] / ".local" / "stack.json"
EXIT_UNAVAILABLE = 2


class TokenError(Exception):
    """Why no token could be had, worded for the person at the shell."""


def read_state(path: Path | None = None) -> dict[str, Any]:
    path = path or Path(os.environ.get("LOCAL_STATE_FILE") or DEFAULT_STATE_FILE)
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        raise TokenError(f"the local stack is not running (no {path}); start it with `make run`") from None
    except (OSError, ValueError) as exc:
        raise TokenError(f"cannot read {path}: {exc}") from None
    return state


def id_token(username: str, state: dict[str, Any], password: str | None = None) -> str:
    """Sign in as the user with USER_PASSWORD_AUTH, as a phone or the web console would, and return the IdToken."""
    password = password or state.get("password")
    if not password:
        raise TokenError("the running stack has no demo users (started without the demo)")
    client = boto3.client(
        "cognito-idp",
        endpoint_url=state["endpoint_url"],
        region_name=state["region"],
        # moto ignores credentials but botocore signs every call; never pick up the shell's real ones.
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10),
    )
    try:
        auth = client.initiate_auth(
            ClientId=state["client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            # Usernames are lower case; moto, unlike Cognito, ignores the pool's case-insensitivity setting.
            AuthParameters={"USERNAME": username.lower(), "PASSWORD": password},
        )
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code in {"UserNotFoundException", "NotAuthorizedException"}:
            raise TokenError(f"no demo user {username!r} (see the list `make run` printed)") from None
        if code == "ResourceNotFoundException":
            raise TokenError(
                f"{state['endpoint_url']} is not the stack recorded in the state file; restart it"
            ) from None
        raise TokenError(f"sign-in failed: {code}: {exc.response['Error'].get('Message', '')}") from None
    except BotoCoreError as exc:
        raise TokenError(
            f"the local stack is not running at {state['endpoint_url']} ({exc}); start it with `make run`"
        ) from None
    return str(auth["AuthenticationResult"]["IdToken"])


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0]:
        print("usage: make token user=NAME   (e.g. make -s token user=sd-admin)", file=sys.stderr)
        return EXIT_UNAVAILABLE
    try:
        print(id_token(argv[0], read_state()))
    except TokenError as exc:
        print(f"token: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
