"""Partnerskapsmøtet sak 04-2022 against the seed itself (#13).

Read from fixtures/sources/pm_sak_04-2022.txt: every line of the case paper is on the case's
public page, the meeting's page or their PDFs as the source writes it; its header (case
officers, document date, reference, meeting date) on the case page and in the case PDF; its case
number and title; its proposal ("Innstilling til konsensus") and no decision, which the paper, written
before the meeting, cannot give; every day it names is shown, no other as fact; and each case
officer has a page that names the case.
"""

import re

import pytest

from governance.models import Person
from tests.fidelity import seeds
from tests.fidelity.seeds import TestEverySeed  # noqa: F401 (run here, on this seed)

pytestmark = pytest.mark.django_db

NAME = "pm_sak_04-2022.txt"


seen = seeds.seen_fixture(NAME)


def test_every_line_of_the_paper_is_shown_as_it_writes_it(seen):
    seeds.check_every_line_shown(seen, {})


def test_the_header_as_the_source_writes_it(seen):
    case = seeds.paper_case(seen)
    seeds.check_paper_header(seen, case, seeds.source_text(NAME))


def test_case_number_and_title(seen):
    case = seeds.paper_case(seen)
    text = seeds.source_text(NAME)
    heading = re.search(r"^## (.+)$", text, re.M)[1]
    title = re.search(r"^### (.+)$", text, re.M)[1]
    number = re.search(r"sak (\d+-\d{4})", heading)[1]
    assert case.case_number == number
    for shown in (seen.pages[case.get_absolute_url()], seen.pdfs[seeds.case_pdf_url(case)]):
        assert re.search(rf"Sak {number}:? {re.escape(title)}", shown, re.IGNORECASE), number


def test_every_case_officer_has_a_page_that_names_the_case(seen):
    case = seeds.paper_case(seen)
    officers = re.search(r"Saksbehandler: (.+)", seeds.source_text(NAME))[1]
    for name in re.split(r", | og ", officers.strip()):
        person = Person.objects.get(name=name)
        assert f"Sak {case.case_number}" in seen.pages[f"/personer/{person.pk}/"], name


def test_the_proposal_and_no_decision(seen):
    case = seeds.paper_case(seen)
    text = seeds.source_text(NAME)
    proposal = seeds.flat(text.split("Innstilling til konsensus:", 1)[1].split("####", 1)[0])
    assert case.proposal.strip() == proposal and case.decision == "" and case.outcome == ""
    for url in (case.get_absolute_url(), seeds.case_pdf_url(case)):
        shown = seen.pages.get(url) or seen.pdfs[url]
        assert f"Innstilling til konsensus {proposal}" in shown
        seeds.check_no_decision_shown(shown)


test_no_status_the_source_does_not_give = seeds.no_held_status_test()
