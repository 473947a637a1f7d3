"""The one renderer for case text: plain text with light markdown, made safe HTML.

Everything is escaped first; then only these constructs become markup:
blank-line paragraphs, single line breaks, "- " bullet lists and "1. " numbered
lists (nested by two spaces of indentation), "|"-tables (a "|---|" row makes
the rows above it header rows), **bold**, and *italic* or _italic_. Nothing else in the
text can produce a tag or an attribute, so no URL in a case text is ever
fetched or linked. The public pages and the PDFs use it through the
`casetext` template filter.

Limits: forms refuse a text longer than MAX_LENGTH characters, with lists nested deeper than
MAX_LIST_DEPTH or tables larger than TABLE_MAX_ROWS × TABLE_MAX_COLUMNS (`validate_casetext`).
The renderer holds to the same limits whatever is stored, so an old text can never break a page
or a PDF (WeasyPrint recurses once per nested element): deeper list items stay at the deepest
level, cells beyond the last column join the last cell, and rows beyond the last follow the
table as plain lines. No regular expression here backtracks more than linearly.
"""

from __future__ import annotations

import functools
import re
from html import unescape

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

MAX_LENGTH = 50_000
MAX_LIST_DEPTH = 6
TABLE_MAX_ROWS = 200
TABLE_MAX_COLUMNS = 20

