"""The bot's own log: console and a rotating file, with secrets masked, tracebacks included."""

import logging

from bot.logging_setup import configure_logging
from bot.redact import Redactor


def test_secrets_never_reach_the_bots_log_file(tmp_path):
    root = logging.getLogger()
    handlers_before = list(root.handlers)
    try:
        log_file = configure_logging(tmp_path, Redactor(["tok-SECRET-123"]))
        log = logging.getLogger("aphrodite_ops.test")
        log.warning("calling with token tok-SECRET-123 and https://x/?apikey=abc999")
        try:
            raise RuntimeError("failed at postgresql://u:dbpass77@h/db")
        except RuntimeError:
            log.exception("boom")
        for handler in root.handlers:
            handler.flush()
        written = log_file.read_text()
    finally:
        for handler in set(root.handlers) - set(handlers_before):
            root.removeHandler(handler)
            handler.close()
    assert "boom" in written and "RuntimeError" in written
    for secret in ("tok-SECRET-123", "abc999", "dbpass77"):
        assert secret not in written
