"""amcheck on the restored copy: run when template1 has it, a finding (not a failure) when it cannot run."""

from __future__ import annotations

from bot.drills.runner import AMCHECK_TEMPLATE_HINT
from tests.drills.conftest import superuser

GRANTS = (
    "GRANT EXECUTE ON FUNCTION bt_index_check(regclass), bt_index_check(regclass, boolean), "
    "verify_heapam(regclass, boolean, boolean, text, bigint, bigint) TO aphrodite"
)


async def test_without_amcheck_on_the_copy_the_drill_passes_and_says_how_to_get_it(backups, drills):
    await backups.create(label="alice")

    result = await drills.drill(None, label="alice")

    assert result.ok
    [note] = [finding for finding in result.findings if finding.startswith("amcheck not run on the copy")]
    assert AMCHECK_TEMPLATE_HINT in note


async def test_with_amcheck_in_template1_every_copy_is_checked(backups, drills, aphrodite_db):
    await backups.create(label="alice")
    await superuser(aphrodite_db, "CREATE EXTENSION amcheck", GRANTS, database="template1")
    try:
        result = await drills.drill(None, label="alice")
    finally:
        await superuser(aphrodite_db, "DROP EXTENSION amcheck", database="template1")

    assert result.ok and result.amcheck is not None
    assert "no corruption" in result.amcheck and "B-tree indexes" in result.amcheck
    assert not any(finding.startswith("amcheck") for finding in result.findings)
