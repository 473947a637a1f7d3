"""The programme of Dialogmøtet 2024 against the seed itself (#13).

Read from fixtures/sources/dialogmotet_2024.txt: every line of the slides (headings, lists, the
articles of the statutes, numbers such as "ca 11.mill.kr" and "sak 10 /2024", the programme with
its times, talks and speakers) is on the meeting's public page or in its notice PDF as the source
writes it; the days it names (11.9.2024, 2.10.2024) are shown, its own day, which it does not
give, is not; and every person it names has a page that names the meeting. The programme's
order and speakers are checked in test_case_papers.test_dialogmotet_programme_as_the_source.
"""

import re

import pytest

from governance.models import Person
from tests.fidelity import seeds
from tests.fidelity.seeds import TestEverySeed  # noqa: F401 (run here, on this seed)

pytestmark = pytest.mark.django_db

NAME = "dialogmotet_2024.txt"
EXCEPTIONS = {
    "Helsefelleskapets satsningsområder og prioriteringer – hvor gjør vi felles løft? (kl.11.05-13.55)": (
        "a programme block: its title, and its time as the portal writes times (test_programme_times)"
    ),
    "Avslutningsseanse (kl.13:55 – 15:00)": "a programme block (test_programme_times)",
    "Oppsummering og dialog om veien videre. Beate Sørslett, viseadm.direktør Nordlandssykehuset og Stein "
    "Ole Bauer-Rørvik, kommunedirektør Saltdal": "a talk and its speakers apart (test_case_papers)",
}
BLOCK = re.compile(r"^(.+?) \(kl\.\s*(\d\d)[.:](\d\d)\s*[-–]\s*(\d\d)[.:](\d\d)\)$", re.M)


seen = seeds.seen_fixture(NAME)


def meeting_page(seen) -> str:
    (url,) = [url for url in seen.pages if "/dialogmotet/moter/" in url]
    return seen.pages[url]


def test_every_line_of_the_programme_is_shown_as_it_writes_it(seen):
    seeds.check_every_line_shown(seen, EXCEPTIONS)


def test_programme_times(seen):
    blocks = BLOCK.findall(seeds.source_text(NAME))
    assert len(blocks) == 2
    page = meeting_page(seen)
    for title, *time in blocks:
        assert title in page and "{}.{}–{}.{}".format(*time) in page, title


def test_every_number_it_gives_is_shown(seen):
    """Sums, counts, case and article numbers: each token with a digit, as the source writes it
    (the programme's times are the portal's way of writing times: test_programme_times)."""
    text = seeds.flat(BLOCK.sub("", seeds.source_text(NAME)))
    shown = seen.everything
    numbers = set(re.findall(r"[^\s(]*\d[^\s);,]*", text))
    assert {"11.mill.kr)*.", "40", "90", "10", "/2024", "§", "4-1"} & numbers
    missing = sorted(n for n in numbers if n not in shown and n.rstrip(".*") not in shown)
    assert not missing, missing


def test_every_person_it_names_has_a_page_that_names_the_meeting(seen):
    text = seeds.flat(seeds.source_text(NAME))
    named = [person for person in Person.objects.all() if person.name in text]
    assert len(named) >= 8, named
    for person in named:
        url = f"/personer/{person.pk}/"
        assert url in seen.pages, person.name
        assert "Dialogmøtet" in seen.pages[url], person.name


def test_its_own_day_is_shown_as_not_stated(seen):
    """Its own day is not in the source: shown as not stated, with what the source says."""
    for text in seen.of_records.values():
        assert "Dato ikke oppgitt i kilden (2024, Helseinnovasjonsuka)".casefold() in text.casefold()
