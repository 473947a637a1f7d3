"""The cases list's filters; they narrow what the user may already see."""

import django_filters
from django.utils.translation import gettext_lazy as _

from actionplans.models import Measure
from governance.models import Body, PatientGroup
from meetings.models import Case
from meetings.search import filter_listed_cases


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search text"), method="filter_text")
    body = django_filters.ModelChoiceFilter(
        label=_("Body"), queryset=Body.objects.none(), to_field_name="slug", empty_label=_("All bodies")
    )
    year = django_filters.ChoiceFilter(label=_("Year"), empty_label=_("All years"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Case.Kind.choices, empty_label=_("All kinds"))
    outcome = django_filters.ChoiceFilter(
        label=_("Outcome"),
        choices=Case.Outcome.choices,
        method="filter_outcome",
        empty_label=_("All outcomes"),
    )
    patient_group = django_filters.ModelChoiceFilter(
        label=_("Patient group"),
        field_name="patient_groups",
        queryset=PatientGroup.objects.all(),
        to_field_name="slug",
        empty_label=_("All patient groups"),
    )
    measure = django_filters.ModelChoiceFilter(
        label=_("Action plan measure"),
        field_name="measures",
        queryset=Measure.objects.none(),
        empty_label=_("All measures"),
    )

    class Meta:
        model = Case
        fields = ["q", "body", "year", "kind", "outcome", "patient_group", "measure"]

    def __init__(self, data=None, queryset=None, *, partnership, years, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # A body's name shows its partnership: one query for the choices, not one per body.
        self.filters["body"].queryset = Body.objects.filter(partnership=partnership).select_related(
            "partnership"
        )
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]
        self.filters["measure"].queryset = Measure.objects.filter(
            focus_area__action_plan__partnership=partnership
        ).select_related("focus_area__action_plan")

    def filter_text(self, queryset, name, value):
        """Search what the user may read: full text where content is visible, else the public title."""
        return filter_listed_cases(queryset, getattr(self.request, "user", None), value)

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(decision_visible=True, outcome=value)
