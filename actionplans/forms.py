"""Forms of the secretariat's action-plan pages; the services do the validating that matters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import CaseChoiceField, CaseTextField

from .models import Measure


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ActionPlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    period_start = forms.DateField(label=_("Period start"), widget=DateInput())
    period_end = forms.DateField(label=_("Period end"), widget=DateInput(), required=False)
    period_text = forms.CharField(
        label=_("Period as written"),
        max_length=300,
        required=False,
        help_text=_("For example “23. september 2021 til og med partnerskapsmøtet 2022”."),
    )
    purpose = CaseTextField(label=_("Purpose"), rows=4)

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("An action plan's period cannot end before it starts."))
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


class ProgressReportForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Measure.Status.choices)
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
