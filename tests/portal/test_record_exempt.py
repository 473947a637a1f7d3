"""The record from one source: minutes published through the services, read by every output.

A meeting of FSU barn og unge with an exempt case is planned, held, decided (with a discussion
note, a reservation by a party, a recusal, a follow-up point), its minutes written, approved and
published through the services. A visitor's crawl (pages, case pages, search, .atom, .ics, the
notice and protocol PDFs read with pdftotext) finds nothing of the exempt case beyond its number,
public title, legal basis and public decision; a member of the body finds all of it. A correction
after publication shows on the page, the case page, the protocol PDF and the feed.

About the demo data because the crawl reaches everything a visitor can: the services act on the
demo's FSU barn og unge, its members and its draft meeting.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Body, Organisation, Person
from meetings import services
from meetings.models import Case, Minutes
from tests import pdftools
from tests.conftest import demo_client, demo_user
from tests.portal.test_leak_crawl import crawl, response_text

pytestmark = pytest.mark.django_db

BASIS = "offl. § 13 jf. fvl. § 13"
SECRET_TITLE = "Balsfjord-saken om Ola Testpasient"
SECRET = {
    "title": SECRET_TITLE,
    "decision": "Hemmelighetsvedtak: Balsfjord overtar ansvaret for pasienten.",
    "discussion": "Hemmelighetsdrøfting om pasientens familie i Balsfjord.",
    "reservation": "Hemmelighetstilførsel: UNN tar forbehold om sengeplass.",
    "recusal": "Hemmelighetsinhabil: nabo av pasienten.",
    "follow_up": "Hemmelighetsoppfølging: ringe pasientens fastlege.",
    "proposal": "Hemmelighetsforslag om ansvar.",
}
PUBLIC_DECISION = "Partene ble enige om hvem som følger opp en enkeltsak (anonymisert)."
OPEN_DECISION = "1. FSU BU støtter overgangsplanen for ungdom."
OPEN_DECISION_SHOWN = OPEN_DECISION.removeprefix("1. ")  # a numbered list on the page


def _publish_meeting_with_exempt_case(staff, draft_next):
    body = Body.objects.get(partnership__slug="troms-ofoten", slug="fsu-bu")
    start = timezone.now() - dt.timedelta(days=3)
    meeting = services.meeting_create(body=body, start=start, standing_items=False, by=staff)
    exempt = services.case_create(
        meeting=meeting,
        title=SECRET_TITLE,
        public_title="Sak om en enkeltpasient (test)",
        exempt=True,
        exemption_basis=BASIS,
        proposal=SECRET["proposal"],
        by=staff,
    )
    open_case = services.case_create(meeting=meeting, title="Overgangsplan for ungdom", by=staff)
    meeting = services.meeting_issue_notice(meeting=meeting, by=staff)
    meeting = services.meeting_mark_held(meeting=meeting, by=staff)
    member = Person.objects.get(name="Demo Medlem")
    exempt = services.case_record_decision(
        case=Case.objects.get(pk=exempt.pk),
        outcome=Case.Outcome.CONSENSUS,
        decision=SECRET["decision"],
        reservations=[{"party": Organisation.objects.get(name="UNN HF"), "text": SECRET["reservation"]}],
        recusals=[{"person": member, "reason": SECRET["recusal"]}],
        by=staff,
    )
    services.case_record_notes(
        case=exempt,
        discussion=SECRET["discussion"],
        public_decision=PUBLIC_DECISION,
        expected_version=exempt.version,
        by=staff,
    )
    services.case_record_decision(
        case=Case.objects.get(pk=open_case.pk),
        outcome=Case.Outcome.CONSENSUS,
        decision=OPEN_DECISION,
        by=staff,
    )
    services.follow_up_add(meeting=meeting, what=SECRET["follow_up"], case=exempt, by=staff)
    minutes = services.minutes_update(
        meeting=meeting,
        sections=[{"heading": "Merknader", "text": "Møtet ble holdt på Teams (test)."}],
        next_meeting=draft_next,
        expected_version=0,
        by=staff,
    )
    return meeting, Case.objects.get(pk=exempt.pk), Case.objects.get(pk=open_case.pk), minutes


def _pdf_urls(meeting):
    slug, body, day = (
        meeting.body.partnership.slug,
        meeting.body.slug,
        f"{timezone.localtime(meeting.start):%Y-%m-%d}",
    )
    return reverse("pdf:notice", args=[slug, body, day]), reverse("pdf:protocol", args=[slug, body, day])


def _pdf(response) -> bytes:
    assert response.status_code == 200 and response["Content-Type"].startswith("application/pdf")
    return b"".join(response.streaming_content) if response.streaming else response.content


def _search_urls():
    return [
        f"/sok/?q={word}"
        for word in ("Balsfjord", "Hemmelighetsvedtak", "Testpasient", "forbehold+sengeplass", "nabo")
    ]


def test_published_minutes_with_an_exempt_case_leak_nothing_to_a_visitor(demo_data):
    staff = demo_user("secretariat")
    draft = demo_data["draft_meeting"]
    meeting, exempt, open_case, minutes = _publish_meeting_with_exempt_case(staff, draft)

    # Before approval the protocol is a draft: "UTKAST" on every page, for the secretariat only.
    notice_pdf, protocol_pdf = _pdf_urls(meeting)
    secretariat = demo_client("secretariat")
    data = _pdf(secretariat.get(protocol_pdf))
    assert pdftools.text(data).count("utkast") >= pdftools.pages(data) >= 1

    minutes = services.minutes_approve(minutes=minutes, method=Minutes.ApprovalMethod.EMAIL_ROUND, by=staff)
    services.minutes_publish(minutes=minutes, by=staff)

    visitor = demo_client("visitor")
    responses = crawl(visitor, start=meeting.get_absolute_url())
    for url in [
        exempt.get_absolute_url(),
        notice_pdf,
        protocol_pdf,
        *_search_urls(),
        "/troms-ofoten/referater.atom",
    ]:
        responses.setdefault(url, visitor.get(url))
    assert {"application/pdf", "text/calendar", "application/atom+xml"} <= {
        r.get("Content-Type", "").split(";")[0] for r in responses.values()
    }
    bodies = {url: response_text(response) for url, response in responses.items()}
    leaks = [
        f"{url}: {name}" for url, body in bodies.items() for name, text in SECRET.items() if text in body
    ]
    assert not leaks, "\n".join(leaks)
    found = visitor.get("/sok/?q=Balsfjord").content.decode()
    assert exempt.get_absolute_url() not in found and "<mark>Balsfjord" not in found

    # What a visitor does see of the exempt case: number, public title, basis, public decision.
    page = visitor.get(meeting.get_absolute_url()).content.decode()
    for shown in (
        exempt.case_number,
        exempt.public_title,
        BASIS,
        PUBLIC_DECISION,
        OPEN_DECISION_SHOWN,
        "Ikke fastsatt",
    ):
        assert shown in page, shown
    protocol_text = pdftools.text(_pdf(visitor.get(protocol_pdf)))
    assert "unntatt offentlighet, offl. § 13 jf. fvl. § 13" in protocol_text
    assert "anonymisert" in protocol_text and "utkast" not in protocol_text
    # The draft next meeting is never named: the record says "ikke fastsatt".
    assert draft.get_absolute_url() not in page and "ikke fastsatt" in protocol_text

    # A member of the body reads everything, on the page, the case page, in search and the PDF.
    member = demo_client("member")
    member_page = member.get(meeting.get_absolute_url()).content.decode()
    case_page = member.get(exempt.get_absolute_url()).content.decode()
    member_pdf = pdftools.text(_pdf(member.get(protocol_pdf)))
    for name, text in SECRET.items():
        if name != "proposal":
            assert text in member_page, name
            assert " ".join(text.casefold().split()[:3]) in " ".join(member_pdf.split()), name
        if name not in ("follow_up",):
            assert text in case_page, name
    assert SECRET_TITLE in member.get("/sok/?q=Balsfjord").content.decode()


def test_a_correction_shows_on_page_pdf_and_feed_and_the_protocol_says_it_once(demo_data):
    staff = demo_user("secretariat")
    meeting, exempt, open_case, minutes = _publish_meeting_with_exempt_case(staff, None)
    minutes = services.minutes_approve(minutes=minutes, method=Minutes.ApprovalMethod.EMAIL_ROUND, by=staff)
    services.minutes_publish(minutes=minutes, by=staff)
    corrected = "FSU BU støtter den reviderte overgangsplanen for ungdom."
    services.amend(obj=open_case, decision=corrected, reason="Feil plan i vedtaket", by=staff)
    stamp = f"Rettet {timezone.localdate():%d.%m.%Y}: Feil plan i vedtaket"
    section = minutes.sections.get()
    services.amend(obj=section, text="Møtet ble holdt i Tromsø (test).", reason="Feil møtested", by=staff)
    section_stamp = f"Rettet {timezone.localdate():%d.%m.%Y}: Feil møtested"

    visitor = demo_client("visitor")
    page = visitor.get(meeting.get_absolute_url()).content.decode()
    assert corrected in page and OPEN_DECISION_SHOWN not in page and stamp in page
    assert "holdt i Tromsø" in page and "på Teams" not in page and section_stamp in page
    case_page = visitor.get(open_case.get_absolute_url()).content.decode()
    assert corrected in case_page and stamp in case_page
    _, protocol_pdf = _pdf_urls(meeting)
    text = " ".join(pdftools.text(_pdf(visitor.get(protocol_pdf))).split())
    assert stamp.casefold() in text and section_stamp.casefold() in text and "på teams" not in text
    assert text.count("reviderte overgangsplanen") == 1  # the decision once, no copy beside it
    assert "støtter overgangsplanen" not in text
    feed = visitor.get("/troms-ofoten/referater.atom").content.decode()
    assert corrected in feed and stamp in feed and section_stamp in feed


def test_an_exempt_attachment_shows_alike_on_the_page_and_in_the_pdf(demo_data):
    """One behaviour (DOMAIN.md): its title for members and the secretariat, page and PDF alike;
    for everyone else "Vedlegg unntatt offentlighet, <hjemmel>", and the PDFs are stored apart."""
    notice = demo_data["notice_meeting"]
    public_case = notice.cases.filter(exempt=False).order_by("order").first()
    public_case.attachments.create(
        title="Vedleggsnavn-som-er-unntatt", exempt=True, exemption_basis="offl. § 14"
    )
    day = f"{timezone.localtime(notice.start):%Y-%m-%d}"
    url = reverse("pdf:notice", args=[notice.body.partnership.slug, notice.body.slug, day])
    seen = {}
    for persona in ("visitor", "member"):
        client = demo_client(persona)
        response = client.get(url)
        pdf_text = " ".join(pdftools.text(_pdf(response)).split())
        page = client.get(notice.get_absolute_url()).content.decode()
        shows = "Vedleggsnavn-som-er-unntatt"
        assert (shows in page) is (shows.casefold() in pdf_text) is (persona == "member"), persona
        assert "vedlegg unntatt offentlighet, offl. § 14" in pdf_text or persona == "member"
        seen[persona] = response["ETag"]
    assert seen["visitor"].startswith('"public-') and seen["member"].startswith('"member-')
