"""Every form and GET parameter, fuzzed: no 5xx, and nothing saved changes unless accepted.

The forms and parameters are found by crawling (tests/security/discovery.py) as the persona who
may use them: a visitor on the public pages, a member on min side, the secretariat in the
workspace. Hypothesis then posts generated values for their field names (NUL, invalid UTF-8 as
raw and percent-encoded bytes, 100,000 characters, a 100-level list, a 2,000-row table, huge and
odd numbers, broken dates, valid values seen in the form, fields left out), each request in a
savepoint rolled back after it. Every response must be below 500; a request with NUL must be the
middleware's 400; unless the request was accepted (a success message, or a redirect without an
error), the row count of every table, history tables included, must be what it was (every write
in the portal leaves a history row, so an update shows too); and even when it was accepted, every
column of the other partnership's bodies, meetings, cases, minutes and action plans must be.

About the demo data because its meetings stand in every state, so the workspace shows its
forms for drafts, notices, held meetings and minutes.
"""

from __future__ import annotations

import os
import traceback
from urllib.parse import quote, quote_from_bytes

import pytest
from django.contrib import messages
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import demo_client
from tests.security.discovery import Target, discover

pytestmark = pytest.mark.django_db

# FUZZ_EXAMPLES=50 for a deeper run by hand; the suite keeps to about 40 seconds.
EXAMPLES_PER_TARGET = int(os.environ.get("FUZZ_EXAMPLES", "25"))
DEEP_LIST = "".join("  " * level + "- x\n" for level in range(100)).encode()
NASTY = [
    b"",
    b"\x00",
    b"a\x00b",
    b"\xff\xfe\xfd",
    b"\xc3(",
    b"\xed\xa0\x80",  # an encoded surrogate: not UTF-8
    b"%",
    b"%%EOF",
    b"x" * 100_000,
    "æøå ".encode() * 25_000,
    DEEP_LIST,
    b"| a | b |\n" * 2000,
    str(2**70).encode(),
    str(-(2**63) - 1).encode(),
    b"-1",
    b"0",
    b"1e309",
    b"NaN",
    b"inf",
    b"9999-99-99",
    b"2023-02-30",
    b"0000-01-01",
    b"2023-05-12T25:61",
    b"99999-12-31T00:00",
    b"<script>alert(1)</script>",
    b"../../etc/passwd",
    b"on",
    b"true",
    b"[]",
]
PERSONAS = {
    "visitor": (["/"], ("/",)),
    "member": (["/min-side/"], ("/min-side/",)),
    "secretariat": (["/forvaltning/"], ("/forvaltning/",)),
}


def _values(options: tuple[str, ...]):
    choices = [st.sampled_from(NASTY), st.binary(max_size=12), st.text(max_size=12).map(str.encode)]
    if options:
        choices.append(st.sampled_from([option.encode() for option in options]))
    return st.one_of(*choices)


@st.composite
def _request(draw, target: Target):
    options = dict(target.options)
    pairs = []
    for name in target.names:
        if draw(st.integers(0, 5)) == 0:
            continue  # a field left out
        for value in draw(st.lists(_values(options.get(name, ())), min_size=1, max_size=2)):
            pairs.append((name, value, draw(st.booleans())))
    return pairs


def _encode(pairs) -> bytes:
    """A form body or query string; each value percent-encoded or as raw bytes (invalid UTF-8 stays
    invalid either way), so no client library cleans it up on the way."""
    parts = []
    for name, value, raw in pairs:
        encoded = value.replace(b"%", b"%25").replace(b"&", b"%26").replace(b"=", b"%3D") if raw else None
        parts.append(quote(name).encode() + b"=" + (encoded if raw else quote_from_bytes(value).encode()))
    return b"&".join(parts)


def _row_counts() -> tuple[int, ...]:
    tables = sorted(t for t in connection.introspection.table_names() if t != "django_session")
    sql = "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{table}")' for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(cursor.fetchone())


# The demo's other partnership: what the demo logins (all of Troms og Ofoten) act on must never
# reach its rows, even when a request is accepted.
UNRELATED_PARTNERSHIP = "lofoten-vesteralen-salten"


