"""`load_demo` loads the five seed documents faithfully, plus the marked demo extras."""

import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from actionplans.models import ActionPlan, FocusArea, Measure
from governance.models import Body, Membership, Organisation, Partnership, PatientGroup, Person
from meetings.models import Attachment, Attendance, Case, FollowUp, Meeting, Minutes
from portal import demo

pytestmark = pytest.mark.django_db

LVS = "lofoten-vesteralen-salten"
TO = "troms-ofoten"


@pytest.fixture
def output():
    """Load the demo data once for the test; the command's output."""
    stdout = io.StringIO()
    call_command("load_demo", stdout=stdout)
    return stdout.getvalue()


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, demo.OSLO)


def fsu_bu() -> Body:
    return Body.objects.get(partnership__slug=TO, short_name="FSU BU")


def meeting_on(body_short_name: str, partnership_slug: str, day: dt.date) -> Meeting:
    meetings = [
        meeting
        for meeting in Meeting.objects.filter(
            body__short_name=body_short_name, body__partnership__slug=partnership_slug
        )
        if local(meeting.start).date() == day
    ]
    assert len(meetings) == 1, meetings
    return meetings[0]


# --- Partnerships, bodies, people -------------------------------------------------------------


def test_partnerships(output):
    assert Partnership.objects.count() == 2
    lvs = Partnership.objects.get(slug=LVS)
    assert lvs.name == "Helsefellesskapet Lofoten, Vesterålen, Salten"
    assert lvs.short_name == "Lofoten, Vesterålen, Salten"
    assert lvs.case_number_style == "dash"
    to = Partnership.objects.get(slug=TO)
    assert to.name == "Helsefellesskapet Troms og Ofoten"
    assert to.short_name == "Troms og Ofoten"
    assert to.case_number_style == "slash"
    assert Organisation.objects.get(partnership=lvs, kind="health_trust").name == "Nordlandssykehuset HF"
    assert Organisation.objects.get(partnership=to, kind="health_trust").name == "UNN HF"


def test_bodies_per_partnership(output):
    lvs_bodies = {body.short_name: body for body in Body.objects.filter(partnership__slug=LVS)}
    assert set(lvs_bodies) == {
        "PM",
        "Dialogmøtet",
        "SSU",
        "FSU akuttmedisin",
        "Samhandlingsarena Lofoten",
        "SEKR",
    }
    assert (lvs_bodies["PM"].kind, lvs_bodies["PM"].level) == ("partnership_meeting", 1)
    assert lvs_bodies["PM"].mandate.startswith("§ 4-2 Partnerskapsmøtet")
    assert "øverste organ hvor administrativ toppledelse" in lvs_bodies["PM"].mandate
    assert lvs_bodies["Dialogmøtet"].kind == "dialogue_meeting"
    assert lvs_bodies["Dialogmøtet"].meetings_open is True
    assert "ikke-formalisert samhandlingsarena" in lvs_bodies["Dialogmøtet"].mandate
    assert (lvs_bodies["SSU"].kind, lvs_bodies["SSU"].level) == ("strategic_committee", 2)
    assert lvs_bodies["FSU akuttmedisin"].level == 3
    assert lvs_bodies["FSU akuttmedisin"].parent == lvs_bodies["SSU"]
    assert lvs_bodies["Samhandlingsarena Lofoten"].kind == "network"
    assert lvs_bodies["SEKR"].kind == "secretariat"
    assert lvs_bodies["SEKR"].name == "Samhandlingssekretariatet"

    to_bodies = {body.short_name: body for body in Body.objects.filter(partnership__slug=TO)}
    fsus = {"FSU FLR", "FSU BU", "FSU AKM", "FSU REST", "FSU PHR", "FSU AVVIK", "FSU DIG"}
    assert set(to_bodies) == {"PM", "SSU", "SEKR"} | fsus
    for short_name in fsus:
        body = to_bodies[short_name]
        assert (body.kind, body.level, body.parent) == ("professional_committee", 3, to_bodies["SSU"])
        assert body.slug == short_name.lower().replace(" ", "-")
    assert to_bodies["FSU BU"].name == "Faglig samarbeidsutvalg for barn og unge"
    assert to_bodies["PM"].level == 1 and to_bodies["SSU"].level == 2
    assert (to_bodies["SEKR"].kind, to_bodies["SEKR"].slug) == ("secretariat", "sekr")
    assert to_bodies["SEKR"].name == "Helsefellesskapets sekretariat"


