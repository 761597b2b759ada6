"""``liandong backup DIR`` / ``liandong restore DIR``: a consistent copy of the database.

SQLite: the online backup API (a consistent snapshot while the app runs). PostgreSQL:
``pg_dump -Fc`` and ``pg_restore --clean``. Each backup has a manifest beside it (database
kind, time, applied migrations, row counts) that restore checks.

The keys are not in the backup: LIANDONG_FIELD_KEY (and, for an unconfigured demo,
DATA_DIR/keys.json) must be kept, and restored, separately, or the personal data in the
backup cannot be read.
"""

import json
import os
import shutil
import sqlite3
import subprocess
from glob import glob
from pathlib import Path
from typing import Any

from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}
COUNTED = ["organizations.Organization", "workers.Worker", "accounts.User", "core.AuditLog"]


class BackupError(Exception):
    pass


def _pg_tool(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise BackupError(f"{name} not found: install Debian's postgresql-client")
    return found


def _pg_args() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = ["--dbname", s["NAME"]]
    if s.get("HOST"):
        args += ["--host", s["HOST"]]
    if s.get("PORT"):
        args += ["--port", str(s["PORT"])]
    if s.get("USER"):
        args += ["--username", s["USER"]]
    env = {**os.environ, **({"PGPASSWORD": s["PASSWORD"]} if s.get("PASSWORD") else {})}
    return args, env


def _counts() -> dict[str, int]:
    from django.apps import apps

    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def _migrations() -> list[str]:
    return sorted(
        f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
    )


def backup_create(*, directory: Path) -> Path:
    """Write a backup and its manifest into ``directory``; return the backup's path."""
    vendor = connection.vendor
    if vendor not in SUFFIX:
        raise BackupError(f"backups of {vendor} are not supported")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / f"liandong-{timezone.now():%Y%m%d-%H%M%S}{SUFFIX[vendor]}"
    # The dump holds every worker's (encrypted) personal data and the audit log: its owner
    # alone reads it. Created 0600 before anything is written into it (pg_dump and SQLite's
    # backup write into the file as it is), and set again after, whatever the umask.
    _private_file(target)
    manifest: dict[str, Any] = {
        "database": vendor,
        "created_at": timezone.now().isoformat(),
        "migrations": _migrations(),
        "counts": _counts(),
    }
    if vendor == "sqlite":
        connection.ensure_connection()
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)
        finally:
            destination.close()
    else:
        args, env = _pg_args()
        subprocess.run(  # noqa: S603 - fixed tool path, arguments from settings
            [_pg_tool("pg_dump"), "--format=custom", "--file", str(target), *args],
            check=True,
            env=env,
            capture_output=True,
        )
    os.chmod(target, 0o600)
    manifest_path = target.with_suffix(".json")
    _private_file(manifest_path)
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return target


def _private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (or make an existing one 0600)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)


def backup_latest(*, directory: Path) -> Path:
    candidates = sorted(directory.glob(f"liandong-*{SUFFIX.get(connection.vendor, '.none')}"))
    if not candidates:
        raise BackupError(f"no {connection.vendor} backup in {directory}")
    return candidates[-1]


def backup_restore(*, path: Path) -> dict[str, Any]:
    """Replace the database's contents with the backup at ``path``; return its manifest."""
    manifest_path = path.with_suffix(".json")
    if not path.exists() or not manifest_path.exists():
        raise BackupError(f"{path} or its manifest is missing")
    manifest = json.loads(manifest_path.read_text())
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"this is a {manifest['database']} backup; the database is {connection.vendor}"
        )
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()  # hold no lock on the tables pg_restore drops
        args, env = _pg_args()
        subprocess.run(  # noqa: S603 - fixed tool path, arguments from settings
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(path),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
    return manifest
