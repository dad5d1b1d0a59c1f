"""The service registry: one list of modules from which keys, names and descriptions derive."""

from __future__ import annotations

from bot.services import anidb, jellyfin, mdblist, omdb, tmdb
from bot.services.catalog import BY_KEY, MODULES, SERVICE_KEYS, SERVICES


def test_services_are_listed_in_report_order_with_unique_keys():
    assert SERVICE_KEYS == ("jellyfin", "omdb", "tmdb", "mdblist", "anidb")
    assert len({service.name for service in SERVICES}) == len(SERVICES)


def test_each_key_leads_to_the_module_that_checks_it():
    assert [BY_KEY[key] for key in SERVICE_KEYS] == [jellyfin, omdb, tmdb, mdblist, anidb]
    assert all(module.SERVICE.key == key for key, module in zip(SERVICE_KEYS, MODULES, strict=True))


def test_only_anidb_goes_through_the_ban_guard():
    assert [service.key for service in SERVICES if service.ban_guarded] == ["anidb"]
