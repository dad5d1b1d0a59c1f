"""Redaction: known secrets and credential-shaped values are masked wherever they appear."""

import base64
import json
import random
import re
import string
import threading
from urllib.parse import quote, quote_plus

import pytest

from bot.redact import MASK, Redactor


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


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("env PGPASSWORD=pg-Secret-41 pg_dump aphrodite", "pg-Secret-41"),
        ("SECRET_KEY=django-insecure-9f8e7d loaded", "django-insecure-9f8e7d"),
        ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG+bPxRfiCY", "wJalrXUtnFEMI"),
        ("GET /login?next=%2Fsearch%3Fapi_key%3Dk3y-in-a-url%26i%3D1", "k3y-in-a-url"),
        ("The saved api key: 8f3a9c21e0 was rejected", "8f3a9c21e0"),
        ("cached eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl for later", "eyJhbGciOiJIUzI1NiJ9"),
        ("cached eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2lnbmF0dXJl for later", "c2lnbmF0dXJl"),
        ("request headers: Authorization: Bearer\n    v4-read-token-77aa", "v4-read-token-77aa"),
        ("Authorization:\n  Bearer next-line-token-1", "next-line-token-1"),
        ('{"message": "retry with token=\\"tok-in-json-5\\" later"}', "tok-in-json-5"),
    ],
)
def test_credential_shapes_seen_in_the_audit_are_masked(text, leak):
    assert leak not in Redactor()(text)


def test_a_human_sentence_about_a_key_is_left_alone():
    assert Redactor()("Rejected the API key: Invalid API key!") == "Rejected the API key: Invalid API key!"


def test_masking_keeps_a_json_line_valid_json():
    line = '{"level": "INFO", "message": "GET ?api_key=abc123 Authorization: Bearer xyz789"}'
    redacted = Redactor()(line)
    assert "abc123" not in redacted and "xyz789" not in redacted
    assert json.loads(redacted)["level"] == "INFO"


def test_a_bearer_token_never_swallows_the_next_log_header():
    text = "Authorization: Bearer\n2026-11-28 22:59:00 [INFO] app.main:1: next entry"
    assert Redactor()(text).endswith("\n2026-11-28 22:59:00 [INFO] app.main:1: next entry")


# Secrets as Aphrodite's settings hold them: hex keys, v4 tokens, passwords with characters that
# URL-encoding and JSON-escaping change.
_ALPHABET = string.ascii_letters + string.digits + '-_.~+/=&%@:!$"\\ '


def _random_secret(rng: random.Random) -> str:
    return "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(6, 40))).strip() + "Z9"


def _filler(rng: random.Random) -> str:
    words = ["poster", "for", "tt0133093", "in", "42", "ms", "GET", "/api/v1", "ok", "\n", "  ", "Ω"]
    return " ".join(rng.choice(words) for _ in range(rng.randint(0, 12)))


@pytest.mark.parametrize("seed", range(40))
def test_a_known_secret_is_masked_in_every_encoding_wherever_it_stands(seed):
    rng = random.Random(seed)
    secret = _random_secret(rng)
    redact = Redactor([secret])
    for form in encodings_of(secret):
        # At the very start and end of the text, at line starts and ends, amid text.
        for text in (
            form,
            f"{form}\n{_filler(rng)}",
            f"{_filler(rng)}\n{form}",
            f"{_filler(rng)}{form}{_filler(rng)}",
            f"{_filler(rng)}\n{form}\n{_filler(rng)}",
        ):
            assert form not in redact(text), (seed, form, text)


@pytest.mark.parametrize("seed", range(20))
def test_a_cut_anywhere_across_a_secret_shows_none_of_it(seed):
    rng = random.Random(seed)
    secret = _random_secret(rng)
    redact = Redactor([secret])
    before, after = _filler(rng), _filler(rng)
    for form in encodings_of(secret):
        shaped = (f"api_key={rng.randrange(10**12)}", f"eyJ{rng.randrange(10**16)}.abc.def")
        for name_and_value in (form, *shaped):
            text = f"{before} {name_and_value} {after}"
            whole = redact(text)
            at = text.index(name_and_value)
            for keep in range(at, at + len(name_and_value) + 1):
                head = redact.redact_head(text, keep)
                # Masks are kept whole: what a cut shows is a prefix of the fully redacted text.
                assert whole.startswith(head), (seed, keep, head)


