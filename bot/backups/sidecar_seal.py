"""The seal on the sidecars this bot writes: an HMAC-SHA256 with a key kept in DATA_DIR.

BACKUP_DIR is shared with Aphrodite and whoever copies files into it, so a sidecar there proves
nothing by itself: anyone can write `{"verified": true, "sha256": ...}` beside a planted file. A
sidecar is this bot's only when its ``signature`` verifies with the key in DATA_DIR, which never
lives in BACKUP_DIR. Every write of a sidecar goes through `SidecarSeal.sign` (inventory's
`write_manifest` calls it), so a field added later (a drill, an off-site copy) is sealed too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
import threading
from collections.abc import Mapping
from pathlib import Path

from bot.errors import OpsError

KEY_FILE_NAME = "sidecar.key"
KEY_BYTES = 32
SIGNATURE_FIELD = "signature"
_SIGNATURE_PREFIX = "hmac-sha256:"


class SidecarKeyError(OpsError):
    """The sidecar key in DATA_DIR cannot be read or is not a key this bot made."""

    exit_code = 2


def canonical(manifest: Mapping[str, object]) -> bytes:
    """The bytes the signature covers: the manifest without its signature, as sorted compact JSON."""
    unsigned = {key: value for key, value in manifest.items() if key != SIGNATURE_FIELD}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


class SidecarSeal:
    """Signs and checks sidecars with the key at ``key_path`` (DATA_DIR/sidecar.key).

    The key is made on the first signature (32 random bytes, mode 0600, appearing whole or not at
    all); checking never makes one: without a key no sidecar is this bot's. A key inside
    ``backup_dir`` (DATA_DIR set to BACKUP_DIR or below it) is refused: whoever may write there
    could read it. Blocking: call it from a worker thread, as the inventory and the writer do.
    """

    def __init__(self, key_path: Path, backup_dir: Path) -> None:
        self.key_path = key_path
        self.backup_dir = backup_dir
        self._key: bytes | None = None
        self._lock = threading.Lock()

    def ready(self) -> None:
        """Make or read the key now, so a backup never starts when its sidecar could not be sealed."""
        self._signing_key()

    def sign(self, manifest: Mapping[str, object]) -> dict[str, object]:
        """``manifest`` with a fresh ``signature`` over every other field."""
        return {**manifest, SIGNATURE_FIELD: _signature(self._signing_key(), manifest)}

    def verifies(self, manifest: Mapping[str, object]) -> bool:
        """True when ``manifest``'s signature is this bot's over exactly its other fields."""
        claimed = manifest.get(SIGNATURE_FIELD)
        if not isinstance(claimed, str):
            return False
        key = self._existing_key()
        return key is not None and hmac.compare_digest(claimed, _signature(key, manifest))

    def _existing_key(self) -> bytes | None:
        self._refuse_shared_folder()
        with self._lock:
            if self._key is None:
                self._key = _read_key(self.key_path)
            return self._key

    def _signing_key(self) -> bytes:
        self._refuse_shared_folder()
        with self._lock:
            key = self._key or _read_key(self.key_path) or _create_key(self.key_path)
            self._key = key
            return key

    def _refuse_shared_folder(self) -> None:
        folder, shared = os.path.abspath(self.key_path.parent), os.path.abspath(self.backup_dir)
        if os.path.commonpath([folder, shared]) == shared:
            raise SidecarKeyError(
                f"The sidecar key {self.key_path} would be inside BACKUP_DIR ({self.backup_dir}), which "
                "Aphrodite and anyone who copies backups in can read. Set DATA_DIR to a folder outside "
                "BACKUP_DIR (the default ./data with ./data/backups is fine)."
            )


def _signature(key: bytes, manifest: Mapping[str, object]) -> str:
    return _SIGNATURE_PREFIX + hmac.new(key, canonical(manifest), hashlib.sha256).hexdigest()


def _refused(path: Path, why: str) -> SidecarKeyError:
    return SidecarKeyError(
        f"The sidecar key {path} (in DATA_DIR) {why}. It must be the {KEY_BYTES}-byte file this bot made: "
        "restore it from a copy, or move it away so that a new one is made (the backups sealed with "
        "the old one then show as unknown origin)."
    )


def _read_key(path: Path) -> bytes | None:
    """The key at ``path``; None when there is none yet; SidecarKeyError when it is not a key."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _refused(path, f"cannot be read ({error.strerror or error})") from None
    with os.fdopen(descriptor, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise _refused(path, "is not a regular file")
        key = file.read(KEY_BYTES + 1)
    if len(key) != KEY_BYTES:
        raise _refused(path, f"holds {len(key)} bytes, not {KEY_BYTES}")
    return key


def _create_key(path: Path) -> bytes:
    """A new key at ``path``, written beside it and linked into place so it appears whole.

    When another process (the CLI beside the bot) made one first, that one is used.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.partial")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(key)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            theirs = _read_key(path)
            if theirs is None:
                raise _refused(path, "vanished as soon as another process made it") from None
            return theirs
    finally:
        temporary.unlink(missing_ok=True)
    return key
