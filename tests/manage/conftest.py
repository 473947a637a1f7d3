"""The workspace's tests use the same demo data and personas as the portal's."""

from tests.portal.conftest import demo_data  # noqa: F401  (a fixture)