def test_organisations_and_people(output):
    lofoten = set(
        Organisation.objects.filter(region="Lofoten", kind="municipality").values_list("name", flat=True)
    )
    assert lofoten == {
        "Vestvågøy kommune",
        "Vågan kommune",
        "Flakstad kommune",
        "Røst kommune",
        "Værøy kommune",
        "Moskenes kommune",
    }
    salten = set(
        Organisation.objects.filter(region="Salten", kind="municipality").values_list("name", flat=True)
    )
    assert salten == {"Bodø kommune", "Saltdal kommune"}
    assert Organisation.objects.get(name="Helse Nord").kind == "regional_health_authority"
    assert Organisation.objects.get(name="RKK Lofoten").kind == "competence_centre"
    assert Organisation.objects.get(name="USHT").kind == "competence_centre"
    palbu = Organisation.objects.get(short_name="PALBU")
    assert palbu.parent.short_name == "BUK"
    assert palbu.parent.parent.name == "UNN HF"
    assert (
        Organisation.objects.get(name="Lofoten og Vesterålen DPS").parent.name
        == "Psykisk helse- og rusklinikken"
    )

    # Only the published e-mail address.
    assert list(Person.objects.exclude(email="").values_list("email", flat=True)) == [
        "lene.kristiansen@unn.no"
    ]
    assert Person.objects.get(name="Knut Erik Dahlmo").title == "Lokal samhandlingsrådgiver, Lofoten"
    assert Person.objects.get(name="Andre Grundevig").organisation == palbu
    ssu = Body.objects.get(partnership__slug=LVS, short_name="SSU")
    assert Membership.objects.get(body=ssu, role="leader").person.name == "Arne M. Myrland"
    assert Membership.objects.get(body=ssu, person__name="Monica Tangen").title == "brukerrepresentant"


def test_patient_groups(output):
    assert list(PatientGroup.objects.values_list("name", "slug")) == [
        ("Barn og unge", "barn-og-unge"),
        (
            "Personer med alvorlige psykiske lidelser og rusproblemer",
            "personer-med-alvorlige-psykiske-lidelser-og-rusproblemer",
        ),
        ("Skrøpelige eldre", "skropelige-eldre"),
        ("Personer med flere kroniske lidelser", "personer-med-flere-kroniske-lidelser"),
    ]


# --- Samhandlingsarena Lofoten 14.6.2023 --------------------------------------------------------


def test_samhandlingsarena_attendance(output):
    meeting = meeting_on("Samhandlingsarena Lofoten", LVS, dt.date(2023, 6, 14))
    assert meeting.place == "Henningsvær"
    assert meeting.status == "minutes_published"
    rows = list(meeting.attendances.select_related("person", "on_behalf_of").order_by("order"))
    assert len(rows) == 14
    assert [row.person.name for row in rows] == [
        "Turid Amundsen",
        "Mette Nygård",
        "Merete Breivik",
        "Sissel Juliussen",
        "Tina E. Figenschau",
        "Knut Erik Dahlmo",
        "Stian Molvik",
        "Desiree Skjerpen Høgmo",
        "Lise Lyngmo",
        "Birgitte Aulie",
        "Rannfrid Myran",
        "Heidi Rønning",
        "Siw Skaar",
        "Tone Kruger",
    ]
    absent = {row.person.name for row in rows if row.status == Attendance.Status.ABSENT}
    assert absent == {"Desiree Skjerpen Høgmo", "Rannfrid Myran", "Heidi Rønning"}
    assert {row.status for row in rows} == {"present", "absent"}
    facilitators = {row.person.name: row for row in rows if row.role == Attendance.Role.FACILITATOR}
    assert set(facilitators) == {"Lise Lyngmo", "Birgitte Aulie"}
    assert all(
        row.on_behalf_of.name == "RKK Lofoten" and row.status == "present" for row in facilitators.values()
    )
    assert [row.person.name for row in rows if row.is_referent] == ["Birgitte Aulie"]

    by_name = {row.person.name: row for row in rows}
    assert by_name["Merete Breivik"].note.startswith("Konstituert avdelingsleder på medisinsk avdeling")
    assert by_name["Merete Breivik"].on_behalf_of.name == "Nordlandssykehuset HF"
    assert by_name["Tone Kruger"].title == ""
    assert by_name["Tone Kruger"].on_behalf_of.name == "USHT"
    assert by_name["Turid Amundsen"].title == "Kommunalsjef helse og mestring"
    assert by_name["Turid Amundsen"].on_behalf_of.name == "Vestvågøy kommune"
    assert by_name["Desiree Skjerpen Høgmo"].on_behalf_of.short_name == "DPS NLSH"

    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.approved_at is not None and minutes.published_at is not None


