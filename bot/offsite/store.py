"""The S3 API calls the copies need, through aiobotocore (imported only when a copy is touched).

One client per operation, closed after it. Botocore's own retries are off (``max_attempts`` 1):
the uploader retries a whole copy with its own backoff, so a failure is seen and reported.
Checksums are computed only when an operation requires one ("when_required"): since botocore
1.36 the default adds CRC headers that Backblaze B2, Cloudflare R2 and MinIO refuse.
Payloads are not signed (UNSIGNED-PAYLOAD), as botocore already does over https for a part with a
Content-MD5: every part's integrity is its Content-MD5, a signed header the store checks, so the
sha256 that botocore would otherwise compute of every part over http (on the event loop) is not;
a part's body (bot.offsite.regions) is only read as aiohttp sends it, so it could not be either.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.offsite.location import Location
from bot.offsite.regions import RegionBody

if TYPE_CHECKING:
    from botocore.config import _S3Dict
    from types_aiobotocore_s3 import S3Client

_CONNECT_TIMEOUT_SECONDS = 10
_READ_TIMEOUT_SECONDS = 120
_DOWNLOAD_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class RemoteObject:
    """One object under the prefix: its key, size, when it was written, and its metadata."""

    key: str
    size: int
    etag: str
    metadata: dict[str, str]


@dataclass(frozen=True)
class ListedKey:
    key: str
    size: int


class ObjectStore:
    """The bucket of OFFSITE_URL at OFFSITE_ENDPOINT_URL (AWS's when unset), with the AWS_* keys."""

    def __init__(self, settings: Settings, location: Location) -> None:
        self.location = location
        self._settings = settings

    @asynccontextmanager
    async def client(self) -> AsyncIterator[S3Client]:
        from aiobotocore.config import AioConfig
        from aiobotocore.session import get_session

        settings = self._settings
        s3: _S3Dict = {"payload_signing_enabled": False}
        if settings.offsite_endpoint_url:
            s3["addressing_style"] = "path"
        config = AioConfig(
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=_CONNECT_TIMEOUT_SECONDS,
            read_timeout=_READ_TIMEOUT_SECONDS,
            s3=s3,
        )
        key_id, secret = settings.aws_access_key_id, settings.aws_secret_access_key
        async with get_session().create_client(
            "s3",
            region_name=settings.offsite_region,
            endpoint_url=settings.offsite_endpoint_url,
            aws_access_key_id=key_id.reveal() if key_id else None,
            aws_secret_access_key=secret.reveal() if secret else None,
            config=config,
        ) as client:
            yield client

    async def list_keys(self, client: S3Client) -> list[ListedKey]:
        """Every key under the prefix (one level: copies are never in sub-folders)."""
        paginator = client.get_paginator("list_objects_v2")
        keys: list[ListedKey] = []
        async for page in paginator.paginate(Bucket=self.location.bucket, Prefix=self.location.list_prefix):
            for item in page.get("Contents", []):
                keys.append(ListedKey(item["Key"], item.get("Size", 0)))
        return keys

    async def head(self, client: S3Client, key: str) -> RemoteObject | None:
        """The object's size, ETag and metadata; None when there is no such object."""
        from botocore.exceptions import ClientError

        try:
            answer = await client.head_object(Bucket=self.location.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return RemoteObject(key, answer["ContentLength"], answer["ETag"], dict(answer.get("Metadata", {})))

    async def delete(self, client: S3Client, key: str) -> None:
        await client.delete_object(Bucket=self.location.bucket, Key=key)

    async def download(self, client: S3Client, key: str, write: Callable[[bytes], Awaitable[None]]) -> int:
        """Stream the object's bytes to ``write``, a chunk at a time; the byte count."""
        answer = await client.get_object(Bucket=self.location.bucket, Key=key)
        total = 0
        async with answer["Body"] as body:
            while chunk := await body.read(_DOWNLOAD_CHUNK):
                await write(chunk)
                total += len(chunk)
        return total


class MultipartUpload:
    """One multipart upload of ``key``: parts go up by number, a few at once; `abort` removes them."""

    def __init__(self, client: S3Client, location: Location, key: str, upload_id: str) -> None:
        self._client = client
        self._location = location
        self.key = key
        self._upload_id = upload_id
        self.parts: dict[int, str] = {}

    @classmethod
    async def start(
        cls, client: S3Client, location: Location, key: str, metadata: dict[str, str]
    ) -> MultipartUpload:
        answer = await client.create_multipart_upload(
            Bucket=location.bucket, Key=key, Metadata=metadata, ContentType="application/octet-stream"
        )
        return cls(client, location, key, answer["UploadId"])

    async def send(self, number: int, body: RegionBody, md5: bytes) -> None:
        """Upload part ``number``; the store refuses it unless it arrived matching ``md5`` (Content-MD5)."""
        answer = await self._client.upload_part(
            Bucket=self._location.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            Body=body,  # type: ignore[arg-type]  # botocore takes any body with a read and a length
            ContentMD5=base64.b64encode(md5).decode(),
        )
        self.parts[number] = answer["ETag"]

    async def complete(self) -> None:
        await self._client.complete_multipart_upload(
            Bucket=self._location.bucket,
            Key=self.key,
            UploadId=self._upload_id,
            MultipartUpload={
                "Parts": [{"PartNumber": number, "ETag": self.parts[number]} for number in sorted(self.parts)]
            },
        )

    async def abort(self) -> None:
        await self._client.abort_multipart_upload(
            Bucket=self._location.bucket, Key=self.key, UploadId=self._upload_id
        )
