"""Two views: "hello" (Django's fixed cost) and a meeting page rendered from a template.

The meeting's context is built once, at import, from the same seed the portal's demo meeting
comes from (fixtures/fsu_bu_2023-05-12.toml: FSU barn og unge, 12 May 2023, cases 06/23–11/23),
padded to ten agenda items with that meeting's own section texts, so the page is about as large
as the portal's (~30 KB) and every request runs the template (loops, autoescape, linebreaks)
without a database.
"""

import datetime as dt
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.shortcuts import render

FIXTURE = Path(__file__).resolve().parents[3] / "fixtures" / "fsu_bu_2023-05-12.toml"
MEETING_KEY = "to-fsu-bu-2023-05-12"
AGENDA_ITEMS = 10


def _context():
    data = tomllib.loads(FIXTURE.read_text(encoding="utf-8"))
    meeting = next(m for m in data["meetings"] if m["key"] == MEETING_KEY)
    cases = []
    for case in meeting["cases"]:
        cases.append(
            {
                "number": f"{case.get('number', 0):02d}/23",
                "title": case["title"],
                "agenda_title": case.get("agenda_title", ""),
                "origin": case.get("origin", ""),
                "case_officers": case.get("case_officers", ""),
                "proposal": case.get("proposal", ""),
                "decision": case.get("decision", ""),
                "sections": [
                    {"heading": s.get("heading", ""), "text": s.get("text", "")}
                    for s in case.get("sections", [])
                ],
                "attachments": [a.get("title", "") for a in case.get("attachments", [])],
                "url": f"/troms-ofoten/fsu-bu/saker/2023/{case.get('number', 0)}/",
            }
        )
    with_text = [c for c in cases if c["sections"]]
    number = max(int(c["number"][:2]) for c in cases)
    while len(cases) < AGENDA_ITEMS:
        source = with_text[len(cases) % len(with_text)]
        number += 1
        cases.append(
            source | {"number": f"{number:02d}/23", "url": f"/troms-ofoten/fsu-bu/saker/2023/{number}/"}
        )
    oslo = ZoneInfo("Europe/Oslo")
    return {
        "meeting": {
            "title": "Faglig samarbeidsutvalg barn og unge",
            "partnership": "Helsefellesskapet Troms og Ofoten",
            "start": dt.datetime(2023, 5, 12, 12, 0, tzinfo=oslo),
            "end": dt.datetime(2023, 5, 12, 14, 0, tzinfo=oslo),
            "place": meeting.get("place", ""),
            "status": "Avholdt",
        },
        "cases": cases,
        "attendees": [
            {"name": f"Deltaker {i}", "title": "Medlem", "on_behalf_of": "Kommune", "present": i % 5 != 0}
            for i in range(1, 15)
        ],
        "nav": ["Helsefellesskap", "Kalender", "Søk", "Saker", "Handlingsplaner", "Logg inn"],
    }


CONTEXT = _context()


def hello(request):
    return HttpResponse("Hello, world")


def meeting(request):
    return render(request, "meeting.html", CONTEXT)