def test_samhandlingsarena_agenda_follow_ups_and_next_meeting(output):
    meeting = meeting_on("Samhandlingsarena Lofoten", LVS, dt.date(2023, 6, 14))
    assert meeting.purpose.splitlines() == [
        "- Utvikle et nettverk for samhandling",
        "- Skape trygghet og gode relasjoner mellom ledere i begge tjenestelinjer i samhandlingsøyemed",
        "- Skape økt felles bevissthet rundt regelverk og prosedyrer i situasjoner hvor kapasitet er "
        "utfordret",
    ]
    items = list(meeting.cases.order_by("order"))
    assert [(item.order, item.number, item.kind) for item in items] == [
        (1, None, "programme_item"),
        (2, None, "programme_item"),
        (3, None, "programme_item"),
    ]
    assert items[0].title == "Innledning v/RKK Lofoten."
    assert items[1].title.startswith("Bakgrunn og prosess v/samhandlingsrådgiver Stian Molvik")
    assert items[1].title.endswith("samhandlingsrådgiver Helsefellekkapet")
    assert items[2].title == "Presentasjonsrunde; ansvars, rolle og -funksjonsdeling v/deltagerne"
    headings = [section.heading for section in items[2].sections.order_by("order")]
    assert headings == ["", "Utfordringer presentert i møtet", "Mulighetsrom for samhandling rundt følgende"]

    follow_ups = list(FollowUp.objects.filter(meeting=meeting).order_by("order"))
    assert len(follow_ups) == 11
    assert (follow_ups[0].title, follow_ups[0].what) == (
        "FACT Ung",
        "Erfaringene fra FACT Lofoten kan danne grunnlag for å ta opp dette igjen",
    )
    assert follow_ups[7].what == "Kompetanseløftet. Hvilket kompetansebehov opplever helsetjenestene?"
    assert follow_ups[10].what == "Orientering fra SSU bør være fast post i møtene"
    assert "**" not in "".join(f.what for f in follow_ups) and "*" not in "".join(f.what for f in follow_ups)

    next_meeting = meeting_on("Samhandlingsarena Lofoten", LVS, dt.date(2023, 9, 27))
    assert next_meeting.status == "planned"
    assert next_meeting.purpose == "Definere formål og ta et overordnet strategisk blick sammen"


# --- Partnerskapsmøtet, Lofoten, Vesterålen, Salten ---------------------------------------------