_BULLET = re.compile(r"^( *)[-•] +(.*)$")
_NUMBERED = re.compile(r"^( *)(\d{1,3})[.)] +(.*)$")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
# The bold text never runs over another "**", so each "**" is scanned past once (".+?" made
# 48 KB of "**a " take 7 seconds).
_BOLD = re.compile(r"\*\*(?=\S)((?:[^*]|\*(?!\*))+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
# _italic_ as well, but never inside a word (snake_case_names stay as they are).
_ITALIC_UNDERSCORE = re.compile(r"(?<![\w])_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?![\w])")


def inline(text: str) -> str:
    """Escape a line and allow **bold**, *italic* and _italic_ in it."""
    html = escape(text)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return _ITALIC_UNDERSCORE.sub(r"<em>\1</em>", html)


def _list_item(line: str):
    """(indent, tag, start number, text) for a list line, or None."""
    if match := _BULLET.match(line):
        return len(match[1]), "ul", None, match[2]
    if match := _NUMBERED.match(line):
        return len(match[1]), "ol", int(match[2]), match[3]
    return None


def _render_list(lines: list[str]) -> str:
    """A (possibly nested) list; continuation lines join the item before them."""
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (indent, tag) of open lists
    for line in lines:
        item = _list_item(line)
        if item is None:
            out.append("<br>" + inline(line.strip()))
            continue
        indent, tag, start, text = item
        if len(stack) >= MAX_LIST_DEPTH and indent > stack[-1][0]:
            indent, tag = stack[-1]  # deeper than allowed: stays at the deepest level
        while stack and (indent < stack[-1][0] or (indent == stack[-1][0] and tag != stack[-1][1])):
            out.append(f"</li></{stack.pop()[1]}>")
        if stack and indent == stack[-1][0]:
            out.append("</li>")
        else:
            start_attr = f' start="{start}"' if tag == "ol" and start not in (None, 1) else ""
            out.append(f"<{tag}{start_attr}>")
            stack.append((indent, tag))
        out.append("<li>" + inline(text))
    while stack:
        out.append(f"</li></{stack.pop()[1]}>")
    return "".join(out)


def _max_list_depth(lines: list[str]) -> int:
    """How deep the list in these lines nests (the stack of `_render_list`, without its cap)."""
    deepest = 0
    stack: list[tuple[int, str]] = []
    for line in lines:
        item = _list_item(line)
        if item is None:
            continue
        indent, tag = item[0], item[1]
        while stack and (indent < stack[-1][0] or (indent == stack[-1][0] and tag != stack[-1][1])):
            stack.pop()
        if not stack or indent != stack[-1][0]:
            stack.append((indent, tag))
        deepest = max(deepest, len(stack))
    return deepest


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    cells = [cell.strip() for cell in line.split("|")]
    if len(cells) > TABLE_MAX_COLUMNS:
        cells[TABLE_MAX_COLUMNS - 1 :] = [" | ".join(cells[TABLE_MAX_COLUMNS - 1 :])]
    return cells


def _render_table(lines: list[str]) -> str:
    header_rows: list[list[str]] = []
    rows: list[list[str]] = []
    for line in lines:
        if _TABLE_SEPARATOR.match(line.strip()):
            header_rows, rows = header_rows + rows, []
            continue
        rows.append(_cells(line))
    overflow = (header_rows + rows)[TABLE_MAX_ROWS:]
    header_rows = header_rows[:TABLE_MAX_ROWS]
    rows = rows[: max(TABLE_MAX_ROWS - len(header_rows), 0)]
    parts = ["<table>"]
    if header_rows:
        parts.append("<thead>")
        for row in header_rows:
            parts.append("<tr>" + "".join(f'<th scope="col">{inline(c)}</th>' for c in row) + "</tr>")
        parts.append("</thead>")
    parts.append("<tbody>")
    for row in rows:
        parts.append("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table>")
    if overflow:
        # One paragraph per row: WeasyPrint lays out many short blocks in linear time.
        parts.extend("<p>" + inline(" | ".join(row)) + "</p>" for row in overflow)
    return "".join(parts)


def _blocks(text: str):
    """Split into runs of lines of one kind: ('p'|'list'|'table', lines)."""
    kind, lines = None, []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            if lines:
                yield kind, lines
            kind, lines = None, []
            continue
        if line.lstrip().startswith("|"):
            line_kind = "table"
        elif _list_item(line):
            line_kind = "list"
        elif kind == "list" and raw.startswith(" "):
            line_kind = "list"  # an indented continuation of a list item
        else:
            line_kind = "p"
        if line_kind != kind and lines:
            yield kind, lines
            lines = []
        kind = line_kind
        lines.append(line)
    if lines:
        yield kind, lines


def _table_rows(lines: list[str]) -> int:
    return sum(1 for line in lines if not _TABLE_SEPARATOR.match(line.strip()))


def validate_casetext(text: str | None) -> None:
    """Raise ValidationError (in Norwegian) if the text is longer or deeper than the limits."""
    text = text or ""
    errors = []
    if len(text) > MAX_LENGTH:
        errors.append(
            ValidationError(
                _("The text is too long: at most %(max)s characters, this has %(count)s.")
                % {"max": MAX_LENGTH, "count": len(text)},
                code="casetext_too_long",
            )
        )
        text = text[:MAX_LENGTH]  # the structure checks need not read further
    depth = rows = columns = 0
    for kind, lines in _blocks(text):
        if kind == "list":
            depth = max(depth, _max_list_depth(lines))
        elif kind == "table":
            rows = max(rows, _table_rows(lines))
            columns = max(columns, *(line.strip().strip("|").count("|") + 1 for line in lines))
    if depth > MAX_LIST_DEPTH:
        errors.append(
            ValidationError(
                _("Lists may be nested at most %(max)s levels deep.") % {"max": MAX_LIST_DEPTH},
                code="casetext_too_deep",
            )
        )
    if rows > TABLE_MAX_ROWS or columns > TABLE_MAX_COLUMNS:
        errors.append(
            ValidationError(
                _("A table may have at most %(rows)s rows and %(columns)s columns.")
                % {"rows": TABLE_MAX_ROWS, "columns": TABLE_MAX_COLUMNS},
                code="casetext_table_too_large",
            )
        )
    if errors:
        raise ValidationError(errors)


# Rendered texts kept per process, keyed by the text itself, so a rendering can never be stale:
# a changed text is another key. Bounded in entries and in the length of a text kept, so a
# worker's memory stays flat (at most about RENDERED_KEPT × 2 × RENDERED_MAX_LENGTH characters).
RENDERED_KEPT = 512
RENDERED_MAX_LENGTH = 10_000


def render_casetext(text: str | None) -> SafeString:
    """Case text as safe HTML (see the module docstring for what is allowed)."""
    text = text or ""
    if len(text) > RENDERED_MAX_LENGTH:
        return _render(text)
    return _render_kept(str(text))


def _render(text: str) -> SafeString:
    parts = []
    for kind, lines in _blocks(text):
        if kind == "list":
            parts.append(_render_list(lines))
        elif kind == "table":
            parts.append(_render_table(lines))
        else:
            parts.append("<p>" + "<br>".join(inline(line.strip()) for line in lines) + "</p>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every piece of text went through escape()


_render_kept = functools.lru_cache(maxsize=RENDERED_KEPT)(_render)


# Tags that run inside a line (their words join the text around them) and those that end a block.
_INLINE_TAG = re.compile(r"</?(?:strong|em)>")
_BLOCK_TAG = re.compile(r"<[^>]*>")


def plain_text(text: str | None) -> str:
    """Case text as the page shows it, without markup: the rendering's words, one space between.

    Search cuts its snippets from this, so "**vedlagt notat**" shows as "vedlagt notat", a list's
    "- " and a table's "|" not at all. Characters the renderer leaves alone (search's match
    markers among them) are kept.
    """
    html = _BLOCK_TAG.sub(" ", _INLINE_TAG.sub("", render_casetext(text)))
    return " ".join(unescape(html).split())
