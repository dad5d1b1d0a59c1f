"""Every way a service can fail on the wire, for every service, reported in plain words."""

import pytest

from bot.services.catalog import SERVICE_KEYS
from bot.status import Status
from tests.fakes.services import closed_port

URL_VARIABLES = {
    "jellyfin": "JELLYFIN_URL",
    "omdb": "OMDB_URL",
    "tmdb": "TMDB_URL",
    "mdblist": "MDBLIST_URL",
    "anidb": "ANIDB_URL",
}
every_service = pytest.mark.parametrize("service", SERVICE_KEYS)


@every_service
async def test_timeout_names_the_limit(fake_services, make_runner, service):
    fake_services[service].delay = 1.0
    settings = fake_services.settings(HTTP_TIMEOUT_SECONDS="0.3")

    result = await make_runner(settings).check(service)

    assert result.status is Status.FAILED
    assert "within 0.3 s (timeout)" in result.detail
    assert "HTTP_TIMEOUT_SECONDS" in result.hint


@every_service
async def test_unknown_host_is_a_dns_failure(fake_services, make_runner, service):
    settings = fake_services.settings(**{URL_VARIABLES[service]: "http://no-such-host.invalid/api"})

    result = await make_runner(settings).check(service)

    assert result.status is Status.FAILED
    assert result.detail == "Host no-such-host.invalid could not be resolved (DNS)"


@every_service
async def test_closed_port_says_nothing_is_listening(fake_services, make_runner, service):
    port = closed_port()
    settings = fake_services.settings(**{URL_VARIABLES[service]: f"http://127.0.0.1:{port}/api"})

    result = await make_runner(settings).check(service)

    assert result.status is Status.FAILED
    assert result.detail == f"Nothing listening at 127.0.0.1:{port} (connection refused)"


@every_service
async def test_https_to_a_plain_http_port_is_a_tls_error(fake_services, make_runner, service):
    url = fake_services[service].url.replace("http://", "https://")
    settings = fake_services.settings(**{URL_VARIABLES[service]: url})

    result = await make_runner(settings).check(service)

    assert result.status is Status.FAILED
    assert result.detail.startswith("TLS error with 127.0.0.1:")
    assert "does not speak TLS" in result.detail


@every_service
async def test_server_error_reports_the_status(fake_services, make_runner, service):
    fake_services[service].set_mode("server_error")

    result = await make_runner(fake_services.settings()).check(service)

    assert result.status is Status.FAILED
    assert result.detail.startswith("Server error 503")


@every_service
async def test_html_instead_of_the_api_quotes_the_page(fake_services, make_runner, service):
    fake_services[service].set_mode("garbage")

    result = await make_runner(fake_services.settings()).check(service)

    assert result.status is Status.FAILED
    assert result.detail.startswith("Answered with something that is not ")
    assert "(HTTP 200, text/html): '<html><body>Sign in" in result.detail
    assert "the URL" in result.hint


@every_service
async def test_truncated_body_is_not_taken_for_an_answer(fake_services, make_runner, service):
    fake_services[service].set_mode("truncated")

    result = await make_runner(fake_services.settings()).check(service)

    assert result.status is Status.FAILED
    assert result.detail.startswith("Answered with something that is not ")


@every_service
async def test_rate_limit_429_is_degraded(fake_services, make_runner, service):
    fake_services[service].set_mode("quota")

    result = await make_runner(fake_services.settings()).check(service)

    assert result.status is Status.DEGRADED


@every_service
async def test_slow_but_working_is_degraded_with_the_time(fake_services, make_runner, service):
    fake_services[service].set_mode("slow", delay=0.5)
    settings = fake_services.settings(HTTP_TIMEOUT_SECONDS="1.2")  # slow above 0.4 s

    result = await make_runner(settings).check(service)

    assert result.status is Status.DEGRADED
    assert result.detail.startswith("Slow: ")
    assert "(over 0.4 s)" in result.detail
    assert result.latency_ms >= 500