def test_learning_while_other_threads_redact_is_safe():
    redact = Redactor()
    secrets = [f"learned-key-{n:03d}" for n in range(200)]
    text = " ".join(secrets)
    failures = []

    def learn() -> None:
        for secret in secrets:
            redact.learn([secret])

    def use() -> None:
        for _ in range(200):
            try:
                redact(text)
            except Exception as error:  # any error in another thread fails the test
                failures.append(error)

    threads = [threading.Thread(target=learn), *(threading.Thread(target=use) for _ in range(3))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert redact(text) == " ".join([MASK] * len(secrets))


def encodings_of(secret: str) -> list[str]:
    """The forms DESIGN lists for a secret in a log: raw, URL-encoded (both hex cases), JSON-escaped."""
    encoded = quote(secret, safe="")
    lower_hex = re.sub("%[0-9A-F]{2}", lambda escape: escape[0].lower(), encoded)
    return sorted({secret, encoded, lower_hex, quote_plus(secret, safe=""), json.dumps(secret)[1:-1]})


@pytest.mark.parametrize("seed", range(30))
def test_redacting_bytes_line_by_line_equals_redacting_the_whole_text(seed, scan_engine):
    rng = random.Random(seed)
    secrets = [_random_secret(rng) for _ in range(3)]
    redact = Redactor(secrets)
    shapes = [
        *secrets,
        *(form for secret in secrets for form in encodings_of(secret)),
        "apikey=abc123",
        "Authorization: Bearer",
        "\n  next-line-token-9",
        "eyJhbGciOiJIUzI1NiJ9.e30.sig",
        "postgresql://u:pw1@h/db",
        "\xff\xfe",
        "\r\n",
    ]
    text = "".join(rng.choice([_filler(rng), "\n", rng.choice(shapes)]) for _ in range(200))
    data = text.encode("utf-8", errors="surrogateescape")
    assert redact.redact_bytes(data) == redact(data.decode("utf-8", errors="replace"))


def test_a_secret_that_spans_lines_is_masked_whole_in_bytes_too_its_line_break_kept():
    redact = Redactor(["first-half\nsecond-half"])
    assert redact.redact_bytes(b"x first-half\nsecond-half y\napikey=v") == "x ***\n*** y\napikey=***"


def test_secrets_too_many_and_long_for_hyperscan_are_still_masked_in_log_bytes():
    secrets = [f"{i:02d}" + "s" * 5000 for i in range(30)]
    redactor = Redactor(secrets)
    text = redactor.redact_bytes(b"first\n" + secrets[7].encode() + b" in a line\nlast\n")
    assert text == "first\n*** in a line\nlast\n"


# A key as the environment holds it, with characters that URL-encoding and base64 treat apart.
KEY = "Tm9-key/5f2b+9c7e11"


def _percent_every_byte(text: str, hex_format: str = "%{:02X}") -> str:
    return "".join(hex_format.format(byte) for byte in text.encode())


def _base64_stream(prefix: bytes, secret: str, alphabet: bytes = b"+/") -> str:
    """``secret`` inside a longer base64 text, after ``prefix`` (so at each of the three alignments)."""
    return base64.b64encode(prefix + secret.encode() + b" and more after it", altchars=alphabet).decode()


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("upper-cased", f"echo {KEY.upper()} back"),
        ("lower-cased", f"echo {KEY.lower()} back"),
        ("fully %-encoded", f"GET /?q={_percent_every_byte(KEY)}&x=1"),
        ("fully %-encoded, lower hex", f"GET /?q={_percent_every_byte(KEY, '%{:02x}')}&x=1"),
        ("partly %-encoded", f"GET /?q={KEY[:5]}{_percent_every_byte(KEY[5:9])}{KEY[9:]}&x=1"),
        ("JSON \\u-escaped", '{"k": "' + "".join(f"\\u{ord(c):04x}" for c in KEY) + '"}'),
        ("JSON \\u-escaped, partly", '{"k": "' + KEY[:3] + "\\u002D" + KEY[4:7] + "\\/" + KEY[8:] + '"}'),
        ("hex", f"digest {KEY.encode().hex()} seen"),
        ("hex, upper-cased", f"digest {KEY.encode().hex().upper()} seen"),
        ("base64, aligned", f"blob {_base64_stream(b'', KEY)}"),
        ("base64, after one byte", f"blob {_base64_stream(b'u', KEY)}"),
        ("base64, after two bytes", f"blob {_base64_stream(b'us', KEY)}"),
        ("base64 URL-safe, after one byte", f"blob {_base64_stream(b'u', KEY, b'-_')}"),
        ("base64 URL-safe, after two bytes", f"blob {_base64_stream(b'us', KEY, b'-_')}"),
        ("joined with a space", f"excerpt: {KEY[:10]} {KEY[10:]} end"),
    ],
)
def test_every_form_of_a_known_secret_is_masked(name, text):
    redact = Redactor([KEY])
    shown = redact(text)
    assert MASK in shown, name
    # Nothing of the secret is left to read: no form of any 6 characters of it in a row.
    for at in range(len(KEY) - 5):
        part = KEY[at : at + 6]
        assert part.lower() not in shown.lower(), (name, part, shown)
        assert _percent_every_byte(part) not in shown.upper(), (name, part, shown)
    assert redact.redact_bytes(text.encode()) == shown


