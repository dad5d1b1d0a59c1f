"""Finding and starting PostgreSQL's client programs (pg_dump, psql) without leaking the password."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

from bot.database.dsn import DsnParts
from bot.errors import OpsError

CLIENT_PACKAGE = "postgresql-client-15"
# Debian/Ubuntu install every major version side by side; /usr/bin may only hold a wrapper.
_VERSIONED_BINDIRS = Path("/usr/lib/postgresql")
STDERR_KEEP_BYTES = 16 * 1024


class ClientToolMissing(OpsError):
    """pg_dump or psql is not installed where we look."""

    exit_code = 3

    def __init__(self, program: str) -> None:
        super().__init__(
            f"{program} was not found: install the PostgreSQL client tools "
            f"(Debian/Ubuntu: apt install {CLIENT_PACKAGE}), or put {program} on PATH."
        )


class ClientTooOld(OpsError):
    """pg_dump refuses a server newer than itself ("server version mismatch")."""

    def __init__(self, server_version: str, tool_version: str) -> None:
        major = server_version.split(".")[0]
        super().__init__(
            f"pg_dump {tool_version} is older than the database server ({server_version}) and refuses to "
            f'dump it ("server version mismatch"): install postgresql-client-{major} and try again.'
        )


_MISMATCH = re.compile(r"server version: (?P<server>[\w.]+); pg_dump version: (?P<tool>[\w.]+)")


def raise_if_version_mismatch(stderr: str) -> None:
    """Turn pg_dump's version refusal into a ClientTooOld that says what to install."""
    if "server version mismatch" not in stderr:
        return
    match = _MISMATCH.search(stderr)
    if match:
        raise ClientTooOld(match["server"], match["tool"])
    raise ClientTooOld("newer", "installed")


@dataclass(frozen=True)
class PgTools:
    """Where the client programs are looked up; ``search_path`` replaces PATH (e.g. test wrappers)."""

    search_path: str | None = None

    def locate(self, program: str) -> str:
        """The full path of ``program``; raises ClientToolMissing naming the package to install."""
        found = shutil.which(program, path=self._path())
        if found is None:
            raise ClientToolMissing(program)
        return found

    def _path(self) -> str:
        if self.search_path is not None:
            return self.search_path
        versioned = sorted(_VERSIONED_BINDIRS.glob("*/bin"), key=_major_version, reverse=True)
        return os.pathsep.join([os.environ.get("PATH", os.defpath), *map(str, versioned)])

    async def start(
        self,
        program: str,
        *args: str,
        env: dict[str, str],
        stdin: int | None = None,
        stdout: int | None = None,
    ) -> asyncio.subprocess.Process:
        """Start ``program`` in its own session, stderr piped; the password travels in ``env`` only.

        Its own session keeps a Ctrl-C in the terminal from killing it behind our back: we end it
        ourselves, at a moment of our choosing (see restore: psql must never commit by surprise).
        """
        executable = self.locate(program)
        try:
            return await asyncio.create_subprocess_exec(
                executable,
                *args,
                stdin=stdin if stdin is not None else asyncio.subprocess.DEVNULL,
                stdout=stdout if stdout is not None else asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
                env=env,
                start_new_session=True,
                limit=1024 * 1024,
            )
        except FileNotFoundError:
            raise ClientToolMissing(program) from None


def _major_version(bindir: Path) -> int:
    name = bindir.parent.name
    return int(name) if name.isdigit() else 0


def libpq_environment(parts: DsnParts, *, application_name: str) -> dict[str, str]:
    """The process environment for a client program: connection settings and PGPASSWORD."""
    env = dict(os.environ)
    env.update(parts.environment())
    env["PGAPPNAME"] = application_name
    env.setdefault("PGCONNECT_TIMEOUT", "10")
    return env


class StderrTail:
    """Collects the last few KiB a child writes on stderr, so a chatty child never fills memory."""

    def __init__(self, keep: int = STDERR_KEEP_BYTES) -> None:
        self._keep = keep
        self._data = bytearray()

    async def drain(self, stream: asyncio.StreamReader | None) -> None:
        if stream is None:
            return
        while chunk := await stream.read(64 * 1024):
            self._data += chunk
            if len(self._data) > 2 * self._keep:
                del self._data[: -self._keep]

    def text(self) -> str:
        return bytes(self._data[-self._keep :]).decode("utf-8", "replace").strip()


def describe_exit(program: str, returncode: int | None) -> str:
    """'pg_dump exited with status 1' or 'pg_dump was killed by SIGKILL'."""
    if returncode is None:
        return f"{program} did not finish"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"{program} was killed by {name}"
    return f"{program} exited with status {returncode}"


async def end_process(process: asyncio.subprocess.Process) -> None:
    """Kill ``process`` if it still runs and reap it."""
    if process.returncode is None:
        try:
            process.kill()
        except ProcessLookupError:
            pass
    await process.wait()


def first_error_lines(stderr: str, limit: int = 6) -> str:
    """The lines of a client's stderr that say what went wrong, without the noise before them."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    interesting = [
        line
        for line in lines
        if any(word in line for word in ("ERROR", "FATAL", "error:", "detail:", "DETAIL", "CONTEXT", "hint:"))
    ]
    chosen = interesting or lines[-limit:]
    return "\n".join(chosen[:limit])
