"""A throwaway PostgreSQL cluster, started with the real initdb/pg_ctl for the test session."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
SUPERUSER_PASSWORD = "pg-super-Secret-42"
APP_USER = "aphrodite"
APP_PASSWORD = "aphro-Db-Pass-9731"


def _bindir() -> Path:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    config = shutil.which("pg_config")
    if config:
        return Path(subprocess.check_output([config, "--bindir"], text=True).strip())
    raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not on PATH; install postgresql-15.")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresCluster:
    """One running cluster on 127.0.0.1, with password authentication over TCP."""

    root: Path
    port: int

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def dsn(self, database: str = "aphrodite", user: str = APP_USER, password: str = APP_PASSWORD) -> str:
        return f"postgresql://{user}:{password}@127.0.0.1:{self.port}/{database}"

    def superuser_dsn(self, database: str = "postgres") -> str:
        return self.dsn(database, SUPERUSER, SUPERUSER_PASSWORD)

    @classmethod
    def create(cls) -> PostgresCluster:
        root = Path(tempfile.mkdtemp(prefix="aphrodite-ops-pg-"))
        cluster = cls(root=root, port=free_port())
        run_as = _run_as_prefix()
        if run_as:
            shutil.chown(root, user="postgres", group="postgres")
        pwfile = root / "pwfile"
        pwfile.write_text(SUPERUSER_PASSWORD + "\n")
        if run_as:
            shutil.chown(pwfile, user="postgres", group="postgres")
        bindir = _bindir()
        subprocess.run(
            [
                *run_as,
                str(bindir / "initdb"),
                "-D",
                str(cluster.datadir),
                "-U",
                SUPERUSER,
                "--pwfile",
                str(pwfile),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            check=True,
            capture_output=True,
        )
        with open(cluster.datadir / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nport = {cluster.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{root}'\nfsync = off\nsynchronous_commit = off\n"
                "full_page_writes = off\nmax_connections = 60\nshared_buffers = 64MB\n"
            )
        cluster.start()
        return cluster

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*_run_as_prefix(), str(_bindir() / "pg_ctl"), "-D", str(self.datadir), "-w", *args],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        self._pg_ctl("-l", str(self.root / "server.log"), "start")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _run_as_prefix() -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root needs a 'postgres' system user for the test cluster") from None
    return ["runuser", "-u", "postgres", "--"]
