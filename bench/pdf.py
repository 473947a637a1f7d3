"""PDF benchmark (not a test): our render time against WeasyPrint alone, pages/s, memory, cached serving.

Run: .venv/bin/python bench/pdf.py   (builds a throw-away test database; figures go in bench/README.md)

For a generated meeting of 10 and of 100 cases it prints, for the notice and the protocol:
our render time (version + queries + template + WeasyPrint), WeasyPrint alone on the same HTML
(interleaved, best of N), the overhead ratio, the HTML alone (queries + template), pages per
second, peak Python memory of one render, resident memory after repeated renders (it must not
grow), and the time to serve the stored PDF through the view.
"""

import datetime as dt
import gc
import os
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helsefellesskap.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from weasyprint import HTML  # noqa: E402

from documents import pdf as documents  # noqa: E402
from meetings import lifecycle, pdf  # noqa: E402

PARAGRAPH = (
    "Kommunene og helseforetaket har i fellesskap vurdert behovet for bedre samhandling rundt barn og unge "
    "med sammensatte behov. **Arbeidsgruppen** anbefaler at tiltakene følges opp i *neste* møte. "
)


def generated_meeting(n_cases: int):
    from governance.models import Body, Organisation, Partnership
    from meetings.models import Attendance, Case, CaseSection, FollowUp, Meeting, Minutes

    partnership = Partnership.objects.create(
        name=f"Helsefellesskapet Bench {n_cases}", slug=f"bench-{n_cases}"
    )
    body = Body.objects.create(
        partnership=partnership,
        name="FSU barn og unge",
        short_name="FSU BU",
        slug="fsu-bu",
        kind="professional_committee",
    )
    org = Organisation.objects.create(partnership=partnership, name="Bench kommune", kind="municipality")
    start = timezone.make_aware(dt.datetime(2023, 5, 12, 12, 0))
    meeting = Meeting.objects.create(
        body=body, start=start, place="Digitalt via Teams", status=lifecycle.MINUTES_PUBLIC_STATUSES[0]
    )
    from governance.models import Person

    for i in range(12):
        person = Person.objects.create(name=f"Person {i} Nordmann", title="Kommunalsjef")
        Attendance.objects.create(
            meeting=meeting, person=person, on_behalf_of=org, order=i, is_referent=i == 11
        )
    for n in range(1, n_cases + 1):
        case = Case.objects.create(
            body=body,
            meeting=meeting,
            year=2023,
            number=n,
            order=n,
            title=f"Sak om samhandling nummer {n}: overganger mellom tjenestenivåene",
            origin="Sekretariatet",
            proposal_kind="proposed_decision",
            proposal="1. FSU tar saken til orientering\n2. Saken følges opp i neste møte",
            decision="1. FSU tok saken til orientering\n2. Saken følges opp i neste møte",
            outcome="consensus",
        )
        CaseSection.objects.create(case=case, order=1, heading="Bakgrunn", text=(PARAGRAPH * 6 + "\n\n") * 2)
        CaseSection.objects.create(
            case=case,
            order=2,
            heading="Vurdering",
            text="- punkt en\n- punkt to\n  - underpunkt\n\n" + PARAGRAPH * 5,
        )
        FollowUp.objects.create(
            meeting=meeting, case=case, what="Følge opp saken", responsible="Sekretariatet"
        )
    Minutes.objects.create(
        meeting=meeting, approved_at=start, published_at=start, approval_method="email_round"
    )
    return meeting


def page_numbers(data: bytes) -> list[int]:
    """Page numbers, read with pdfinfo (poppler-utils)."""
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        report = subprocess.run(["pdfinfo", handle.name], capture_output=True, text=True, check=True).stdout
    count = next(int(line.split()[1]) for line in report.splitlines() if line.startswith("Pages:"))
    return list(range(1, count + 1))


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def best_of(func, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def bench_document(label, build, meeting, name, repeat):
    """Ours and WeasyPrint alone, interleaved in one run; best of `repeat` against the noise."""
    html = build(meeting, None).html
    ours, weasy, html_only = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        data = documents.render_pdf(build(meeting, None).html)
        ours.append(time.perf_counter() - started)
        started = time.perf_counter()
        HTML(string=html, base_url="hfstatic:", url_fetcher=documents.OwnFilesOnly()).write_pdf(
            pdf_variant=documents.PDF_VARIANT
        )
        weasy.append(time.perf_counter() - started)
        started = time.perf_counter()
        build(meeting, None).html  # noqa: B018 - the queries and the template alone
        html_only.append(time.perf_counter() - started)
    ours_min, weasy_min, html_min = min(ours), min(weasy), min(html_only)
    pages = len(page_numbers(data))
    tracemalloc.start()
    documents.render_pdf(build(meeting, None).html)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    # Serving: the first request stores the PDF, the next ones only read it.
    client = Client()
    kwargs = {"partnership": meeting.body.partnership.slug, "body": "fsu-bu", "date": dt.date(2023, 5, 12)}
    url = reverse(name, kwargs=kwargs)
    b"".join(client.get(url).streaming_content)
    serve = []
    for _ in range(20):
        started = time.perf_counter()
        response = client.get(url)
        b"".join(response.streaming_content)
        serve.append(time.perf_counter() - started)
    print(
        f"{label:<22} ours {ours_min:6.3f} s  weasyprint {weasy_min:6.3f} s  "
        f"overhead {ours_min / weasy_min - 1:+6.1%} (html {html_min * 1000:.0f} ms)  "
        f"pages {pages:4d}  {pages / ours_min:5.1f} pages/s  peak {peak:6.1f} MB  "
        f"cached serve {statistics.median(serve) * 1000:5.1f} ms (max {max(serve) * 1000:.1f})"
    )


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    translation.activate("nb")
    try:
        for n_cases, repeat in ((10, 7), (100, 3)):
            meeting = generated_meeting(n_cases)
            bench_document(f"notice, {n_cases} cases", pdf.notice_document, meeting, "pdf:notice", repeat)
            bench_document(
                f"protocol, {n_cases} cases", pdf.protocol_document, meeting, "pdf:protocol", repeat
            )
            if n_cases == 10:
                gc.collect()
                rss = []
                for _ in range(15):
                    documents.render_pdf(pdf.notice_document(meeting, None).html)
                    gc.collect()
                    rss.append(rss_mb())
                print(
                    f"memory over 15 renders (10 cases): RSS {rss[0]:.0f} MB after the 1st, "
                    f"{rss[4]:.0f} MB after the 5th, {rss[-1]:.0f} MB after the 15th"
                )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
