"""The flags kept on the stored search documents agree with meetings.permissions, for every state.

A visitor's search reads only the rows flagged `public` and a member's adds their own bodies
(meetings/search.py), so the flags are the openness rules for search: for every persona ×
meeting state × exemption the words of each part of a case, of its attachments and of the
meeting's minutes are found exactly when meetings.permissions lets that persona read the part,
and the rows flagged `public` are exactly the visitor's level. Also when the meeting's status
changes, or a case becomes exempt, after the documents were drawn. Runs on both databases
(SQLite reads the text itself; the flag rows are asserted on PostgreSQL).
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from meetings import permissions as access
from meetings.models import CaseSearchDocument, Meeting, MinutesSearchDocument
from meetings.search import search, uses_postgres
from tests.conftest import PERSONAS
from tests.meetings import factories as mf

S = Meeting.Status
STATES = [S.PLANNED, S.NOTICE_ISSUED, S.HELD, S.MINUTES_APPROVED, S.MINUTES_PUBLISHED]
VISITOR = AnonymousUser()


def found(user, word, case, kind="case"):
    return case.get_absolute_url() in {hit.url for hit in search(user, word) if hit.kind == kind}


def minutes_found(user, word, meeting):
    return any(
        hit.kind == "minutes" and hit.url.startswith(meeting.get_absolute_url()) for hit in search(user, word)
    )


def public_levels(case):
    return set(CaseSearchDocument.objects.filter(case=case, public=True).values_list("level", flat=True))


def build(world, state, exempt):
    meeting = mf.meeting(world.body, status=state)
    case = mf.case(
        meeting,
        number=7,
        exempt=exempt,
        title="Papirord om saken",
        decision="Vedtaksord fattet",
        public_title="Offentligord tittel",
        public_decision="Allmennbeslutning fattet",
    )
    mf.minutes(
        meeting,
        approved=state in (S.MINUTES_APPROVED, S.MINUTES_PUBLISHED),
        published=state == S.MINUTES_PUBLISHED,
        text="Referatord fra møtet",
    )
    mf.attachment(case, title="Vedleggsord åpent")
    mf.attachment(case, title="Bilagsord lukket", exempt=True)
    return case


def visitor_level(case):
    """The level a visitor reads, from meetings.permissions (None: the case is not visible)."""
    if not access.can_view_case(VISITOR, case):
        return None
    if access.can_read_case(VISITOR, case):
        return "full" if access.can_view_decision(VISITOR, case) else "paper"
    return "public_decision" if access.can_view_minutes(VISITOR, case.meeting) else "public"


def assert_search_agrees(user, case):
    readable = access.can_read_case(user, case)
    assert found(user, "papirord", case) == readable
    assert found(user, "vedtaksord", case) == access.can_view_decision(user, case)
    public_decision = (
        case.exempt and not readable and access.can_view_case(user, case)
    ) and access.can_view_minutes(user, case.meeting)
    assert found(user, "allmennbeslutning", case) == public_decision
    assert minutes_found(user, "referatord", case.meeting) == access.can_view_minutes(user, case.meeting)
    open_attachment, exempt_attachment = case.attachments.order_by("exempt")
    assert found(user, "vedleggsord", case, "attachment") == access.can_read_attachment(user, open_attachment)
    assert found(user, "bilagsord", case, "attachment") == access.can_read_attachment(user, exempt_attachment)


@pytest.mark.django_db
@pytest.mark.parametrize("exempt", [False, True], ids=["open", "exempt"])
@pytest.mark.parametrize("state", STATES)
def test_flags_and_search_agree_with_permissions(world, state, exempt):
    case = build(world, state, exempt)
    if uses_postgres():
        expected = visitor_level(case)
        assert public_levels(case) == ({expected} if expected else set())
        minutes_public = MinutesSearchDocument.objects.get(minutes__meeting=case.meeting).public
        assert minutes_public == access.can_view_minutes(VISITOR, case.meeting)
    for persona in PERSONAS:
        assert_search_agrees(world.users[persona], case)


@pytest.mark.django_db
def test_a_status_change_of_the_meeting_changes_what_a_visitor_finds(world):
    case = build(world, S.PLANNED, exempt=False)
    assert not found(VISITOR, "papirord", case) and not minutes_found(VISITOR, "referatord", case.meeting)
    case.meeting.status = S.NOTICE_ISSUED
    case.meeting.save()
    assert found(VISITOR, "papirord", case) and not found(VISITOR, "vedtaksord", case)
    case.meeting.status = S.MINUTES_PUBLISHED
    case.meeting.save()
    assert found(VISITOR, "vedtaksord", case) and minutes_found(VISITOR, "referatord", case.meeting)
    if uses_postgres():
        assert public_levels(case) == {"full"}
    for persona in PERSONAS:
        assert_search_agrees(world.users[persona], case)


@pytest.mark.django_db
def test_an_exemption_set_after_indexing_hides_the_text_from_the_next_visitor(world):
    case = build(world, S.MINUTES_PUBLISHED, exempt=False)
    assert found(VISITOR, "papirord", case) and found(VISITOR, "vedtaksord", case)
    assert found(VISITOR, "vedleggsord", case, "attachment")
    case.exempt, case.exemption_basis = True, "Offl. § 13 jf. fvl. § 13"
    case.save()
    assert not found(VISITOR, "papirord", case) and not found(VISITOR, "vedtaksord", case)
    assert not found(VISITOR, "vedleggsord", case, "attachment")
    assert found(VISITOR, "allmennbeslutning", case)
    assert found(world.users["member"], "papirord", case)
    if uses_postgres():
        assert public_levels(case) == {"public_decision"}
    for persona in PERSONAS:
        assert_search_agrees(world.users[persona], case)


@pytest.mark.django_db
def test_a_new_start_moves_the_rows_date(world):
    case = build(world, S.NOTICE_ISSUED, exempt=False)
    meeting = case.meeting
    meeting.start = meeting.start.replace(year=meeting.start.year - 1)
    meeting.save()
    if uses_postgres():
        assert set(CaseSearchDocument.objects.filter(case=case).values_list("start", flat=True)) == {
            meeting.start
        }
