"""`load_demo`, Lofoten, Vesterålen, Salten: Samhandlingsarena Lofoten 14.6.2023, Partnerskapsmøtet's
cases 04-2022 and 07-2021, Dialogmøtet 2024 (seeds 000–003)."""

import datetime as dt

import pytest

from actionplans.models import ActionPlan, Measure
from meetings.models import Attachment, Attendance, Case, FollowUp, Meeting, Minutes
from tests.portal.demo.seeds import LVS, local, meeting_on

pytestmark = pytest.mark.django_db


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
    # The referat is public (it is the seed), but it does not say when it was approved or published.
    assert minutes.approved_at is None and minutes.published_at is None
    assert minutes.approval.date_unknown and minutes.publication.date_unknown


def test_samhandlingsarena_agenda_follow_ups_and_next_meeting(output):
    meeting = meeting_on("Samhandlingsarena Lofoten", LVS, dt.date(2023, 6, 14))
    minutes = Minutes.objects.get(meeting=meeting)
    sections = list(minutes.sections.order_by("order"))
    assert [(s.order, s.heading) for s in sections] == [
        (1, "Formål"),
        (2, "Utfordringer presentert i møtet"),
        (3, "Mulighetsrom for samhandling rundt følgende"),
    ]
    assert [s.before_cases for s in sections] == [True, False, False]  # Formål precedes the agenda
    assert sections[0].text.splitlines() == [
        "- Utvikle et nettverk for samhandling",
        "- Skape trygghet og gode relasjoner mellom ledere i begge tjenestelinjer i samhandlingsøyemed",
        "- Skape økt felles bevissthet rundt regelverk og prosedyrer i situasjoner hvor kapasitet er "
        "utfordret",
    ]
    assert sections[1].text.splitlines() == [
        "- Dialogen mellom sykehuset og kommunene kan noen gang være vanskelig – begge veier",
        "- Psykisk helse barn og unge + Barneschizofreni med behov for døgn plasser. Veldig "
        "ressurskrevende å få tilbudet på plass/kapasitet/kompetanse",
        "- Rekruttering",
        "- Medisinlister og IT systemer",
        "- Kommunestørrelse og kapasitet",
        "- Særlig ressurskrevende tjenester",
    ]
    assert sections[2].text.splitlines()[0] == (
        "1. **Harmonisering** både av diverse digitale systemer, kompetanse og arbeidsmåter"
    )
    assert sections[2].text.splitlines()[2].endswith("nettverk for tjenesteutøvere nærmere brukerne")
    assert meeting.purpose == ""  # the purpose is the minutes' section «Formål», not a copy of it
    assert (minutes.next_meeting, minutes.next_meeting_date, minutes.next_meeting_text) == (
        None,
        dt.date(2023, 9, 27),
        "Overordnet ramme for neste møte (27.9.2023); "
        "Definere formål og ta et overordnet strategisk blick sammen",
    )
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
    assert [(s.heading, s.text) for s in items[2].sections.order_by("order")] == [
        (
            "",
            "Hver av aktørene var på forhånd utfordret på å kort presentere seg og sin enhet, herunder "
            "rolle, ansvars – og rollefordeling.",
        )
    ]

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
    assert [(p.role, p.person.name, p.wording) for p in case.people.order_by("order")] == [
        ("case_officer", "Trude Kristin Kristensen", ""),
        ("case_officer", "Knut Erik Dahlmo", ""),
        ("case_officer", "Stian Molvik", ""),
    ]
    assert case.proposal_position == "before_text"  # «Innstilling til konsensus» comes first
    assert case.document_date == dt.date(2022, 10, 4)
    assert case.archive_reference == "2022/2936"
    assert case.proposal_kind == "consensus_recommendation"
    assert case.proposal.startswith("Partnerskapsmøtet ber strategisk samarbeidsutvalg (SSU)")
    assert case.decision == "" and case.outcome == ""
    assert local(case.meeting.start).date() == dt.date(2022, 10, 25)
    assert case.meeting.status == "notice_issued"  # the case paper does not say the meeting was held
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
    # The seed has only the recommendation (Anbefaling): no decision and no outcome are stored.
    assert case.outcome == "" and case.decision == ""
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
    # "til og med partnerskapsmøtet 2022": the end is that meeting's date, not a stored one.
    assert plan.period_end is None and plan.end_date == dt.date(2022, 10, 25)
    assert plan.attachments.get() == attachment
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
    # The seed gives no date, only the year and Helseinnovasjonsuka; no time or end is stored.
    assert meeting.date_known is False and meeting.date_precision == "unknown"
    assert meeting.date_text == "2024, Helseinnovasjonsuka"
    assert meeting.end is None and meeting.start_time_known is False
    items = list(meeting.cases.order_by("order"))
    assert [item.order for item in items] == [1, 2, 3, 4]
    assert all(item.kind == "programme_item" and item.number is None for item in items)
    opening = items[0].people.get()
    assert (opening.role, opening.person.name) == ("presenter", "Arne M. Myrland")
    assert opening.wording.startswith("Arne M. Myrland, leder SSU")
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
    assert not items[1].sections.exists()
    talks = list(items[1].programme_items.order_by("order"))
    assert [t.title for t in talks][:3] == [
        "Innledning",
        "Kommunenes strategiske tilnærming til samhandling på e-helseområdet",
        "Data- og dokumentdeling mellom primær- og spesialisthelsetjenesten",
    ]
    assert all(t.starts_at is None for t in talks)  # the source times the block, not the talks
    speakers = items[1].people.filter(programme_item=talks[0]).order_by("order")
    assert [s.person.name for s in speakers] == ["Ellen Rønning-Arnesen", "Monica Tangen"]
    assert speakers[0].wording == "statssekretær Ellen Rønning-Arnesen"
    assert items[2].title == "Stasjonsvandring"
    assert items[2].sections.get().text.count("\n- ") == 3
    assert items[3].title == "Avslutningsseanse"
    assert (items[3].starts_at, items[3].ends_at) == (dt.time(13, 55), dt.time(15, 0))
    assert items[3].people.filter(person__name="Stein Ole Bauer-Rørvik", programme_item__order=2).exists()
