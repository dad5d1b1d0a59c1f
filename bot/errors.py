"""The root of every exception the core raises on purpose."""


class OpsError(Exception):
    """An expected failure whose message is safe and meant for the user.

    Adapters show ``str(error)`` as is; it never contains a secret. ``exit_code`` is the CLI's
    exit status for it (2 failed; 3 for "not configured" and bad input). ``command_hint`` names the
    command that helps (`backup list`), which each adapter spells its own way (a slash command,
    `python -m bot backup list`); ``hint`` is what to do in words, when no command helps.
    """

    exit_code = 2
    command_hint: str | None = None
    hint: str | None = None

    def __init__(self, *args: object, hint: str | None = None) -> None:
        super().__init__(*args)
        if hint is not None:
            self.hint = hint


class NotConfirmed(OpsError):
    """The user declined, or nobody was there to confirm; nothing was done (the CLI's exit status 3)."""

    exit_code = 3
