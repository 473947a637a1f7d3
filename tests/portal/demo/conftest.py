"""`load_demo` once per test, and the command's output."""

import io

import pytest
from django.core.management import call_command


@pytest.fixture
def output():
    """Load the demo data once for the test; the command's output."""
    stdout = io.StringIO()
    call_command("load_demo", stdout=stdout)
    return stdout.getvalue()
