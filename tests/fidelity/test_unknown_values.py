"""Fidelity of what the sources do not say: no meeting date, approval date, publication date or
decision that is not in the source (fixtures/sources/) is shown as fact on the meeting pages or in
the notice and protocol PDFs; and the demo personas are in no meeting loaded from a source.

The demo data is loaded as `manage.py load_demo` loads it; the expected words are read out of
the source texts where the source has them."""

import datetime as dt
import io
import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from meetings import pdf
from meetings.models import Case, Meeting
from portal import demo
from tests import pdftools

SOURCES = Path(settings.BASE_DIR) / "fixtures" / "sources"
FIXTURES = Path(settings.BASE_DIR) / "fixtures"
NOT_STATED = "dato ikke oppgitt i kilden"
MONTHS = "januar|februar|mars|april|mai|juni|juli|august|september|oktober|november|desember"
LONG_DATE = re.compile(rf"\b\d{{1,2}}\. (?:{MONTHS}) \d{{4}}", re.IGNORECASE)
DECISION_WORDS = ("konsensusvedtak", "vedtatt i konsensus", "gjengitt i sak")

pytestmark = pytest.mark.django_db


def source(name: str) -> str:
    return (SOURCES / f"{name}.txt").read_text(encoding="utf-8")


def squashed(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def page_text(client, meeting) -> str:
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    html = re.sub(r"<(script|style).*?</\1>", " ", response.content.decode(), flags=re.S)
    return squashed(re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def minutes_part(text: str) -> str:
    """The page's minutes part: from the heading “Møteprotokoll”/“Referat” to the end."""
    match = re.search(r"\b(Møteprotokoll|Referat)\b", text)
    assert match, text[:500]
    return text[match.start() :]


def notice_text(meeting) -> str:
    return squashed(pdftools.text(pdf.render_notice_pdf(meeting)))


def protocol_text(meeting) -> str:
    return squashed(pdftools.text(pdf.render_protocol_pdf(meeting)))


def meeting(partnership: str, body: str, day: dt.date | None = None, **filters) -> Meeting:
    meetings = Meeting.objects.filter(body__partnership__slug=partnership, body__slug=body, **filters)
    if day is not None:
        meetings = [m for m in meetings if m.date_known and m.url_key == day.isoformat()]
    meetings = list(meetings)
    assert len(meetings) == 1, meetings
    return meetings[0]


@pytest.fixture
def demo_data(db):
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def visitor():
    return Client()


TOLD = "Vedtaket står ikke i kilden; den omtaler det bare:"


def told_the_same_way(client, case, narrative: str, heading: str, page: str, protocol: str) -> None:
    """A decision the source only tells of: the meeting page, the case page and the protocol PDF
    all show the source's sentence under its heading, where the decision would be, once, and say
    that the source gives no decision; the PDF says no "Vedtak er ikke ført inn" instead."""
    case_page = squashed(re.sub(r"<[^>]+>", " ", client.get(case.get_absolute_url()).content.decode()))
    for shown in (page, case_page):
        assert f"{TOLD} {heading} {narrative}" in shown
        assert shown.count(narrative) == 1
    assert f"{TOLD} {heading} {narrative}".casefold() in protocol
    assert "vedtak er ikke ført inn" not in protocol.split(case.label.casefold(), 1)[1][:400]


def test_dialogmotet_has_no_invented_date(demo_data, visitor):
    text = source("dialogmotet_2024")
    dialog = meeting("lofoten-vesteralen-salten", "dialogmotet", title="Dialogmøtet 2024")
    # The source gives the year and the week of events, not a day: so does the portal.
    assert "Dialogmøtet 2024" in text and "HELSEINNOVASJONSUKA" in text
    assert not LONG_DATE.search(text)
    assert not dialog.date_known
    for part in dialog.date_text.split(", "):
        assert part.casefold() in text.casefold()  # what is shown is what the source says
    expected = f"{NOT_STATED} ({dialog.date_text})"
    page = page_text(visitor, dialog)
    assert expected[0].upper() + expected[1:] in page
    notice = notice_text(dialog)
    assert expected.casefold() in notice
    for shown in (page, notice):
        assert not LONG_DATE.search(shown), LONG_DATE.search(shown)
        assert "16.10.2024" not in shown and "2024-10-16" not in shown
    # Not on an invented day in any calendar.
    for url in (
        "/lofoten-vesteralen-salten/kalender.ics?år=2024",
        "/lofoten-vesteralen-salten/dialogmotet/kalender.ics?år=2024",
    ):
        assert f"meeting-{dialog.pk}@".encode() not in visitor.get(url).content


def test_lofoten_minutes_show_no_approval_or_publication_date(demo_data, visitor):
    text = source("referat_samhandlingsarena_lofoten_2023-06-14")
    assert not re.search(r"godkjent|publisert", text, re.IGNORECASE)  # the referat says neither
    lofoten = meeting("lofoten-vesteralen-salten", "samhandlingsarena-lofoten", dt.date(2023, 6, 14))
    page = minutes_part(page_text(visitor, lofoten))
    assert f"Godkjent ({NOT_STATED})" in page and f"Publisert ({NOT_STATED})" in page
    assert not re.search(rf"(Godkjent|Publisert) {LONG_DATE.pattern}", page)
    protocol = protocol_text(lofoten)
    assert f"godkjent ({NOT_STATED})" in protocol and f"publisert ({NOT_STATED})" in protocol
    assert "14. juni 2023 publisert" not in protocol and "godkjent 14" not in protocol


def test_fsu_bu_february_minutes_and_case_03_23_as_the_source_says(demo_data, visitor):
    text = source("fsu_bu_2023-05-12")
    said = next(line for line in text.splitlines() if line.startswith("Referatet fra møtet 08.02.23"))
    assert "godkjent via e-postrunde" in said and "publisert" in said and not LONG_DATE.search(said)
    february = meeting("troms-ofoten", "fsu-bu", dt.date(2023, 2, 8))
    page = page_text(visitor, february)
    assert f"Godkjent ({NOT_STATED}), via e-postrunde · Publisert ({NOT_STATED})" in page
    # Case 03/23: the source tells of the decision in a sentence of case 08/23; that sentence is
    # shown as written, under its source, and no decision or outcome is made of it.
    narrative = next(
        line for line in text.splitlines() if line.startswith("Under FSU barn og unges møte 08.02.23")
    )
    assert narrative in page
    case = Case.objects.get(body=february.body, year=2023, number=3)
    assert case.decision == "" and case.outcome == ""
    protocol = protocol_text(february)
    assert f"godkjent ({NOT_STATED}), via e-postrunde" in protocol and f"publisert ({NOT_STATED})" in protocol
    told_the_same_way(visitor, case, narrative, "Omtalt i FSU BU sak 08/23 (12.05.2023)", page, protocol)
    for shown in (page.casefold(), protocol):
        for word in DECISION_WORDS:
            assert word not in shown


def test_partnership_meeting_april_2023_and_case_06_23(demo_data, visitor):
    text = source("fsu_bu_2023-05-12")
    said = next(
        line for line in text.splitlines() if line.startswith("Årets partnerskapsmøte ble avholdt 20.04.23")
    )
    assert "møteprotokoll kan leses" in said and "godkjent" not in said
    april = meeting("troms-ofoten", "pm", dt.date(2023, 4, 20))
    page = page_text(visitor, april)
    assert f"Publisert ({NOT_STATED})" in page  # the source shows the protocol is public
    line = next(line for line in text.splitlines() if line.startswith("Under sak 06/23 informeres"))
    narrative = line[: line.index("handlingsplanen.") + len("handlingsplanen.")]  # the two sentences on PM
    assert narrative in page
    case = Case.objects.get(body=april.body, year=2023, number=6)
    assert case.decision == "" and case.outcome == ""
    protocol = protocol_text(april)
    told_the_same_way(visitor, case, narrative, "Omtalt i FSU BU sak 09/23 (12.05.2023)", page, protocol)
    for shown in (page.casefold(), protocol):
        assert "konsensusvedtak" not in shown and "vedtatt i konsensus" not in shown
        assert not re.search(rf"(godkjent|publisert) {LONG_DATE.pattern}", shown, re.IGNORECASE)


def test_pm_07_2021_has_its_recommendation_and_no_decision(demo_data, visitor):
    text = source("pm_sak_07-2021")
    lines = [line.strip() for line in text.splitlines()]
    assert "Anbefaling" in lines and "Vedtak" not in lines  # only the recommendation
    recommendation = lines[lines.index("Anbefaling") + 2]
    case = Case.objects.get(body__partnership__slug="lofoten-vesteralen-salten", year=2021, number=7)
    assert case.proposal.strip() == recommendation
    assert case.decision == "" and case.outcome == ""
    page = page_text(visitor, case.meeting)
    assert recommendation in page
    assert "konsensusvedtak" not in page.casefold()


def _source_meetings():
    """(partnership slug, body slug, local start) of every meeting the source fixtures load."""
    partnerships = {
        row["key"]: row["slug"]
        for row in tomllib.loads((FIXTURES / "partnerships.toml").read_text(encoding="utf-8"))["partnerships"]
    }
    found = []
    for name in demo.FIXTURE_FILES:
        if name == "demo_extras.toml":
            continue
        for row in tomllib.loads((FIXTURES / name).read_text(encoding="utf-8")).get("meetings", []):
            key, _, body = row["body"].partition("-")
            found.append((partnerships[key], body, row["start"]))
    return found


def test_demo_personas_are_in_no_meeting_loaded_from_a_source(demo_data, visitor):
    extras = tomllib.loads((FIXTURES / "demo_extras.toml").read_text(encoding="utf-8"))
    demo_names = [row["name"] for row in extras["people"]]
    assert "Demo Medlem" in demo_names
    checked = 0
    for partnership, body, start in _source_meetings():
        candidates = [
            m
            for m in Meeting.objects.filter(body__partnership__slug=partnership, body__slug=body)
            if m.start == demo.base._aware(start)
        ]
        assert len(candidates) == 1, (partnership, body, start)
        real = candidates[0]
        assert not real.attendances.filter(person__name__in=demo_names).exists()
        shown = [notice_text(real)]
        if real.agenda_is_public:
            shown.append(page_text(visitor, real).casefold())
        if real.minutes_are_public:
            shown.append(protocol_text(real))
        for text in shown:
            for name in demo_names:
                assert name.casefold() not in text, (real, name)
            assert "demobruker" not in text
        checked += 1
    assert checked >= 8
    # The notice of the real 12 May 2023 meeting, which listed “Demo Medlem – Demobruker”.
    may = notice_text(meeting("troms-ofoten", "fsu-bu", dt.date(2023, 5, 12)))
    assert "nina engelsen" in may and "demo" not in may


def test_the_member_login_still_reads_exempt_papers_in_a_demo_meeting(demo_data):
    exempt = Case.objects.get(exempt=True, meeting__status=Meeting.Status.MINUTES_PUBLISHED)
    assert exempt.meeting.title.startswith("Demo")
    url = exempt.meeting.get_absolute_url()
    assert "KONFIDENSIELT-DEMO" not in Client().get(url).content.decode()
    member = Client()
    member.force_login(get_user_model().objects.get(username="medlem"))
    assert "KONFIDENSIELT-DEMO" in member.get(url).content.decode()
