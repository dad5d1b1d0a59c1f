"""Redaction: known secrets and credential-shaped values are masked wherever they appear."""

import pytest

from bot.redact import Redactor


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("GET https://www.omdbapi.com/?apikey=abc123&i=tt1", "abc123"),
        ("GET /3/authentication?api_key=0123456789abcdef", "0123456789abcdef"),
        ('Authorization: MediaBrowser Token="jf-key-1"', "jf-key-1"),
        ("headers={'Authorization': 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig'}", "eyJhbGciOiJIUzI1NiJ9"),
        ("connect postgresql://aphrodite:pg-pass-9@db:5432/aphrodite failed", "pg-pass-9"),
        ("token=xyz-987 expired", "xyz-987"),
        ('{"password": "p4ss-word"}', "p4ss-word"),
        ("TMDB_API_KEY=0a1b2c3d loaded", "0a1b2c3d"),
        ("refresh_token=rt-5566 jellyfin_password=jp-7788", "rt-5566"),
        ("jellyfin_password=jp-7788", "jp-7788"),
        ("login user=bob pass=hunter22", "hunter22"),
    ],
)
def test_credential_shaped_values_are_masked(text, leak):
    assert leak not in Redactor()(text)


def test_known_secrets_are_masked_anywhere():
    redact = Redactor(["s3cr3t-value"])
    assert redact("prefix s3cr3t-value suffix") == "prefix *** suffix"


def test_words_that_merely_contain_a_key_name_are_left_alone():
    assert Redactor()("bypass=cache compass: north") == "bypass=cache compass: north"


def test_ordinary_text_is_left_alone():
    line = "2025-06-06 18:52:46 [ERROR] app.services.tmdb:88: TMDB lookup failed for tt0133093"
    assert Redactor(["unrelated"])(line) == line


def test_learn_adds_values_from_elsewhere_to_the_same_redactor():
    redact = Redactor(["one-secret"])
    redact.learn(["db-read-key"])
    assert redact("one-secret db-read-key") == "*** ***"
