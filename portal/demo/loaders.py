"""The loaders: one function per kind of record in the fixture files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from actionplans.models import Abbreviation, ActionPlan, FocusArea, Goal, Measure, ProgressReport
from actionplans.services import ResponsibleNames
from governance.models import Body, Membership, Organisation, Partnership, PatientGroup, Person
from meetings.models import (
    Attachment,
    Attendance,
    Case,
    CasePerson,
    CaseSection,
    FollowUp,
    Meeting,
    Minutes,
    MinutesSection,
    ProgrammeItem,
    Recusal,
    Reservation,
)

from .base import DEMO_PASSWORD, DEMO_USERS, OSLO, Registry, _aware, _check_fields, _fields, _save, _text

# --- Loaders -------------------------------------------------------------------------------


def load_patient_groups(rows: list[dict[str, Any]], registry: Registry) -> None:
    for order, row in enumerate(rows, start=len(registry.patient_groups) + 1):
        _check_fields(row, {"name", "slug"}, "pasientgruppe")
        group = _save(PatientGroup(name=row["name"], slug=row["slug"], order=order))
        registry.add("patient_groups", row["slug"], group)


PARTNERSHIP_FIELDS = {"name", "short_name", "slug", "description", "website", "case_number_style"}


def load_partnerships(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, PARTNERSHIP_FIELDS | {"key"}, "helsefellesskap")
        partnership = _save(Partnership(**_fields(row, PARTNERSHIP_FIELDS)))
        registry.add("partnerships", row["key"], partnership)


ORGANISATION_FIELDS = {"name", "short_name", "kind", "region"}


def load_organisations(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, ORGANISATION_FIELDS | {"key", "partnership", "parent"}, "organisasjon")
        organisation = Organisation(**_fields(row, ORGANISATION_FIELDS))
        if "partnership" in row:
            organisation.partnership = registry.get("partnerships", row["partnership"])
        if "parent" in row:
            organisation.parent = registry.get("organisations", row["parent"])
        registry.add("organisations", row["key"], _save(organisation))


BODY_FIELDS = {
    "name",
    "short_name",
    "slug",
    "kind",
    "level",
    "mandate",
    "description",
    "meetings_open",
    "order",
}


def load_bodies(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, BODY_FIELDS | {"partnership", "parent"}, "organ")
        body = Body(**_fields(row, BODY_FIELDS), partnership=registry.get("partnerships", row["partnership"]))
        if "parent" in row:
            body.parent = registry.get("bodies", row["parent"])
        registry.add("bodies", f"{row['partnership']}-{row['slug']}", _save(body))


PERSON_FIELDS = {"name", "title", "email", "phone"}


def load_people(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        _check_fields(row, PERSON_FIELDS | {"key", "organisation"}, "person")
        person = Person(**_fields(row, PERSON_FIELDS))
        if "organisation" in row:
            person.organisation = registry.get("organisations", row["organisation"])
        registry.add("people", row["key"], _save(person))


MEMBERSHIP_FIELDS = {"role", "title", "start_date", "end_date"}


def load_memberships(rows: list[dict[str, Any]], registry: Registry) -> None:
    """Memberships; `start_days_from_today` starts a demo persona's seat relative to today, so
    that it covers the demo meetings but none of the meetings loaded from the sources."""
    for row in rows:
        _check_fields(
            row, MEMBERSHIP_FIELDS | {"person", "body", "on_behalf_of", "start_days_from_today"}, "medlemskap"
        )
        membership = Membership(
            **_fields(row, MEMBERSHIP_FIELDS),
            person=registry.get("people", row["person"]),
            body=registry.get("bodies", row["body"]),
        )
        if "start_days_from_today" in row:
            membership.start_date = registry.today + dt.timedelta(days=row["start_days_from_today"])
        if "on_behalf_of" in row:
            membership.on_behalf_of = registry.get("organisations", row["on_behalf_of"])
        _save(membership)


MEETING_FIELDS = {
    "title",
    "theme",
    "place",
    "is_digital",
    "online_link",
    "is_open",
    "status",
    "purpose",
    "start_time_known",
    "date_known",
    "date_text",
}
MEETING_SPECIAL = {
    "key",
    "body",
    "start",
    "end",
    "days_from_today",
    "start_time",
    "end_time",
    "notice_issued_at",
    "notice_issued_now",
    "number_cases_from",
    "minutes",
    "attendances",
    "cases",
    "follow_ups",
}


def load_meetings(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        load_meeting(row, registry)


def load_meeting(row: dict[str, Any], registry: Registry) -> Meeting:
    """A meeting with its cases, attendance, follow-ups and minutes.

    The time is either `start`/`end` (local date-times) or `days_from_today` with
    `start_time`/`end_time`, for demo meetings that must lie in the future.
    """
    _check_fields(row, MEETING_FIELDS | MEETING_SPECIAL, "møte")
    if "days_from_today" in row:
        day = registry.today + dt.timedelta(days=row["days_from_today"])
        start = dt.datetime.combine(day, row["start_time"])
        end = dt.datetime.combine(day, row["end_time"]) if "end_time" in row else None
    else:
        start, end = row["start"], row.get("end")
    meeting = Meeting(
        **_fields(row, MEETING_FIELDS),
        body=registry.get("bodies", row["body"]),
        start=_aware(start),
        end=_aware(end) if end else None,
        source=registry.source,
    )
    if "notice_issued_at" in row:
        meeting.notice_issued_at = _aware(row["notice_issued_at"])
    if row.get("notice_issued_now"):
        meeting.notice_issued_at = registry.now
    registry.add("meetings", row.get("key"), _save(meeting))

    next_number = None
    if "number_cases_from" in row:
        used = Case.objects.filter(body=meeting.body, year=meeting_year(meeting)).aggregate(Max("number"))
        next_number = max(row["number_cases_from"], (used["number__max"] or 0) + 1)
    for case_row in row.get("cases", []):
        if next_number is not None and "number" not in case_row:
            case_row = {**case_row, "number": next_number}
            next_number += 1
        load_case(case_row, meeting, registry)
    load_attendances(row.get("attendances", []), meeting, registry)
    load_follow_ups(row.get("follow_ups", []), meeting, registry)
    if "minutes" in row:
        load_minutes(row["minutes"], meeting, registry)
    return meeting


def meeting_year(meeting: Meeting) -> int:
    return timezone.localtime(meeting.start, OSLO).year


CASE_FIELDS = {
    "agenda_title",
    "number",
    "year",
    "order",
    "kind",
    "title",
    "public_title",
    "starts_at",
    "ends_at",
    "document_date",
    "archive_reference",
    "proposal",
    "proposal_kind",
    "proposal_position",
    "discussion",
    "decision",
    "public_decision",
    "outcome",
    "exempt",
    "exemption_basis",
}


def load_case(row: dict[str, Any], meeting: Meeting, registry: Registry) -> Case:
    """A case (or programme item) on a meeting's agenda, with its sections and attachments."""
    _check_fields(
        row,
        CASE_FIELDS
        | {"key", "previous", "next_meeting", "patient_groups", "sections", "attachments"}
        | {"reservations", "recusals"}
        | set(CASE_PEOPLE)
        | {"programme"},
        "sak",
    )
    case = Case(body=meeting.body, meeting=meeting, source=registry.source, **_fields(row, CASE_FIELDS))
    if case.year is None:
        case.year = meeting_year(meeting)
    if "previous" in row:
        case.previous = registry.get("cases", row["previous"])
    if "next_meeting" in row:  # a meeting of the file loaded before this one
        case.next_meeting = registry.get("meetings", row["next_meeting"])
    _save(case)
    registry.add("cases", row.get("key"), case)
    if "patient_groups" in row:
        case.patient_groups.set(registry.get_many("patient_groups", row["patient_groups"]))
    for order, section in enumerate(row.get("sections", []), start=1):
        names = {"heading", "text", "tells_of_decision"}
        _check_fields(section, names, "saksavsnitt")
        _save(CaseSection(case=case, order=order, **_fields(section, names)))
    for order, attachment in enumerate(row.get("attachments", []), start=1):
        names = {"title", "exempt", "exemption_basis"}
        _check_fields(attachment, names, "vedlegg")
        _save(Attachment(case=case, order=order, **_fields(attachment, names)))
    load_case_people(row, case, registry)
    load_reservations_and_recusals(row, case, registry)
    return case


