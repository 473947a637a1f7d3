"""Admin for governance: the staff's complete fallback tool, with history and a reason for each change."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .history_admin import HistoryAdmin
from .models import (
    Body,
    Membership,
    Name,
    Organisation,
    Partnership,
    PatientGroup,
    Person,
    SecurityEvent,
    SourceCorrection,
    SourceDocument,
)


class NameInline(admin.TabularInline):
    """Names in other languages, only as a source writes them (none translated or made up)."""

    model = Name
    extra = 0
    fields = ["lang", "name", "source", "order"]
    autocomplete_fields = ["source"]


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "body"
    extra = 0
    autocomplete_fields = ["person", "on_behalf_of", "substitute_for"]
    fields = ["person", "role", "on_behalf_of", "title", "start_date", "end_date", "substitute_for"]


@admin.register(Partnership)
class PartnershipAdmin(HistoryAdmin):
    list_display = ["name", "short_name", "slug", "case_number_style"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [NameInline]


@admin.register(Organisation)
class OrganisationAdmin(HistoryAdmin):
    list_display = ["name", "short_name", "kind", "region", "parent", "partnership"]
    list_filter = ["partnership", "kind", "region"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent", "partnership"]
    inlines = [NameInline]


@admin.register(Body)
class BodyAdmin(HistoryAdmin):
    list_display = ["name", "short_name", "kind", "level", "parent", "partnership", "meetings_open"]
    list_filter = ["partnership", "kind", "level", "meetings_open"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent"]
    prepopulated_fields = {"slug": ["short_name"]}
    list_select_related = ["parent__partnership", "partnership"]
    inlines = [MembershipInline, NameInline]


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ["name", "title", "organisation", "user"]
    list_filter = ["organisation__partnership"]
    search_fields = ["name", "title", "email"]
    autocomplete_fields = ["organisation", "user"]
    list_select_related = ["organisation", "user"]


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["person", "body", "role", "on_behalf_of", "start_date", "end_date"]
    list_filter = ["body__partnership", "role", "body"]
    search_fields = ["person__name", "body__name", "body__short_name"]
    autocomplete_fields = ["person", "body", "on_behalf_of", "substitute_for"]
    list_select_related = ["person", "body__partnership", "on_behalf_of"]
    date_hierarchy = "start_date"


@admin.register(PatientGroup)
class PatientGroupAdmin(HistoryAdmin):
    list_display = ["name", "order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SourceDocument)
class SourceDocumentAdmin(HistoryAdmin):
    list_display = ["title", "kind", "date", "file_name", "partnership"]
    list_filter = ["partnership", "kind"]
    search_fields = ["title", "file_name"]
    autocomplete_fields = ["letterhead"]
    list_select_related = ["partnership"]


@admin.register(SourceCorrection)
class SourceCorrectionAdmin(HistoryAdmin):
    """A correction is attached to its record by kind and number (a meeting, case or plan)."""

    list_display = ["source", "content_type", "object_id", "portal_shows"]
    list_filter = ["source__partnership", "source"]
    search_fields = ["source_says", "portal_shows", "reason"]
    list_select_related = ["source", "content_type"]


@admin.register(Name)
class NameAdmin(HistoryAdmin):
    """Names in other languages, also edited inline on their organisation, body or partnership."""

    list_display = ["name", "lang", "organisation", "body", "partnership", "source"]
    list_filter = ["lang", "source"]
    search_fields = ["name"]
    autocomplete_fields = ["organisation", "body", "partnership", "source"]
    list_select_related = ["organisation", "body__partnership", "partnership", "source"]


admin.site.index_title = _("Administration")


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read only, for superusers: every event, also those of no user (unknown usernames)."""

    list_display = ["at", "event", "user", "username", "ip", "path"]
    list_filter = ["event"]
    search_fields = ["username", "ip", "path"]
    date_hierarchy = "at"
    list_select_related = ["user"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