def test_pm_case_04_2022(output):
    case = Case.objects.get(body__partnership__slug=LVS, number=4, year=2022)
    assert case.case_number == "04-2022"
    assert case.title == "Samhandlingsarenaer i Helsefelleskapet Lofoten, Vesterålen, Salten"
    assert case.case_officers == "Trude Kristin Kristensen, Knut Erik Dahlmo og Stian Molvik"
    assert case.document_date == dt.date(2022, 10, 4)
    assert case.archive_reference == "2022/2936"
    assert case.proposal_kind == "consensus_recommendation"
    assert case.proposal.startswith("Partnerskapsmøtet ber strategisk samarbeidsutvalg (SSU)")
    assert case.decision == "" and case.outcome == ""
    assert local(case.meeting.start).date() == dt.date(2022, 10, 25)
    assert case.meeting.status == "held"
    sections = list(case.sections.order_by("order"))
    assert [section.heading for section in sections] == [
        "Bakgrunn",
        "Kommunenes vurdering",
        "Nordlandssykehuset HFs vurdering",
        "Innledning",
    ]
    assert sections[1].text.startswith("Kommunene i helsefelleskapet har mange, godt etablerte")
    assert sections[2].text.startswith("Nordlandssykehuset er opptatt av å utvikle tiltak som virker.")
    # The paragraph broken by a page break in the seed is one paragraph again.
    assert "Det er derfor behov for å etablere fungerende samhandlingsarenaer" in sections[3].text


def test_pm_case_07_2021_adopts_the_action_plan(output):
    case = Case.objects.get(body__partnership__slug=LVS, number=7, year=2021)
    assert case.case_number == "07-2021"
    assert case.kind == "decision"
    assert case.title == "Handlingsplan for strategisk samarbeidsutvalg (SSU) for perioden 2021-2022"
    assert case.document_date == dt.date(2021, 8, 2)
    assert case.archive_reference == "2021/3288"
    assert case.proposal_kind == "recommendation"
    assert case.outcome == "consensus"
    assert case.decision == case.proposal
    assert [section.heading for section in case.sections.order_by("order")] == [
        "Bakgrunn",
        "Saksfremstilling",
    ]
    attachment = Attachment.objects.get(case=case)
    assert attachment.title == "Forslag til handlingsplan for strategisk samarbeidsutvalg (SSU)"
    assert not attachment.file
    assert local(case.meeting.start).date() == dt.date(2021, 9, 23)

    plan = ActionPlan.objects.get(adopted_by=case)
    assert plan.title == "Handlingsplan for Helsefelleskapet Lofoten, Vesterålen og Salten 2021-2022"
    assert plan.period_start == dt.date(2021, 9, 23)
    assert plan.period_text == "Gjeldene for perioden 23. september 2021 til og med partnerskapsmøtet 2022."
    assert plan.patient_groups.count() == 4
    areas = list(plan.focus_areas.order_by("order"))
    assert [area.title for area in areas] == [
        "Øke fokus på tjenesteavtalene hos den enkelte medarbeider",
        "Samhandling om helhetlige pasientforløp",
        "Samhandling om smittevern med opprettelse av samhandlingsarena når situasjoner krever dette",
        "Søke felles virkelighetsforståelse ved bruk av felles statistikk og virkelighetsforståelse.",
    ]
    assert [area.measures.count() for area in areas] == [2, 4, 0, 1]
    assert not Measure.objects.filter(focus_area__action_plan=plan).exclude(letter="").exists()
    assert not Measure.objects.filter(focus_area__action_plan=plan, goal__isnull=False).exists()


# --- Dialogmøtet 2024 --------------------------------------------------------------------------


def test_dialogmotet_programme(output):
    meeting = Meeting.objects.get(title="Dialogmøtet 2024")
    assert meeting.body.kind == "dialogue_meeting"
    assert meeting.theme == "Helsefellesskapet som ramme for samhandling – resultater ved felles innsats!"
    assert meeting.is_open is True
    assert meeting.status == "held"
    assert local(meeting.end) == dt.datetime(2024, 10, 16, 15, 0, tzinfo=demo.OSLO)
    items = list(meeting.cases.order_by("order"))
    assert [item.order for item in items] == [1, 2, 3, 4]
    assert all(item.kind == "programme_item" and item.number is None for item in items)
    assert items[0].presenters.startswith("Arne M. Myrland, leder SSU")
    assert [section.heading for section in items[0].sections.order_by("order")] == [
        "Velkommen!",
        "I innlegget vil jeg snakke om",
        "Hva er helsefellesskapet?",
        "Nivåene i Helsefellesskapet",
        "Hva er dialogmøtet?",
        "Hva er partnerskapsmøte?",
        "Hvorfor er dere her?",
        "Rekrutterings- og samhandlingstilskudd",
        "Hva får vi til sammen i helsefellesskapet?",
    ]
    assert (
        items[1].title == "Helsefelleskapets satsningsområder og prioriteringer – hvor gjør vi felles løft?"
    )
    assert (items[1].starts_at, items[1].ends_at) == (dt.time(11, 5), dt.time(13, 55))
    assert items[1].sections.count() == 4
    assert "Terje Jørgensen, leder for e-helse, Bodø kommune" in "".join(
        s.text for s in items[1].sections.all()
    )
    assert items[2].title == "Stasjonsvandring"
    assert items[2].sections.get().text.count("\n- ") == 3
    assert items[3].title == "Avslutningsseanse"
    assert (items[3].starts_at, items[3].ends_at) == (dt.time(13, 55), dt.time(15, 0))
    assert "Stein Ole Bauer-Rørvik" in items[3].presenters


