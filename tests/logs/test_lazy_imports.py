"""The package imports a submodule when one of its names is first used: a command loads what it runs."""

from __future__ import annotations

import importlib

import pytest

import bot.logs
from tests.cli.test_startup import imported_by

SEARCHING = {"bot.logs.search", "bot.logs.query", "bot.logs.scan", "bot.logs.shown", "bot.logs.parse"}
WRITING = {"bot.logs.export", "bot.logs.clear", "gzip", "tempfile"}


def test_every_public_name_is_the_object_of_its_module():
    for name in bot.logs.__all__:
        home = importlib.import_module(bot.logs._HOME_OF[name])
        assert getattr(bot.logs, name) is getattr(home, name)
    assert sorted(bot.logs.__all__) == sorted(bot.logs._HOME_OF)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchThing"):
        _ = bot.logs.NoSuchThing


async def test_logs_status_imports_neither_the_search_nor_the_export_nor_the_clear(tmp_path):
    (tmp_path / "aphrodite-v2.log").write_text("2025-06-06 18:52:46 [INFO] app.main:1: started\n")

    code, imported = await imported_by("logs", "status", tmp_path=tmp_path)

    assert code == 0 and "bot.logs.file_status" in imported
    assert not imported & (SEARCHING | WRITING)


async def test_logs_view_imports_the_search_but_neither_the_export_nor_the_clear(tmp_path):
    (tmp_path / "aphrodite-v2.log").write_text("2025-06-06 18:52:46 [INFO] app.main:1: started\n")

    code, imported = await imported_by("logs", "view", tmp_path=tmp_path)

    assert code == 0 and "bot.logs.search" in imported
    assert not imported & WRITING
