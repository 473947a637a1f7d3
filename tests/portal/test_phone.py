"""The portal at phone width (390 × 844 px, a common phone held upright), in Chromium.

Every page type, as the visitor, a member and the secretariat see it: the page is never wider than
the screen (a table scrolls inside its own box or becomes cards), the header leaves the screen to
the content, and axe-core finds no WCAG 2.1 A/AA violation. The menu folds behind a button that
works without any script (a <details> disclosure: the CSP allows no inline script), and opens by
itself on a wide screen; a long meeting page's agenda jumps to each case paper and each paper
leads back to it. The demo data, so the pages are full ones.
"""

import re

from playwright.sync_api import expect

from meetings.models import Case, Meeting
from tests.conftest import demo_login
from tests.portal.page_urls import PAGE_TYPES, member_urls, page_types, workspace_urls
from tests.portal.test_accessibility import WCAG_TAGS

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# The header's height on a phone, at most: about a ninth of the screen (it took 220 px before).
HEADER_MAX_PX = 96


def fits_a_phone(page, axe, name: str) -> list[str]:
    """What is wrong with the page as shown at phone width: overflow, header height, axe."""
    problems = []
    size = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                   header: document.querySelector('.site-header').getBoundingClientRect().height})"""
    )
    if size["scroll"] > size["inner"]:
        problems.append(f"{name}: the page is {size['scroll']} px wide on a {size['inner']} px screen")
    if size["header"] > HEADER_MAX_PX:
        problems.append(f"{name}: the header is {size['header']:.0f} px high")
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    for violation in results.response["violations"]:
        targets = [node["target"] for node in violation["nodes"]][:3]
        problems.append(f"{name}: axe {violation['id']} ({violation['impact']}) {targets}")
    return problems


def test_every_page_type_fits_a_phone(demo_live, browser):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    visits = [("visitor", name, url) for name, url in page_types().items()]
    visits += [("member", url, url) for url in member_urls()]
    visits += [("secretariat", url, url) for url in workspace_urls()]
    pages = {}
    for persona, name, url in visits:
        if persona not in pages:
            page = browser.new_context(viewport=PHONE).new_page()
            pages[persona] = demo_login(page, demo_live.url, persona)
        page = pages[persona]
        page.goto(demo_live.url + url)
        expect(page.locator("h1").first).to_be_visible()
        problems += fits_a_phone(page, axe, f"{persona} {name}")
    # The menu open, over the page: still within the screen and without violations.
    page = pages["secretariat"]
    page.goto(demo_live.url + PAGE_TYPES["meeting"])
    page.get_by_text("Meny", exact=True).click()
    expect(page.get_by_role("link", name="Arbeidsflate")).to_be_visible()
    problems += fits_a_phone(page, axe, "secretariat meeting, menu open")
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_wide_page_and_a_tall_header(demo_live, browser):
    """The check itself: a line wider than the screen and a tall header are both reported."""
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page(viewport=PHONE)
    page.goto(demo_live.url + PAGE_TYPES["case"])
    assert fits_a_phone(page, Axe(), "case") == []
    # Through the CSSOM, which the Content-Security-Policy leaves to scripts.
    page.evaluate(
        """() => {
            const line = Object.assign(document.createElement('pre'), {textContent: 'x'.repeat(200)});
            document.querySelector('main').append(line);
            document.querySelector('.site-header').style.paddingBottom = '200px';
        }"""
    )
    problems = fits_a_phone(page, Axe(), "case")
    assert any("px wide on a 390 px screen" in problem for problem in problems), problems
    assert any("the header is" in problem for problem in problems), problems


def test_the_menu_folds_behind_a_button_without_script(demo_live, browser):
    # No JavaScript at all: the disclosure is HTML.
    page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(demo_live.url + PAGE_TYPES["case"])
    menu = page.get_by_role("navigation", name="Hovedmeny")
    button = page.locator(".site-header summary")
    expect(button).to_have_text("Meny")
    expect(menu.get_by_role("link", name="Saker")).to_be_hidden()
    button.click()
    expect(menu.get_by_role("link", name="Saker")).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    menu.get_by_role("link", name="Søk").click()
    expect(page).to_have_url(re.compile(r"/sok/$"))
    # A wide screen: the menu is open in the header, and there is no button.
    wide = browser.new_context(viewport=DESKTOP, java_script_enabled=False).new_page()
    wide.goto(demo_live.url + PAGE_TYPES["case"])
    expect(wide.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Saker")).to_be_visible()
    expect(wide.locator(".site-header summary")).to_be_hidden()


def test_the_meeting_agenda_jumps_to_each_case_and_back(demo_live, browser):
    meeting = Meeting.objects.get(body__slug="fsu-bu", start__date="2023-05-12")
    cases = list(meeting.cases.order_by("order"))
    page = browser.new_page(viewport=PHONE)
    page.goto(demo_live.url + PAGE_TYPES["meeting"])
    contents = page.get_by_role("navigation", name="Saksliste")
    expect(contents.get_by_role("link")).to_have_count(len(cases))
    for case in cases:
        entry = contents.get_by_role("link", name=case.agenda_title or case.title, exact=True)
        expect(entry).to_have_attribute("href", f"#sak-{case.pk}")
        entry.click()
        paper = page.locator(f"#sak-{case.pk}")
        expect(paper.get_by_role("heading", level=2)).to_contain_text(f"Sak {case.case_number}")
        expect(paper.get_by_role("heading", level=2)).to_be_in_viewport()
        paper.get_by_role("link", name="Tilbake til oversikten").click()
        expect(page.get_by_role("heading", name="Saksliste", level=2)).to_be_in_viewport()


def test_the_agenda_shows_an_exempt_case_as_the_reader_may_see_it(demo_live, browser):
    case = Case.objects.get(exempt=True, title__startswith="KONFIDENSIELT-DEMO")
    url = demo_live.url + case.meeting.get_absolute_url()
    for persona, title in (("visitor", case.public_title), ("member", case.title)):
        page = demo_login(browser.new_context(viewport=PHONE).new_page(), demo_live.url, persona)
        page.goto(url)
        entry = page.get_by_role("navigation", name="Saksliste").locator(f'a[href="#sak-{case.pk}"]')
        expect(entry).to_have_text(title)
        expect(page.locator(f"#sak-{case.pk}")).to_have_count(1)
    visitor = browser.new_page(viewport=PHONE)
    visitor.goto(url)
    expect(visitor.get_by_text("KONFIDENSIELT-DEMO")).to_have_count(0)