# The fixture's lists of named people, by the role they name. Each entry is either the source's
# words alone (a string: a name that matches no Person, "Sekretariatet") or a table with the
# Person's key and, where the source words it differently, `as` ("Kommuneoverlege X").
CASE_PEOPLE = {
    "origin": CasePerson.Role.ORIGIN,
    "case_officers": CasePerson.Role.CASE_OFFICER,
    "presenters": CasePerson.Role.PRESENTER,
}


def load_case_people(row: dict[str, Any], case: Case, registry: Registry) -> None:
    """The case's named people (in the fixture's order: origin, case officers, presenters), then
    its programme items, each with its speakers."""
    order = 0

    def named(entry, role, item=None):
        nonlocal order
        order += 1
        person = None
        if isinstance(entry, str):
            wording = entry
        else:
            _check_fields(entry, {"person", "as"}, "person i sak")
            person, wording = registry.get("people", entry["person"]), entry.get("as", "")
        _save(
            CasePerson(case=case, role=role, order=order, person=person, wording=wording, programme_item=item)
        )

    for key, role in CASE_PEOPLE.items():
        for entry in row.get(key, []):
            named(entry, role)
    for item_order, item_row in enumerate(row.get("programme", []), start=1):
        names = {"title", "starts_at", "ends_at"}
        _check_fields(item_row, names | {"speakers"}, "programpost")
        item = _save(ProgrammeItem(case=case, order=item_order, **_fields(item_row, names)))
        for entry in item_row.get("speakers", []):
            named(entry, CasePerson.Role.PRESENTER, item)