# --- FSU barn og unge 12.5.2023 ----------------------------------------------------------------


def test_fsu_bu_cases_are_numbered_once_in_agenda_order(output):
    meeting = meeting_on("FSU BU", TO, dt.date(2023, 5, 12))
    assert (local(meeting.start).time(), local(meeting.end).time()) == (dt.time(12), dt.time(14))
    assert meeting.place == "Digitalt via Teams" and meeting.is_digital
    assert meeting.status == "held"
    cases = list(meeting.cases.order_by("order"))
    assert [(case.order, case.case_number, case.kind, case.title) for case in cases] == [
        (1, "06/23", "notice_approval", "Innkalling og dagsorden"),
        (
            2,
            "07/23",
            "discussion",
            "Palliativt team for barn og unge (PALBU, Troms og Finnmark) og ønske om samarbeid ihht. "
            "helsefellesskapets vedtekter.",
        ),
        (3, "08/23", "decision", "Samhandlingsavvik BUK/Kommunene"),
        (4, "09/23", "decision", "Partnerskapsmøtet 2023"),
        (5, "10/23", "any_other_business", "Eventuelt"),
        (6, "11/23", "next_meeting", "Neste møte og kommende saker"),
    ]
    # The agenda's own shorter titles are kept beside the papers' titles.
    assert [case.agenda_title for case in cases[1:3]] == [
        "Palliativt team for barn og unge, og samhandling med kommunene",
        "Samhandlingsavvik mellom BUK UNN og kommunene",
    ]
    assert meeting.start_time_known
    numbers = list(Case.objects.filter(body=fsu_bu(), year=2023).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))

    by_number = {case.number: case for case in cases}
    assert by_number[7].origin == "Andre Grundevig, leder av Palliativt team for barn og unge, UNN"
    assert (by_number[7].proposal_kind, by_number[7].proposal) == (
        "formed_in_meeting",
        "Vedtaket utformes i møtet.",
    )
    assert [section.heading for section in by_number[7].sections.order_by("order")] == [
        "Bakgrunn og hensikt",
        "Pasientgrupper",
        "Palliativt team for barn og unge, Troms og Finnmark",
        "Målsetting",
        "Organisering av PALBU",
        "Retningslinjer for PALBU sitt arbeid og oppgaver",
        "Samarbeidende avdelinger/miljøer",
        "Forslag til hva som skal til for å bedre samarbeidet med kommuner, og hva kan FSU bidra med?",
    ]
    pasientgrupper = by_number[7].sections.get(heading="Pasientgrupper").text
    assert pasientgrupper.rstrip().endswith("Basal-og-spesialiseret-indsats.aspx)")
    assert "\n¹ **Basal palliativ behandling** betegner" in pasientgrupper
    assert by_number[8].origin == "Utvalgsleder og nestleder."
    assert by_number[8].proposal.splitlines()[-1] == "4. FSU BU følger opp sak i møtet 09.11.23"
    assert by_number[11].decision == (
        "FSU BU tar informasjonen om neste møte og rutine for innmelding av saker til orientering."
    )
    assert by_number[11].outcome == "for_information"
    assert Attachment.objects.get(case=by_number[9]).title == "Handlingsplan HTO 2023"
    for number in (7, 8, 9):
        assert list(by_number[number].patient_groups.values_list("slug", flat=True)) == ["barn-og-unge"]


