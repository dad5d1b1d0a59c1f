"""The OFFSITE_* and AWS_* settings: validated, with the store's keys treated as secrets."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, load_settings

RECIPIENT = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


def test_offsite_is_off_by_default():
    settings = load_settings({}, dotenv=False)
    assert settings.offsite_url is None
    assert settings.offsite_keep == 30
    assert settings.offsite_region == "us-east-1"
    assert settings.offsite_allow_plaintext is False


@pytest.mark.parametrize("url", ["https://bucket/prefix", "s3://", "s3://Bucket_Name/x", "s3://b/x?y=1"])
def test_an_offsite_url_that_is_not_s3_bucket_prefix_is_refused_naming_the_variable(url):
    with pytest.raises(ConfigError, match="OFFSITE_URL must look like s3://bucket/prefix"):
        load_settings({"OFFSITE_URL": url}, dotenv=False)


def test_recipients_must_be_age_public_keys():
    with pytest.raises(ConfigError, match="OFFSITE_AGE_RECIPIENTS"):
        load_settings({"OFFSITE_AGE_RECIPIENTS": f"{RECIPIENT}, ssh-ed25519 AAAA"}, dotenv=False)


def test_several_recipients_are_read_comma_separated():
    settings = load_settings({"OFFSITE_AGE_RECIPIENTS": f"{RECIPIENT}, {RECIPIENT}"}, dotenv=False)
    assert settings.offsite_age_recipients == (RECIPIENT, RECIPIENT)


def test_offsite_keep_must_be_at_least_one():
    with pytest.raises(ConfigError, match="OFFSITE_KEEP must be from 1 to 10000"):
        load_settings({"OFFSITE_KEEP": "0"}, dotenv=False)


def test_allow_plaintext_must_be_true_or_false():
    with pytest.raises(ConfigError, match="OFFSITE_ALLOW_PLAINTEXT must be true or false"):
        load_settings({"OFFSITE_ALLOW_PLAINTEXT": "maybe"}, dotenv=False)


def test_the_store_keys_are_secrets_the_redactor_learns():
    settings = load_settings(
        {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value"}, dotenv=False
    )
    assert {"AKIAEXAMPLE", "s3cr3t-value"} <= set(settings.secrets())
    assert "s3cr3t-value" not in repr(settings)