def test_a_base64_form_is_masked_where_the_secret_stands_not_the_whole_blob():
    shown = Redactor([KEY])(f"blob {_base64_stream(b'xyz' * 20, KEY)}")
    assert shown.startswith("blob " + base64.b64encode(b"xyz" * 20).decode()[:70])


@pytest.mark.parametrize("line_break", ["\n", "\r\n"])
def test_a_secret_cut_at_a_line_end_is_masked_on_both_lines(line_break, scan_engine):
    redact = Redactor([KEY])
    for cut in range(8, len(KEY)):
        text = f"2026-11-28 00:00:00 [INFO] app:1: key is {KEY[:cut]}{line_break}{KEY[cut:]} and more\nnext"
        expected = f"2026-11-28 00:00:00 [INFO] app:1: key is {MASK}{line_break}{MASK} and more\nnext"
        assert redact(text) == expected, cut
        assert redact.redact_bytes(text.encode()) == expected.replace("\r\n", "\r\n"), cut


def test_a_short_secret_is_masked_only_as_written_url_encoded_or_json_escaped():
    # Shorter than 8 characters: in any case, hex or base64 it would mask ordinary words.
    redact = Redactor(["pw+77"])
    assert (
        redact("login pw+77 / pw%2B77 / PW+77 / hex 70772b3737") == "login *** / *** / PW+77 / hex 70772b3737"
    )


def test_a_known_secret_is_masked_in_an_upper_cased_log_line_in_bytes(scan_engine):
    redact = Redactor([KEY])
    data = f"2026-11-28 00:00:00 [ERROR] app:1: REJECTED {KEY.upper()}\nfine line\n".encode()
    assert redact.redact_bytes(data) == f"2026-11-28 00:00:00 [ERROR] app:1: REJECTED {MASK}\nfine line\n"


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("config tmdbApiKey=8f3a9c21e0d4 loaded", "8f3a9c21e0d4"),
        ("jellyfinApiKey: jf-a81c3d9f", "jf-a81c3d9f"),
        ("authToken: at-5566-xyz", "at-5566-xyz"),
        ("refreshToken=rt-77aa", "rt-77aa"),
        ("clientSecret = cs-99zz", "cs-99zz"),
        ("dbPassword: hunter22", "hunter22"),
        ('{"apiKey": "ak-1234-abcd", "user": "me"}', "ak-1234-abcd"),
        ('{"tmdbApiKey":"ak-5678-efgh"}', "ak-5678-efgh"),
        ("X-Api-Key: xk-0000-1111", "xk-0000-1111"),
        ('headers={"X-Api-Key": "xk-2222-3333"}', "xk-2222-3333"),
        ("auth-token: kt-4444", "kt-4444"),
        ("auth_token=st-5555", "st-5555"),
    ],
)
def test_camel_snake_and_kebab_case_secret_names_are_masked(text, leak):
    shown = Redactor()(text)
    assert leak not in shown and MASK in shown


def test_words_merely_ending_like_a_secret_name_are_left_alone():
    assert (
        Redactor()("monkey=banana hockey: puck keyboard: qwerty")
        == "monkey=banana hockey: puck keyboard: qwerty"
    )


@pytest.mark.parametrize("seed", range(20))
def test_the_lines_to_redact_holding_given_lines_redact_those_as_the_whole_text_does(seed, scan_engine):
    rng = random.Random(seed)
    secrets = [_random_secret(rng) + "-long" for _ in range(2)]
    redact = Redactor(secrets)
    shapes = [
        *secrets,
        secrets[0][:9] + "\n" + secrets[0][9:],  # cut at a line end
        secrets[1].upper(),
        "apikey=abc123",
        "Authorization: Bearer\n  next-line-token-9",
        "Authorization:\n",
        "\n",
    ]
    text = "".join(rng.choice([_filler(rng), "\n", rng.choice(shapes)]) for _ in range(150))
    data = text.encode()
    whole = redact.redact_bytes(data).split("\n")
    line_ends = [at for at, byte in enumerate(data) if byte == 0x0A] + [len(data)]
    holding = sorted(rng.sample(line_ends, len(line_ends) // 3))
    spans = redact.lines_to_redact(data, holding=holding)
    assert spans is not None
    for start, stop in spans:
        first = data.count(b"\n", 0, start)
        shown = redact(data[start:stop].decode()).split("\n")
        assert shown == whole[first : first + len(shown)], (seed, start, stop)
    for end in holding:
        if not any(start <= end <= stop for start, stop in spans):  # left raw: redaction changes nothing
            line = data.count(b"\n", 0, end)
            assert whole[line] == text.split("\n")[line], (seed, end)
