"""Admin for meetings and cases, with history and a reason for each change on every model."""

from django.contrib import admin

from governance.history_admin import HistoryAdmin, HistoryTabularInline, LockableInline

from .models import (
    Amendment,
    Attachment,
    Attendance,
    Case,
    CasePerson,
    CaseSection,
    FollowUp,
    Meeting,
    Minutes,
    MinutesApprovalAnswer,
    MinutesSection,
    ProgrammeItem,
    Recusal,
    Reservation,
)


class CaseInline(LockableInline, HistoryTabularInline):
    """The meeting's cases; their number and year are given by the services, so a new case is
    added in the case admin (which asks its year), not here."""

    model = Case
    fk_name = "meeting"
    extra = 0
    fields = ["order", "number", "year", "kind", "title", "exempt"]
    service_fields = ("number", "year")
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class AttendanceInline(LockableInline, admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person", "on_behalf_of", "substitute_for"]
    fields = ["order", "person", "on_behalf_of", "title", "status", "role", "is_referent", "substitute_for"]


class FollowUpInline(LockableInline, admin.TabularInline):
    model = FollowUp
    fk_name = "meeting"
    extra = 0
    autocomplete_fields = ["case", "responsible_person", "closed_by_case"]
    fields = ["order", "title", "what", "responsible", "due", "status", "closed_by_case"]


class CaseSectionInline(LockableInline, admin.StackedInline):
    model = CaseSection
    extra = 0
    fields = ["order", "heading", "text", "tells_of_decision"]


class CasePersonInline(LockableInline, admin.TabularInline):
    model = CasePerson
    extra = 0
    fields = ["order", "role", "person", "wording", "programme_item"]
    autocomplete_fields = ["person"]


class ProgrammeItemInline(LockableInline, admin.TabularInline):
    model = ProgrammeItem
    extra = 0
    fields = ["order", "title", "starts_at", "ends_at"]


class MinutesSectionInline(LockableInline, admin.StackedInline):
    model = MinutesSection
    extra = 0
    fields = ["order", "heading", "text"]


class AttachmentInline(LockableInline, admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["order", "title", "file", "exempt", "exemption_basis"]


class ReservationInline(LockableInline, admin.TabularInline):
    model = Reservation
    extra = 0
    autocomplete_fields = ["party", "person"]


class RecusalInline(LockableInline, admin.TabularInline):
    model = Recusal
    extra = 0
    autocomplete_fields = ["person"]


def _locked(meeting) -> bool:
    """Part of a meeting whose minutes are approved (meetings/lifecycle.py): shown, not edited."""
    return meeting is not None and meeting.is_locked


class PartOfCaseAdmin(HistoryAdmin):
    """A part of a case's paper or record (its sections, people, programme, attachments,
    reservations, recusals): locked with the case's meeting, its case chosen by search and listed
    with its body. A subclass adds to `autocomplete_fields` and `list_select_related`."""

    autocomplete_fields = ["case"]
    list_select_related = ["case__body__partnership"]

    def is_locked(self, obj) -> bool:
        return _locked(obj.case.meeting)


@admin.register(Meeting)
class MeetingAdmin(HistoryAdmin):
    def is_locked(self, obj) -> bool:
        return obj.is_locked

    list_display = ["__str__", "body", "start", "place", "is_digital", "is_open", "status"]
    service_fields = ("status", "cancelled_at")  # meetings/lifecycle.py, through the services
    list_filter = ["body__partnership", "status", "body", "is_digital", "is_open"]
    search_fields = ["title", "body__name", "body__short_name", "place", "purpose"]
    autocomplete_fields = ["body"]
    date_hierarchy = "start"
    list_select_related = ["body__partnership"]
    inlines = [CaseInline, AttendanceInline, FollowUpInline]


@admin.register(Case)
class CaseAdmin(HistoryAdmin):
    def is_locked(self, obj) -> bool:
        return _locked(obj.meeting)

    list_display = ["__str__", "body", "meeting", "kind", "outcome", "exempt"]
    service_fields = ("number", "year", "version", "intake_status")  # numbering, proposals, edits
    list_filter = ["body__partnership", "kind", "outcome", "exempt", "year", "body"]
    search_fields = [
        "title",
        "public_title",
        "archive_reference",
        "proposal",
        "decision",
    ]
    autocomplete_fields = ["body", "meeting", "previous", "next_meeting"]
    filter_horizontal = ["patient_groups"]
    list_select_related = ["body__partnership", "meeting__body"]
    inlines = [
        CaseSectionInline,
        CasePersonInline,
        ProgrammeItemInline,
        AttachmentInline,
        ReservationInline,
        RecusalInline,
    ]


@admin.register(CaseSection)
class CaseSectionAdmin(PartOfCaseAdmin):
    list_display = ["__str__", "case", "order"]
    search_fields = ["heading", "text", "case__title"]


@admin.register(ProgrammeItem)
class ProgrammeItemAdmin(PartOfCaseAdmin):
    list_display = ["__str__", "case", "order", "starts_at", "ends_at"]
    search_fields = ["title", "case__title"]


@admin.register(CasePerson)
class CasePersonAdmin(PartOfCaseAdmin):
    list_display = ["__str__", "case", "role", "order"]
    search_fields = ["wording", "person__name", "case__title"]
    autocomplete_fields = [*PartOfCaseAdmin.autocomplete_fields, "person"]
    list_select_related = [*PartOfCaseAdmin.list_select_related, "person"]


@admin.register(Reservation)
class ReservationAdmin(PartOfCaseAdmin):
    list_display = ["__str__", "case", "party"]
    autocomplete_fields = [*PartOfCaseAdmin.autocomplete_fields, "party", "person"]
    list_select_related = [*PartOfCaseAdmin.list_select_related, "party", "person"]


@admin.register(Attendance)
class AttendanceAdmin(HistoryAdmin):
    def is_locked(self, obj) -> bool:
        return obj.meeting.is_locked

    list_display = ["person", "meeting", "on_behalf_of", "status", "role", "is_referent"]
    list_filter = ["status", "role", "meeting__body"]
    search_fields = ["person__name", "title"]
    autocomplete_fields = ["meeting", "person", "on_behalf_of", "substitute_for"]
    list_select_related = ["person", "meeting__body", "on_behalf_of"]


@admin.register(Recusal)
class RecusalAdmin(PartOfCaseAdmin):
    list_display = ["person", "case"]
    autocomplete_fields = [*PartOfCaseAdmin.autocomplete_fields, "person"]
    list_select_related = [*PartOfCaseAdmin.list_select_related, "person"]


@admin.register(Minutes)
class MinutesAdmin(HistoryAdmin):
    def is_locked(self, obj) -> bool:
        return obj.meeting.is_locked

    list_display = ["__str__", "approved_at", "approval_method", "published_at"]
    service_fields = ("version",)
    list_filter = ["approval_method", "meeting__body"]
    search_fields = ["sections__text", "meeting__title", "meeting__body__name"]
    autocomplete_fields = ["meeting", "approved_in_case", "next_meeting"]
    list_select_related = ["meeting__body"]
    inlines = [MinutesSectionInline]


@admin.register(MinutesSection)
class MinutesSectionAdmin(HistoryAdmin):
    def is_locked(self, obj) -> bool:
        return obj.minutes.meeting.is_locked

    list_display = ["__str__", "minutes", "order"]
    search_fields = ["heading", "text", "minutes__meeting__title", "minutes__meeting__body__name"]
    autocomplete_fields = ["minutes"]
    list_select_related = ["minutes__meeting__body"]


@admin.register(MinutesApprovalAnswer)
class MinutesApprovalAnswerAdmin(HistoryAdmin):
    list_display = ["__str__", "minutes", "answer", "answered_on"]
    list_filter = ["answer"]
    search_fields = ["person__name", "comment"]
    autocomplete_fields = ["minutes", "person"]
    list_select_related = ["person", "minutes__meeting__body"]


@admin.register(FollowUp)
class FollowUpAdmin(HistoryAdmin):
    list_display = ["__str__", "meeting", "responsible", "due", "status"]
    list_filter = ["status", "meeting__body"]
    search_fields = ["title", "what", "responsible"]
    autocomplete_fields = ["meeting", "case", "responsible_person", "agenda_case", "closed_by_case"]
    list_select_related = ["meeting__body"]


@admin.register(Attachment)
class AttachmentAdmin(PartOfCaseAdmin):
    list_display = ["title", "case", "exempt", "exemption_basis"]
    list_filter = ["exempt"]
    search_fields = ["title", "case__title"]


@admin.register(Amendment)
class AmendmentAdmin(HistoryAdmin):
    list_display = ["__str__", "field", "by", "at"]
    search_fields = ["reason", "old_value", "new_value"]
    autocomplete_fields = ["case", "minutes", "section"]
    list_select_related = ["case__body__partnership", "minutes__meeting__body", "by"]
