"""S3 access: presigned POST bound to one key, type and size; presigned GET; reading uploads back."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from .config import get_settings
from .errors import NotFoundError, PayloadTooLarge, ServiceUnavailable

UPLOAD_PREFIX = "uploads/"
QUARANTINE_PREFIX = "quarantine/"
PRESIGN_SECONDS = 900


@lru_cache(maxsize=1)
def _s3() -> Any:
    return boto3.client("s3", config=Config(signature_version="s3v4"))


def presigned_post(key: str, content_type: str, max_bytes: int) -> dict[str, Any]:
    """A form the browser or phone posts the file with; S3 refuses another key, type or a larger body."""
    bucket = get_settings().bucket_name
    try:
        return dict(
            _s3().generate_presigned_post(
                Bucket=bucket,
                Key=key,
                Fields={"Content-Type": content_type},
                Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes], {"key": key}],
                ExpiresIn=PRESIGN_SECONDS,
            )
        )
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable("could not prepare the upload") from exc


def presigned_get(key: str, filename: str) -> str:
    return str(
        _s3().generate_presigned_url(
            "get_object",
            Params={
                "Bucket": get_settings().bucket_name,
                "Key": key,
                "ResponseContentDisposition": f"attachment; filename*=UTF-8''{_rfc5987(filename)}",
            },
            ExpiresIn=PRESIGN_SECONDS,
        )
    )


def _rfc5987(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@dataclass(frozen=True)
class StoredObject:
    size: int
    head: bytes
    sha256: str


def inspect(bucket: str, key: str, head_bytes: int = 64) -> StoredObject:
    """The object's real size, first bytes and sha256, streamed (never held whole in memory)."""
    try:
        body = _s3().get_object(Bucket=bucket, Key=key)["Body"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"NoSuchKey", "404"}:
            raise NotFoundError("the uploaded object is gone") from exc
        raise ServiceUnavailable("S3 did not answer") from exc
    digest, size, head = hashlib.sha256(), 0, b""
    for chunk in iter(lambda: body.read(1024 * 1024), b""):
        if len(head) < head_bytes:
            head += chunk[: head_bytes - len(head)]
        digest.update(chunk)
        size += len(chunk)
    return StoredObject(size=size, head=head, sha256=digest.hexdigest())


def move(bucket: str, key: str, new_key: str) -> None:
    _s3().copy_object(Bucket=bucket, Key=new_key, CopySource={"Bucket": bucket, "Key": key})
    _s3().delete_object(Bucket=bucket, Key=key)


def exists(key: str) -> bool:
    try:
        _s3().head_object(Bucket=get_settings().bucket_name, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
            return False
        raise ServiceUnavailable("S3 did not answer") from exc
    return True


def put(key: str, body: bytes, content_type: str) -> None:
    """Store a file the platform made itself (QR images, label sheets)."""
    try:
        _s3().put_object(Bucket=get_settings().bucket_name, Key=key, Body=body, ContentType=content_type)
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable("S3 did not accept the file") from exc


def read(bucket: str, key: str, *, max_bytes: int) -> bytes:
    """An uploaded file's bytes, for handlers that parse it whole (result sheets); larger ones are refused."""
    try:
        obj = _s3().get_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"NoSuchKey", "404"}:
            raise NotFoundError("the uploaded object is gone") from exc
        raise ServiceUnavailable("S3 did not answer") from exc
    if int(obj.get("ContentLength") or 0) > max_bytes:
        raise PayloadTooLarge(f"files are at most {max_bytes} bytes")
    return bytes(obj["Body"].read())


def upload_file(path: str, key: str, content_type: str) -> None:
    """Store a file the platform wrote to disk (exports), in parts when large, never whole in memory."""
    try:
        _s3().upload_file(path, get_settings().bucket_name, key, ExtraArgs={"ContentType": content_type})
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable("S3 did not accept the file") from exc


def get(key: str) -> bytes:
    """A small file the platform stored itself (a draw's frozen lists), whole."""
    try:
        return bytes(_s3().get_object(Bucket=get_settings().bucket_name, Key=key)["Body"].read())
    except ClientError as exc:
        if exc.response["Error"]["Code"] in {"NoSuchKey", "404"}:
            raise NotFoundError("the stored file is gone") from exc
        raise ServiceUnavailable("S3 did not answer") from exc