def test_fsu_bu_previous_and_next_meetings(output):
    case_08 = Case.objects.get(body=fsu_bu(), year=2023, number=8)
    previous = case_08.previous
    assert (previous.case_number, previous.title) == ("03/23", "FSUets videre arbeid")
    assert local(previous.meeting.start).date() == dt.date(2023, 2, 8)
    assert previous.meeting.status == "minutes_published"
    assert previous.meeting.minutes.approval_method == "email_round"
    assert previous.meeting.cases.count() == 1

    september = meeting_on("FSU BU", TO, dt.date(2023, 9, 6))
    assert september.status == "planned" and september.is_digital
    assert (local(september.start).time(), local(september.end).time()) == (dt.time(12), dt.time(15))


# --- Handlingsplan 2023, Troms og Ofoten -------------------------------------------------------

# (focus area, letter) → (responsible as written, linked bodies, linked organisations)
MEASURES_2023 = {
    ("2.1", "a"): ("FSU BU", {"FSU BU"}, set()),
    ("2.1", "b"): ("Samhandl.-sjefene", set(), set()),
    ("2.1", "c"): ("UNN og kommunene", set(), {"UNN"}),
    ("2.1", "d"): ("FSU og SSU", {"SSU"}, set()),
    ("2.1", "e"): ("Utvalgsrepresentanter", set(), set()),
    ("2.1", "f"): ("SEKR, UNN, kommunene", {"SEKR"}, {"UNN"}),
    ("2.1", "g"): ("SEKR", {"SEKR"}, set()),
    ("2.1", "h"): ("Samhandl.-sjefene", set(), set()),
    ("2.1", "i"): ("SSU, FSU DIG", {"SSU", "FSU DIG"}, set()),
    ("2.2", "a"): ("SEKR", {"SEKR"}, set()),
    ("2.2", "b"): ("SEKR", {"SEKR"}, set()),
    ("2.2", "c"): ("SEKR", {"SEKR"}, set()),
    ("2.2", "d"): ("SEKR", {"SEKR"}, set()),
    ("2.2", "e"): ("Felles", set(), set()),
    ("2.2", "f"): ("FSU, SSU", {"SSU"}, set()),
    ("2.2", "g"): ("UNN, kommunene", set(), {"UNN"}),
    ("2.3", "a"): ("UNN og kommunene", set(), {"UNN"}),
    ("2.3", "b"): ("UNN og kommunene", set(), {"UNN"}),
    ("2.3", "c"): ("UNN og kommunene", set(), {"UNN"}),
    ("2.3", "d"): ("FSU REST", {"FSU REST"}, set()),
    ("2.3", "e"): ("FSU REST", {"FSU REST"}, set()),
    ("2.3", "f"): ("FSU REST", {"FSU REST"}, set()),
    ("2.3", "g"): ("UNN og kommunene", set(), {"UNN"}),
    ("2.3", "h"): ("UNN og kommunene", set(), {"UNN"}),
    ("2.3", "i"): ("FSU REST, SSU", {"FSU REST", "SSU"}, set()),
}


