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


def test_a_data_dir_that_cannot_hold_the_log_file_leaves_the_console_and_says_so(tmp_path, capsys):
    data_dir = tmp_path / "data"
    data_dir.write_text("a file where DATA_DIR should be\n")
    root = logging.getLogger()
    handlers_before = list(root.handlers)
    try:
        log_file = configure_logging(data_dir, Redactor())
        logging.getLogger("aphrodite_ops.test").warning("still heard")
    finally:
        for handler in set(root.handlers) - set(handlers_before):
            root.removeHandler(handler)
            handler.close()
    assert log_file is None
    err = capsys.readouterr().err
    assert "logging to the console only" in err and str(data_dir) in err and "still heard" in err
