"""The case form's named people, programme items and proposal place (issue #13): the secretariat
picks people or writes the paper's words, enters programme items with times; bad input gets a
Norwegian message and a 400, and nothing saved or typed is lost."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.models import Person
from meetings.models import Case, CasePerson
from tests.conftest import assert_nul_refused, has_nul

ENGLISH = ("This field is required", "Select a valid choice", "Enter a valid time", "Enter a whole number")


def draft_case(mw):
    return mw.draft.cases.filter(number__isnull=True).order_by("order").first()


def form_data(case, people=(), programme=(), **fields):
    data = {
        "version": case.version,
        "title": case.title,
        "kind": case.kind,
        "sections-TOTAL_FORMS": 0,
        "sections-INITIAL_FORMS": 0,
        "people-TOTAL_FORMS": len(people),
        "people-INITIAL_FORMS": 0,
        "programme-TOTAL_FORMS": len(programme),
        "programme-INITIAL_FORMS": 0,
        **fields,
    }
    for index, row in enumerate(people):
        data |= {f"people-{index}-{name}": value for name, value in row.items()}
    for index, row in enumerate(programme):
        data |= {f"programme-{index}-{name}": value for name, value in row.items()}
    return data


def post(client, case, data):
    return client.post(reverse("manage:case", args=[case.body.partnership.slug, case.pk]), data)


@pytest.mark.django_db
def test_secretariat_links_people_writes_words_and_sets_the_programme(meetings_world, secretariat_client):
    case = draft_case(meetings_world)
    person = Person.objects.order_by("pk").first()
    data = form_data(
        case,
        people=[
            {"role": "origin", "wording": "Kommuneoverlege X", "person": person.pk},
            {"role": "case_officer", "wording": "Sekretariatet"},
            {"role": "presenter", "person": person.pk, "programme_item": "2"},
        ],
        programme=[
            {"title": "Innledning", "starts_at": "11:05", "ends_at": "11:30"},
            {"title": "Avslutning", "starts_at": "13:55", "ends_at": "15:00"},
        ],
        proposal_position="before_text",
    )
    response = post(secretariat_client, case, data)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.proposal_position == Case.ProposalPosition.BEFORE_TEXT
    rows = list(case.people.order_by("order"))
    assert [(r.role, r.person_id, r.wording) for r in rows] == [
        ("origin", person.pk, "Kommuneoverlege X"),
        ("case_officer", None, "Sekretariatet"),
        ("presenter", person.pk, ""),
    ]
    assert rows[2].programme_item.title == "Avslutning"
    assert [str(i.starts_at) for i in case.programme_items.order_by("order")] == ["11:05:00", "13:55:00"]
    # The form shows what is saved, ready to edit.
    page = secretariat_client.get(reverse("manage:case", args=[case.body.partnership.slug, case.pk]))
    assert 'value="Kommuneoverlege X"' in page.content.decode()
    assert 'value="11:05"' in page.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("people", "programme", "message"),
    [
        (
            [{"role": "presenter", "programme_item": "1"}],
            [{"title": "Innlegg"}],
            "Velg en person eller skriv",
        ),
        ([{"role": "presenter", "wording": "X", "programme_item": "4"}], [], "Det finnes ingen programpost"),
        (
            [{"role": "origin", "wording": "X", "programme_item": "1"}],
            [{"title": "Innlegg"}],
            "Bare en innleder",
        ),
        ([], [{"title": "Innlegg", "starts_at": "14:00", "ends_at": "13:00"}], "kan ikke slutte før"),
        ([], [{"starts_at": "14:00"}], "må ha en tittel"),
        ([{"role": "origin", "person": "99999999"}], [], "Velg et gyldig valg"),
    ],
)
def test_bad_people_or_programme_is_a_norwegian_400_and_nothing_is_lost(
    meetings_world, secretariat_client, people, programme, message
):
    case = draft_case(meetings_world)
    version = case.version
    data = form_data(case, people=people, programme=programme, title="Min nye tittel som ikke må forsvinne")
    response = post(secretariat_client, case, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Min nye tittel som ikke må forsvinne" in html  # what was typed is shown again
    case.refresh_from_db()
    assert case.version == version and case.title != "Min nye tittel som ikke må forsvinne"
    assert not case.people.exists() and not case.programme_items.exists()


values = st.one_of(
    st.text(max_size=30),
    st.text(min_size=490, max_size=520),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "1", "2", "origin", "case_officer", "presenter", "11:05", "25:61", "13.55"]),
)
row = st.fixed_dictionaries(
    {},
    optional={
        "role": values,
        "person": values,
        "wording": values,
        "programme_item": values,
        "DELETE": values,
    },
)
item = st.fixed_dictionaries({}, optional={"title": values, "starts_at": values, "ends_at": values})


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    people=st.lists(row, max_size=3),
    programme=st.lists(item, max_size=3),
    position=values,
)
def test_any_people_programme_or_position_input_is_saved_or_refused_in_norwegian(
    meetings_world, secretariat_client, people, programme, position
):
    case = draft_case(meetings_world)
    case.refresh_from_db()
    before = (case.version, list(case.people.values_list("pk", "role", "person_id", "wording")))
    response = post(
        secretariat_client,
        case,
        form_data(case, people=people, programme=programme, proposal_position=position),
    )
    html = response.content.decode()
    case.refresh_from_db()
    sent = form_data(case, people=people, programme=programme, proposal_position=position)
    if has_nul(sent):  # refused before any view runs
        assert_nul_refused(response)
        assert case.version == before[0]
        return
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 400:
        assert not any(text in html for text in ENGLISH)
        assert 'class="errorlist' in html or "error-summary" in html or 'role="alert"' in html
        assert (case.version, list(case.people.values_list("pk", "role", "person_id", "wording"))) == before
    else:
        for saved in case.people.all():
            assert saved.role in CasePerson.Role.values
            assert saved.person_id or saved.wording
        for saved in case.programme_items.all():
            assert saved.title and (
                not saved.starts_at or not saved.ends_at or saved.starts_at <= saved.ends_at
            )