def test_action_plan_2023(output):
    plan = ActionPlan.objects.get(partnership__slug=TO, slug="handlingsplan-2023")
    assert plan.title == "Handlingsplan 2023"
    assert "Innbyggerens helsetjeneste - en god og trygg helsetjeneste" in plan.subtitle
    assert (plan.period_start, plan.period_end) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert plan.adopted_by is None
    assert plan.patient_groups.count() == 4
    assert "- vi lærer av hverandre, med kompetansedeling på tvers." in plan.introduction
    assert "FSU DIG – faglig samarbeidsutvalg for digital samhandling" in plan.abbreviations
    assert plan.next_steps.startswith("Arbeidet med ny samarbeidsavtale pågår")

    areas = list(plan.focus_areas.order_by("order"))
    assert [(area.number, area.title) for area in areas] == [
        ("2.1", "Helsetjenester til personer med sammensatte behov"),
        ("2.2", "Forebygging og egenmestring"),
        ("2.3", "Personell og kompetanse"),
    ]
    assert [area.measures.count() for area in areas] == [9, 7, 9]
    assert [area.goals.count() for area in areas] == [3, 3, 3]
    assert areas[0].description.endswith("- helsefellesskapet er pådriver")

    measures = Measure.objects.filter(focus_area__action_plan=plan).select_related("focus_area")
    loaded = {
        (measure.focus_area.number, measure.letter): (
            measure.responsible_text,
            {body.short_name for body in measure.responsible_bodies.all()},
            {organisation.short_name for organisation in measure.responsible_organisations.all()},
        )
        for measure in measures
    }
    assert loaded == MEASURES_2023
    assert all(
        body.partnership.slug == TO for measure in measures for body in measure.responsible_bodies.all()
    )


def test_action_plan_2023_letters_and_links(output):
    area_23 = FocusArea.objects.get(action_plan__slug="handlingsplan-2023", number="2.3")
    technology = area_23.goals.get(text="Bruk av teknologi og digitale løsninger")
    # The seed restarts at a); the letters are unique per focus area.
    assert list(technology.measures.order_by("order").values_list("letter", flat=True)) == ["g", "h", "i"]
    first = Measure.objects.get(
        focus_area__number="2.1", focus_area__action_plan__slug="handlingsplan-2023", letter="a"
    )
    assert first.text == "Utarbeide plan for bedre overganger barn til voksen"
    assert [case.case_number for case in first.cases.all()] == ["09/23"]


# --- Demo extras -------------------------------------------------------------------------------


def test_demo_logins(output):
    User = get_user_model()
    assert set(demo.DEMO_USERS) == {"sekretariat", "leder", "medlem", "sekretariat-nord", "admin"}
    for username in demo.DEMO_USERS:
        assert authenticate(username=username, password=demo.DEMO_PASSWORD) is not None, username
        assert authenticate(username=username, password="feil-passord") is None

    current = Membership.objects.current()
    sekretariat = User.objects.get(username="sekretariat")
    assert sekretariat.is_staff and not sekretariat.is_superuser
    assert sekretariat.person.name == "Lene Kristiansen"
    assert current.filter(
        person__user=sekretariat, role="secretary", body__kind="secretariat", body__partnership__slug=TO
    ).exists()

    leder = User.objects.get(username="leder")
    assert not leder.is_staff
    assert leder.person.name == "Nina Engelsen"
    assert current.filter(person__user=leder, role="deputy_leader", body=fsu_bu()).exists()

    medlem = User.objects.get(username="medlem")
    assert not medlem.is_staff
    assert (medlem.person.name, medlem.person.title) == (
        "Demo Medlem",
        "Demobruker – medlem av FSU barn og unge",
    )
    assert current.filter(person__user=medlem, role="member", body=fsu_bu()).exists()

    nord = User.objects.get(username="sekretariat-nord")
    assert nord.is_staff
    assert (nord.person.name, nord.person.title) == (
        "Knut Erik Dahlmo",
        "Lokal samhandlingsrådgiver, Lofoten",
    )
    seat = current.get(person__user=nord)
    assert (seat.body.kind, seat.body.short_name, seat.body.name) == (
        "secretariat",
        "SEKR",
        "Samhandlingssekretariatet",
    )
    assert seat.body.partnership.slug == LVS

    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not Person.objects.filter(user=admin).exists()


