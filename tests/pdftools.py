"""Reading PDFs in tests with poppler-utils (pdftotext, pdfinfo, pdffonts)."""

import contextlib
import io
import re
import shutil
import subprocess
import tempfile
import zlib
from dataclasses import dataclass

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


# ---------------------------------------------------------------------------
# PDF/UA-1 and PDF/A-2a, read back from the file's structure (pikepdf)
# ---------------------------------------------------------------------------

XMP_NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
}


def xmp_properties(data: bytes) -> dict[str, str]:
    """The XMP's simple properties as {"prefix:name": value}, written as attributes or elements."""
    import xml.etree.ElementTree as ET

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as document:
        packet = document.Root.Metadata.read_bytes()
    root = ET.fromstring(packet.split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0])
    by_uri = {uri: prefix for prefix, uri in XMP_NAMESPACES.items()}
    found = {}

    def name(tag):
        uri, _, local = tag[1:].partition("}")
        return f"{by_uri[uri]}:{local}" if uri in by_uri else None

    for description in root.iter(f"{{{XMP_NAMESPACES['rdf']}}}Description"):
        for key, value in description.attrib.items():
            if name(key):
                found[name(key)] = value
        for child in description:
            if name(child.tag) and (child.text or "").strip():
                found[name(child.tag)] = child.text.strip()
    for element in root.iter(f"{{{XMP_NAMESPACES['pdfaSchema']}}}prefix"):
        found.setdefault("extension-schemas", "")
        found["extension-schemas"] += f" {element.text}"
    return found


@dataclass
class StructureElement:
    """One element of the structure tree: its type, attributes and /Alt, in reading order."""

    role: str
    scope: str | None
    alt: str | None
    text_kids: int


def structure_elements(document, seen: set | None = None) -> list[StructureElement]:
    """The structure tree of an open pikepdf document, depth first in reading order; `seen`
    collects the elements' object ids."""
    import pikepdf

    elements = []

    def attributes(node):
        found = node.get("/A")
        if found is None:
            return []
        return list(found) if isinstance(found, pikepdf.Array) else [found]

    def walk(node, seen):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, seen)
            return
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            return  # a marked-content id or an object reference: content, not structure
        if node.objgen in seen:
            return
        seen.add(node.objgen)
        scope = next((str(a["/Scope"]) for a in attributes(node) if "/Scope" in a), None)
        alt = str(node["/Alt"]) if "/Alt" in node else None
        kids = node.get("/K")
        text_kids = sum(1 for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]) if kid is not None)
        elements.append(StructureElement(str(node["/S"]), scope, alt, text_kids))
        if kids is not None:
            walk(kids, seen)

    walk(document.Root.StructTreeRoot.get("/K"), set() if seen is None else seen)
    return elements


def untagged_content(document, reachable: set) -> list[str]:
    """Marked content whose element (the parent tree's entry for its MCID) is not in the
    structure tree: neither real content nor an artifact (Matterhorn 01-005)."""
    import pikepdf

    nums = document.Root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    faults = []
    for number, page in enumerate(document.pages, 1):
        mapped = parents.get(int(page.obj.get("/StructParents", -1)))
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) != "BDC" or not isinstance(operands[1], pikepdf.Dictionary):
                continue
            if "/MCID" not in operands[1]:
                continue
            mcid = int(operands[1].MCID)
            element = mapped[mcid] if mapped is not None and mcid < len(mapped) else None
            if not isinstance(element, pikepdf.Dictionary) or element.objgen not in reachable:
                faults.append(f"page {number}: {operands[0]} MCID {mcid} outside the structure tree")
    return faults


