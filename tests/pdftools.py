"""Reading PDFs in tests with poppler-utils (pdftotext, pdfinfo, pdffonts)."""

import contextlib
import re
import shutil
import subprocess
import tempfile
import zlib

import pytest


def _run(tool: str, data: bytes, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install -y poppler-utils")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        tail = [handle.name, "-"] if tool == "pdftotext" else [handle.name]
        return subprocess.run([tool, *args, *tail], check=True, capture_output=True, text=True).stdout


def catalog_values(data: bytes, key: bytes) -> set[bytes]:
    """Every `/Key (value)` string in the PDF, compressed object streams included."""
    blobs = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        with contextlib.suppress(zlib.error):
            blobs.append(zlib.decompressobj().decompress(data[match.end() : match.end() + 500_000]))
    return set(re.findall(rb"/" + key + rb" ?\(([^)]*)\)", b"".join(blobs)))


def text(data: bytes) -> str:
    """The text, case-folded: headings set in capitals with CSS come out in capitals."""
    return _run("pdftotext", data, "-enc", "UTF-8").casefold()


def raw_text(data: bytes) -> str:
    """The text in the order it is drawn (a table row by row, cell by cell), case-folded."""
    return _run("pdftotext", data, "-raw", "-enc", "UTF-8").casefold()


def info(data: bytes) -> str:
    """pdfinfo's report with the XMP metadata (PDF/A part and conformance)."""
    return _run("pdfinfo", data) + _run("pdfinfo", data, "-meta")


def pages(data: bytes) -> int:
    line = next(line for line in _run("pdfinfo", data).splitlines() if line.startswith("Pages:"))
    return int(line.split()[1])


def fonts(data: bytes) -> list[tuple[str, bool]]:
    """(font name without subset prefix, embedded) per font in the PDF."""
    rows = []
    for line in _run("pdffonts", data).splitlines()[2:]:
        parts = line.split()
        rows.append((parts[0].split("+", 1)[-1], parts[-5] == "yes"))
    return rows


def assert_archival(data: bytes, *, title_part: str) -> None:
    """PDF/A-2a, tagged, bokmål, with title and author, only our font, embedded."""
    report = info(data)
    assert re.search(r"^Tagged:\s+yes$", report, re.M)
    assert 'pdfaid:part="2"' in report and 'pdfaid:conformance="A"' in report
    assert title_part in report
    assert "<rdf:li>Sekretariatet for Helsefellesskapet" in report
    assert catalog_values(data, b"Lang") == {b"nb"}
    used = fonts(data)
    assert used and all(embedded for _, embedded in used), used
    assert {name.split("-")[0] for name, _ in used} == {"HF"}, used
