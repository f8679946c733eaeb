"""Where sealed document bytes live: a directory on local disk (the embedded default) or
an S3-compatible bucket. Both hold ciphertext only; keys are opaque names chosen here."""

import functools
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

_KEY_RE = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}\.bin$")


class DocumentStorage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...

    def read(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None:
        """Deleting a key that is not there is not an error: purges are retried."""
        ...

    def exists(self, key: str) -> bool: ...


def storage_key_for(document_hex: str) -> str:
    return f"{document_hex[:2]}/{document_hex}.bin"


def _checked(key: str) -> str:
    # Keys come from our own rows, but a path is built from them: refuse anything else.
    if not _KEY_RE.match(key):
        raise ValueError("Not a document storage key.")
    return key


class LocalDiskStorage:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Written beside the target and renamed, so a reader never sees half a file.
        fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as temp_file:
                temp_file.write(data)
                temp_file.flush()
                os.fsync(temp_file.fileno())
            os.chmod(temp_name, 0o600)
            os.replace(temp_name, path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()


class S3Storage:
    def __init__(self, *, bucket: str, endpoint_url: str | None = None) -> None:
        import boto3

        self.bucket = bucket
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url)

    def save(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=_checked(key), Body=data)

    def read(self, key: str) -> bytes:
        response = self.client.get_object(Bucket=self.bucket, Key=_checked(key))
        body: bytes = response["Body"].read()
        return body

    def delete(self, key: str) -> None:
        # S3 answers a delete of a missing key with success, which is what a retry needs.
        self.client.delete_object(Bucket=self.bucket, Key=_checked(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=_checked(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True


@functools.lru_cache(maxsize=8)
def _storage_for(bucket: str, endpoint_url: str | None, root: str) -> DocumentStorage:
    if bucket:
        return S3Storage(bucket=bucket, endpoint_url=endpoint_url)
    return LocalDiskStorage(Path(root))


def get_storage() -> DocumentStorage:
    """The storage the settings name; S3 as soon as DOCUMENTS_S3_BUCKET is set."""
    return _storage_for(
        settings.DOCUMENTS_S3_BUCKET or "",
        settings.DOCUMENTS_S3_ENDPOINT_URL or None,
        str(settings.DOCUMENTS_ROOT),
    )