def load_reservations_and_recusals(row: dict[str, Any], case: Case, registry: Registry) -> None:
    """Protokolltilførsler (by a party, optionally a person) and inhabilitet (a person, why)."""
    for reservation in row.get("reservations", []):
        _check_fields(reservation, {"party", "person", "text"}, "protokolltilførsel")
        _save(
            Reservation(
                case=case,
                text=reservation["text"],
                party=registry.get("organisations", reservation["party"]) if "party" in reservation else None,
                person=registry.get("people", reservation["person"]) if "person" in reservation else None,
            )
        )
    for recusal in row.get("recusals", []):
        _check_fields(recusal, {"person", "reason"}, "inhabilitet")
        _save(
            Recusal(
                case=case, person=registry.get("people", recusal["person"]), reason=recusal.get("reason", "")
            )
        )


ATTENDANCE_FIELDS = {"title", "status", "role", "is_referent", "note"}


def load_attendances(rows: list[dict[str, Any]], meeting: Meeting, registry: Registry) -> None:
    for order, row in enumerate(rows, start=1):
        _check_fields(row, ATTENDANCE_FIELDS | {"person", "on_behalf_of", "substitute_for"}, "oppmøte")
        attendance = Attendance(
            meeting=meeting,
            order=order,
            person=registry.get("people", row["person"]),
            **_fields(row, ATTENDANCE_FIELDS),
        )
        if "on_behalf_of" in row:
            attendance.on_behalf_of = registry.get("organisations", row["on_behalf_of"])
        if "substitute_for" in row:
            attendance.substitute_for = registry.get("people", row["substitute_for"])
        _save(attendance)


