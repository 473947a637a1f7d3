"""The one check of a chosen id (meetings/forms_ids.py), used by every field that chooses rows by
id in meetings and actionplans: anything that is not a primary key in range is the field's own
"invalid choice", never an error from the database driver."""

import pytest
from django import forms
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actionplans.forms import MeasureForm
from governance.models import Person
from meetings.forms import CaseChoiceField
from meetings.forms_ids import MAX_ID, IdChoiceField, IdsChoiceField, is_id
from meetings.forms_people import PersonChoiceField

NOT_IDS = st.one_of(
    st.integers(max_value=0),
    st.integers(min_value=MAX_ID + 1),
    st.text(min_size=1).filter(lambda text: text.strip() and not is_id(text)),
)


def test_is_id():
    assert is_id("1") and is_id(" 42 ") and is_id(MAX_ID)
    for value in ("0", "-1", str(MAX_ID + 1), "1.0", "١٢", "²", "abc", ""):
        assert not is_id(value), value


def test_every_id_field_of_the_two_apps_uses_the_one_check():
    assert issubclass(PersonChoiceField, IdChoiceField)
    assert issubclass(CaseChoiceField, IdChoiceField)
    goal = MeasureForm.base_fields["goal"]
    assert isinstance(goal, IdChoiceField)
    assert isinstance(MeasureForm.base_fields["responsible_bodies"], IdsChoiceField)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=NOT_IDS)
def test_a_value_that_is_no_id_is_an_invalid_choice(value):
    one = PersonChoiceField(required=False)
    with pytest.raises(forms.ValidationError) as raised:
        one.clean(value)
    assert raised.value.code == "invalid_choice"
    several = IdsChoiceField(queryset=Person.objects.all(), required=False)
    with pytest.raises(forms.ValidationError) as raised:
        several.clean([str(value)])
    assert raised.value.code == "invalid_pk_value"
