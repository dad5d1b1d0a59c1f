"""Settings: defaults, validation naming the variable, secrets that never print."""

import pytest

from bot.config import ConfigError, Secret, load_settings
from bot.env_values import NUMBER_RANGES


def test_defaults_follow_the_contract():
    settings = load_settings({})
    assert settings.backup_keep == 10
    assert settings.backup_schedule_hours == 0
    assert settings.check_interval_seconds == 300
    assert (settings.alert_failure_threshold, settings.alert_success_threshold) == (2, 1)
    assert settings.http_timeout_seconds == 10
    assert str(settings.aphrodite_log_file) == "/app/logs/aphrodite-v2.log"
    assert settings.omdb_url == "https://www.omdbapi.com/"
    assert settings.anidb_url == "http://api.anidb.net:9001/httpapi"
    assert settings.discord_token is None
    assert settings.backup_compression == "gzip"


@pytest.mark.parametrize(("value", "codec"), [("gzip", "gzip"), ("zstd", "zstd"), ("ZSTD", "zstd")])
def test_backup_compression_names_the_codec_of_compressed_backups(value, codec):
    assert load_settings({"BACKUP_COMPRESSION": value}).backup_compression == codec


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALERT_CHANNEL_ID", "ops-channel"),
        ("AUDIT_CHANNEL_ID", "#audit"),
        ("ADMIN_ROLE_IDS", "123,abc"),
        ("JELLYFIN_URL", "jellyfin:8096"),
        ("DATABASE_URL", "mysql://u:p@h/db"),
        ("DATABASE_URL", "postgresql://u:p@h:port/db"),
        ("BACKUP_KEEP", "ten"),
        ("BACKUP_KEEP", "0"),
        ("HTTP_TIMEOUT_SECONDS", "-1"),
        ("BACKUP_COMPRESSION", "none"),
        ("BACKUP_COMPRESSION", "true"),
        ("BACKUP_COMPRESSION", "xz"),
    ],
)
def test_invalid_value_stops_start_naming_the_variable(name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value})


def test_invalid_database_url_error_does_not_show_the_password():
    with pytest.raises(ConfigError) as raised:
        load_settings({"DATABASE_URL": "postgresql://u:hunter2secret@h:port/db"})
    assert "hunter2secret" not in str(raised.value)


def test_blank_values_count_as_unset():
    settings = load_settings({"DISCORD_GUILD_ID": "  ", "OMDB_URL": ""})
    assert settings.discord_guild_id is None
    assert settings.omdb_url == "https://www.omdbapi.com/"


def test_admin_role_ids_are_parsed_as_a_set():
    assert load_settings({"ADMIN_ROLE_IDS": "1, 2,3"}).admin_role_ids == {1, 2, 3}


def test_secrets_never_show_in_repr_of_settings():
    settings = load_settings(
        {
            "DISCORD_TOKEN": "tok-abc-123",
            "OMDB_API_KEY": "omdbkey99",
            "DATABASE_URL": "postgresql://a:pw77x@h/db",
        }
    )
    shown = repr(settings) + str(settings)
    for secret in ("tok-abc-123", "omdbkey99", "pw77x"):
        assert secret not in shown
    assert set(settings.secrets()) >= {"tok-abc-123", "omdbkey99", "pw77x"}


def test_secret_reveals_only_on_request():
    secret = Secret("value-1")
    assert "value-1" not in f"{secret} {secret!r}"
    assert secret.reveal() == "value-1"


def test_monitoring_settings_have_the_documented_defaults() -> None:
    settings = load_settings({}, dotenv=False)
    assert (settings.alert_reminder_hours, settings.history_days, settings.log_search_timeout_seconds) == (
        6,
        90,
        30,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ALERT_REMINDER_HOURS", "-1"),
        ("HISTORY_DAYS", "0"),
        ("HISTORY_DAYS", "1.5"),
        ("LOG_SEARCH_TIMEOUT_SECONDS", "0"),
    ],
)
def test_invalid_monitoring_setting_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value}, dotenv=False)


