"""The secretariat's journey in a real browser, and what a visitor and a member see at each step.

Plan a meeting of FSU barn og unge, build its agenda with a follow-up of case
08/23, issue the notice, record attendance and decisions, approve and publish
the minutes; a member proposes a case and the secretariat finds it.

About the demo data because this is the README's walk-through in a browser, with the demo logins:
the agenda follows up the seed's case 08/23 and the member is the demo's `medlem`.
"""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from governance.models import Body, Person
from meetings.models import Case, Meeting
from tests import pdftools
from tests.conftest import demo_login, demo_user


@pytest.fixture
def member_with_email(demo_live):
    Person.objects.filter(user=demo_user("member")).update(email="demo.medlem@example.org")
    return demo_live


def login(browser, base, persona):
    return demo_login(browser.new_context().new_page(), base, persona)


def test_secretariat_journey(member_with_email, browser):
    base = member_with_email.url
    visitor = login(browser, base, "visitor")
    visitor.goto(base + "/forvaltning/troms-ofoten/")
    assert "/konto/login/" in visitor.url  # visitors are asked to log in
    member = login(browser, base, "member")
    assert member.goto(base + "/forvaltning/troms-ofoten/").status == 404

    staff = login(browser, base, "secretariat")
    staff.goto(base + "/forvaltning/")
    assert staff.url.endswith("/forvaltning/troms-ofoten/")

    # 3. Plan a meeting with the standing items.
    staff.goto(base + "/forvaltning/troms-ofoten/moter/nytt/")
    start = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    fsu_bu = Body.objects.get(partnership__slug="troms-ofoten", slug="fsu-bu")
    staff.select_option("select[name=body]", value=str(fsu_bu.pk))
    staff.fill("input[name=start]", f"{start}T12:00")
    staff.fill("input[name=end]", f"{start}T11:00")  # bad input: end before start
    staff.click("main form button[type=submit]")
    expect(staff.locator("#error-summary")).to_be_visible()
    staff.fill("input[name=end]", f"{start}T14:00")
    staff.fill("input[name=place]", "Teams")
    staff.check("input[name=is_digital]")
    staff.click("main form button[type=submit]")
    meeting = Meeting.objects.filter(body__slug="fsu-bu", start__date=dt.date.fromisoformat(start)).get()
    assert meeting.cases.count() == 4  # standing items
    public_url = base + meeting.get_absolute_url()
    assert visitor.goto(public_url).status == 404  # not public before the notice

    # 4. Build the agenda: a follow-up of 08/23 and a new case, moved up, with its paper.
    case_08 = Case.objects.get(body__slug="fsu-bu", year=2023, number=8)
    staff.select_option("select[name=followup-previous]", value=str(case_08.pk))
    staff.click("button[value=follow_up]")
    staff.fill("input[name=new-title]", "Kompetanseløft i kommunene")
    staff.click("button[value=add]")
    follow_up = meeting.cases.get(previous=case_08)
    new_case = meeting.cases.get(title="Kompetanseløft i kommunene")
    staff.locator(f"#sak-{new_case.pk} button[value=up]").click()
    new_case.refresh_from_db()
    follow_up.refresh_from_db()
    assert new_case.order < follow_up.order

    staff.goto(base + f"/forvaltning/troms-ofoten/saker/{new_case.pk}/")
    staff.fill("textarea[name=sections-0-text]", "HEMMELIG-TEKST om en enkeltpasient.")
    staff.fill("input[name=sections-0-heading]", "Bakgrunn")
    staff.select_option("select[name=exemption_basis]", value="offl. § 13 jf. fvl. § 13")
    staff.fill("input[name=public_title]", "Sak om enkeltpasient")
    staff.click("main form button[type=submit]")
    expect(staff.locator(".messages")).to_contain_text("Saksframlegget er lagret.")
    new_case.refresh_from_db()
    assert new_case.exempt and new_case.sections.count() == 1

    # 5. Issue the notice: numbers in agenda order, public, members e-mailed.
    staff.goto(base + f"/forvaltning/troms-ofoten/moter/{meeting.pk}/")
    mail.outbox.clear()
    staff.click("button[value=issue_notice]")
    expect(staff.locator(".messages")).to_contain_text("Innkallingen er sendt")
    numbers = list(meeting.cases.order_by("order").values_list("number", flat=True))
    assert None not in numbers and numbers == sorted(numbers)
    assert any("demo.medlem@example.org" in message.to for message in mail.outbox)
    visitor.goto(public_url)
    html = visitor.content()
    assert "Sak om enkeltpasient" in html and "HEMMELIG-TEKST" not in html
    member.goto(public_url)
    assert "HEMMELIG-TEKST" in member.content()

    # 6. Record the meeting: held, attendance, a decision.
    staff.click("button[value=mark_held]")
    expect(staff.locator(".messages")).to_contain_text("Møtet er markert som holdt.")
    staff.goto(base + f"/forvaltning/troms-ofoten/moter/{meeting.pk}/oppmote/")
    staff.click("main form button[type=submit]")
    expect(staff.locator(".messages")).to_contain_text("Oppmøtet er registrert.")
    assert meeting.attendances.count() >= 1
    staff.goto(base + f"/forvaltning/troms-ofoten/saker/{follow_up.pk}/")
    staff.select_option("select[name=decision-outcome]", value="consensus")
    staff.fill("textarea[name=decision-decision]", "FSU BU ber om en ny gjennomgang av avvikene.")
    staff.click("form[action$='/vedtak/'] button[type=submit]")
    expect(staff.locator(".messages")).to_contain_text("Vedtaket er ført.")
    follow_up.refresh_from_db()
    assert follow_up.outcome == "consensus"
    # The exempt case's decision too: it must never reach a visitor, not even once published.
    staff.goto(base + f"/forvaltning/troms-ofoten/saker/{new_case.pk}/")
    staff.select_option("select[name=decision-outcome]", value="consensus")
    staff.fill("textarea[name=decision-decision]", "HEMMELIG-VEDTAK om tiltak for pasienten.")
    staff.click("form[action$='/vedtak/'] button[type=submit]")
    expect(staff.locator(".messages")).to_contain_text("Vedtaket er ført.")
    visitor.goto(public_url)
    assert "ny gjennomgang av avvikene" not in visitor.content()  # not public before the minutes

    # 7. Minutes: the record is read from what was recorded; write a free section, approve, publish.
    staff.goto(base + f"/forvaltning/troms-ofoten/moter/{meeting.pk}/referat/")
    staff.fill("input[name=sections-0-heading]", "Merknader")
    staff.fill("textarea[name=sections-0-text]", "Møtet gikk etter planen.")
    staff.click("button[value=save]")
    expect(staff.locator(".messages")).to_contain_text("Referatet er lagret.")
    expect(staff.locator("textarea[name=sections-0-text]")).to_have_value("Møtet gikk etter planen.")
    staff.select_option("select[name=method]", value="email_round")
    staff.click("button[value=approve]")
    expect(staff.locator(".messages")).to_contain_text("Referatet er godkjent")
    staff.click("button[value=publish]")
    expect(staff.locator(".messages")).to_contain_text("Referatet er publisert.")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.MINUTES_PUBLISHED
    visitor.goto(public_url)
    assert "ny gjennomgang av avvikene" in visitor.content()
    assert "Møtet gikk etter planen." in visitor.content()
    assert "HEMMELIG-TEKST" not in visitor.content()
    # Published: a visitor finds the exempt case's text and decision nowhere (page, case page,
    # search, feeds, protocol PDF); a member of the body reads both.
    secret = ("HEMMELIG-TEKST", "HEMMELIG-VEDTAK")
    day = timezone.localtime(meeting.start).date().isoformat()
    for path in (
        public_url.removeprefix(base),
        new_case.get_absolute_url(),
        "/sok/?q=HEMMELIG",
        "/sok/?q=enkeltpasient",
        "/troms-ofoten/referater.atom",
        "/troms-ofoten/kalender.ics",
    ):
        response = visitor.request.get(base + path)
        assert response.status == 200, path
        assert not any(word in response.text() for word in secret), path
    protocol = visitor.request.get(base + f"/troms-ofoten/fsu-bu/moter/{day}/protokoll.pdf")
    assert protocol.status == 200
    assert not any(word in pdftools.text(protocol.body()) for word in secret)
    member.goto(base + new_case.get_absolute_url())
    expect(member.locator("main")).to_contain_text("HEMMELIG-VEDTAK")
    expect(member.locator("main")).to_contain_text("HEMMELIG-TEKST")

    # Locked: the decision form is gone; a correction needs a reason.
    staff.goto(base + f"/forvaltning/troms-ofoten/saker/{follow_up.pk}/")
    assert staff.locator("textarea[name=decision-decision]").count() == 0
    staff.fill("textarea[name=amend-decision]", "FSU BU ber om en ny gjennomgang av alle avvikene.")
    staff.fill("input[name=amend-reason]", "Skrivefeil rettet etter godkjenning")
    staff.click("form[action$='/rettelse/'] button[type=submit]")
    follow_up.refresh_from_db()
    assert "alle avvikene" in follow_up.decision
    assert follow_up.history.filter(history_change_reason__contains="Skrivefeil").exists()

    # 8. A member proposes a case; the secretariat finds it in the overview.
    body = meeting.body
    member.goto(base + f"/min-side/foresla-sak/{body.pk}/")
    member.fill("input[name=title]", "Overgang fra barn til voksen")
    member.fill("input[name=origin]", "Demo Medlem")
    member.fill("textarea[name=background]", "Bakgrunn for saken.")
    member.click("main form button[type=submit]")
    staff.goto(base + "/forvaltning/troms-ofoten/")
    assert "Overgang fra barn til voksen" in staff.content()
