"""The secretariat plans a meeting with each kind of date: exact, a day without a time, or not
stated in the source (with what it does say). Bad input: a Norwegian message, a 400, and what
was entered is still in the form."""

import datetime as dt
from html import escape

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import Meeting

pytestmark = pytest.mark.django_db

WHEN = st.sampled_from(["exact", "day", "unknown", "", "annet"])
TEXT = st.text(max_size=40)
PLAIN = st.text(alphabet=st.characters(categories=["L", "N"], include_characters=" ,.-"), max_size=40)


def _url(body):
    return reverse("manage:meeting_create", args=[body.partnership.slug])


def _post(client, body, **data):
    return client.post(_url(body), {"body": body.pk, **data})


def test_each_kind_of_date_is_planned(meetings_world, secretariat_client):
    body = meetings_world.world.body
    response = _post(secretariat_client, body, when="exact", start="2027-03-01T12:00", end="2027-03-01T14:00")
    assert response.status_code == 302
    exact = Meeting.objects.latest("pk")
    assert exact.date_precision == "exact" and exact.end is not None

    response = _post(secretariat_client, body, when="day", day="2027-04-02", date_text="ignored")
    assert response.status_code == 302
    day = Meeting.objects.latest("pk")
    assert day.date_precision == "day" and day.date_text == "" and day.end is None
    assert day.get_absolute_url().endswith("/moter/2027-04-02/")

    response = _post(
        secretariat_client, body, when="unknown", year="2024", date_text="2024, Helseinnovasjonsuka"
    )
    assert response.status_code == 302
    unknown = Meeting.objects.latest("pk")
    assert unknown.date_precision == "unknown" and unknown.date_text == "2024, Helseinnovasjonsuka"
    assert unknown.end is None and unknown.get_absolute_url().endswith(f"/moter/mote-{unknown.pk}/")
    page = secretariat_client.get(reverse("manage:meeting", args=[body.partnership.slug, unknown.pk]))
    assert "Dato ikke oppgitt i kilden (2024, Helseinnovasjonsuka)" in page.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"when": "exact"}, "Skriv inn når møtet begynner."),
        ({"when": "day"}, "Skriv inn datoen for møtet."),
        (
            {"when": "unknown", "date_text": "Høsten, Bodø"},
            "Skriv inn året møtet hører til, for sorteringen.",
        ),
        ({"when": "unknown", "year": "24"}, "større enn eller lik 1900"),
    ],
)
def test_a_missing_date_is_refused_in_norwegian_and_keeps_the_input(
    meetings_world, secretariat_client, data, message
):
    body = meetings_world.world.body
    count = Meeting.objects.count()
    response = _post(secretariat_client, body, place="Bodø rådhus", **data)
    content = response.content.decode()
    assert response.status_code == 400
    assert message in content
    assert 'value="Bodø rådhus"' in content
    if "date_text" in data:
        assert escape(data["date_text"]) in content
    assert Meeting.objects.count() == count


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(when=WHEN, start=TEXT, end=TEXT, day=TEXT, year=TEXT, date_text=PLAIN)
def test_any_date_input_gives_a_message_never_a_500(
    meetings_world, secretariat_client, when, start, end, day, year, date_text
):
    body = meetings_world.world.body
    count = Meeting.objects.count()
    data = {"when": when, "start": start, "end": end, "day": day, "year": year, "date_text": date_text}
    response = _post(secretariat_client, body, **data)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        content = response.content.decode()
        assert Meeting.objects.count() == count
        if any("\x00" in value for value in data.values()):
            return  # refused by the middleware first (tests/helsefellesskap/test_null_characters.py)
        assert 'id="error-summary"' in content
        if date_text.strip():
            assert escape(date_text.strip()) in content  # nothing entered is lost
    else:
        meeting = Meeting.objects.latest("pk")
        assert Meeting.objects.count() == count + 1
        precision = when if when in ("exact", "day", "unknown") else "exact"
        assert meeting.date_precision == precision
        if precision == "unknown":
            assert meeting.date_text == date_text.strip() and meeting.end is None
            assert meeting.start.astimezone(dt.UTC).year in {int(year) - 1, int(year)}
