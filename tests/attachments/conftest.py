"""Attachments are tested through tickets: reuse the tickets fixtures."""

from tests.tickets.conftest import desk, make_client

__all__ = ["desk", "make_client"]
