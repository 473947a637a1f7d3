"""The cases list's filters; they narrow what the user may already see."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from actionplans.models import Measure
from governance.models import Body, PatientGroup
from meetings.models import Case, CaseSection


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
        self.filters["body"].queryset = Body.objects.filter(partnership=partnership)
        self.filters["year"].extra["choices"] = [(year, str(year)) for year in years]
        self.filters["measure"].queryset = Measure.objects.filter(
            focus_area__action_plan__partnership=partnership
        ).select_related("focus_area__action_plan")

    def filter_text(self, queryset, name, value):
        """Search what the user may read: full text where content is visible, else the public title."""
        words = value.split()
        for word in words[:8]:
            in_sections = Exists(CaseSection.objects.filter(case=OuterRef("pk"), text__icontains=word))
            readable = Q(content_visible=True) & (
                Q(title__icontains=word)
                | Q(agenda_title__icontains=word)
                | Q(proposal__icontains=word)
                | Q(origin__icontains=word)
                | in_sections
                | (Q(decision_visible=True) & Q(decision__icontains=word))
            )
            public = Q(exempt=True) & Q(public_title__icontains=word)
            queryset = queryset.filter(readable | public)
        return queryset

    def filter_outcome(self, queryset, name, value):
        return queryset.filter(decision_visible=True, outcome=value)
