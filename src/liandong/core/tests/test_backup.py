"""``liandong backup`` / ``restore`` on the real database of the run (SQLite or PostgreSQL)."""

import os
import stat

import pytest
from django.core.management import call_command
from django.db import connection

from liandong.core import crypto
from liandong.core.backup import BackupError, backup_create, backup_latest, backup_restore
from liandong.organizations.models import Organization
from liandong.organizations.tests.factories import OutletFactory
from liandong.workers.models import Worker
from liandong.workers.tests.factories import WorkerFactory


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_brings_back_exactly_what_was_saved(tmp_path) -> None:
    outlet = OutletFactory(name="备份前网点", code="BK-1")
    kept = WorkerFactory(name="王备份", employer=outlet, mobile="13919310055")
    old_umask = os.umask(0o022)  # the usual umask: files would be world-readable (0644)
    try:
        path = backup_create(directory=tmp_path / "backups")
    finally:
        os.umask(old_umask)
    assert path.exists()
    assert path.with_suffix(".json").exists()
    # Readable by their owner only: the dump, its manifest and a directory it created.
    for private, mode in [(path, 0o600), (path.with_suffix(".json"), 0o600), (path.parent, 0o700)]:
        assert stat.S_IMODE(private.stat().st_mode) == mode, (private, oct(private.stat().st_mode))

    OutletFactory(name="备份后网点", code="BK-2")
    Worker.objects.filter(pk=kept.pk).update(name="改过")

    manifest = backup_restore(path=backup_latest(directory=tmp_path / "backups"))
    assert manifest["database"] == connection.vendor
    assert not Organization.objects.filter(code="BK-2").exists()
    restored = Worker.objects.get(pk=kept.pk)
    assert restored.name == "王备份"
    assert crypto.decrypt(restored.mobile_cipher) == "13919310055"
    assert manifest["counts"]["workers.Worker"] == Worker.objects.count()
    assert manifest["counts"]["organizations.Organization"] == Organization.objects.count()


@pytest.mark.django_db(transaction=True)
def test_commands_and_refusals(tmp_path) -> None:
    with pytest.raises(BackupError):
        backup_latest(directory=tmp_path)
    call_command("backup", str(tmp_path))
    backup = backup_latest(directory=tmp_path)
    manifest = backup.with_suffix(".json")
    manifest.write_text(manifest.read_text().replace(f'"{connection.vendor}"', '"oracle"'))
    with pytest.raises(BackupError, match="oracle"):
        backup_restore(path=backup)
