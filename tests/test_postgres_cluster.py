"""The test cluster itself: the schema is there and password authentication is enforced."""

import asyncpg
import pytest


async def test_clone_holds_aphrodite_rows(aphrodite_db):
    connection = await asyncpg.connect(aphrodite_db.dsn)
    try:
        assert await connection.fetchval("SELECT count(*) FROM media_items") == 3000
    finally:
        await connection.close()


async def test_wrong_password_is_refused(aphrodite_db):
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(aphrodite_db.dsn.replace("aphro-Db-Pass-9731", "wrong"))
