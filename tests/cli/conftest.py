"""Fixtures the CLI's tests share with the tests of the core they drive."""

from tests.services.conftest import fake_services  # noqa: F401 - `check` runs against the same fakes
