"""Views stay short: parse the request, call one service or selector, respond.

A view function (or a helper beside it) over 25 lines is where rules start to hide; this scan
names the function, its file and line, so the fix is to move reads into selectors, writes into
services and parsing into forms.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 25
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


def view_modules() -> list[Path]:
    modules = [*ROOT.glob("*/views/*.py"), ROOT / "meetings" / "feeds.py"]
    return sorted(path for path in modules if ".venv" not in path.parts)


def long_functions(source: str, name: str) -> list[str]:
    """Each function of `source` over the limit, as “file:line name() is N lines”."""
    functions = sorted(
        (node for node in ast.walk(ast.parse(source, filename=name)) if isinstance(node, FUNCTIONS)),
        key=lambda node: node.lineno,
    )
    return [
        f"{name}:{node.lineno} {node.name}() is {node.end_lineno - node.lineno + 1} lines"
        for node in functions
        if node.end_lineno - node.lineno + 1 > MAX_LINES
    ]


def test_the_scan_sees_the_view_modules():
    names = {str(path.relative_to(ROOT)) for path in view_modules()}
    assert {"portal/views/public.py", "meetings/views/public.py", "meetings/feeds.py"} <= names
    assert len(names) >= 10


def test_no_view_function_is_over_25_lines():
    too_long = []
    for path in view_modules():
        name = str(path.relative_to(ROOT))
        too_long += long_functions(path.read_text(encoding="utf-8"), name)
    assert not too_long, "Move reads to selectors, writes to services:\n" + "\n".join(too_long)


def test_the_scan_finds_a_long_function():
    def source(lines):
        body = "".join(f"        x{i} = {i}\n" for i in range(lines - 1))
        return f"class Feed:\n    def items(self):\n{body}\n\ndef view(request):\n{body}"

    assert long_functions(source(MAX_LINES), "ok.py") == []
    assert long_functions(source(MAX_LINES + 1), "long.py") == [
        f"long.py:2 items() is {MAX_LINES + 1} lines",
        f"long.py:{MAX_LINES + 5} view() is {MAX_LINES + 1} lines",
    ]