FOLLOW_UP_FIELDS = {"title", "what", "responsible", "due", "status"}


def load_follow_ups(rows: list[dict[str, Any]], meeting: Meeting, registry: Registry) -> None:
    for order, row in enumerate(rows, start=1):
        _check_fields(row, FOLLOW_UP_FIELDS | {"case", "responsible_person"}, "oppfølgingspunkt")
        follow_up = FollowUp(meeting=meeting, order=order, **_fields(row, FOLLOW_UP_FIELDS))
        if "case" in row:
            follow_up.case = registry.get("cases", row["case"])
        if "responsible_person" in row:
            follow_up.responsible_person = registry.get("people", row["responsible_person"])
        _save(follow_up)


def load_minutes(row: dict[str, Any], meeting: Meeting, registry: Registry) -> Minutes:
    """The minutes' own parts: approval, free sections in order, and the next meeting."""
    names = {
        "approval_method",
        "next_meeting_date",
        "next_meeting_text",
        "approval_date_known",
        "publication_date_known",
    }
    _check_fields(
        row,
        names
        | {"approved_at", "approved_in_case", "published_at", "sections", "next_meeting", "approved_now"},
        "referat",
    )
    minutes = Minutes(meeting=meeting, source=registry.source, **_fields(row, names))
    for name in ("approved_at", "published_at"):
        if name in row:
            setattr(minutes, name, _aware(row[name]))
    if row.get("approved_now"):  # a demo meeting relative to today: approved and published now
        minutes.approved_at = minutes.published_at = registry.now
    if "approved_in_case" in row:
        minutes.approved_in_case = registry.get("cases", row["approved_in_case"])
    if "next_meeting" in row:
        minutes.next_meeting = registry.get("meetings", row["next_meeting"])
    _save(minutes)
    for order, section in enumerate(row.get("sections", []), start=1):
        _check_fields(section, {"heading", "text", "before_cases"}, "referatavsnitt")
        fields = _fields(section, {"heading", "text", "before_cases"})
        _save(MinutesSection(minutes=minutes, order=order, **fields))
    return minutes


ACTION_PLAN_FIELDS = {
    "title",
    "subtitle",
    "slug",
    "period_start",
    "period_end",
    "period_open_ended",
    "period_dates_inferred",
    "period_text",
    "purpose",
    "introduction",
    "focus_areas_introduction",
    "next_steps",
    "chapters_numbered",
}


def load_action_plans(rows: list[dict[str, Any]], registry: Registry) -> None:
    for row in rows:
        load_action_plan(row, registry)


def load_action_plan(row: dict[str, Any], registry: Registry) -> ActionPlan:
    """A plan with its focus areas; measures sit under a goal, or directly under the area."""
    _check_fields(
        row,
        ACTION_PLAN_FIELDS
        | {
            "key",
            "partnership",
            "adopted_by",
            "period_end_meeting",
            "patient_groups",
            "abbreviations",
            "attachments",
            "focus_areas",
        },
        "handlingsplan",
    )
    plan = ActionPlan(
        **_fields(row, ACTION_PLAN_FIELDS),
        partnership=registry.get("partnerships", row["partnership"]),
        source=registry.source,
    )
    if "adopted_by" in row:
        plan.adopted_by = registry.get("cases", row["adopted_by"])
    if "period_end_meeting" in row:
        plan.period_end_meeting = registry.get("meetings", row["period_end_meeting"])
    _save(plan)
    registry.add("action_plans", row.get("key"), plan)
    if "patient_groups" in row:
        plan.patient_groups.set(registry.get_many("patient_groups", row["patient_groups"]))
    load_abbreviations(row.get("abbreviations", []), plan, registry)
    for attachment in row.get("attachments", []):
        # The case attachment that is this plan: its case and its place in the list ("Vedlegg 1").
        _check_fields(attachment, {"case", "order"}, "vedlegg")
        plan.attachments.add(
            registry.get("cases", attachment["case"]).attachments.get(order=attachment["order"])
        )
    names = ResponsibleNames(plan.partnership)
    for order, area_row in enumerate(row.get("focus_areas", []), start=1):
        _check_fields(area_row, {"number", "title", "description", "goals", "measures"}, "innsatsområde")
        area = _save(
            FocusArea(action_plan=plan, order=order, **_fields(area_row, {"number", "title", "description"}))
        )
        measure_order = 0
        for measure_row in area_row.get("measures", []):
            measure_order += 1
            load_measure(measure_row, area, None, measure_order, registry, names)
        for goal_order, goal_row in enumerate(area_row.get("goals", []), start=1):
            _check_fields(goal_row, {"text", "measures"}, "mål")
            goal = _save(Goal(focus_area=area, order=goal_order, text=_text(goal_row["text"])))
            for measure_row in goal_row.get("measures", []):
                measure_order += 1
                load_measure(measure_row, area, goal, measure_order, registry, names)
    return plan