def _unrelated_rows() -> list:
    """Every column of the other partnership's bodies, meetings, cases, minutes and plans."""
    from actionplans.models import ActionPlan
    from governance.models import Body
    from meetings.models import Case, Meeting, Minutes

    slug = UNRELATED_PARTNERSHIP
    querysets = [
        Body.objects.filter(partnership__slug=slug),
        Meeting.objects.filter(body__partnership__slug=slug),
        Case.objects.filter(body__partnership__slug=slug),
        Minutes.objects.filter(meeting__body__partnership__slug=slug),
        ActionPlan.objects.filter(partnership__slug=slug),
    ]
    rows = [list(queryset.order_by("pk").values_list()) for queryset in querysets]
    assert rows[1] and rows[2], "the demo's other partnership has meetings and cases"
    return rows


def _accepted(response) -> bool:
    """Said it was done (a success message), or redirected without an error message."""
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    levels = {message.level for message in queued}
    return messages.SUCCESS in levels or (300 <= response.status_code < 400 and messages.ERROR not in levels)


def _send(client, target: Target, pairs):
    data = _encode(pairs)
    if target.method == "GET":
        return client.generic("GET", target.path, QUERY_STRING=data.decode("latin-1"))
    return client.generic("POST", target.path, data, content_type="application/x-www-form-urlencoded")


def _fuzz(client, target: Target, failures: list[str], baseline) -> None:
    """Fuzz one target; every example runs in a savepoint rolled back after it, so each starts
    from `baseline` (the row counts and the unrelated rows before any request)."""
    counts, unrelated = baseline

    @settings(
        max_examples=EXAMPLES_PER_TARGET,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(pairs=_request(target))
    def run(pairs):
        with transaction.atomic():
            try:
                response = _send(client, target, pairs)
            except Exception as error:  # noqa: BLE001 - the test client re-raises a view's error
                where = traceback.extract_tb(error.__traceback__)[-1]
                failures.append(
                    f"{type(error).__name__} at {where.filename}:{where.lineno} {error}"[:300]
                    + f" ({target})"
                )
                transaction.set_rollback(True)
                return
            status = response.status_code
            has_nul = any(b"\x00" in value for _, value, _ in pairs)
            if status >= 500 or (has_nul and status != 400):
                failures.append(f"{target}: {status} for {[(n, v[:40]) for n, v, _ in pairs]}")
            elif not _accepted(response) and _row_counts() != counts:
                shown = [(n, v[:40]) for n, v, _ in pairs]
                failures.append(f"{target}: saved rows changed though not accepted ({status}) for {shown}")
            elif _accepted(response) and _unrelated_rows() != unrelated:
                failures.append(f"{target}: another partnership's rows changed ({status})")
            transaction.set_rollback(True)

    run()


@pytest.mark.parametrize("persona", list(PERSONAS))
def test_fuzzed_forms_and_parameters_never_give_5xx_or_change_what_is_saved(module_demo_data, persona):
    starts, prefixes = PERSONAS[persona]
    client = demo_client(persona)
    targets = discover(client, starts, prefixes)
    assert len(targets) >= {"visitor": 4, "member": 1, "secretariat": 25}[persona], targets
    failures: list[str] = []
    baseline = (_row_counts(), _unrelated_rows())
    for target in targets:
        _fuzz(client, target, failures, baseline)
    report = "\n".join(sorted(set(failures)))
    if os.environ.get("FUZZ_REPORT"):
        with open(os.environ["FUZZ_REPORT"], "a") as handle:
            handle.write(report + "\n")
    assert not failures, f"{len(failures)} failures:\n{report}"


@pytest.mark.parametrize("fault", ["error", "silent_write"])
def test_the_fuzzer_catches_a_view_that_fails_or_writes(module_demo_data, monkeypatch, fault):
    """A search that fails on invalid UTF-8 or long input, or writes a row while answering a GET,
    is reported (so the test above would fail if a view did either)."""
    from governance.models import PatientGroup
    from meetings import search

    def broken_search(user, query, partnership=None, page=1, extra=()):
        if fault == "error" and ("\ufffd" in query or len(query) > 1000):
            raise ValueError("invalid UTF-8 or too long")
        if fault == "silent_write":
            PatientGroup.objects.create(name=f"Ny {PatientGroup.objects.count()}", slug=f"ny-{len(query)}")
        return search.SearchPage([], 0)

    monkeypatch.setattr(search, "search_page", broken_search)
    failures: list[str] = []
    baseline = (_row_counts(), _unrelated_rows())
    _fuzz(demo_client("visitor"), Target("GET", "/sok/", "portal:search", ("q",)), failures, baseline)
    expected = "ValueError" if fault == "error" else "saved rows changed though not accepted"
    assert any(expected in failure for failure in failures), failures