def test_metrics_are_off_and_local_by_default() -> None:
    settings = load_settings({}, dotenv=False)
    assert (settings.metrics_port, settings.metrics_bind) == (0, "127.0.0.1")


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", "::1", "10.1.2.3", "aphrodite-ops", "bot.example.org"])
def test_metrics_bind_takes_an_address_or_a_host_name(bind: str) -> None:
    settings = load_settings({"METRICS_PORT": "9108", "METRICS_BIND": bind}, dotenv=False)
    assert (settings.metrics_port, settings.metrics_bind) == (9108, bind)


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity", "1e308", "1e400", "1_000", "١٠"])
@pytest.mark.parametrize("name", ["HTTP_TIMEOUT_SECONDS", "CHECK_INTERVAL_SECONDS", "ALERT_REMINDER_HOURS"])
def test_a_decimal_setting_refuses_non_finite_huge_or_non_ascii_values(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{name} must be .*from .* to ") as raised:
        load_settings({name: value}, dotenv=False)
    assert raised.value.hint is not None and ".env" in raised.value.hint


@pytest.mark.parametrize("value", ["1e23", "100000000000000000000000", "3651", "9" * 5000])
def test_history_days_beyond_ten_years_names_the_variable_and_its_range(value: str) -> None:
    with pytest.raises(ConfigError, match=r"HISTORY_DAYS must be .*from 1 to 3650"):
        load_settings({"HISTORY_DAYS": value}, dotenv=False)


def test_every_numeric_setting_has_a_range_and_its_default_is_inside() -> None:
    settings = load_settings({}, dotenv=False)
    for name, (low, high) in NUMBER_RANGES.items():
        assert low <= getattr(settings, name.lower()) <= high, name


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("METRICS_PORT", "65536"),
        ("METRICS_PORT", "-1"),
        ("METRICS_PORT", "metrics"),
        ("METRICS_BIND", "http://0.0.0.0"),
        ("METRICS_BIND", "0.0.0.0:9108"),
        ("METRICS_BIND", "-bad-.host"),
    ],
)
def test_invalid_metrics_setting_names_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value}, dotenv=False)


@pytest.mark.parametrize(
    ("name", "value"),
    [("HISTORY_DAYS", "3650"), ("HTTP_TIMEOUT_SECONDS", "0.1"), ("CHECK_INTERVAL_SECONDS", "8.64e4")],
)
def test_the_ends_of_a_range_are_allowed(name: str, value: str) -> None:
    assert getattr(load_settings({name: value}, dotenv=False), name.lower()) == float(value)


@pytest.mark.parametrize("value", ["²", "12³", "١٢٣", "0", "18446744073709551616", "+5", " 5 5"])
def test_a_discord_id_is_ascii_digits_within_64_bits(value: str) -> None:
    with pytest.raises(ConfigError, match="ALERT_CHANNEL_ID must be a Discord id"):
        load_settings({"ALERT_CHANNEL_ID": value}, dotenv=False)


def test_the_largest_64_bit_discord_id_is_allowed() -> None:
    assert load_settings({"ADMIN_ROLE_IDS": "18446744073709551615, 1"}, dotenv=False).admin_role_ids == {
        2**64 - 1,
        1,
    }


@pytest.mark.parametrize("value", ["http://[::1", "http://[::1]:99999", "https://host:port/x", "ftp://host"])
def test_a_url_that_does_not_parse_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="JELLYFIN_URL must be an http"):
        load_settings({"JELLYFIN_URL": value}, dotenv=False)


def test_a_database_url_that_does_not_parse_names_the_variable_without_the_password() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL does not parse") as raised:
        load_settings({"DATABASE_URL": "postgresql://u:pw-hidden-9@[::1/db"}, dotenv=False)
    assert "pw-hidden-9" not in str(raised.value)


def test_drill_settings_default_to_off_and_to_the_database_server():
    settings = load_settings({})
    assert settings.drill_schedule_hours == 0 and settings.drill_database_url is None


def test_drill_database_url_needs_no_database_name_and_its_password_is_a_secret():
    settings = load_settings({"DRILL_DATABASE_URL": "postgresql://drill:dr%40ll99@pg:5432"})
    assert settings.drill_database_url is not None
    assert {"dr%40ll99", "dr@ll99"} <= set(settings.secrets())
    with pytest.raises(ConfigError, match="DRILL_DATABASE_URL"):
        load_settings({"DRILL_DATABASE_URL": "mysql://u:p@h/db"})
    with pytest.raises(ConfigError, match="DRILL_SCHEDULE_HOURS"):
        load_settings({"DRILL_SCHEDULE_HOURS": "-2"})
