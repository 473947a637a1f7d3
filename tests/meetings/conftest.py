"""Fixtures of the meeting tests (the personas themselves are in tests/conftest.py)."""

import pytest


@pytest.fixture
def staff(world):
    """The partnership's secretariat, who may run every meeting service."""
    return world.users["secretariat"]
