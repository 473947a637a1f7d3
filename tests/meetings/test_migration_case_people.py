"""The old "Fra", case officers and presenters texts become named rows, word for word, and back."""

import datetime as dt

import pytest

from tests.meetings.test_migration_minutes_text import _latest, _migrate

BEFORE = [("meetings", "0013_unknown_dates")]
AFTER = [("meetings", "0014_case_people_programme_items")]


@pytest.mark.django_db(transaction=True)
def test_words_become_named_rows_in_order_and_back():
    old = _migrate(BEFORE)
    partnership = old.get_model("governance", "Partnership").objects.create(
        name="Helsefellesskap Test", slug="test"
    )
    body = old.get_model("governance", "Body").objects.create(
        partnership=partnership, name="PM Test", short_name="PM T", slug="pm-t", kind="other", level=1
    )
    meeting = old.get_model("meetings", "Meeting").objects.create(
        body=body, start=dt.datetime(2022, 10, 25, 9, tzinfo=dt.UTC)
    )
    Case = old.get_model("meetings", "Case")
    paper = Case.objects.create(
        body=body,
        meeting=meeting,
        year=2022,
        title="Samhandlingsarenaer",
        origin="Sekretariatet",
        case_officers="Trude Kristin Kristensen, Knut Erik Dahlmo og Stian Molvik",
        presenters="RKK Lofoten",
    )
    bare = Case.objects.create(body=body, meeting=meeting, year=2022, title="Uten navn")

    new = _migrate(AFTER)
    Named = new.get_model("meetings", "CasePerson")
    assert [(n.order, n.role, n.person_id, n.wording) for n in Named.objects.filter(case_id=paper.pk)] == [
        (1, "origin", None, "Sekretariatet"),
        (2, "case_officer", None, "Trude Kristin Kristensen, Knut Erik Dahlmo og Stian Molvik"),
        (3, "presenter", None, "RKK Lofoten"),
    ]
    assert not Named.objects.filter(case_id=bare.pk).exists()
    assert "origin" not in {f.name for f in new.get_model("meetings", "Case")._meta.get_fields()}

    back = _migrate(BEFORE)
    restored = back.get_model("meetings", "Case").objects.get(pk=paper.pk)
    assert (restored.origin, restored.case_officers, restored.presenters) == (
        "Sekretariatet",
        "Trude Kristin Kristensen, Knut Erik Dahlmo og Stian Molvik",
        "RKK Lofoten",
    )
    _migrate(_latest())
