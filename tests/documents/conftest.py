import pytest


@pytest.fixture(autouse=True)
def fresh_media(settings, tmp_path):
    """Each test its own empty storage folder (the default storage follows MEDIA_ROOT)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
