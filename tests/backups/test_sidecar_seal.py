"""Provenance: only a sidecar sealed with the key in DATA_DIR makes a backup "made by this bot"."""

# The fixtures imported from backup_fixtures are requested as parameters of the same name.
# ruff: noqa: F811

from __future__ import annotations

import hashlib
import json
import shutil
import stat

import pytest

from bot.backups.inventory import (
    KIND_UNKNOWN,
    NO_SIDECAR_ORIGIN,
    UNSEALED_ORIGIN,
    Sidecar,
    sidecar_path,
    write_manifest,
)
from bot.backups.sidecar_seal import KEY_BYTES, KEY_FILE_NAME, SIGNATURE_FIELD, SidecarKeyError, SidecarSeal
from tests.backups.fixtures import (  # noqa: F401 - fixtures
    backup_dir,
    backup_service,
    database,
    files_in,
    make_service,
    write_dump_head,
)

PLANTED = "aphrodite_backup_20300101_000000.sql.gz"


def listed(backups, name):
    return next(backup for backup in backups if backup.name == name)


async def test_a_backup_the_bot_made_is_sealed_with_a_key_that_lives_in_data_dir(backup_service, backup_dir):
    result = await backup_service.create(label="alice on Discord")

    [backup] = await backup_service.list()
    assert backup.sealed and backup.verified and backup.sidecar is Sidecar.SEALED
    assert backup.origin == "made by this bot (manual backup, for alice on Discord)"
    key = backup_service.seal.key_path
    assert key == backup_dir.parent / "data" / KEY_FILE_NAME and not key.is_relative_to(backup_dir)
    assert len(key.read_bytes()) == KEY_BYTES and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert files_in(backup_dir) == {result.name, result.name + ".json"}
    manifest = json.loads(sidecar_path(result.path).read_text())
    # The fields DESIGN.md names stay as they were; the signature is one more.
    assert manifest["size"] == result.size and manifest["sha256"] == result.sha256
    assert "duration_seconds" in manifest and manifest["server_version"] == result.server_version
    assert manifest[SIGNATURE_FIELD].startswith("hmac-sha256:")


async def test_a_planted_file_with_a_sidecar_carrying_the_right_sha256_is_of_unknown_origin(
    backup_service, backup_dir
):
    real = await backup_service.create(label="alice")
    planted = shutil.copyfile(real.path, backup_dir / PLANTED)
    data = planted.read_bytes()
    copied = json.loads(sidecar_path(real.path).read_text())
    forged = {**copied, "name": PLANTED, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    sidecar_path(planted).write_text(json.dumps(forged))

    backup = listed(await backup_service.list(), PLANTED)

    assert not backup.sealed and not backup.verified and backup.manifest is None
    assert backup.sidecar is Sidecar.UNSEALED and backup.origin == UNSEALED_ORIGIN
    assert backup.kind == KIND_UNKNOWN and backup.origin.startswith("unknown origin")
    assert listed(await backup_service.list(), real.name).sealed  # the real one is untouched


async def test_a_sealed_sidecar_copied_beside_another_file_does_not_vouch_for_it(backup_service, backup_dir):
    real = await backup_service.create(label="alice")
    planted = write_dump_head(backup_dir / PLANTED, compress=True)
    shutil.copyfile(sidecar_path(real.path), sidecar_path(planted))

    backup = listed(await backup_service.list(), PLANTED)

    assert not backup.sealed and backup.origin == UNSEALED_ORIGIN


async def test_a_file_without_a_sidecar_is_of_unknown_origin_not_made_by_aphrodite(
    backup_service, backup_dir
):
    write_dump_head(backup_dir / PLANTED, compress=True)

    [backup] = await backup_service.list()

    assert backup.sidecar is Sidecar.NONE and backup.origin == NO_SIDECAR_ORIGIN
    assert "Aphrodite's own or copied in" in backup.origin and backup.kind == KIND_UNKNOWN


@pytest.mark.parametrize(
    ("field", "value"), [("kind", "scheduled"), ("size", 1), ("verified", False), ("label", "mallory")]
)
async def test_a_tampered_field_breaks_the_seal(backup_service, field, value):
    result = await backup_service.create(label="alice")
    sidecar = sidecar_path(result.path)
    sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), field: value}))

    [backup] = await backup_service.list()

    assert not backup.sealed and backup.origin == UNSEALED_ORIGIN


async def test_a_rewrite_through_write_manifest_is_sealed_again(backup_service):
    result = await backup_service.create(label="alice")
    [before] = await backup_service.list()

    write_manifest(result.path, {**before.manifest, "drill": {"ok": True}}, backup_service.seal)

    [after] = await backup_service.list()
    assert after.sealed and after.manifest["drill"] == {"ok": True}


async def test_another_key_does_not_verify_the_sidecars(database, backup_dir, tmp_path):
    await make_service(database, backup_dir).create(label="alice")

    other_key = SidecarSeal(tmp_path / "other" / KEY_FILE_NAME, backup_dir)
    elsewhere = make_service(database, backup_dir, seal=other_key)
    [backup] = await elsewhere.list()

    assert not backup.sealed and backup.origin == UNSEALED_ORIGIN
    assert not (tmp_path / "other").exists()  # checking never makes a key


@pytest.mark.parametrize("content", [b"", b"short", b"x" * (KEY_BYTES + 1)])
async def test_a_malformed_key_is_a_clear_error_and_no_backup_is_made(
    database, backup_dir, tmp_path, content
):
    key = tmp_path / "data" / KEY_FILE_NAME
    key.parent.mkdir()
    key.write_bytes(content)
    service = make_service(database, backup_dir, seal=SidecarSeal(key, backup_dir))

    with pytest.raises(SidecarKeyError) as refused:
        await service.create(label="alice")

    assert str(key) in str(refused.value) and "DATA_DIR" in str(refused.value)
    assert files_in(backup_dir) == set()


def test_two_seals_on_one_path_share_the_key_made_first(tmp_path):
    path = tmp_path / "data" / KEY_FILE_NAME
    backups = tmp_path / "backups"
    signed = SidecarSeal(path, backups).sign({"name": "a", "size": 1})

    assert SidecarSeal(path, backups).verifies(signed)
    assert SidecarSeal(path, backups).sign({"name": "a", "size": 1}) == signed
    assert [entry.name for entry in path.parent.iterdir()] == [KEY_FILE_NAME]  # no temporary left


@pytest.mark.parametrize("data_dir", [".", "inner"])
async def test_a_key_inside_backup_dir_is_refused_and_no_backup_is_made(database, backup_dir, data_dir):
    key = backup_dir / data_dir / KEY_FILE_NAME
    service = make_service(database, backup_dir, seal=SidecarSeal(key, backup_dir))

    with pytest.raises(SidecarKeyError) as refused:
        await service.create(label="alice")

    assert "BACKUP_DIR" in str(refused.value) and "DATA_DIR" in str(refused.value)
    assert files_in(backup_dir) == set()
