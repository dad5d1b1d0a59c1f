"""Credentials: the environment first, else Aphrodite's saved settings in system_config."""

import json

import asyncpg
import pytest

from bot.services.credentials import APHRODITE_SETTINGS, ENVIRONMENT, MIXED, parse_settings
from bot.status import Status
from tests.fakes.services import OMDB_API_KEY, closed_port
from tests.support.postgres_cluster import APP_PASSWORD

NO_KEYS = {
    "JELLYFIN_URL": None,
    "JELLYFIN_API_KEY": None,
    "JELLYFIN_USER_ID": None,
    "OMDB_API_KEY": None,
    "TMDB_API_KEY": None,
    "MDBLIST_API_KEY": None,
    "ANIDB_CLIENT": None,
    "ANIDB_CLIENT_VERSION": None,
}


async def save_settings(dsn: str, value: object) -> None:
    """Store Aphrodite's settings row as Aphrodite does (JSON text in system_config.value)."""
    text = value if isinstance(value, str) else json.dumps(value)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "INSERT INTO system_config (key, value) VALUES ('settings.yaml', $1) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            text,
        )
    finally:
        await connection.close()


async def test_every_service_works_from_aphrodites_saved_settings(fake_services, make_runner, aphrodite_db):
    await save_settings(aphrodite_db.dsn, fake_services.aphrodite_saved_settings())
    settings = fake_services.settings(DATABASE_URL=aphrodite_db.dsn, **NO_KEYS)

    results = await make_runner(settings).check_all()

    assert [(r.service, r.status) for r in results] == [(r.service, Status.OK) for r in results]
    assert {r.credential_source for r in results} == {APHRODITE_SETTINGS}


async def test_saved_settings_in_a_jsonb_column_are_read_too(fake_services, make_runner, aphrodite_db):
    connection = await asyncpg.connect(aphrodite_db.superuser_dsn)
    await connection.execute("ALTER TABLE system_config ALTER COLUMN value TYPE jsonb USING value::jsonb")
    await connection.close()
    await save_settings(aphrodite_db.dsn, fake_services.aphrodite_saved_settings())
    settings = fake_services.settings(DATABASE_URL=aphrodite_db.dsn, **NO_KEYS)

    result = await make_runner(settings).check("omdb")

    assert (result.status, result.credential_source) == (Status.OK, APHRODITE_SETTINGS)


async def test_environment_wins_over_saved_settings(fake_services, make_runner, aphrodite_db):
    saved = fake_services.aphrodite_saved_settings()
    saved["api_keys"]["OMDB"] = [{"api_key": "saved-wrong-key"}]
    await save_settings(aphrodite_db.dsn, saved)
    settings = fake_services.settings(DATABASE_URL=aphrodite_db.dsn)

    result = await make_runner(settings).check("omdb")

    assert (result.status, result.credential_source) == (Status.OK, ENVIRONMENT)
    assert fake_services.omdb.requests[0].query["apikey"] == OMDB_API_KEY


async def test_a_wrong_environment_key_is_not_rescued_by_the_saved_one(
    fake_services, make_runner, aphrodite_db
):
    await save_settings(aphrodite_db.dsn, fake_services.aphrodite_saved_settings())
    settings = fake_services.settings(DATABASE_URL=aphrodite_db.dsn, OMDB_API_KEY="env-wrong-key")

    result = await make_runner(settings).check("omdb")

    assert result.status is Status.FAILED
    assert result.credential_source == ENVIRONMENT
    assert "OMDB_API_KEY" in result.hint


async def test_settings_from_both_places_are_combined_field_by_field(
    fake_services, make_runner, aphrodite_db
):
    saved = fake_services.aphrodite_saved_settings()
    saved["api_keys"]["Jellyfin"][0]["url"] = "http://127.0.0.1:1"  # the environment's URL wins
    await save_settings(aphrodite_db.dsn, saved)
    settings = fake_services.settings(
        DATABASE_URL=aphrodite_db.dsn, JELLYFIN_API_KEY=None, JELLYFIN_USER_ID=None
    )

    result = await make_runner(settings).check("jellyfin")

    assert result.status is Status.OK
    assert result.credential_source == MIXED
    assert "user 'aphrodite' found" in result.detail


async def test_saved_jellyfin_url_without_scheme_is_used_as_http(fake_services, make_runner, aphrodite_db):
    saved = fake_services.aphrodite_saved_settings()
    saved["api_keys"]["Jellyfin"][0]["url"] = fake_services.jellyfin.url.removeprefix("http://") + "/"
    await save_settings(aphrodite_db.dsn, saved)
    settings = fake_services.settings(DATABASE_URL=aphrodite_db.dsn, **NO_KEYS)

    result = await make_runner(settings).check("jellyfin")

    assert result.status is Status.OK
    assert dict(result.facts)["Address"] == fake_services.jellyfin.url


