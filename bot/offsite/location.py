"""Where the copies live: OFFSITE_URL's bucket and prefix, and the key of each backup's copy."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.backups.inventory import BACKUP_NAME

ENCRYPTED_SUFFIX = ".age"


@dataclass(frozen=True)
class Location:
    """``s3://bucket/prefix``; ``prefix`` has no slash at either end (empty: the bucket's top)."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, url: str) -> Location:
        parts = urlsplit(url)
        return cls(parts.netloc, parts.path.strip("/"))

    @property
    def list_prefix(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""

    def key_for(self, name: str, *, encrypted: bool) -> str:
        """`<prefix>/<backup name>.age`, or the plain name for a plaintext copy."""
        return self.list_prefix + name + (ENCRYPTED_SUFFIX if encrypted else "")

    def backup_name(self, key: str) -> tuple[str, bool] | None:
        """The backup name a key holds and whether it is encrypted; None for any other key."""
        if not key.startswith(self.list_prefix):
            return None
        rest = key[len(self.list_prefix) :]
        encrypted = rest.endswith(ENCRYPTED_SUFFIX)
        name = rest[: -len(ENCRYPTED_SUFFIX)] if encrypted else rest
        return (name, encrypted) if BACKUP_NAME.fullmatch(name) else None

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}".rstrip("/")
