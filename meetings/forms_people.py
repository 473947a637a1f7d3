"""The people a case paper names and a programme's items, as the secretariat's case form edits
them (meetings/forms.py, CaseEditForms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import Person

from .forms_ids import IdChoiceField
from .models import CasePerson

MAX_PEOPLE = 50
MAX_PROGRAMME_ITEMS = 50


class PersonChoiceField(IdChoiceField):
    """One Person by id (meetings/forms_ids.py: an id out of range is an invalid choice)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Person.objects.select_related("organisation").order_by("name"), **kwargs)

    def label_from_instance(self, person):
        return f"{person.name}, {person.title}" if person.title else person.name


class ProgrammeItemForm(forms.Form):
    """A talk inside a programme time block, with its time of day (the meeting's date is the
    meeting's own)."""

    title = forms.CharField(label=_("Programme item"), max_length=500, required=False)
    starts_at = forms.TimeField(
        label=_("Starts at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends_at = forms.TimeField(
        label=_("Ends at"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self):
        data = super().clean()
        if (data.get("starts_at") or data.get("ends_at")) and not data.get("title"):
            self.add_error("title", _("A programme item needs a title."))
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] < data["starts_at"]:
            self.add_error("ends_at", _("A programme item cannot end before it starts."))
        return data


ProgrammeItemFormSet = forms.formset_factory(
    ProgrammeItemForm, extra=1, can_delete=True, max_num=MAX_PROGRAMME_ITEMS, validate_max=True
)


class CasePersonForm(forms.Form):
    """One name on the paper: a Person, the source's words, or both (the words as written)."""

    role = forms.ChoiceField(label=_("Role"), choices=CasePerson.Role.choices)
    person = PersonChoiceField(label=_("Person"), required=False)
    wording = forms.CharField(
        label=_("As written"),
        max_length=500,
        required=False,
        help_text=_("The paper's words, when they differ from the person's name or name no person."),
    )
    programme_item = forms.IntegerField(
        label=_("In programme item no."),
        required=False,
        min_value=1,
        max_value=MAX_PROGRAMME_ITEMS,
        help_text=_("For a speaker: the number of the programme item in the list above."),
    )

    def clean(self):
        data = super().clean()
        unnamed = not data.get("person") and not (data.get("wording") or "").strip()
        if unnamed and data.get("programme_item"):  # a speaker without a name
            self.add_error("wording", _("Choose a person or write a name."))
        if data.get("programme_item") and data.get("role") not in (None, CasePerson.Role.PRESENTER):
            self.add_error("programme_item", _("Only a presenter speaks in a programme item."))
        return data

    @property
    def is_used(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return bool(data) and not data.get("DELETE") and bool(data.get("person") or data.get("wording"))


CasePersonFormSet = forms.formset_factory(
    CasePersonForm, extra=2, can_delete=True, max_num=MAX_PEOPLE, validate_max=True
)
