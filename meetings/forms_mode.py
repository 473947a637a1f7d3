"""The meeting mode's forms: the attendance sheet, one form per case, a follow-up point.

Choices come ready-made from meetings.mode (lists, not querysets), so building a form per case
costs no query; every posted id must be one of those choices, and anything else is a Norwegian
form error, never a 500.
"""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from governance.models import Organisation, Person

from .forms import DecisionForm
from .models import Attendance, FollowUp, Minutes, MinutesApprovalAnswer

NAME_MAX_LENGTH = Person._meta.get_field("name").max_length
TEXT_MAX_LENGTH = 5_000
ADDED_ROLES = [
    (role, capfirst(label))
    for role, label in (
        (Attendance.Role.GUEST, _("guest")),
        (Attendance.Role.SUBSTITUTE, _("substitute")),
        (Attendance.Role.SPEAKER, _("speaker")),
        (Attendance.Role.OBSERVER, _("observer")),
    )
]


def _blank(choices, label="–"):
    return [("", label), *choices]


class AttendanceSheetForm(forms.Form):
    """One row per person on the sheet (status, “møtt for”, minute-taker), and one person to add."""

    add_person = forms.ChoiceField(label=_("Add one of the partnership's people"), required=False)
    add_name = forms.CharField(
        label=_("… or a new person (name)"), max_length=NAME_MAX_LENGTH, required=False
    )
    add_role = forms.ChoiceField(label=_("Role at the meeting"), choices=ADDED_ROLES, required=False)
    add_for = forms.ChoiceField(label=_("Stands in for"), required=False)

    def __init__(self, *args, mode, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = mode.rows
        members = _blank(mode.member_choices)
        self.fields["add_person"].choices = _blank(mode.people_choices)
        self.fields["add_for"].choices = members
        for row in self.rows:
            pid = row["person"].pk
            name = row["person"].name
            self.fields[f"status-{pid}"] = forms.ChoiceField(
                label=_("Attendance, %(name)s") % {"name": name},
                choices=[(value, capfirst(label)) for value, label in Attendance.Status.choices],
                initial=row.get("status") or Attendance.Status.PRESENT,
                required=False,  # a row the form did not post keeps what it had
            )
            self.fields[f"for-{pid}"] = forms.ChoiceField(
                label=_("Stands in for, %(name)s") % {"name": name},
                choices=[c for c in members if c[0] != str(pid)],
                required=False,
                initial=str(row["substitute_for"].pk) if row.get("substitute_for") else "",
            )
            self.fields[f"referent-{pid}"] = forms.BooleanField(
                label=_("Minute-taker, %(name)s") % {"name": name},
                required=False,
                initial=bool(row.get("is_referent")),
            )

    def sheet(self):
        """(field names per row, in order) for the template."""
        return [
            (
                row,
                self[f"status-{row['person'].pk}"],
                self[f"for-{row['person'].pk}"],
                self[f"referent-{row['person'].pk}"],
            )
            for row in self.rows
        ]

    def clean(self):
        data = super().clean()
        if data.get("add_person") and data.get("add_name"):
            self.add_error("add_name", _("Choose a person or write a new name, not both."))
        return data

    def service_arguments(self) -> dict:
        """Keyword arguments for services.attendance_record (without meeting and by)."""
        data = self.cleaned_data
        by_pk = {row["person"].pk: row for row in self.rows}
        rows = []
        for row in self.rows:
            pid = row["person"].pk
            stands_in = by_pk.get(int(data[f"for-{pid}"])) if data[f"for-{pid}"] else None
            status = data[f"status-{pid}"] or row.get("status") or Attendance.Status.PRESENT
            rows.append(_row(row, status, data[f"referent-{pid}"], stands_in))
        added_for = by_pk.get(int(data["add_for"])) if data.get("add_for") else None
        guest = {
            "person_pk": int(data["add_person"]) if data.get("add_person") else None,
            "name": (data.get("add_name") or "").strip(),
            "role": data.get("add_role") or Attendance.Role.GUEST,
            "substitute_for": added_for["person"] if added_for else None,
            "on_behalf_of": added_for.get("on_behalf_of") if added_for else None,
        }
        return {"rows": rows, "guest": guest}


def _row(row: dict, status: str, is_referent: bool, stands_in: dict | None) -> dict:
    on_behalf_of = row.get("on_behalf_of") or (stands_in or {}).get("on_behalf_of")
    role = row.get("role") or Attendance.Role.MEMBER
    if stands_in is not None and role == Attendance.Role.GUEST:
        role = Attendance.Role.SUBSTITUTE
    return {
        "person": row["person"],
        "status": status,
        "on_behalf_of": on_behalf_of,
        "substitute_for": stands_in["person"] if stands_in else None,
        "role": role,
        "is_referent": is_referent,
        "title": row.get("title") or "",
        "note": row.get("note") or "",
    }


class CaseRecordForm(DecisionForm):
    """One case in the meeting: outcome, decision, reservations by party, recusals by person."""

    recused = forms.MultipleChoiceField(
        label=_("Stepped out (recused)"), widget=forms.CheckboxSelectMultiple, required=False
    )
    recusal_reason = forms.CharField(
        label=_("Why they stepped out"), max_length=TEXT_MAX_LENGTH, required=False
    )

    def __init__(self, *args, case, mode, **kwargs):
        kwargs.setdefault("prefix", f"case-{case.pk}")
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["recused"].choices = mode.present_choices
        self.existing_recusals = {str(r.person_id): r.reason for r in case.recusals.all()}
        if not self.is_bound:
            self.initial["recused"] = list(self.existing_recusals)
        reservations = list(case.reservations.all())
        self.reservation_count = len(reservations) + 1
        for index in range(self.reservation_count):
            old = reservations[index] if index < len(reservations) else None
            self.fields[f"party_{index}"] = forms.ChoiceField(
                label=_("Reservation by"),
                choices=_blank(mode.party_choices),
                required=False,
                initial=str(old.party_id) if old and old.party_id else "",
            )
            self.fields[f"reservation_{index}"] = forms.CharField(
                label=_("Reservation (protokolltilførsel)"),
                widget=forms.Textarea(attrs={"rows": 2}),
                max_length=TEXT_MAX_LENGTH,
                required=False,
                initial=old.text if old else "",
            )

    def reservation_fields(self):
        return [(self[f"party_{i}"], self[f"reservation_{i}"]) for i in range(self.reservation_count)]

    def clean(self):
        data = super().clean()
        for index in range(self.reservation_count):
            if data.get(f"reservation_{index}", "").strip() and not data.get(f"party_{index}"):
                self.add_error(f"party_{index}", _("Choose the party that made the reservation."))
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        parties = dict(self.fields["party_0"].choices)
        people = dict(self.fields["recused"].choices)
        reservations = [
            {"party_pk": int(data[f"party_{i}"]), "text": data[f"reservation_{i}"]}
            for i in range(self.reservation_count)
            if data.get(f"party_{i}") in parties and data[f"reservation_{i}"].strip()
        ]
        recusals = [
            {"person_pk": int(pk), "reason": self.existing_recusals.get(pk) or data["recusal_reason"]}
            for pk in data["recused"]
            if pk in people
        ]
        organisations = Organisation.objects.in_bulk([r["party_pk"] for r in reservations])
        persons = Person.objects.in_bulk([r["person_pk"] for r in recusals])
        return {
            **super().service_arguments(),
            "reservations": [
                {"party": organisations[r["party_pk"]], "text": r["text"]}
                for r in reservations
                if r["party_pk"] in organisations
            ],
            "recusals": [
                {"person": persons[r["person_pk"]], "reason": r["reason"]}
                for r in recusals
                if r["person_pk"] in persons
            ],
        }


class FollowUpPointForm(forms.Form):
    what = forms.CharField(
        label=_("Follow-up point"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX_LENGTH
    )
    responsible = forms.CharField(
        label=_("Responsible"), max_length=FollowUp._meta.get_field("responsible").max_length, required=False
    )
    due = forms.DateField(label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ApprovalAnswerForm(forms.Form):
    """One member's answer in the e-mail round."""

    person = forms.ChoiceField(label=_("Who answered"))
    answer = forms.ChoiceField(label=_("Answer"), choices=MinutesApprovalAnswer.Answer.choices)
    answered_on = forms.DateField(
        label=_("Date of the answer"), widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=TEXT_MAX_LENGTH,
        required=False,
    )

    def __init__(self, *args, people, **kwargs):
        kwargs.setdefault("prefix", "answer")
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _blank([(str(p.pk), p.name) for p in people])
        self.people = {str(p.pk): p for p in people}

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "person": self.people[data["person"]],
            "answer": data["answer"],
            "answered_on": data["answered_on"],
            "comment": data["comment"],
        }


class MinutesApprovalForm(forms.Form):
    """How the minutes were approved: at the next meeting (in which case), by e-mail round, signed."""

    method = forms.ChoiceField(label=_("Approved how"), choices=Minutes.ApprovalMethod.choices)
    approved_in_case = forms.ChoiceField(label=_("In which case (at the next meeting)"), required=False)
    approved_on = forms.DateField(
        label=_("Approved on"),
        required=False,
        help_text=_("Empty for today; for an e-mail round, the date of the last answer."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, cases, **kwargs):
        kwargs.setdefault("prefix", "approve")
        super().__init__(*args, **kwargs)
        self.fields["approved_in_case"].choices = _blank(cases)

    def clean(self):
        data = super().clean()
        if data.get("method") == Minutes.ApprovalMethod.NEXT_MEETING and not data.get("approved_in_case"):
            self.add_error(
                "approved_in_case", _("Choose the case of the next meeting that approved the minutes.")
            )
        return data
