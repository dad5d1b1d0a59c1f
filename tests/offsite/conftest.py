"""An S3 server for the off-site tests: moto's, in this process, on 127.0.0.1 at a free port."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.backups.fixtures import backup_dir, backup_service, database  # noqa: F401 - fixtures

# Parts of a few KiB, so that small test backups go up in several parts (S3's own minimum is 5 MiB);
# read by moto when it is imported, hence before.
os.environ.setdefault("S3_UPLOAD_PART_MIN_SIZE", "1024")

ACCESS_KEY = "AKIAOFFSITETESTKEY01"
SECRET_KEY = "offsite-test-secret-9f3b2c7d1e8a4f6b0c5d"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    name = f"offsite-{uuid.uuid4().hex[:12]}"
    s3_server.client().create_bucket(Bucket=name)
    return name


@dataclass(frozen=True)
class AgeKeys:
    recipient: str
    identity_file: Path


def make_age_keys(folder: Path, name: str = "identity.txt") -> AgeKeys:
    from pyrage import x25519

    identity = x25519.Identity.generate()
    path = folder / name
    path.write_text(f"# created: by the tests\n# public key: {identity.to_public()}\n{identity}\n")
    return AgeKeys(str(identity.to_public()), path)


@pytest.fixture
def age_keys(tmp_path: Path) -> AgeKeys:
    return make_age_keys(tmp_path)


def offsite_environ(
    endpoint: str, bucket: str, folder: Path, keys: AgeKeys | None, **extra: str
) -> dict[str, str]:
    environ = {
        "BACKUP_DIR": str(folder),
        "OFFSITE_URL": f"s3://{bucket}/team/aphrodite",
        "OFFSITE_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
    }
    if keys is not None:
        environ["OFFSITE_AGE_RECIPIENTS"] = keys.recipient
        environ["OFFSITE_AGE_IDENTITY_FILE"] = str(keys.identity_file)
    return {**environ, **extra}
