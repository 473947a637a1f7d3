"""Forms of the secretariat's workspace; the services do the validating that matters."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Body, PatientGroup

from . import lifecycle
from .forms_ids import MAX_ID, IdChoiceField, IdsChoiceField
from .forms_people import CasePersonFormSet, ProgrammeItemFormSet
from .models import Attendance, Case, Meeting, Minutes
from .services import EXEMPTION_BASES
from .text import validate_casetext

DECISION_MAX_LENGTH = 20_000
# The largest version number and database id a form accepts: a bigger number is a form error,
# not an OverflowError in the database driver.
MAX_VERSION = 2**31 - 1


class CaseTextField(forms.CharField):
    """A text rendered as case text (meetings/text.py): limited in length, list depth and
    table size, so nothing a person submits can break a page or a PDF."""

    default_validators = [validate_casetext]

    def __init__(self, *, rows: int = 5, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


EXEMPTION_CHOICES = [("", _("Not exempt")), *((basis, basis) for basis in EXEMPTION_BASES)]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class MeetingForm(forms.Form):
    """Plan a meeting; its date is exact, a day without a time, or not known (meetings/lifecycle.py:
    DatePrecision), each with its own fields. `cleaned_data` gets `start`, `end`,
    `start_time_known`, `date_known` and `date_text` for the service, whichever was chosen."""

    FIRST_YEAR, LAST_YEAR = 1900, 2200

    body = forms.ModelChoiceField(label=_("Body"), queryset=Body.objects.none())
    when = forms.ChoiceField(
        label=_("What is known about the date"),
        choices=lifecycle.DatePrecision.choices,
        initial=lifecycle.DatePrecision.EXACT,
        required=False,
        widget=forms.RadioSelect,
    )
    start = forms.DateTimeField(
        label=_("Starts"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"], required=False
    )
    end = forms.DateTimeField(
        label=_("Ends"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M"], required=False
    )
    day = forms.DateField(
        label=_("Date (time not known)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    year = forms.IntegerField(
        label=_("Year (date not known)"),
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        help_text=_("Used only to sort the meeting; it is not shown as its date."),
    )
    date_text = forms.CharField(
        label=_("What the source says about the date"),
        required=False,
        max_length=300,
        help_text=_("For example “2024, Helseinnovasjonsuka”."),
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=300)
    is_digital = forms.BooleanField(label=_("Digital meeting"), required=False)
    online_link = forms.URLField(
        label=_("Meeting link"), required=False, max_length=500, assume_scheme="https"
    )
    is_open = forms.BooleanField(label=_("Open to the public"), required=False)
    standing_items = forms.BooleanField(
        label=_("Start the agenda with the standing items"), required=False, initial=True
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(partnership=partnership).exclude(
            kind=Body.Kind.SECRETARIAT
        )

    def clean(self):
        data = super().clean()
        when = data.get("when") or lifecycle.DatePrecision.EXACT
        data["when"] = when
        data["date_known"] = when != lifecycle.DatePrecision.UNKNOWN
        data["start_time_known"] = when == lifecycle.DatePrecision.EXACT
        if when == lifecycle.DatePrecision.EXACT:
            if not data.get("start") and "start" not in self.errors:
                self.add_error("start", _("Enter when the meeting starts."))
            if data.get("start") and data.get("end") and data["end"] < data["start"]:
                self.add_error("end", _("A meeting cannot end before it starts."))
            data["date_text"] = ""
        elif when == lifecycle.DatePrecision.DAY:
            if not data.get("day") and "day" not in self.errors:
                self.add_error("day", _("Enter the date of the meeting."))
            else:
                data["start"] = _local_midnight(data.get("day"))
            data["end"], data["date_text"] = None, ""
        else:
            if not data.get("year") and "year" not in self.errors:
                self.add_error("year", _("Enter the year the meeting belongs to, for sorting."))
            elif data.get("year"):
                # The sort key: the first moment of the year the source allows; never shown.
                data["start"] = _local_midnight(dt.date(data["year"], 1, 1))
            data["end"] = None
        return data


def _local_midnight(day):
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


class NewCaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500)
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices, initial=Case.Kind.DECISION)


class CaseChoiceField(IdChoiceField):
    """One of the partnership's numbered cases, shown as “FSU BU 09/23 Title”."""

    def __init__(self, *, partnership, **kwargs):
        queryset = (
            Case.objects.filter(body__partnership=partnership, number__isnull=False)
            .select_related("body__partnership")
            .order_by("-year", "body__short_name", "-number")
        )
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, case):
        return f"{case.body.short_name} {case.case_number} {case.title}"