def test_demo_meeting_with_notice_issued_and_exempt_case(output):
    today = timezone.localdate()
    meeting = Meeting.objects.get(body=fsu_bu(), status="notice_issued")
    assert local(meeting.start).date() in {today + dt.timedelta(days=14), today + dt.timedelta(days=13)}
    assert (local(meeting.start).time(), local(meeting.end).time()) == (dt.time(12), dt.time(14))
    assert meeting.notice_issued_at is not None
    assert meeting.online_link == "https://teams.example.invalid/demo"
    assert meeting.title.startswith("Demo:")
    year = local(meeting.start).year
    cases = list(meeting.cases.order_by("order"))
    assert [case.number for case in cases] == [12, 13, 14, 15]
    assert {case.year for case in cases} == {year}
    assert all("(demo)" in case.title for case in cases)

    exempt = Case.objects.get(exempt=True)
    assert exempt.meeting == meeting
    assert exempt.exemption_basis == "offl. § 13 jf. fvl. § 13"
    assert exempt.public_title == "Henvendelse om samhandling rundt enkeltpasient (demo)"
    assert exempt.shown_title == exempt.public_title
    assert "KONFIDENSIELT-DEMO" in exempt.title
    assert "KONFIDENSIELT-DEMO" in exempt.sections.get().text
    attachment = exempt.attachments.get()
    assert attachment.exempt and attachment.exemption_basis == "offl. § 13 jf. fvl. § 13"
    # The confidential marker appears nowhere else.
    assert Case.objects.filter(title__contains="KONFIDENSIELT-DEMO").count() == 1


def test_demo_draft_meeting(output):
    today = timezone.localdate()
    meeting = Meeting.objects.get(body=fsu_bu(), status="planned", title__startswith="Demo:")
    assert local(meeting.start).date() in {
        today + dt.timedelta(weeks=8),
        today + dt.timedelta(weeks=8, days=-1),
    }
    assert meeting.online_link == "https://teams.example.invalid/demo"
    cases = list(meeting.cases.order_by("order"))
    assert [case.order for case in cases] == [1, 2, 3, 4, 5]
    assert all(case.number is None and "(demo)" in case.title for case in cases)
    followed_up = {case.previous.case_number for case in cases if case.previous}
    assert followed_up == {"08/23", "09/23"}


# --- The command -------------------------------------------------------------------------------


def test_summary_is_printed(output):
    assert "Demodata lastet inn" in output
    assert "   2 helsefellesskap" in output
    for username in demo.DEMO_USERS:
        assert username in output


def test_refuses_to_load_twice(output):
    counts = demo.summary()
    with pytest.raises(CommandError, match="--flush"):
        call_command("load_demo", stdout=io.StringIO())
    assert demo.summary() == counts


def test_if_empty_leaves_existing_data_alone(output):
    counts = demo.summary()
    Partnership.objects.filter(slug=TO).update(name="Endret navn")
    stdout = io.StringIO()
    call_command("load_demo", if_empty=True, stdout=stdout)
    assert "lastes ikke inn på nytt" in stdout.getvalue()
    assert demo.summary() == counts
    assert Partnership.objects.get(slug=TO).name == "Endret navn"


def test_dates_without_a_time_are_marked(output):
    pm = meeting_on("PM", LVS, dt.date(2022, 10, 25))
    assert pm.start_time_known is False


def test_refuses_when_domain_data_exists():
    Partnership.objects.create(name="Et annet helsefellesskap", slug="annet")
    with pytest.raises(CommandError, match="ikke tom"):
        call_command("load_demo", stdout=io.StringIO())
    assert Partnership.objects.count() == 1


def test_flush_replaces_existing_data(output):
    counts = demo.summary()
    Partnership.objects.filter(slug=TO).update(name="Endret navn")
    call_command("load_demo", flush=True, stdout=io.StringIO())
    assert demo.summary() == counts
    assert Partnership.objects.get(slug=TO).name == "Helsefellesskapet Troms og Ofoten"
    assert authenticate(username="leder", password=demo.DEMO_PASSWORD) is not None


def test_every_object_has_a_history_row_with_the_reason(output):
    for model, _label in demo.DOMAIN_MODELS:
        pks = set(model.objects.values_list("pk", flat=True))
        created = set(
            model.history.filter(history_type="+", history_change_reason=demo.CHANGE_REASON).values_list(
                "id", flat=True
            )
        )
        assert pks == created, model.__name__
        assert not model.history.exclude(history_change_reason=demo.CHANGE_REASON).exists(), model.__name__
