"""The openness table of DOMAIN.md, for every persona × meeting state × exemption.

Each expectation is written out here by hand from the table, not derived from
the code under test. Both the object checks in meetings.permissions and the
querysets (`visible_to`, `readable_by`, `with_access`) must give it.
"""

import pytest
from django.db.models import Q

from governance import permissions
from meetings import permissions as access
from meetings.models import Attachment, Attendance, Case, Meeting, Minutes
from tests.conftest import PERSONAS
from tests.meetings import factories as mf

S = Meeting.Status
STATES = [S.PLANNED, S.NOTICE_ISSUED, S.HELD, S.MINUTES_APPROVED, S.MINUTES_PUBLISHED]

# Who reads what, per DOMAIN.md.
DRAFT_AGENDA_READERS = {"leader", "secretariat"}
EXEMPT_READERS = {"member", "leader", "referent", "secretariat"}
DRAFT_MINUTES_READERS = {"leader", "referent", "secretariat"}


def expected_meeting_visible(persona, state):
    return state != S.PLANNED or persona in DRAFT_AGENDA_READERS


def expected_content_readable(persona, state, exempt):
    if not expected_meeting_visible(persona, state):
        return False
    return not exempt or persona in EXEMPT_READERS


def expected_minutes_readable(persona, state):
    if state == S.MINUTES_PUBLISHED:
        return True
    if not expected_meeting_visible(persona, state):
        return False
    return persona in DRAFT_MINUTES_READERS


def build(world, state, exempt):
    meeting = mf.meeting(world.body, status=state)
    case = mf.case(meeting, number=6, exempt=exempt, title="Hemmelig tittel" if exempt else "Åpen tittel")
    attachment = mf.attachment(case, exempt=exempt)
    mf.minutes(
        meeting,
        approved=state in (S.MINUTES_APPROVED, S.MINUTES_PUBLISHED),
        published=state == S.MINUTES_PUBLISHED,
        text="Referatets tekst",
    )
    return meeting, case, attachment


