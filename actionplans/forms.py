"""Forms of the secretariat's action-plan pages; the services do the validating that matters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import Body, Organisation
from meetings.forms import CaseChoiceField, CaseTextField
from meetings.forms_ids import IdChoiceField, IdsChoiceField

from .models import REPORTED_STATUSES, Goal


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ActionPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    period_text = forms.CharField(
        label=_("Period as written"),
        max_length=300,
        required=False,
        help_text=_("For example “23. september 2021 til og med partnerskapsmøtet 2022”."),
    )
    period_start = forms.DateField(
        label=_("Period start"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty when the source does not give it."),
    )
    period_end = forms.DateField(
        label=_("Period end"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty when the source does not give it."),
    )
    period_open_ended = forms.BooleanField(label=_("The plan runs until further notice"), required=False)
    period_dates_inferred = forms.BooleanField(
        label=_("The dates are inferred; the source does not give them"), required=False
    )
    purpose = CaseTextField(label=_("Purpose"), rows=4)

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("An action plan's period cannot end before it starts."))
        if data.get("period_open_ended") and data.get("period_end"):
            self.add_error("period_open_ended", _("A plan that runs until further notice has no end date."))
        if data.get("period_dates_inferred") and not (data.get("period_start") or data.get("period_end")):
            self.add_error("period_dates_inferred", _("There are no dates to mark as inferred."))
        return data


class FocusAreaForm(forms.Form):
    number = forms.CharField(
        label=_("Number"), max_length=10, required=False, help_text=_("For example “2.1”.")
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    description = CaseTextField(label=_("Description"), rows=4)


class MeasureRowsForm(forms.Form):
    text = forms.CharField(
        label=_("Rows from the plan's table"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "Copy the rows from Word or Excel and paste them here: "
            "Hva vil vi?, Hvordan få det til? and Ansvarlig, separated by tabs."
        ),
        strip=False,
        max_length=50_000,
    )


class AdoptionForm(forms.Form):
    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"] = CaseChoiceField(
            partnership=partnership, label=_("Case that adopted the plan"), required=False
        )


class MeasureForm(forms.Form):
    """Correct a measure: its letter within its goal, its wording, who is responsible (several)."""

    # A goal of the measure's focus area; a tampered id is an invalid choice, never a 500.
    goal = IdChoiceField(label=_("What do we want? (goal)"), queryset=Goal.objects.none(), required=False)
    letter = forms.RegexField(
        label=_("Letter"),
        regex=r"^\s*[a-zæøåA-ZÆØÅ]?\s*$",
        max_length=4,
        required=False,
        error_messages={"invalid": _("The letter is one letter, a to å.")},
        help_text=_(
            "Unique within the goal, as the plan prints it; a plan may start again at a) under a new goal."
        ),
    )
    text = forms.CharField(
        label=_("How do we get there? (measure)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5_000
    )
    responsible_text = forms.CharField(
        label=_("Responsible, as written"),
        max_length=300,
        required=False,
        help_text=_("As the plan writes it, for example “UNN og kommunene” or “FSU, SSU”."),
    )
    responsible_bodies = IdsChoiceField(
        label=_("Responsible bodies"), queryset=Body.objects.none(), required=False
    )
    responsible_organisations = IdsChoiceField(
        label=_("Responsible organisations"), queryset=Organisation.objects.none(), required=False
    )
    due = forms.DateField(label=_("Due"), widget=DateInput(), required=False)

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = measure.focus_area.action_plan.partnership
        self.fields["goal"].queryset = Goal.objects.filter(focus_area=measure.focus_area)
        self.fields["responsible_bodies"].queryset = Body.objects.filter(partnership=partnership)
        self.fields["responsible_organisations"].queryset = Organisation.objects.filter(
            partnership=partnership
        )

    def clean_letter(self):
        return self.cleaned_data["letter"].strip().lower()


class ProgressReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=REPORTED_STATUSES)
    text = forms.CharField(
        label=_("Short report"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5_000
    )
    date = forms.DateField(label=_("Date"), widget=DateInput(), required=False)

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"] = CaseChoiceField(
            partnership=partnership,
            label=_("Reported in case"),
            required=False,
            help_text=_("The case where a body reported on the measure."),
        )
        self.order_fields(["status", "text", "case", "date"])
