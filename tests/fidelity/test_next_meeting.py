"""FSU barn og unge's next meetings as the source states them (#13), read from
fixtures/sources/fsu_bu_2023-05-12.txt: "Neste møte avholdes digitalt den 06.09.23. kl 12.00-15.00"
(sak 11/23) and "FSU BU følger opp sak i møtet 09.11.23" (sak 08/23, 09/23).

Both are meetings loaded from the source, with no agenda, place or time it does not give; the
12 May 2023 meeting's record names the 6 September meeting as its next one because sak 11/23
announces it, on the meeting page and in the protocol PDF, with the case that says so; the
9 November meeting has a date and no time."""

import datetime as dt
import html
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client

from governance.models import SourceDocument
from meetings.models import Case, Meeting
from meetings.pdf import render_protocol_pdf
from tests import pdftools
from tests.conftest import demo_client, demo_user

pytestmark = pytest.mark.django_db

OSLO = ZoneInfo("Europe/Oslo")
SOURCE = "fsu_bu_2023-05-12.txt"
SHOWN = "6. september 2023 kl. 12.00–15.00, digitalt."
ANNOUNCED = "Som kunngjort i sak 11/23."


def source_text() -> str:
    return (Path(settings.BASE_DIR) / "fixtures" / "sources" / SOURCE).read_text(encoding="utf-8")


def flat(text: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def fsu_bu_meeting(day: dt.date) -> Meeting:
    return Meeting.objects.select_related("body__partnership").get(
        body__partnership__slug="troms-ofoten", body__slug="fsu-bu", start__date=day, date_known=True
    )


def next_meeting_part(page: str) -> str:
    """The page's "Neste møte" section: from its heading to the end of the page's content."""
    match = re.search(r'<h2 id="next-meeting">(.*?)</main>', page, re.S)
    assert match, "no next-meeting section"
    return flat(match.group(1))


def test_the_source_states_the_next_meetings_so():
    text = source_text()
    assert "Neste møte avholdes digitalt den 06.09.23. kl 12.00-15.00" in text
    assert "FSU BU følger opp sak i møtet 09.11.23" in text
    # No time, place or agenda of 9 November 2023 in the source: only the date.
    assert not re.search(r"09\.11\.23[^\n]*kl", text)


def test_the_next_meetings_are_loaded_as_the_source_states_them(module_demo_data):
    document = SourceDocument.objects.get(file_name=SOURCE)
    september = fsu_bu_meeting(dt.date(2023, 9, 6))
    assert september.source == document
    assert september.date_known and september.start_time_known
    assert september.start == dt.datetime(2023, 9, 6, 12, tzinfo=OSLO)
    assert september.end == dt.datetime(2023, 9, 6, 15, tzinfo=OSLO)
    assert september.is_digital and september.place == "" and september.title == ""
    november = fsu_bu_meeting(dt.date(2023, 11, 9))
    assert november.source == document
    assert november.date_known and not november.start_time_known  # a date, no time
    assert november.end is None and november.place == "" and not november.is_digital
    for meeting in (september, november):
        assert not meeting.cases.exists()  # no agenda the source does not give
        assert meeting.status == Meeting.Status.PLANNED  # no notice the source tells of
    # The 12 May meeting's "next meeting" case announces the 6 September one.
    announcing = Case.objects.get(body=september.body, year=2023, number=11)
    assert announcing.kind == Case.Kind.NEXT_MEETING and announcing.next_meeting == september


def test_the_may_meeting_page_names_the_next_meeting_as_the_source_does(module_demo_data):
    may = fsu_bu_meeting(dt.date(2023, 5, 12))
    # A visitor reads the papers (not the minutes, which the source does not give): the next
    # meeting is the one sak 11/23 announces, as it announces it, with no link to a meeting
    # whose notice is not public.
    page = Client().get(may.get_absolute_url()).content.decode()
    part = next_meeting_part(page)
    assert part.startswith(f"Neste møte {SHOWN} {ANNOUNCED}"), part
    assert "9. november" not in part and "Ikke fastsatt" not in part
    september = fsu_bu_meeting(dt.date(2023, 9, 6))
    assert september.get_absolute_url() not in page
    # The secretariat, who reads the minutes' part of the page, sees the same.
    staff_page = demo_client("secretariat").get(may.get_absolute_url()).content.decode()
    assert next_meeting_part(staff_page).startswith(f"Neste møte {SHOWN} {ANNOUNCED}")


def test_the_protocol_names_the_next_meeting_from_the_same_record(module_demo_data):
    may = fsu_bu_meeting(dt.date(2023, 5, 12))
    protocol = " ".join(pdftools.text(render_protocol_pdf(may, demo_user("secretariat"))).split())
    assert f"neste møte {SHOWN.casefold()} {ANNOUNCED.casefold()}" in protocol


def test_the_date_only_meeting_shows_no_time(module_demo_data):
    november = fsu_bu_meeting(dt.date(2023, 11, 9))
    page = flat(demo_client("secretariat").get(november.get_absolute_url()).content.decode())
    assert "9. november 2023" in page
    assert "9. november 2023 kl." not in page and "12.00" not in page
