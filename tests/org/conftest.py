"""Helpers for the organisation tests, shared with the account and security tests: the
`takt` log, and a browser signed in as one of the cast (`client_for("omar")`)."""

from tests.accounts.conftest import takt_log
from tests.security.conftest import client_for

__all__ = ["client_for", "takt_log"]  # fixtures
