"""The meeting mode in a real browser, end to end, on the demo data.

The demo's notice-issued meeting of FSU barn og unge: attendance with forfall and a
substitute ("møtt for"), a guest, the parties warning ("Er alle parter til stede?"), a consensus
recorded after confirming, a follow-up point, and approval of the minutes by e-mail round with
each answer and its date. Only Playwright's auto-waiting `expect(...)` is used for what the
page shows, so a slow machine waits instead of failing.
"""

import re

from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from governance.models import Membership, Organisation, Person
from meetings import services
from meetings.models import Case, FollowUp, Meeting, Minutes, MinutesApprovalAnswer
from tests.conftest import demo_login


def _substitute(meeting):
    """A substitute for Demo kommune's seat (the demo has none), to show «møtt for»."""
    demo_kommune = Organisation.objects.get(name="Demo kommune (demo)")
    vara = Person.objects.create(name="Vara Varasen")
    Membership.objects.create(person=vara, body=meeting.body, role="substitute", on_behalf_of=demo_kommune)
    return vara


def test_meeting_mode_journey(demo_live, browser):
    base = demo_live.url
    meeting = Meeting.objects.get(title="Demo: møte i FSU barn og unge (innkalt)")
    vara = _substitute(meeting)
    case = services.case_create(
        meeting=meeting,
        title="Overganger fra barne- til voksenpsykiatrien (demo)",
        proposal="FSU BU slutter seg til forslaget.",
        by=get_user_model().objects.get(username="sekretariat"),
    )
    unn = Person.objects.get(name="Demo Sykehusrepresentant (demo)")
    nina = Person.objects.get(name="Nina Engelsen")
    medlem = Person.objects.get(name="Demo Medlem")
    staff = demo_login(browser.new_context().new_page(), base, "secretariat")

    # From the workspace meeting page into the meeting mode.
    staff.goto(base + f"/forvaltning/troms-ofoten/moter/{meeting.pk}/")
    staff.get_by_role("link", name="Møtemodus").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Møtemodus")

    # Attendance: forfall for UNN HF's and Demo kommune's members, the substitute stands in.
    staff.select_option(f"#id_status-{unn.pk}", value="absent_with_notice")
    staff.select_option(f"#id_status-{medlem.pk}", value="absent_with_notice")
    staff.select_option(f"#id_status-{vara.pk}", value="present")
    staff.select_option(f"#id_for-{vara.pk}", value=str(medlem.pk))
    staff.fill("#id_add_name", "Gunn Gjest")
    staff.click("button[value=attendance]")
    expect(staff.locator(".messages")).to_contain_text("Oppmøtet er registrert.")
    expect(staff.locator(f"#id_for-{vara.pk}")).to_have_value(str(medlem.pk))
    expect(staff.locator("#attendance-sheet")).to_contain_text("Gunn Gjest")

    # Er alle parter til stede? UNN HF is missing; Demo kommune is present through its substitute.
    check = staff.locator("#parties-check")
    expect(check.locator("li", has_text="UNN HF")).to_contain_text("Mangler")
    expect(check.locator("li", has_text="Demo kommune (demo)")).to_contain_text("Møtt")
    expect(staff.locator("#parties-warning")).to_contain_text(
        "Vedtatt i konsensus; UNN HF var ikke til stede."
    )

    # A consensus while UNN HF is missing: refused until confirmed, the text kept on screen.
    block = staff.locator(f"#sak-{case.pk}")
    block.locator("select[name$=-outcome]").select_option("consensus")
    block.locator("textarea[name$=-decision]").fill("FSU BU slutter seg til forslaget.")
    block.locator("button[value=decision]").click()
    block = staff.locator(f"#sak-{case.pk}")
    expect(staff.locator(".messages")).to_contain_text("Ikke alle parter er til stede (mangler: UNN HF)")
    expect(block.locator("textarea[name$=-decision]")).to_have_value("FSU BU slutter seg til forslaget.")
    block.locator("input[name$=-confirm_missing_parties]").check()
    block.locator("button[value=decision]").click()
    expect(staff.locator(".messages")).to_contain_text("Vedtaket er ført.")
    case.refresh_from_db()
    assert (case.outcome, case.decision) == (Case.Outcome.CONSENSUS, "FSU BU slutter seg til forslaget.")

    # A follow-up point on the case.
    block = staff.locator(f"#sak-{case.pk}")
    block.locator("textarea[name$=-what]").fill("Sekretariatet lager en plan for overgangene.")
    block.locator("input[name$=-responsible]").fill("SEKR")
    block.locator("input[name$=-due]").fill("2030-01-15")
    block.locator("button[value=follow_up]").click()
    expect(staff.locator(f"#sak-{case.pk}")).to_contain_text("Sekretariatet lager en plan for overgangene.")
    assert FollowUp.objects.get(meeting=meeting).case == case

    # Held; the draft minutes; approval by e-mail round, each answer with its date.
    staff.goto(base + f"/forvaltning/troms-ofoten/moter/{meeting.pk}/")
    staff.click("button[value=mark_held]")
    expect(staff.locator(".messages")).to_contain_text("holdt")
    staff.goto(base + f"/forvaltning/troms-ofoten/moter/{meeting.pk}/referat/")
    # The minutes exist from their first saved section (nothing is copied into them).
    staff.fill("input[name=sections-0-heading]", "Merknader")
    staff.fill("textarea[name=sections-0-text]", "Møtet gikk etter planen.")
    staff.click("button[value=save]")
    expect(staff.locator(".messages")).to_contain_text("Referatet er lagret.")
    staff.get_by_role("link", name="E-postrunde og godkjenning").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Godkjenning av referatet")
    for person, day in ((vara, "2030-01-02"), (nina, "2030-01-03")):
        staff.select_option("#id_answer-person", value=str(person.pk))
        staff.select_option("#id_answer-answer", value="approved")
        staff.fill("#id_answer-answered_on", day)
        staff.click("button[value=answer]")
        expect(staff.locator(".messages")).to_contain_text("Svaret er registrert.")
    expect(staff.locator("#approval-answers tr", has_text="Vara Varasen")).to_contain_text("Godkjenner")
    expect(staff.locator("#approval-answers tr", has_text="Demo Medlem")).to_contain_text("Ikke svart ennå")
    staff.select_option("#id_approve-method", value="email_round")
    staff.click("button[value=approve]")
    expect(staff.locator(".messages")).to_contain_text(re.compile("Referatet er godkjent"))
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.approval_method == "email_round" and minutes.approved_at.date().isoformat() == "2030-01-03"
    assert MinutesApprovalAnswer.objects.filter(minutes=minutes).count() == 2
