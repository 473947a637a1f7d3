"""People named in a case paper, programme items, and the proposal's place: model, service,
page and PDF (issue #13)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.models import Person
from meetings import pdf, services
from meetings.models import Case, CasePerson, CaseSection, Meeting, ProgrammeItem
from tests import pdftools
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def paper(world):
    meeting = mf.meeting(world.body, status=Meeting.Status.NOTICE_ISSUED)
    case = mf.case(meeting, number=4, title="Samhandlingsarenaer", proposal="Ber SSU legge til rette.")
    case.proposal_kind = Case.ProposalKind.CONSENSUS_RECOMMENDATION
    case.save()
    CaseSection.objects.create(case=case, order=1, heading="Bakgrunn", text="Før etablering.")
    return case


def test_a_named_row_needs_a_person_or_words(paper):
    with pytest.raises(ValidationError):
        CasePerson(case=paper, role=CasePerson.Role.ORIGIN, order=1).full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        CasePerson.objects.create(case=paper, role=CasePerson.Role.ORIGIN, order=1)


def test_a_programme_item_cannot_end_before_it_starts(paper):
    item = ProgrammeItem(case=paper, order=1, title="Innlegg", starts_at=dt.time(14), ends_at=dt.time(13))
    with pytest.raises(ValidationError):
        item.full_clean()


def test_shown_name_is_the_wording_else_the_name(paper, world):
    person = world.people["member"]
    linked = CasePerson(case=paper, role=CasePerson.Role.ORIGIN, person=person)
    worded = CasePerson(case=paper, role=CasePerson.Role.ORIGIN, person=person, wording="Kommuneoverlege X")
    assert linked.shown_name == person.name
    assert worded.shown_name == "Kommuneoverlege X"


def update(case, by, **changes):
    case.refresh_from_db()
    return services.case_update(case=case, by=by, expected_version=case.version, **changes)


def test_case_update_keeps_people_and_programme_in_order(paper, world):
    by = world.users["secretariat"]
    officer, speaker = world.people["member"], world.people["leader"]
    update(
        paper,
        by,
        programme=[{"title": "Innledning", "starts_at": dt.time(11, 5), "ends_at": dt.time(11, 30)}],
        people=[
            {"role": "origin", "person": None, "wording": "Sekretariatet", "programme_item": None},
            {"role": "case_officer", "person": officer, "wording": "", "programme_item": None},
            {"role": "presenter", "person": speaker, "wording": "statssekretær X", "programme_item": 0},
        ],
    )
    rows = list(paper.people.order_by("order"))
    assert [(r.role, r.shown_name) for r in rows] == [
        ("origin", "Sekretariatet"),
        ("case_officer", officer.name),
        ("presenter", "statssekretær X"),
    ]
    assert rows[2].programme_item.title == "Innledning"
    # Removing the programme item takes its speaker with it; the others stay.
    update(paper, by, programme=[], people=[{"role": "origin", "wording": "Sekretariatet"}])
    assert list(paper.people.values_list("wording", flat=True)) == ["Sekretariatet"]
    assert not paper.programme_items.exists()


def test_case_update_refuses_a_speaker_of_a_missing_programme_item(paper, world):
    with pytest.raises(ValidationError):
        update(
            paper,
            world.users["secretariat"],
            people=[{"role": "presenter", "wording": "X", "programme_item": 3}],
        )
    assert not paper.people.exists()


def test_page_and_pdf_show_the_people_linked_and_the_proposal_first(paper, world, anon_client):
    person = world.people["member"]
    CasePerson.objects.create(case=paper, role="case_officer", order=1, person=person)
    CasePerson.objects.create(case=paper, role="case_officer", order=2, wording="Stian Uten Person")
    html = anon_client.get(paper.get_absolute_url()).content.decode()
    assert f'<a href="/personer/{person.pk}/" class="person-link">{person.name}</a> og ' in html
    assert "Stian Uten Person" in html
    assert html.index("Bakgrunn") < html.index("Innstilling til konsensus")  # after the text by default

    paper.proposal_position = Case.ProposalPosition.BEFORE_TEXT
    paper.save()
    html = anon_client.get(paper.get_absolute_url()).content.decode()
    assert html.index("Innstilling til konsensus") < html.index("Bakgrunn")
    text = pdftools.text(pdf.render_case_pdf(paper))
    assert f"{person.name} og stian uten person".casefold() in " ".join(text.split())
    assert text.index("innstilling til konsensus") < text.index("bakgrunn")


def test_formed_in_meeting_is_said_once_under_proposed_decision(paper, anon_client):
    paper.proposal_kind = Case.ProposalKind.FORMED_IN_MEETING
    paper.proposal = "Vedtaket utformes i møtet."
    paper.save()
    html = anon_client.get(paper.get_absolute_url()).content.decode()
    assert "<h3>Forslag til vedtak</h3>" in html
    assert html.count("Vedtaket utformes i møtet") == 1
    text = " ".join(pdftools.text(pdf.render_case_pdf(paper)).split())
    assert text.count("vedtaket utformes i møtet") == 1 and "forslag til vedtak" in text


def test_programme_items_on_the_meeting_page_and_in_the_notice(world, anon_client):
    meeting = mf.meeting(world.body, status=Meeting.Status.NOTICE_ISSUED, title="Dialogmøtet")
    block = mf.case(
        meeting, title="Satsningsområder", kind=Case.Kind.PROGRAMME_ITEM, starts_at=dt.time(11, 5)
    )
    block.ends_at = dt.time(13, 55)
    block.save()
    talk = ProgrammeItem.objects.create(case=block, order=1, title="Data- og dokumentdeling")
    speaker = Person.objects.create(name="Lars Eirik Hansen")
    CasePerson.objects.create(
        case=block,
        role="presenter",
        order=1,
        person=speaker,
        wording="Lars Eirik Hansen, senterleder",
        programme_item=talk,
    )
    html = anon_client.get(meeting.get_absolute_url()).content.decode()
    assert "kl. 11.05–13.55" in html
    assert "Data- og dokumentdeling" in html
    assert f'href="/personer/{speaker.pk}/"' in html and "ved <a" in html
    text = " ".join(pdftools.text(pdf.render_notice_pdf(meeting)).split())
    assert "kl. 11.05–13.55" in text
    assert "data- og dokumentdeling ved lars eirik hansen, senterleder" in text


def test_person_page_lists_only_what_the_reader_may_read(world, anon_client, member_client):
    person = world.people["leader"]
    public = mf.case(mf.meeting(world.body), number=1, title="Offentlig sak")
    exempt = mf.case(
        mf.meeting(world.body),
        number=2,
        title="Hemmelig sak",
        exempt=True,
        exemption_basis="offl. § 13",
        public_title="Unntatt",
    )
    draft = mf.case(mf.meeting(world.body, status=Meeting.Status.PLANNED), title="Utkastsak")
    for order, case in enumerate((public, exempt, draft), start=1):
        CasePerson.objects.create(case=case, role="case_officer", order=order, person=person)
    url = f"/personer/{person.pk}/"
    html = anon_client.get(url).content.decode()
    assert "Offentlig sak" in html
    assert "Hemmelig sak" not in html and "Unntatt" not in html and "Utkastsak" not in html
    assert "Hemmelig sak" in member_client.get(url).content.decode()  # a member of the body reads it
    assert anon_client.get("/personer/999999/").status_code == 404
