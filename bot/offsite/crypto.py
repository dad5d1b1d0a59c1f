"""age encryption through pyrage: the recipients, the identity file, streamed encryption and decryption.

pyrage's `encrypt_io` and `decrypt_io` read and write Python file objects a chunk at a time (64 KiB
STREAM chunks), so neither side ever holds a whole backup; the output is the standard age format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

from bot.config import Settings
from bot.offsite.errors import CopyRefused, OffsiteNotConfigured

_IDENTITY_LIMIT = 64 * 1024
_COPY_CHUNK = 1024 * 1024


class Writer(Protocol):
    def write(self, data: bytes) -> int: ...


def load_recipients(keys: Sequence[str]) -> list[object]:
    """pyrage recipients for OFFSITE_AGE_RECIPIENTS (already shaped like age1 keys by the settings)."""
    from pyrage import RecipientError, x25519

    try:
        return [x25519.Recipient.from_str(key) for key in keys]
    except RecipientError:
        raise OffsiteNotConfigured(
            "OFFSITE_AGE_RECIPIENTS holds a key that is not a valid age public key "
            "(check its last characters)."
        ) from None


def load_identities(path: Path | None) -> list[object]:
    """The private keys in OFFSITE_AGE_IDENTITY_FILE (as `age-keygen` writes it); never shown."""
    from pyrage import IdentityError, x25519

    if path is None:
        raise OffsiteNotConfigured(
            "OFFSITE_AGE_IDENTITY_FILE is not set: an encrypted off-site copy cannot be decrypted without "
            "the age private key (the file `age-keygen -o` wrote)."
        )
    try:
        with open(path, "rb") as file:
            text = file.read(_IDENTITY_LIMIT).decode("utf-8", "replace")
    except OSError as error:
        raise OffsiteNotConfigured(
            f"OFFSITE_AGE_IDENTITY_FILE cannot be read ({error.strerror or type(error).__name__}): {path}"
        ) from None
    lines = [line.strip() for line in text.splitlines()]
    try:
        identities = [x25519.Identity.from_str(line) for line in lines if line.startswith("AGE-SECRET-KEY-")]
    except IdentityError:
        identities = []
    if not identities:
        raise OffsiteNotConfigured(
            f"OFFSITE_AGE_IDENTITY_FILE holds no valid age private key (AGE-SECRET-KEY-1...): {path}"
        )
    return identities


class HashingReader:
    """Reads ``source`` for pyrage, hashing (sha256) and counting what passed (read from other threads).

    pyrage asks for 8 KiB at a time: the file is read and hashed a MiB at a time, and served from
    that block, so that a backup costs a read and a hash call per MiB, not per 8 KiB.
    """

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._block = b""
        self._offset = 0
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        wanted = size if size and size > 0 else _COPY_CHUNK
        if self._offset == len(self._block):
            self._block = self._source.read(max(wanted, _COPY_CHUNK))
            self._offset = 0
            self.sha256.update(self._block)
            self.bytes_read += len(self._block)
        data = self._block[self._offset : self._offset + wanted]
        self._offset += len(data)
        return data


class HashingWriter:
    """Writes to ``target``, hashing (sha256) and counting what passed."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self.sha256 = hashlib.sha256()
        self.bytes_written = 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.bytes_written += len(data)
        return self._target.write(data)

    def flush(self) -> None:
        self._target.flush()


def encrypt_stream(reader: HashingReader, writer: Writer, recipients: list[object] | None) -> None:
    """Copy ``reader`` to ``writer``, age-encrypted to ``recipients`` (None: as it is) (blocking)."""
    if recipients is None:
        while data := reader.read(_COPY_CHUNK):
            writer.write(data)
        return
    import pyrage

    pyrage.encrypt_io(reader, writer, recipients)


def decrypt_file(source: BinaryIO, writer: HashingWriter, identities: list[object] | None) -> None:
    """Copy ``source`` to ``writer``, decrypting it with ``identities`` (None: as it is) (blocking)."""
    if identities is None:
        while data := source.read(_COPY_CHUNK):
            writer.write(data)
        return
    import pyrage

    try:
        pyrage.decrypt_io(source, writer, identities)
    except (pyrage.DecryptError, OSError) as error:
        if isinstance(error, OSError) and "decrypt" not in str(error):
            raise  # the disk, not the copy (a damaged chunk is an OSError "decryption error")
        raise CopyRefused(
            "The off-site copy does not decrypt with OFFSITE_AGE_IDENTITY_FILE: it was encrypted to "
            "another key, or it was damaged (age authenticates every chunk)."
        ) from None


def settings_recipients(settings: Settings) -> list[object] | None:
    """OFFSITE_AGE_RECIPIENTS as age recipients; None for plaintext copies (OFFSITE_ALLOW_PLAINTEXT=true
    only); OffsiteNotConfigured (fail closed) without either."""
    keys = settings.offsite_age_recipients
    if keys:
        return load_recipients(keys)
    if settings.offsite_allow_plaintext:
        return None
    raise OffsiteNotConfigured(
        "OFFSITE_AGE_RECIPIENTS is not set, so nothing is uploaded: copies are encrypted to age public "
        "keys (age-keygen prints one). To upload unencrypted anyway, set OFFSITE_ALLOW_PLAINTEXT=true."
    )