@pytest.mark.django_db
@pytest.mark.parametrize("exempt", [False, True], ids=["open", "exempt"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_visibility_matrix(world, persona, state, exempt):
    meeting, case, attachment = build(world, state, exempt)
    user = world.users[persona]

    meeting_visible = expected_meeting_visible(persona, state)
    content = expected_content_readable(persona, state, exempt)
    minutes = expected_minutes_readable(persona, state)
    decision = content and minutes

    # Object checks.
    assert access.can_view_meeting(user, meeting) is meeting_visible
    assert access.can_view_case(user, case) is meeting_visible
    assert access.can_read_case(user, case) is content
    assert access.can_view_minutes(user, meeting) is minutes
    assert access.can_view_decision(user, case) is decision
    assert access.can_read_attachment(user, attachment) is content

    # The querysets agree with the checks.
    permissions.forget(user)
    assert Meeting.objects.visible_to(user).filter(pk=meeting.pk).exists() is meeting_visible
    assert Case.objects.visible_to(user).filter(pk=case.pk).exists() is meeting_visible
    assert Case.objects.readable_by(user).filter(pk=case.pk).exists() is content
    assert Minutes.objects.visible_to(user).filter(pk=meeting.minutes.pk).exists() is minutes
    assert Attachment.objects.visible_to(user).filter(pk=attachment.pk).exists() is meeting_visible
    assert Attachment.objects.readable_by(user).filter(pk=attachment.pk).exists() is content

    annotated = Case.objects.with_access(user).filter(pk=case.pk).first()
    if meeting_visible:
        assert annotated.content_visible is content
        assert annotated.decision_visible is decision
    annotated_meeting = Meeting.objects.with_access(user).get(pk=meeting.pk)
    assert annotated_meeting.minutes_visible is minutes

    # The same flags set in Python on a case already read (the meeting and case pages).
    (marked,) = access.mark_case_access(
        user, [Case.objects.select_related("body", "meeting__body").get(pk=case.pk)]
    )
    assert marked.content_visible is content
    assert marked.decision_visible is decision


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_published_querysets_are_what_a_visitor_sees(world, state):
    meeting, case, attachment = build(world, state, exempt=False)
    public = state != S.PLANNED
    assert Meeting.objects.published().filter(pk=meeting.pk).exists() is public
    assert Case.objects.published().filter(pk=case.pk).exists() is public
    assert Attachment.objects.published().filter(pk=attachment.pk).exists() is public
    assert Minutes.objects.published().filter(pk=meeting.minutes.pk).exists() is (
        state == S.MINUTES_PUBLISHED
    )


@pytest.mark.django_db
def test_exempt_attachment_on_open_case_is_listed_but_not_readable(world):
    meeting = mf.meeting(world.body, status=S.NOTICE_ISSUED)
    case = mf.case(meeting, number=1)
    attachment = mf.attachment(case, exempt=True)
    for persona in PERSONAS:
        user = world.users[persona]
        assert access.can_read_case(user, case) is True
        assert access.can_read_attachment(user, attachment) is (persona in EXEMPT_READERS), persona
        assert Attachment.objects.visible_to(user).filter(pk=attachment.pk).exists()


@pytest.mark.django_db
def test_referent_of_the_meeting_reads_draft_minutes(world):
    """A member who took the minutes of this meeting reads them before approval."""
    meeting = mf.meeting(world.body, status=S.HELD)
    mf.minutes(meeting, text="Utkast")
    member = world.people["member"]
    user = member.user
    assert access.can_view_minutes(user, meeting) is False
    assert not Minutes.objects.visible_to(user).exists()

    Attendance.objects.create(meeting=meeting, person=member, is_referent=True)
    permissions.forget(user)
    assert access.can_view_minutes(user, meeting) is True
    assert Minutes.objects.visible_to(user).filter(meeting=meeting).count() == 1

    # Taking the minutes in one body gives nothing in another.
    other = mf.meeting(world.other_body_same_partnership, status=S.HELD)
    mf.minutes(other, text="Annet utkast")
    Attendance.objects.create(meeting=other, person=member, is_referent=True)
    assert access.can_view_minutes(user, other) is False


@pytest.mark.django_db
def test_proposed_case_without_meeting_is_for_the_secretariat_only(world):
    case = Case.objects.create(body=world.body, year=2023, title="Innmeldt sak")
    for persona in PERSONAS:
        user = world.users[persona]
        expected = persona == "secretariat"
        assert access.can_view_case(user, case) is expected, persona
        assert Case.objects.visible_to(user).filter(pk=case.pk).exists() is expected, persona


@pytest.mark.django_db
def test_superuser_sees_everything_and_inactive_user_is_a_visitor(world, django_user_model):
    meeting, case, _ = build(world, S.PLANNED, exempt=True)
    admin = django_user_model.objects.create_superuser("root", password="x")
    assert access.can_read_case(admin, case)
    assert Case.objects.readable_by(admin).filter(pk=case.pk).exists()
    assert permissions.is_secretariat(admin, world.other_partnership)

    leader = world.users["leader"]
    leader.is_active = False
    leader.save()
    permissions.forget(leader)
    assert access.can_view_meeting(leader, meeting) is False


@pytest.mark.django_db
def test_standing_questions(world):
    users = world.users
    assert permissions.is_member(users["member"], world.body)
    assert not permissions.is_member(users["former_member"], world.body)
    assert not permissions.is_member(users["other_member"], world.body)
    assert permissions.is_body_leader(users["leader"], world.body)
    assert not permissions.is_body_leader(users["member"], world.body)
    assert permissions.is_secretariat(users["secretariat"], world.partnership)
    assert not permissions.is_secretariat(users["secretariat"], world.other_partnership)
    assert not permissions.is_secretariat(users["other_secretariat"], world.partnership)
    assert permissions.managed_partnership_ids(users["secretariat"]) == {world.partnership.pk}
    assert permissions.can_propose_case(users["member"], world.body)
    assert not permissions.can_propose_case(users["visitor"], world.body)
    assert permissions.can_view_history(users["secretariat"], world.partnership)
    assert not permissions.can_view_history(users["leader"], world.partnership)


@pytest.mark.django_db
def test_private_meeting_details_only_for_members_and_secretariat(world):
    meeting = mf.meeting(
        world.body, status=S.NOTICE_ISSUED, is_digital=True, online_link="https://teams.example/x"
    )
    allowed = {"member", "leader", "referent", "secretariat"}
    for persona in PERSONAS:
        assert access.can_view_meeting_private_details(world.users[persona], meeting) is (persona in allowed)


@pytest.mark.django_db
def test_standing_is_read_once_per_user(world, django_assert_num_queries):
    meeting, case, attachment = build(world, S.HELD, exempt=True)
    user = world.users["member"]
    permissions.forget(user)
    with django_assert_num_queries(1):  # the person with their current memberships
        for _ in range(5):
            permissions.is_member(user, world.body)
            permissions.is_secretariat(user, world.partnership)


@pytest.mark.django_db
def test_a_visitors_filters_leave_out_what_matches_nothing(world):
    """A visitor has no seats: the filters carry no branch for them (no join, no subquery, no
    `IN ()`), and still select exactly what the matrix above expects."""
    visitor = world.users["visitor"]
    for queryset in (
        Meeting.objects.visible_to(visitor),
        Case.objects.readable_by(visitor),
        Minutes.objects.visible_to(visitor),
        Attachment.objects.readable_by(visitor),
        Case.objects.with_access(visitor),
    ):
        sql = str(queryset.query)
        assert "governance_body" not in sql, sql
        assert "EXISTS" not in sql.upper(), sql
    assert "EXISTS" in str(Minutes.objects.visible_to(world.users["member"]).query).upper()


@pytest.mark.django_db
def test_the_empty_standing_shortcut_keeps_every_branch_it_needs(world):
    """A filter that can match nothing stays a filter that matches nothing."""
    from django.contrib.auth.models import AnonymousUser

    build(world, S.PLANNED, exempt=True)
    nobody = AnonymousUser()
    assert not Meeting.objects.visible_to(nobody).exists()
    assert not Case.objects.visible_to(nobody).exists()
    assert not Case.objects.with_access(nobody).filter(content_visible=True).exists()
    assert permissions.matches_nothing(permissions.any_of(permissions.no_rows(), permissions.in_q("pk", [])))
    assert permissions.matches_nothing(permissions.all_of(Q(pk=1), permissions.no_rows()))
