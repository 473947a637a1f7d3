"""Partnerskapsmøtet sak 07-2021 and its action plan 2021–2022 against the seed itself (#13).

Read from fixtures/sources/pm_sak_07-2021.txt: every line of the case paper and of the plan it
carries is on the public pages (case, meeting, plan) or in their PDFs as the source writes it; the
paper's header on the case page and in the case PDF; its recommendation ("Anbefaling") and no
decision, which the source does not give, on the case and the plan; the plan's period as
written; every day it names is shown, no other as fact. The plan's areas and measures, in order
and without status, are checked in test_action_plans.
"""

import re

import pytest

from actionplans.models import ActionPlan
from governance.models import Person
from tests.fidelity import seeds
from tests.fidelity.seeds import TestEverySeed  # noqa: F401 (run here, on this seed)

pytestmark = pytest.mark.django_db

NAME = "pm_sak_07-2021.txt"


seen = seeds.seen_fixture(NAME)


def paper() -> str:
    """The case paper, up to the plan it carries."""
    return seeds.source_text(NAME).split("\nHandlingsplan for Helsefelleskapet", 1)[0]


def test_every_line_of_paper_and_plan_is_shown_as_it_writes_it(seen):
    seeds.check_every_line_shown(seen, {})


def test_the_header_as_the_source_writes_it(seen):
    case = seeds.paper_case(seen)
    seeds.check_paper_header(seen, case, paper())


def test_case_number_title_and_attachment(seen):
    case = seeds.paper_case(seen)
    lines = [line.strip() for line in paper().splitlines() if line.strip()]
    number = re.match(r"Partnerskapsmøte sak (\d+-\d{4})$", lines[0])[1]
    title = lines[1]
    attachment = lines[lines.index("Vedlegg (t):") + 1]
    assert case.case_number == number
    for shown in (seen.pages[case.get_absolute_url()], seen.pdfs[seeds.case_pdf_url(case)]):
        assert re.search(rf"Sak {number}:? {re.escape(title)}", shown, re.IGNORECASE), number
        assert re.search(rf"Vedlegg (1\. )?{re.escape(attachment)}", shown)  # the PDF numbers them


def test_the_case_officer_has_a_page_that_names_the_case(seen):
    case = seeds.paper_case(seen)
    name = re.search(r"Saksbehandler: (.+)", paper())[1].strip()
    person = Person.objects.get(name=name)
    assert f"Sak {case.case_number}" in seen.pages[f"/personer/{person.pk}/"]


def test_the_recommendation_and_no_decision(seen):
    case = seeds.paper_case(seen)
    lines = [line.strip() for line in paper().splitlines()]
    recommendation = lines[lines.index("Anbefaling") + 2]
    assert "Vedtak" not in lines
    assert case.proposal.strip() == recommendation and case.decision == "" and case.outcome == ""
    for url in (case.get_absolute_url(), seeds.case_pdf_url(case)):
        shown = seen.pages.get(url) or seen.pdfs[url]
        assert f"Anbefaling {recommendation}" in shown
        seeds.check_no_decision_shown(shown)
    plan = ActionPlan.objects.get(source=seen.document)
    for url in (plan.get_absolute_url(), *[u for u in seen.pdfs if u.endswith("status.pdf")]):
        shown = seen.pages.get(url) or seen.pdfs[url]
        assert "vedtaket er ikke gjengitt i kilden" in shown, url
        seeds.check_no_decision_shown(shown)


def test_the_plans_title_and_period_as_written(seen):
    text = seeds.source_text(NAME)
    title = re.search(r"^Handlingsplan for Helsefelleskapet .+$", text, re.M)[0]
    period = re.search(r"^Gjeldene for perioden .+$", text, re.M)[0]
    plan = ActionPlan.objects.get(source=seen.document)
    for shown in (seen.pages[plan.get_absolute_url()], *[t for u, t in seen.pdfs.items() if "status" in u]):
        assert title in shown and period in shown


test_no_status_the_source_does_not_give = seeds.no_held_status_test()
