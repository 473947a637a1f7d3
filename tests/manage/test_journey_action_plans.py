"""Step 9 in a real browser: the secretariat records progress on a measure; a visitor sees it.

About the demo data because this is the README's walk-through in a browser, with the demo logins:
measure 2.1 a) of Handlingsplan 2023 reported in the seed's case 09/23.
"""

from django.urls import reverse
from playwright.sync_api import expect

from actionplans.models import Measure
from meetings.models import Case
from tests.conftest import demo_login


def test_secretariat_records_progress_on_a_measure(demo_live, browser):
    base = demo_live.url
    measure = Measure.objects.get(
        focus_area__action_plan__slug="handlingsplan-2023", focus_area__number="2.1", letter="a"
    )
    case = Case.objects.get(body__slug="fsu-bu", year=2023, number=9)
    report = "Plan for overganger barn til voksen er lagt fram for FSU BU."

    staff = demo_login(browser.new_context().new_page(), base, "secretariat")

    # From the overview to the plan, and on to measure 2.1 a).
    staff.goto(base + "/forvaltning/troms-ofoten/")
    staff.locator("main").get_by_role("link", name="Handlingsplaner").click()
    staff.locator("main").get_by_role("link", name="Handlingsplan 2023", exact=True).click()
    staff.locator(f"#tiltak-{measure.pk} a").click()
    assert staff.url.endswith(reverse("manage:measure", args=["troms-ofoten", measure.pk]))

    staff.select_option("select[name=status]", value="in_progress")
    staff.fill("textarea[name=text]", report)
    staff.select_option("select[name=case]", value=str(case.pk))
    staff.fill("input[name=date]", "2023-05-12")
    staff.click("main form button[value=report]")
    staff.wait_for_load_state()
    expect(staff.locator("table").filter(has_text=report)).to_be_visible()
    measure.refresh_from_db()
    assert measure.status == "in_progress"
    assert measure.progress_reports.get(text=report).case == case

    visitor = browser.new_context().new_page()
    assert visitor.goto(base + "/troms-ofoten/handlingsplaner/handlingsplan-2023/").status == 200
    row = visitor.locator(f"#tiltak-{measure.pk}")
    assert report in row.inner_text()
    assert "FSU BU 09/23" in row.inner_text()
