"""Pages, PDFs and feeds say honestly what is not known: a meeting's date not stated in the
source, a day without a time, minutes approved or published on a day the source does not give."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from icalendar import Calendar

from meetings import pdf
from meetings.feeds import meeting_uid
from meetings.models import Meeting
from tests import pdftools
from tests.meetings import factories as mf

OSLO = ZoneInfo("Europe/Oslo")
NOT_STATED = "Dato ikke oppgitt i kilden"
KNOWN_TEXT = "2024, Helseinnovasjonsuka"


def squashed(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def unknown_world(world):
    body = world.body
    unknown = mf.meeting(
        body,
        status=Meeting.Status.MINUTES_PUBLISHED,
        title="Dialogmøtet 2024",
        start=dt.datetime(2024, 1, 1, tzinfo=OSLO),
        end=None,
        start_time_known=False,
        date_known=False,
        date_text=KNOWN_TEXT,
    )
    mf.case(unknown, number=1, title="Velkommen")
    mf.minutes(
        unknown, text="Referat fra dialogmøtet", approval_date_known=False, publication_date_known=False
    )
    day_only = mf.meeting(
        body,
        status=Meeting.Status.HELD,
        start=dt.datetime(2023, 2, 8, 12, tzinfo=OSLO),
        start_time_known=False,
    )
    mf.case(day_only, number=2, title="FSUets videre arbeid")
    undated = mf.meeting(
        body, status=Meeting.Status.MINUTES_PUBLISHED, start=dt.datetime(2023, 6, 14, 12, tzinfo=OSLO)
    )
    mf.case(undated, number=3, title="Innledning")
    mf.minutes(
        undated,
        text="Referat fra Henningsvær",
        approval_method="email_round",
        approval_date_known=False,
        publication_date_known=False,
    )
    return unknown, day_only, undated


@pytest.mark.django_db
def test_unknown_date_page_says_so_and_shows_what_is_known(unknown_world, anon_client):
    unknown, _, _ = unknown_world
    url = unknown.get_absolute_url()
    assert url.endswith(f"/moter/mote-{unknown.pk}/")
    body = squashed(anon_client.get(url).content.decode())
    assert f"{NOT_STATED} ({KNOWN_TEXT})" in body
    assert "1. januar 2024" not in body and "2024-01-01" not in body  # the sort key is never shown
    # The PDF links use the same address.
    assert f"/moter/mote-{unknown.pk}/innkalling.pdf" in body
    # The sort key is not an address of the meeting.
    partnership, body_slug = unknown.body.partnership.slug, unknown.body.slug
    assert anon_client.get(f"/{partnership}/{body_slug}/moter/2024-01-01/").status_code == 404
    assert anon_client.get(f"/{partnership}/{body_slug}/moter/mote-abc/").status_code == 404


@pytest.mark.django_db
def test_old_date_urls_keep_working_and_every_meeting_has_an_id_address(unknown_world, anon_client):
    _, day_only, undated = unknown_world
    assert day_only.get_absolute_url().endswith("/moter/2023-02-08/")
    for meeting in (day_only, undated):
        assert anon_client.get(meeting.get_absolute_url()).status_code == 200
        by_id = f"/{meeting.body.partnership.slug}/{meeting.body.slug}/moter/mote-{meeting.pk}/"
        assert anon_client.get(by_id).status_code == 200
    for name in ("pdf:notice", "pdf:protocol"):
        kwargs = {"partnership": undated.body.partnership.slug, "body": undated.body.slug}
        assert (
            anon_client.get(reverse(name, kwargs={**kwargs, "date": dt.date(2023, 6, 14)})).status_code == 200
        )
        assert (
            anon_client.get(reverse(name, kwargs={**kwargs, "date": f"mote-{undated.pk}"})).status_code == 200
        )


@pytest.mark.django_db
def test_minutes_dates_not_recorded_are_shown_as_such(unknown_world, anon_client):
    _, _, undated = unknown_world
    body = squashed(anon_client.get(undated.get_absolute_url()).content.decode())
    assert "Godkjent (dato ikke oppgitt i kilden), via e-postrunde" in body
    assert "Publisert (dato ikke oppgitt i kilden)" in body
    assert "Referat fra Henningsvær" in body  # published, date not recorded: public
    assert "Utkast til referat" not in body


@pytest.mark.django_db
def test_pdfs_say_what_is_not_known(unknown_world):
    unknown, _, undated = unknown_world
    notice = squashed(pdftools.text(pdf.render_notice_pdf(unknown)))
    # pdftools.text lower-cases the text
    assert f"{NOT_STATED} ({KNOWN_TEXT})".lower() in notice
    assert "januar 2024" not in notice
    assert (
        pdf.notice_document(unknown, None).filename == f"innkalling-{unknown.body.slug}-mote-{unknown.pk}.pdf"
    )
    protocol = squashed(pdftools.text(pdf.render_protocol_pdf(undated)))
    assert "godkjent (dato ikke oppgitt i kilden), via e-postrunde" in protocol
    assert "publisert (dato ikke oppgitt i kilden)" in protocol
    assert "utkast" not in protocol


@pytest.mark.django_db
def test_calendar_page_shows_an_unknown_date_honestly(unknown_world, anon_client):
    body = squashed(anon_client.get("/kalender/").content.decode())
    assert f"{NOT_STATED} ({KNOWN_TEXT})" in body


@pytest.mark.django_db
def test_ics_leaves_out_an_unknown_date_and_makes_a_day_all_day(unknown_world, anon_client):
    unknown, day_only, undated = unknown_world
    slug = unknown.body.partnership.slug
    for url in (
        f"/{slug}/kalender.ics?år=2024",
        f"/{slug}/kalender.ics?år=2023",
        f"/{slug}/{unknown.body.slug}/kalender.ics?år=2024",
    ):
        response = anon_client.get(url)
        assert response.status_code == 200
        events = Calendar.from_ical(response.content).walk("VEVENT")
        uids = {str(event["uid"]) for event in events}
        assert meeting_uid(unknown) not in uids
    events = {
        str(e["uid"]): e
        for e in Calendar.from_ical(anon_client.get(f"/{slug}/kalender.ics?år=2023").content).walk("VEVENT")
    }
    all_day = events[meeting_uid(day_only)]
    assert all_day["dtstart"].dt == dt.date(2023, 2, 8) and not isinstance(all_day["dtstart"].dt, dt.datetime)
    assert all_day["dtend"].dt == dt.date(2023, 2, 9)
    timed = events[meeting_uid(undated)]
    assert isinstance(timed["dtstart"].dt, dt.datetime)


@pytest.mark.django_db
def test_atom_feed_says_when_the_publication_date_is_not_recorded(unknown_world, anon_client):
    unknown, _, undated = unknown_world
    response = anon_client.get(f"/{unknown.body.partnership.slug}/referater.atom")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    by_link = {entry.link.removeprefix("http://testserver"): entry for entry in feed.entries}
    entry = by_link[unknown.get_absolute_url()]
    assert f"dato ikke oppgitt i kilden ({KNOWN_TEXT})" in entry.title
    assert "Publisert; datoen er ikke oppgitt i kilden." in entry.summary
    assert "published" not in entry  # no publication date is invented
    assert entry.updated  # Atom's updated: when the portal's entry last changed
    assert "Publisert; datoen er ikke oppgitt i kilden." in by_link[undated.get_absolute_url()].summary


@pytest.mark.django_db
def test_unknown_date_page_queries(unknown_world, anon_client, django_assert_max_num_queries):
    unknown, _, _ = unknown_world
    anon_client.get(unknown.get_absolute_url())
    with django_assert_max_num_queries(15):
        assert anon_client.get(unknown.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_search_shows_no_date_for_a_meeting_whose_date_is_not_stated(unknown_world, anon_client):
    unknown, _, _ = unknown_world
    body = squashed(anon_client.get("/sok/", {"q": "Velkommen"}).content.decode())
    assert "Velkommen" in body
    assert "1. januar 2024" not in body


@pytest.mark.django_db
def test_atom_entry_id_holds_no_date_and_stays_when_the_date_changes(unknown_world, anon_client):
    """The entry id is the meeting's id, never its sort key (an invented 1 January 2024) nor any
    date: it stays the same when a date is found for the meeting."""
    unknown, _, undated = unknown_world
    url = f"/{unknown.body.partnership.slug}/referater.atom"

    def ids():
        feed = feedparser.parse(anon_client.get(url).content)
        return {entry.link.removeprefix("http://testserver"): entry.id for entry in feed.entries}

    before = ids()
    entry_id = before[unknown.get_absolute_url()]
    assert entry_id == f"tag:helsefellesskap,2023:mote-{unknown.pk}/referat"
    assert "2024" not in entry_id and "01-01" not in entry_id
    assert before[undated.get_absolute_url()] == f"tag:helsefellesskap,2023:mote-{undated.pk}/referat"
    assert "2023-06-14" not in before[undated.get_absolute_url()]
    # A date found later changes the address of the meeting, not its entry's id.
    unknown.date_known = unknown.start_time_known = True
    unknown.start = dt.datetime(2024, 10, 16, 10, tzinfo=OSLO)
    unknown.save()  # a write through the model: the page cache's stamp moves with it
    assert ids()[unknown.get_absolute_url()] == entry_id


@pytest.fixture
def announced_world(world):
    """A held meeting whose "next meeting" case announces a planned meeting (no notice yet)."""
    held = mf.meeting(world.body, status=Meeting.Status.HELD, start=dt.datetime(2023, 5, 12, 12, tzinfo=OSLO))
    planned = mf.meeting(
        world.body,
        status=Meeting.Status.PLANNED,
        start=dt.datetime(2023, 9, 6, 12, tzinfo=OSLO),
        end=dt.datetime(2023, 9, 6, 15, tzinfo=OSLO),
        is_digital=True,
        place="",
        online_link="https://teams.example/secret-link",
    )
    announcing = mf.case(held, number=11, kind="next_meeting", title="Neste møte", next_meeting=planned)
    return held, planned, announcing


def next_meeting_section(client, meeting) -> str:
    page = squashed(re.sub(r"<[^>]+>", " ", client.get(meeting.get_absolute_url()).content.decode()))
    return page.split("Neste møte", 1)[1] if "Neste møte" in page else ""


@pytest.mark.django_db
def test_a_readable_paper_names_the_next_meeting_it_announces(announced_world, anon_client):
    held, planned, announcing = announced_world
    section = next_meeting_section(anon_client, held)
    assert "6. september 2023 kl. 12.00–15.00, digitalt." in section
    assert "Som kunngjort i sak 11/23." in section
    body = anon_client.get(held.get_absolute_url()).content.decode()
    assert planned.get_absolute_url() not in body and "secret-link" not in body
    # Once its notice is out, the meeting itself is named.
    planned.status = Meeting.Status.NOTICE_ISSUED
    planned.save()
    assert "6. september 2023 kl. 12.00–15.00." in next_meeting_section(anon_client, held)


@pytest.mark.django_db
def test_a_meeting_not_held_names_what_its_paper_announces_at_no_extra_query(
    announced_world, anon_client, django_assert_num_queries
):
    """A meeting known only from its notice (not held) names the meeting its paper announces; the
    announced meeting is read with the cases (selectors.agenda), not in a query of its own."""
    from django.contrib.auth.models import AnonymousUser

    from meetings import selectors

    held, planned, announcing = announced_world
    held.status = Meeting.Status.NOTICE_ISSUED
    held.save()
    assert "6. september 2023 kl. 12.00–15.00, digitalt." in next_meeting_section(anon_client, held)
    _cases, record = selectors.agenda(AnonymousUser(), held, papers=False)
    with django_assert_num_queries(0):
        announced = record.announced_meeting
        assert (announced.announced, announced.announced_in) == (planned, announcing)
        assert announced.announced.body.partnership == held.body.partnership


@pytest.mark.django_db
def test_an_exempt_paper_reveals_no_next_meeting(announced_world, anon_client):
    """The announced meeting is shown only to a reader of the paper that announces it."""
    held, _planned, announcing = announced_world
    announcing.exempt, announcing.exemption_basis = True, "offl. § 13"
    announcing.save()
    assert "september" not in next_meeting_section(anon_client, held)


@pytest.mark.django_db
def test_an_announcing_case_names_a_meeting_of_its_own_body(announced_world, world):
    held, planned, announcing = announced_world
    announcing.next_meeting = held
    with pytest.raises(ValidationError):
        announcing.clean()
    other = mf.meeting(world.other_body_same_partnership)
    announcing.next_meeting = other
    with pytest.raises(ValidationError):
        announcing.clean()