def load_abbreviations(rows: list[dict[str, Any]], plan: ActionPlan, registry: Registry) -> None:
    """The plan's own list of abbreviations: each line a body or organisation, or free text."""
    for order, row in enumerate(rows, start=1):
        _check_fields(row, {"body", "organisation", "abbreviation", "explanation"}, "forkortelse")
        entry = Abbreviation(
            action_plan=plan,
            order=order,
            abbreviation=row.get("abbreviation", ""),
            explanation=row.get("explanation", ""),
        )
        if "body" in row:
            entry.body = registry.get("bodies", row["body"])
        if "organisation" in row:
            entry.organisation = registry.get("organisations", row["organisation"])
        _save(entry)


MEASURE_FIELDS = {"letter", "text", "responsible_text", "due"}


def load_measure(
    row: dict[str, Any],
    area: FocusArea,
    goal: Goal | None,
    order: int,
    registry: Registry,
    names: ResponsibleNames,
) -> Measure:
    """A measure; who is responsible is linked from its wording by the rule of the workspace's
    import (actionplans.services.ResponsibleNames), and its status comes from its reports."""
    _check_fields(row, MEASURE_FIELDS | {"cases", "patient_groups", "progress_reports"}, "tiltak")
    measure = _save(Measure(focus_area=area, goal=goal, order=order, **_fields(row, MEASURE_FIELDS)))
    bodies, organisations = names.links(measure.responsible_text)
    measure.responsible_bodies.set(bodies)
    measure.responsible_organisations.set(organisations)
    for report in row.get("progress_reports", []):
        _check_fields(report, {"date", "status", "case", "text"}, "statusrapport")
        case = registry.get("cases", report["case"]) if "case" in report else None
        _save(
            ProgressReport(
                measure=measure,
                date=report["date"],
                status=report["status"],
                text=_text(report.get("text", "")),
                case=case,
                reported_by=case.body if case is not None else None,
            )
        )
    if "cases" in row:
        measure.cases.set(registry.get_many("cases", row["cases"]))
    if "patient_groups" in row:
        measure.patient_groups.set(registry.get_many("patient_groups", row["patient_groups"]))
    return measure


def create_demo_users(registry: Registry) -> None:
    """The DEMO_USERS logins, each linked to its Person, all with DEMO_PASSWORD."""
    User = get_user_model()
    for demo_user in DEMO_USERS.values():
        person = registry.get("people", demo_user.person) if demo_user.person else None
        first_name, _, last_name = person.name.rpartition(" ") if person else ("", "", "")
        user = User(
            username=demo_user.username,
            first_name=first_name,
            last_name=last_name,
            email=person.email if person else "",
            is_staff=demo_user.is_staff,
            is_superuser=demo_user.is_superuser,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        if person is not None:
            person.user = user
            _save(person)