class FollowUpCaseForm(forms.Form):
    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["previous"] = CaseChoiceField(
            partnership=partnership, label=_("Earlier case to follow up")
        )


class CaseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_VERSION)
    title = forms.CharField(label=_("Title"), max_length=500)
    agenda_title = forms.CharField(label=_("Title on the agenda"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices)
    document_date = forms.DateField(
        label=_("Document date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    archive_reference = forms.CharField(label=_("Archive reference"), max_length=100, required=False)
    proposal_kind = forms.ChoiceField(
        label=_("Kind of proposal"), choices=[("", "–"), *Case.ProposalKind.choices], required=False
    )
    proposal = CaseTextField(label=_("Proposal"))
    proposal_position = forms.ChoiceField(
        label=_("Place of the proposal"),
        choices=Case.ProposalPosition.choices,
        initial=Case.ProposalPosition.AFTER_TEXT,
        required=False,
    )
    patient_groups = IdsChoiceField(
        label=_("Patient groups"),
        queryset=PatientGroup.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    exemption_basis = forms.ChoiceField(
        label=_("Exempt from public access"), choices=EXEMPTION_CHOICES, required=False
    )
    exemption_basis_other = forms.CharField(
        label=_("Other legal basis"), max_length=200, required=False, help_text=_("If not in the list.")
    )
    public_title = forms.CharField(label=_("Public title"), max_length=500, required=False)

    def clean(self):
        data = super().clean()
        basis = data.get("exemption_basis_other") or data.get("exemption_basis") or ""
        data["exempt"] = bool(basis)
        data["exemption_basis"] = basis
        if basis and not data.get("public_title"):
            self.add_error("public_title", _("An exempt case needs a public title."))
        return data


class SectionForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=300, required=False)
    text = CaseTextField(label=_("Text"), rows=6)


SectionFormSet = forms.formset_factory(SectionForm, extra=1, can_delete=True)


# At most this many named people and programme items on one case paper.
class MinutesSectionForm(SectionForm):
    before_cases = forms.BooleanField(label=_("Before the cases"), required=False)


MinutesSectionFormSet = forms.formset_factory(MinutesSectionForm, extra=1, can_delete=True)


class DecisionForm(forms.Form):
    """A case's outcome and decision, with the version the form was made from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "–"), *Case.Outcome.choices])
    decision = CaseTextField(label=_("Decision"), max_length=DECISION_MAX_LENGTH)
    confirm_missing_parties = forms.BooleanField(
        label=_("Record as consensus although not all parties are present"), required=False
    )

    def service_arguments(self) -> dict:
        """Keyword arguments for services.case_record_decision (without case and by)."""
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "decision": data["decision"],
            "expected_version": data["version"],
            "confirm_missing_parties": data["confirm_missing_parties"],
        }


class AttendanceRowForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    status = forms.ChoiceField(label=_("Attendance"), choices=Attendance.Status.choices)
    is_referent = forms.BooleanField(label=_("Minute-taker"), required=False)


class MinutesForm(forms.Form):
    """The minutes' own parts beside the free sections: the next meeting."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_VERSION)
    next_meeting = forms.ModelChoiceField(
        label=_("Next meeting"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=_("A planned meeting of the body. It is named publicly only once its notice is issued."),
    )
    next_meeting_date = forms.DateField(
        label=_("Date of the next meeting"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When the next meeting is not planned yet."),
    )
    next_meeting_text = forms.CharField(label=_("About the next meeting"), max_length=500, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["next_meeting"].queryset = Meeting.objects.filter(
            body_id=meeting.body_id, start__gt=meeting.start
        ).order_by("start")


class MinutesEditForms:
    """The minutes form with the free sections, and what they ask `minutes_update` to change."""

    def __init__(self, meeting, minutes, data=None):
        if data is None:
            initial = {"version": minutes.version if minutes else 0}
            if minutes is not None:
                initial |= {
                    "next_meeting": minutes.next_meeting_id,
                    "next_meeting_date": minutes.next_meeting_date,
                    "next_meeting_text": minutes.next_meeting_text,
                }
            sections = [
                {"heading": s.heading, "text": s.text, "before_cases": s.before_cases}
                for s in (minutes.sections.all() if minutes else [])
            ]
            self.form = MinutesForm(initial=initial, meeting=meeting)
            self.formset = MinutesSectionFormSet(initial=sections, prefix="sections")
        else:
            self.form = MinutesForm(data, meeting=meeting)
            self.formset = MinutesSectionFormSet(data, prefix="sections")

    def is_valid(self) -> bool:
        return self.form.is_valid() & self.formset.is_valid()

    def changes(self) -> dict:
        """Keyword arguments for services.minutes_update (without minutes/meeting and by)."""
        data = dict(self.form.cleaned_data)
        data["expected_version"] = data.pop("version")
        data["next_meeting_text"] = data.get("next_meeting_text") or ""
        data["sections"] = [
            {
                "heading": f.cleaned_data.get("heading", ""),
                "text": f.cleaned_data.get("text", ""),
                "before_cases": bool(f.cleaned_data.get("before_cases")),
            }
            for f in self.formset.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and (f.cleaned_data.get("heading") or f.cleaned_data.get("text"))
        ]
        return data


class CaseNotesForm(forms.Form):
    """A case's part of the minutes beside its decision: the discussion note, the public decision."""

    case = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_VERSION)
    discussion = CaseTextField(label=_("Discussion"), rows=3)
    public_decision = CaseTextField(
        label=_("Decision (public version)"),
        rows=3,
        help_text=_(
            "For an exempt case: an anonymised decision the public may read. Leave empty to withhold it."
        ),
    )


class SectionAmendForm(forms.Form):
    """A correction of a free section of approved minutes, with its reason."""

    section = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    text = CaseTextField(label=_("Text"))
    reason = forms.CharField(label=_("Reason for the correction"), max_length=500)


class ApproveForm(forms.Form):
    method = forms.ChoiceField(label=_("Approved how"), choices=Minutes.ApprovalMethod.choices)


class AmendForm(forms.Form):
    decision = CaseTextField(label=_("Decision"))
    reason = forms.CharField(label=_("Reason for the correction"), max_length=500)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("PDF, Word, Excel, PowerPoint or an image, at most 25 MB.")
    )
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    exemption_basis = forms.ChoiceField(
        label=_("Exempt from public access"), choices=EXEMPTION_CHOICES, required=False
    )


class ReturnProposalForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the proposal returned?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5_000
    )


class AgendaCaseForm(forms.Form):
    """The case a workspace action on the agenda is about (a database id)."""

    case = forms.IntegerField(min_value=1, max_value=MAX_ID)

    def case_pk(self) -> int:
        if not self.is_valid():
            raise ValidationError(
                _("The case was not found. Reload the page and try again."), code="bad_case"
            )
        return self.cleaned_data["case"]


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(label=_("Why is the meeting cancelled?"), max_length=300)


class CaseEditForms:
    """The case paper form with its sections, named people and programme items, and what they
    ask the service to change."""

    def __init__(self, case, data=None):
        if data is None:
            self.form = CaseForm(initial=case_initial(case))
            sections = [{"heading": s.heading, "text": s.text} for s in case.sections.order_by("order", "pk")]
            self.formset = SectionFormSet(initial=sections, prefix="sections")
            items = list(case.programme_items.order_by("order", "pk"))
            position = {item.pk: index for index, item in enumerate(items, start=1)}
            self.programme = ProgrammeItemFormSet(
                initial=[{"title": i.title, "starts_at": i.starts_at, "ends_at": i.ends_at} for i in items],
                prefix="programme",
            )
            self.people = CasePersonFormSet(
                initial=[
                    {
                        "role": p.role,
                        "person": p.person_id,
                        "wording": p.wording,
                        "programme_item": position.get(p.programme_item_id),
                    }
                    for p in case.people.order_by("order", "pk")
                ],
                prefix="people",
            )
        else:
            self.form = CaseForm(data)
            self.formset = SectionFormSet(data, prefix="sections")
            # A post without a part's management form leaves that part as it is.
            self.programme = (
                ProgrammeItemFormSet(data, prefix="programme") if "programme-TOTAL_FORMS" in data else None
            )
            self.people = CasePersonFormSet(data, prefix="people") if "people-TOTAL_FORMS" in data else None

    def is_valid(self) -> bool:
        valid = self.form.is_valid() & self.formset.is_valid()
        valid &= self.programme is None or self.programme.is_valid()
        valid &= self.people is None or self.people.is_valid()
        if valid and self.people is not None:
            kept = self._programme_positions()
            for form in self.people.forms:
                number = form.cleaned_data.get("programme_item")
                if form.is_used and number and number not in kept:
                    form.add_error(
                        "programme_item",
                        _("There is no programme item number %(number)s.") % {"number": number},
                    )
                    valid = False
        return valid

    def _programme_rows(self) -> list[dict]:
        """The programme items kept, in order."""
        if self.programme is None:
            return []
        return [
            f.cleaned_data
            for f in self.programme.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("title")
        ]

    def _programme_positions(self) -> dict[int, int]:
        """A programme item's number in the form (1, 2, …) → its index among the items kept."""
        if self.programme is None:
            return {}
        kept, positions = 0, {}
        for number, f in enumerate(self.programme.forms, start=1):
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("title"):
                positions[number] = kept
                kept += 1
        return positions

    def changes(self) -> dict:
        """Keyword arguments for services.case_update (without case, by and reason)."""
        data = dict(self.form.cleaned_data)
        data.pop("exemption_basis_other", None)
        data["expected_version"] = data.pop("version")
        if not data.get("proposal_position"):
            data.pop("proposal_position", None)  # not in the post: stays as it is
        data["sections"] = [
            {"heading": f.cleaned_data.get("heading", ""), "text": f.cleaned_data.get("text", "")}
            for f in self.formset.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and (f.cleaned_data.get("heading") or f.cleaned_data.get("text"))
        ]
        if self.programme is not None:
            data["programme"] = [
                {"title": row["title"], "starts_at": row.get("starts_at"), "ends_at": row.get("ends_at")}
                for row in self._programme_rows()
            ]
        if self.people is not None:
            data["people"] = self._people_rows()
        return data

    def _people_rows(self) -> list[dict]:
        """The named people in order; `programme_item` is the index of a kept programme item."""
        positions = self._programme_positions()
        return [
            {
                "role": f.cleaned_data["role"],
                "person": f.cleaned_data.get("person"),
                "wording": f.cleaned_data.get("wording", ""),
                "programme_item": positions.get(f.cleaned_data.get("programme_item")),
            }
            for f in self.people.forms
            if f.is_used
        ]


def case_initial(case) -> dict:
    return {
        "version": case.version,
        "title": case.title,
        "agenda_title": case.agenda_title,
        "kind": case.kind,
        "document_date": case.document_date,
        "archive_reference": case.archive_reference,
        "proposal_kind": case.proposal_kind,
        "proposal": case.proposal,
        "proposal_position": case.proposal_position,
        "patient_groups": list(case.patient_groups.all()),
        "exemption_basis": case.exemption_basis if case.exempt else "",
        "public_title": case.public_title,
    }


def decision_initial(case) -> dict:
    """The decision form as the case stands: its version, outcome, and the decision or proposal."""
    return {
        "version": case.version,
        "outcome": case.outcome,
        "decision": case.decision or case.proposal,
    }
