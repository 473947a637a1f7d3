"""The local file storage, with files that appear whole or not at all.

Django's FileSystemStorage writes a file that is not already on disk (a ContentFile, a small
upload held in memory) straight into its final name, so another worker could open a stored PDF
half-written. This one streams every file into a hidden temporary file in the same folder and
links it into place, which is atomic on a POSIX file system (NFS too). Like Django's, it never
overwrites: a taken name gets a new one from get_available_name(). S3-compatible storage
(django-storages, DJANGO_STORAGE_BACKEND) needs none of this: an object appears when its upload
is complete.

A temporary file left by a killed process starts with "." and ends with ".part"; the daily
`manage.py cleanup_files` deletes it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator

from django.core.files.storage import FileSystemStorage
from django.core.files.utils import validate_file_name

TEMPORARY_PREFIX = "."
TEMPORARY_SUFFIX = ".part"


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        validate_file_name(name, allow_relative_path=True)
        directory = os.path.dirname(self.path(name))
        if self.directory_permissions_mode is not None:
            from django.core.files.storage.filesystem import safe_makedirs

            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=TEMPORARY_PREFIX, suffix=TEMPORARY_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as file:
                for chunk in content.chunks():
                    file.write(chunk if isinstance(chunk, bytes) else chunk.encode())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            while True:
                try:
                    _link(temporary, self.path(name))
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        return os.path.relpath(self.path(name), self.location).replace("\\", "/")


def _link(source: str, target: str) -> None:
    """Put `source` at `target` in one step, never replacing a file already there."""
    try:
        os.link(source, target)
    except OSError as error:
        if isinstance(error, FileExistsError) or error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
            raise
        # A file system without hard links: a rename is still atomic, only not exclusive.
        if os.path.exists(target):
            raise FileExistsError(target) from error
        os.rename(source, target)


def walk(storage, prefix: str) -> Iterator[str]:
    """Every file name under `prefix` in `storage`, sub-folders included (none if it is absent)."""
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}/{name}"
    for folder in sorted(folders):
        yield from walk(storage, f"{prefix}/{folder}")