def accessibility_faults(data: bytes) -> list[str]:
    """What keeps the file from PDF/UA-1 (ISO 14289-1, the Matterhorn checks a machine can make)
    and PDF/A-2a identification; empty when nothing does. Reads the file as a validator would:
    the XMP, the catalog and the structure tree."""
    import pikepdf

    faults = []
    xmp = xmp_properties(data)
    if (xmp.get("pdfaid:part"), xmp.get("pdfaid:conformance")) != ("2", "A"):
        faults.append(f"XMP: not PDF/A-2a ({xmp.get('pdfaid:part')}, {xmp.get('pdfaid:conformance')})")
    if xmp.get("pdfuaid:part") != "1":
        faults.append("XMP: no pdfuaid:part 1 (PDF/UA-1 identification, ISO 14289-1 5)")
    if "pdfuaid" not in xmp.get("extension-schemas", "").split():
        faults.append("XMP: no PDF/A extension schema for pdfuaid (ISO 19005-2 6.6.2.3.1)")
    with pikepdf.open(io.BytesIO(data)) as document:
        root = document.Root
        if not str(root.get("/Lang", "")):
            faults.append("catalog: no /Lang")
        if not bool(root.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)):
            faults.append("catalog: DisplayDocTitle is not true")
        if not bool(root.get("/MarkInfo", {}).get("/Marked", False)):
            faults.append("catalog: not marked (MarkInfo /Marked)")
        if not str(document.docinfo.get("/Title", "")):
            faults.append("no document title")
        if "/Outlines" not in root or "/First" not in root.Outlines:
            faults.append("no outlines (bookmarks)")
        if "/PageLabels" not in root:
            faults.append("no PageLabels")
        for page in document.pages:
            for annotation in page.get("/Annots", []):
                description = str(annotation.get("/Contents", "")).strip()
                if annotation.get("/Subtype") == "/Link" and not description:
                    faults.append("undescribed link (no /Contents)")
                if "/Dest" in annotation and description.startswith(("case-", "area-")):
                    faults.append(f"link described by its target's id: {description}")
        if "/StructTreeRoot" not in root:
            return [*faults, "no structure tree"]
        reachable = set()
        elements = structure_elements(document, reachable)
        faults.extend(untagged_content(document, reachable))
    levels = [int(e.role[2]) for e in elements if re.fullmatch(r"/H[1-6]", e.role)]
    if not levels or levels[0] != 1:
        faults.append(f"headings do not start at H1: {levels[:5]}")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            faults.append(f"heading level skipped: H{before} followed by H{after}")
    for element in elements:
        if element.role == "/TH" and element.scope not in ("/Row", "/Column", "/Both"):
            faults.append(f"TH without Scope ({element.scope})")
        if element.role == "/Figure" and not element.alt:
            faults.append("Figure without Alt")
    return faults


def heading_levels(data: bytes) -> list[int]:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as document:
        return [int(e.role[2]) for e in structure_elements(document) if re.fullmatch(r"/H[1-6]", e.role)]


# ---------------------------------------------------------------------------
# Layout, page by page
# ---------------------------------------------------------------------------

FOOTER = re.compile(r"\bside \d+ av \d+\s*$")


def page_texts(data: bytes) -> list[str]:
    """Each page's text as laid out (`pdftotext -layout`), case-folded."""
    return _run("pdftotext", data, "-layout", "-enc", "UTF-8").casefold().split("\f")[: pages(data)]


def body_lines(page_text: str, *, first: bool) -> list[str]:
    """A page's lines of text without the running header (every page but the first), the draft
    mark and the footer."""
    lines = [line.strip() for line in page_text.splitlines() if line.strip()]
    lines = [line for line in lines if line != "utkast" and not FOOTER.search(line)]
    return lines if first else lines[1:]


def word_boxes(data: bytes) -> list[tuple[int, float, float, str]]:
    """(page, x, y, word) of every word, from `pdftotext -bbox`."""
    boxes = []
    for number, page in enumerate(_run("pdftotext", data, "-bbox", "-enc", "UTF-8").split("<page ")[1:], 1):
        for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page):
            boxes.append((number, float(x), float(y), word))
    return boxes
