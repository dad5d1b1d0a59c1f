"""The root of every exception the core raises on purpose."""


class OpsError(Exception):
    """An expected failure whose message is safe and meant for the user.

    Adapters show ``str(error)`` as is; it never contains a secret.
    """