async def test_saved_url_that_is_not_http_fails_in_words(fake_services, make_runner, aphrodite_db):
    saved = fake_services.aphrodite_saved_settings()
    saved["api_keys"]["Jellyfin"][0]["url"] = "ftp://media.example.org"
    await save_settings(aphrodite_db.dsn, saved)
    settings = fake_services.settings(DATABASE_URL=aphrodite_db.dsn, **NO_KEYS)

    result = await make_runner(settings).check("jellyfin")

    assert result.status is Status.FAILED
    assert "is not an http(s) URL" in result.detail


async def test_database_down_fails_saved_credentials_and_leaves_environment_ones_working(
    fake_services, make_runner
):
    down = f"postgresql://aphrodite:{APP_PASSWORD}@127.0.0.1:{closed_port()}/aphrodite"
    settings = fake_services.settings(DATABASE_URL=down, OMDB_API_KEY=None)

    results = {r.service: r for r in await make_runner(settings).check_all()}

    assert results["jellyfin"].status is Status.OK
    assert results["omdb"].status is Status.FAILED
    assert "Credentials could not be read: Aphrodite's database could not be read" in results["omdb"].detail
    assert APP_PASSWORD not in json.dumps([r.to_dict() for r in results.values()])


async def test_missing_settings_row_is_said_in_the_not_configured_detail(
    fake_services, make_runner, aphrodite_db
):
    settings = fake_services.settings(DATABASE_URL=aphrodite_db.dsn, TMDB_API_KEY=None)

    result = await make_runner(settings).check("tmdb")

    assert result.status is Status.NOT_CONFIGURED
    assert "TMDB_API_KEY" in result.detail
    assert "no saved settings" in result.detail


async def test_settings_row_that_is_not_json_is_a_failure_to_read_them(
    fake_services, make_runner, aphrodite_db
):
    await save_settings(aphrodite_db.dsn, "api_keys:\n  TMDB:\n  - api_key: abc\n")
    settings = fake_services.settings(DATABASE_URL=aphrodite_db.dsn, TMDB_API_KEY=None)

    result = await make_runner(settings).check("tmdb")

    assert result.status is Status.FAILED
    assert "not valid JSON" in result.detail


async def test_database_without_aphrodites_table_is_said_in_the_detail(
    fake_services, make_runner, pg_cluster
):
    settings = fake_services.settings(DATABASE_URL=pg_cluster.dsn("aphrodite"), TMDB_API_KEY=None)

    result = await make_runner(settings).check("tmdb")

    assert result.status is Status.NOT_CONFIGURED
    assert "no system_config table" in result.detail


async def test_keys_read_from_the_database_never_appear_in_results(fake_services, make_runner, aphrodite_db):
    saved = fake_services.aphrodite_saved_settings()
    saved["api_keys"]["OMDB"] = [{"api_key": "db0nly5ecret"}]
    await save_settings(aphrodite_db.dsn, saved)
    fake_services.omdb.set_mode("garbage")  # the page quotes the request URL, key included
    settings = fake_services.settings(DATABASE_URL=aphrodite_db.dsn, **NO_KEYS)

    result = await make_runner(settings).check("omdb")

    assert "Sign in to see" in result.detail
    assert "db0nly5ecret" not in json.dumps(result.to_dict())


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("[1, 2]", "have no api_keys"),
        ('{"api_keys": "none"}', "have no api_keys"),
        ("{not json", "not valid JSON"),
    ],
)
def test_unusable_saved_settings_say_why(raw, problem):
    assert problem in parse_settings(raw).problem


def test_saved_sections_are_merged_and_matched_without_case():
    saved = parse_settings(
        json.dumps(
            {
                "api_keys": {
                    "aniDB": [{"username": "me"}, {"password": "pw-123", "version": "3", "client_name": "c"}],
                    "OMDB": [{"api_key": ""}, {"api_key": "second"}],
                }
            }
        )
    )

    assert saved.value("anidb", "client_name") == "c"
    assert saved.value("aniDB", "username") == "me"
    assert saved.value("OMDB", "api_key") == "second"
    assert sorted(saved.secrets()) == ["pw-123", "second"]


def test_settings_stored_as_a_json_string_are_read():
    assert parse_settings(json.dumps(json.dumps({"api_keys": {"TMDB": [{"api_key": "k"}]}}))).value(
        "tmdb", "api_key"
    )
