"""governance.querysets.CompiledOnce: a correlated subquery compiled once and reused (issue #12),
giving the same rows in every outer query shape it is compiled in."""

import datetime as dt

import pytest
from django.db.models import OuterRef, Subquery, TextField

from governance.models import SourceCorrection, SourceDocument
from governance.querysets import CompiledOnce, PreparedRows, with_source_corrections
from meetings.models import Case, CasePerson, Meeting
from tests.meetings import factories as mf

pytestmark = pytest.mark.django_db


@pytest.fixture
def papers(world):
    meeting = mf.meeting(world.body, status=Meeting.Status.NOTICE_ISSUED)
    first = mf.case(meeting, number=1, title="Første")
    second = mf.case(meeting, number=2, title="Andre")
    CasePerson.objects.create(case=first, role=CasePerson.Role.ORIGIN, order=2, wording="Kommuneoverlege")
    CasePerson.objects.create(case=first, role=CasePerson.Role.ORIGIN, order=1, person=world.people["member"])
    CasePerson.objects.create(case=second, role=CasePerson.Role.CASE_OFFICER, order=1, wording="Rådgiver")
    return first, second


def _names(cases):
    return {case.pk: [named.shown_name for named in case.people.all()] for case in cases}


def test_every_outer_shape_gets_each_case_its_own_rows(papers, world):
    first, second = papers
    expected = {first.pk: [world.people["member"].name, "Kommuneoverlege"], second.pk: ["Rådgiver"]}
    # Compiled first inside a subquery (the case table under another alias), then as the outer
    # query, then counted.
    inner = Case.objects.with_names().filter(meeting=OuterRef("pk"), number=2).values("people_rows")[:1]
    rows = Subquery(inner, output_field=TextField())
    meeting = Meeting.objects.annotate(rows=rows).get(pk=first.meeting_id)
    assert "Rådgiver" in str(meeting.rows) and "Kommuneoverlege" not in str(meeting.rows)
    assert _names(Case.objects.with_names().filter(pk__in=[first.pk, second.pk])) == expected
    assert _names(first.meeting.cases.with_names()) == expected
    assert Case.objects.with_names().filter(pk__in=[first.pk, second.pk]).count() == 2


def test_a_change_shows_at_once(papers):
    """Only the SQL is kept: the rows are read by every query."""
    first, _second = papers
    list(Case.objects.with_names())
    CasePerson.objects.filter(case=first).delete()
    assert _names(Case.objects.with_names().filter(pk=first.pk)) == {first.pk: []}


def test_built_and_compiled_once_per_shape(papers, monkeypatch):
    built = []
    original = CompiledOnce.__init__

    def counting(self, name, build, output_field):
        def build_counted():
            built.append(name)
            return build()

        original(self, name, build_counted, output_field)

    monkeypatch.setattr(CompiledOnce, "_compiled", {})
    monkeypatch.setattr(CompiledOnce, "__init__", counting)
    for _ in range(3):
        list(Case.objects.with_names())
    assert sorted(built) == sorted(set(built)) and len(built) == 3  # people, programme items, attachments


def test_source_corrections_are_those_of_the_record(world):
    document = SourceDocument.objects.create(
        partnership=world.body.partnership,
        title="Referat",
        kind=SourceDocument.Kind.MINUTES,
        file_name="referat.txt",
    )
    meeting = mf.meeting(world.body, source=document)
    other = mf.meeting(world.body)
    SourceCorrection.objects.create(
        source=document,
        record=meeting,
        order=1,
        source_says="09/23",
        portal_shows="10/23",
        reason="To saker hadde 09/23.",
    )
    rows = {m.pk: m.source_corrections_json for m in with_source_corrections(Meeting.objects.all())}
    assert [row["portal_shows"] for row in rows[meeting.pk]] == ["10/23"]
    assert rows[other.pk] is None


def test_prepared_rows_are_the_querysets_rows_for_each_value_and_shape(world):
    from governance.models import Membership
    from governance.permissions import _standing_query

    prepared = PreparedRows(_standing_query)
    seat = Membership.objects.filter(person=world.people["member"]).first()
    days = [dt.date(2000, 1, 1), dt.date.today(), *(d for d in (seat.start_date, seat.end_date) if d)]
    users = [*world.users.values()]
    for day in days:
        for user in users:
            expected = sorted(_standing_query(user.pk, day), key=repr)
            assert sorted(prepared.rows(user.pk, day), key=repr) == expected
    assert prepared.rows(-1, days[1]) == []
    assert len(prepared._compiled) == len(set(days))


def test_a_value_that_reaches_the_sql_twice_is_refused(world):
    twice = PreparedRows(lambda value: Meeting.objects.filter(pk=value, body_id=value).values_list("pk"))
    with pytest.raises(ValueError):
        twice.rows(1)


def test_attachments_come_with_their_case_in_order_in_one_query(papers, django_assert_num_queries):
    first, second = papers
    mf.attachment(first, order=2, title="Andre vedlegg", exempt=True, exemption_basis="offl. § 13")
    mf.attachment(first, order=1, title="Første vedlegg")
    with django_assert_num_queries(1):
        cases = {case.pk: case for case in Case.objects.with_names().filter(pk__in=[first.pk, second.pk])}
        shown = {
            pk: [(a.title, a.exempt, a.exemption_basis) for a in c.attachments.all()]
            for pk, c in cases.items()
        }
    assert shown == {
        first.pk: [("Første vedlegg", False, ""), ("Andre vedlegg", True, "offl. § 13")],
        second.pk: [],
    }
    assert all(a.case is cases[first.pk] for a in cases[first.pk].attachments.all())
